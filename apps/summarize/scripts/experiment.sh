#!/usr/bin/env bash
# Reproduces the results table in apps/summarize/README.md: MLE vs DQN "stable" vs DQN "seed", 3 seeds, on
# ../shared/data/summarize (the repository's sibling folder), with the budget in apps/summarize/experiment.json.
# Long (tens of minutes on 2 CPU cores): not part of CI. Extra arguments are passed on (e.g. --seeds 1).
set -euo pipefail
cd "$(dirname "$0")/.."
DATA="${DQNLM_SHARED:-../../../shared}/data/summarize"
exec node --conditions=source --import tsx src/cli.ts experiment --config experiment.json \
  --data-dir "$DATA" --out runs/experiment "$@"
