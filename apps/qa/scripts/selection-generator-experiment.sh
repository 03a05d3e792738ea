#!/usr/bin/env bash
# Reproduces the "selection with the generator" table in apps/qa/README.md on ../shared/data/qa:
#  1. the generator: generation mode (MLE 3 epochs + DQN stable) on the first 4,000 training questions;
#  2. selection without the generator, selector trained on training questions 4,001–9,321 (same questions as 3);
#  3. selection with the generator's constrained beams as a 4th answerer + its log-probability feature
#     (the selector's training skips the generator's 4,000 questions automatically);
#  4. the same without the log-probability feature (ablation).
# Long (about 25 minutes on 2 CPU cores: generator 8, selection runs 1 + 9 + 6): not part of CI. Run from anywhere.
set -euo pipefail
cd "$(dirname "$0")/.."
DATA="${DQNLM_SHARED:-../../../shared}/data/qa"
QA=(node --conditions=source --import tsx src/cli.ts)
if [ ! -d runs/generator/checkpoints/best ]; then
  "${QA[@]}" train --data-dir "$DATA" --train-limit 4000 --validation-limit 100 --vocab-size 1000 \
    --context-words 40 --max-prompt-tokens 64 --max-new-tokens 8 --n-embd 64 --n-layer 2 --n-head 2 \
    --mle-epochs 3 --dqn-updates 60 --val-every 20 --val-examples 40 --time-budget 4 --seed 1 \
    --set checkpoint.saveReplay=false --out runs/generator --overwrite
fi
"${QA[@]}" select --data-dir "$DATA" --seeds 1,2,3 --train-skip 4000 --quiet --out results/selection-skip4000
"${QA[@]}" select --data-dir "$DATA" --seeds 1,2,3 --generator runs/generator --quiet \
  --out results/selection-generator
"${QA[@]}" select --data-dir "$DATA" --seeds 1,2,3 --generator runs/generator --generator-features no --quiet \
  --out results/selection-generator-nofeature
