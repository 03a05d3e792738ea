#!/usr/bin/env bash
# Reproduces the generative-mode table in apps/qa/README.md: MLE vs DQN "stable", 3 seeds, on
# ../shared/data/qa (the repository's sibling folder), with the budget in apps/qa/experiment.json.
# Long (tens of minutes on 2 shared CPU cores): not part of CI. Extra arguments are passed on (e.g. --seeds 1).
set -euo pipefail
cd "$(dirname "$0")/.."
DATA="${DQNLM_SHARED:-../../../shared}/data/qa"
exec node --conditions=source --import tsx src/cli.ts experiment --config experiment.json \
  --data-dir "$DATA" --out runs/experiment "$@"
