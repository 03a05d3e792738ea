#!/usr/bin/env bash
# Type-checks scripts/consumer/consumer.ts (a user's file importing @dqnlm/qnet and @dqnlm/trainer) with strict
# and skipLibCheck false against the built declarations. Run after `pnpm run build`. The tsconfig includes the
# @types packages tfjs-core depends on (long, offscreencanvas, seedrandom), which an npm install hoists into
# node_modules/@types where tsc includes them by default.
set -euo pipefail
cd "$(dirname "$0")/.."
for p in qnet trainer; do
  [ -f "packages/$p/dist/index.d.ts" ] || { echo "packages/$p/dist missing: run 'npx -y pnpm@10 run build' first" >&2; exit 1; }
done
npx tsc -p scripts/consumer/tsconfig.json
echo "consumer type-check (strict, skipLibCheck false): ok"
