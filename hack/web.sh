#!/usr/bin/env bash
# Installs the web app's npm packages (npm ci, from package-lock.json; npm's own cache lives
# outside the clone, in ~/.npm) when the lock file changed since the last install, then builds
# web/dist. Idempotent: a warm call checks a stamp and lets Vite rebuild only on change.
#   hack/web.sh            install if needed, build
#   hack/web.sh install    install if needed
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
web="$here/../web"
e2e="$here/../tests/e2e"

install() { # install <dir>: npm ci when package-lock.json is newer than the last install
  local dir=$1 stamp="$1/node_modules/.mcm-lock.sha256"
  local want
  want=$(sha256sum "$dir/package-lock.json" | cut -d' ' -f1)
  if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$want" ]; then
    return 0
  fi
  echo "npm ci in $dir" >&2
  (cd "$dir" && npm ci --no-audit --no-fund --loglevel=error >&2)
  echo "$want" >"$stamp"
}

install "$web"
[ -f "$e2e/package-lock.json" ] && install "$e2e"
if [ "${1:-build}" = build ]; then
  (cd "$web" && npm run --silent build >&2)
fi
