#!/usr/bin/env bash
# Reproduces the results table in apps/translate/README.md: MLE vs DQN "stable" vs DQN "seed", 3 seeds, on
# ../shared/data/translate (the repository's sibling folder), with the budget in apps/translate/experiment.json.
# Long (tens of minutes on 2 CPU cores): not part of CI. Extra arguments are passed on (e.g. --seeds 1).
set -euo pipefail
cd "$(dirname "$0")/.."
DATA="${DQNLM_SHARED:-../../../shared}/data/translate"
exec node --conditions=source --import tsx src/cli.ts experiment --config experiment.json \
  --data-dir "$DATA" --out runs/experiment "$@"
