# shellcheck shell=bash
# require_commands <command>...: the commands this script runs that a minimal Debian lacks, each
# from a package of hack/install-deps.sh. Exits with one message naming every missing command,
# before the script has done anything, instead of a "command not found" halfway through.
# tests/deps/commands_test.py checks that each script's line names every such command it runs.
# Sourced, never run.
require_commands() {
  local missing=() c
  for c in "$@"; do
    command -v "$c" >/dev/null 2>&1 || missing+=("$c")
  done
  if [ ${#missing[@]} -gt 0 ]; then
    echo "error: ${0##*/} needs ${missing[*]}, not installed here: run hack/install-deps.sh" \
      "(make deps)" >&2
    exit 1
  fi
}
