#!/usr/bin/env bash
# Runs every test of a configured build directory with ctest: unit tests, then integration tests
# against a real local control plane that ctest's `cluster` fixture starts and stops.
#   hack/run-tests.sh <build dir>
set -euo pipefail
build=${1:?usage: hack/run-tests.sh <build dir>}
cd "$build"
exec ctest --output-on-failure --timeout 900 "${@:2}"
