#!/usr/bin/env bash
# Measures what a user installs: packs the publishable packages, installs qnet (and, separately, trainer) from
# the tarballs with npm into empty folders (peer dependencies are installed as npm 7+ does; install scripts are not
# run) and prints the size of node_modules. Usage: scripts/install-size.sh [OUTDIR]   (default: a temp folder)
set -euo pipefail
cd "$(dirname "$0")/.."
out="${1:-$(mktemp -d)}"
mkdir -p "$out/tgz"
for p in core mdp replay rewards qnet trainer; do
  (cd "packages/$p" && npx -y pnpm@10 pack --pack-destination "$out/tgz" >/dev/null)
done
deps() {
  local first=1
  for p in "$@"; do
    [ $first = 1 ] || printf ','
    first=0
    printf '"@dqnlm/%s":"file:%s"' "$p" "$(ls "$out"/tgz/dqnlm-"$p"-*.tgz)"
  done
}
for target in qnet trainer; do
  dir="$out/$target"
  mkdir -p "$dir"
  case $target in
    qnet) list=(core qnet) ;;
    trainer) list=(core mdp replay rewards qnet trainer) ;;
  esac
  printf '{"name":"size-%s","private":true,"dependencies":{%s}}\n' "$target" "$(deps "${list[@]}")" >"$dir/package.json"
  (cd "$dir" && npm install --ignore-scripts --no-audit --no-fund --loglevel=error >/dev/null)
  printf '%s: %s node_modules, %s packages\n' "@dqnlm/$target" "$(du -sh "$dir/node_modules" | cut -f1)" \
    "$(find "$dir/node_modules" -name package.json -path '*node_modules/*/package.json' -not -path '*/node_modules/*/node_modules/*/*/package.json' | wc -l)"
done
