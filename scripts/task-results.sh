#!/usr/bin/env bash
# Task models from the shipped base and RL on top, measured: the commands behind the "From the pretrained base"
# results tables of the four apps. Long (≈ 1.5 CPU-hours per task on this machine); run it in the
# background: `nohup scripts/task-results.sh translate > runs/translate-results.log 2>&1 &`.
#   scripts/task-results.sh <translate|summarize|qa|dialogue> [RUNS_DIR]
# Environment: RL_MINUTES (wall-clock budget per RL seed, default 5), RL_UPDATES (cap on updates per seed, default
# 200), RL_TAG (names a second set of RL runs, <task>-soft-<tag>-s<seed>, and its table results-<tag>.md, so that
# longer RL budgets sit beside the first ones), MLE_DIR (an MLE run to start from instead of <task>-mle; its tables go
# to <MLE_DIR>-tables), SEEDS (the RL seeds this call runs, default "1 2 3": calls with different SEEDS can run in
# parallel), TABLES=0 (skip the baseline/beam/compare stages), RL_BEAMS=1 (also decode each RL network with beam 4,
# the MLE's best decoding, and add that row).
# Stages (each skips when its output exists, so a rerun resumes): MLE fine-tune of models/dqnlm-base (one epoch,
# early stopping on validation loss), soft-Q RL from it with 3 seeds, the non-learned baseline, beam and sharpened
# decoding of the MLE model, and the compare table with paired bootstrap p-values.
set -euo pipefail
TASK=${1:?usage: scripts/task-results.sh <translate|summarize|qa|dialogue> [RUNS_DIR]}
ROOT=$(cd "$(dirname "$0")/.." && pwd)
RUNS=$(realpath -m "${2:-$ROOT/runs}")
DATA=$(realpath -m "$ROOT/../shared/data/$TASK")
case $TASK in
  translate) MLE_OPTS=(); RL_OPTS=(); METRIC=BLEU ;;
  summarize) MLE_OPTS=(--train-limit 12000 --max-prompt-tokens 64); RL_OPTS=(--max-prompt-tokens 64); METRIC=ROUGE-L ;;
  qa) MLE_OPTS=(); RL_OPTS=(); METRIC=F1 ;;
  dialogue) MLE_OPTS=(--train-limit 12000); RL_OPTS=(); METRIC=BLEU ;;
  *) echo "unknown task $TASK (translate | summarize | qa | dialogue)" >&2; exit 2 ;;
esac
[ -d "$DATA" ] || { echo "no dataset folder $DATA (../shared beside the repository)" >&2; exit 2; }
cd "$ROOT/apps/$TASK"
CLI=(node --conditions=source --import tsx src/cli.ts)
MLE=${MLE_DIR:-$RUNS/$TASK-mle}
RL=$RUNS/$TASK-soft${RL_TAG:+-$RL_TAG}
T=$RUNS/$TASK-tables
[ -z "${MLE_DIR:-}" ] || T=$MLE-tables
[ -f "$MLE/results.json" ] || "${CLI[@]}" train --data-dir "$DATA" --init base --dqn-updates 0 --mle-epochs 1 \
  "${MLE_OPTS[@]}" --set mle.batchSize=32 --backend wasm --seed 1 --out "$MLE" --overwrite
for s in ${SEEDS:-1 2 3}; do
  [ -f "$RL-s$s/results.json" ] || "${CLI[@]}" train --data-dir "$DATA" --init "$MLE" --mle-epochs 0 \
    "${RL_OPTS[@]}" --preset soft --dqn-updates "${RL_UPDATES:-200}" --time-budget "${RL_MINUTES:-5}" --val-every 50 \
    --val-examples 100 --backend wasm --seed "$s" --out "$RL-s$s" --overwrite
done
[ "${TABLES:-1}" = 0 ] && exit 0
[ -d "$T/baseline" ] || "${CLI[@]}" baseline --data-dir "$DATA" --out "$T/baseline"
[ -d "$T/mle-beam4" ] || "${CLI[@]}" eval --data-dir "$DATA" --model "$MLE" --beams 4 --out "$T/mle-beam4"
[ -d "$T/mle-beam4-t05" ] || "${CLI[@]}" eval --data-dir "$DATA" --model "$MLE" --beams 4 --temperature 0.5 --out "$T/mle-beam4-t05"
RLB=$T/rl${RL_TAG:+-$RL_TAG}-beam4
RLB_SYSTEM=()
if [ "${RL_BEAMS:-0}" = 1 ]; then
  RLB_SYSTEM=(--system "RL (soft) beam 4=$RLB-s1,$RLB-s2,$RLB-s3")
  for s in 1 2 3; do
    [ -d "$RLB-s$s" ] || "${CLI[@]}" eval --data-dir "$DATA" --model "$RL-s$s" --beams 4 --out "$RLB-s$s"
  done
fi
# the RL runs' own test predictions (greedy argmax of the policy logits, best validation checkpoint)
soft() { ls "$RL-s$1"/predictions/test.dqn*.jsonl; }
# MLE greedy on test: the MLE run's own decoding, or (when it decoded only part of the test split, as the stages of
# scripts/finetune-curve.sh do) the start-model decoding that the first RL run wrote before its updates
REF=$(ls "$MLE"/predictions/test.mle*.jsonl)
[ "$(wc -l < "$REF")" -eq "$(wc -l < "$(soft 1)")" ] || REF=$(ls "$RL-s1"/predictions/test.mle*.jsonl)
"${CLI[@]}" compare --reference "MLE greedy=$REF" \
  --system "RL (soft)=$(soft 1),$(soft 2),$(soft 3)" --system "MLE beam 4=$T/mle-beam4" \
  --system "MLE beam 4, T 0.5=$T/mle-beam4-t05" \
  "${RLB_SYSTEM[@]}" \
  --system "baseline=$T/baseline" --out "$T/results${RL_TAG:+-$RL_TAG}.md"
echo "metric of the table: $METRIC; table: $T/results${RL_TAG:+-$RL_TAG}.md"
