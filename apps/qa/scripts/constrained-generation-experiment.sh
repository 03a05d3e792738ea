#!/usr/bin/env bash
# Extractive (span-constrained) DQN for generative QA, from the MLE checkpoints of scripts/generation-experiment.sh
# (runs/experiment/seed<N>/mle; that script trains them if they are missing): for each seed, DQN `stable` with
# --constrain spans — the actor, the TD target's max and every decode stay inside word spans of the prompt's
# context — and the run's own before/after test decode (both constrained). Long: not part of CI.
set -euo pipefail
cd "$(dirname "$0")/.."
DATA="${DQNLM_SHARED:-../../../shared}/data/qa"
SEEDS="${SEEDS:-1 2 3}"
UPDATES="${UPDATES:-200}"
VALIDATION="${VALIDATION:-100}"   # validation questions (the first N of the split)
OUT="${OUT:-runs/constrained}"
EXTRA="${EXTRA:-}"                # more train options, e.g. "--set dqn.initialQScale=0.1"
[ -d runs/experiment/seed1/mle/checkpoints ] || scripts/generation-experiment.sh
for s in $SEEDS; do
  node --conditions=source --import tsx src/cli.ts train --data-dir "$DATA" --train-limit 1500 \
    --validation-limit "$VALIDATION" --context-words 40 --max-prompt-tokens 64 --max-new-tokens 8 \
    --init "runs/experiment/seed$s/mle" --mle-epochs 0 --constrain spans --dqn-updates "$UPDATES" \
    --val-every "$((UPDATES / 4))" --val-examples 0 --time-budget 20 --seed "$s" --set checkpoint.saveReplay=false \
    --out "$OUT/seed$s" --overwrite --quiet $EXTRA
done
