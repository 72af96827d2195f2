#!/usr/bin/env bash
# Installs the Node packages of the interop tests (tests/interop, pinned by its package-lock.json)
# with `npm ci`, and Debian's nodejs/npm first when there is no node or npm command at all. An npm
# that is already there (from Debian, NodeSource or nvm) is used as it is.
set -euo pipefail
cd "$(dirname "$0")/.."
dir=${1:-tests/interop}
missing=()
command -v node >/dev/null 2>&1 || missing+=(nodejs)
command -v npm >/dev/null 2>&1 || missing+=(npm)
if [ ${#missing[@]} -gt 0 ]; then
  ./scripts/install-deps.sh "${missing[@]}"
fi
# npm ci leaves a copy of the lock file in node_modules: skip the install when it is current.
if [ -f "$dir/node_modules/.package-lock.json" ] &&
   [ ! "$dir/package-lock.json" -nt "$dir/node_modules/.package-lock.json" ]; then
  exit 0
fi
echo "weft: installing the interop tests' Node packages (npm ci in $dir)"
(cd "$dir" && npm ci --no-audit --no-fund --ignore-scripts)
