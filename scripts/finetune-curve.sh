#!/usr/bin/env bash
# A task model's learning curve: MLE fine-tuning of a base in one-epoch stages (stage k starts from stage k−1's
# weights, with a fresh Adam and seed k), each stage's network decoded greedily on the validation split.
# Writes <out>/curve.tsv (stage, epochs, cumulative training minutes, validation metrics, load) — the numbers behind
# "metric against CPU minutes"; the test split is decoded only by the final `eval` you choose to run.
#   scripts/finetune-curve.sh <task> <out> <stages> [extra train options...]
# Environment: BASE (the --init of stage 1, default base = models/dqnlm-base). Stages that finished are skipped,
# so a rerun resumes.
set -euo pipefail
TASK=${1:?usage: scripts/finetune-curve.sh <task> <out> <stages> [train options]}
OUT=$(realpath -m "${2:?out folder}")
STAGES=${3:?number of one-epoch stages}
shift 3
ROOT=$(cd "$(dirname "$0")/.." && pwd)
DATA=$(realpath -m "$ROOT/../shared/data/$TASK")
[ -d "$DATA" ] || { echo "no dataset folder $DATA (../shared beside the repository)" >&2; exit 2; }
cd "$ROOT/apps/$TASK"
CLI=(node --conditions=source --import tsx src/cli.ts)
mkdir -p "$OUT"
[ -f "$OUT/curve.tsv" ] || printf 'stage\tepochs\ttrain_minutes\tvalidation\tload\n' > "$OUT/curve.tsv"
prev=${BASE:-base}
for k in $(seq 1 "$STAGES"); do
  run=$OUT/e$k
  if [ ! -f "$run/results.json" ]; then
    t0=$(date +%s)
    "${CLI[@]}" train --data-dir "$DATA" --init "$prev" --mle-epochs 1 --dqn-updates 0 --test-limit 1 \
      --set mle.batchSize=32 --backend wasm --seed "$k" --out "$run" --overwrite --quiet "$@"
    echo $(( $(date +%s) - t0 )) > "$run/train-seconds"
  fi
  [ -f "$run/val/eval-validation.json" ] ||
    "${CLI[@]}" eval --model "$run" --data-dir "$DATA" --split validation --out "$run/val" > "$run/val.txt"
  secs=0; for j in $(seq 1 "$k"); do secs=$(( secs + $(cat "$OUT/e$j/train-seconds") )); done
  grep -q "^$k	" "$OUT/curve.tsv" || printf '%s\t%s\t%.1f\t%s\t%s\n' "$k" "$k" "$(echo "$secs/60" | bc -l)" \
    "$(awk -F'\t' 'NF == 3 { printf "%s=%s ", $1, $2 }' "$run/val.txt")" "$(cut -d' ' -f1-3 /proc/loadavg)" >> "$OUT/curve.tsv"
  prev=$run
done
cat "$OUT/curve.tsv"
