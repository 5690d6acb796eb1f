#!/usr/bin/env bash
# Installs the Debian packages the build and the tests need, skipping those already present.
# Idempotent: a warm call costs one dpkg query.
#   hack/install-deps.sh          install what is missing
#   hack/install-deps.sh --list   print the package list, one a line (tests/deps reads it)
#
# Every command that a script of hack/, tests/, bench/ or .ci/ runs comes from a package listed
# here, from a package of a minimal Debian (Priority: required), or from the toolchains the
# machine comes with; tests/deps/commands_test.py fails when one does not.
set -euo pipefail
packages=(
  build-essential cmake ninja-build pkg-config git openssl ca-certificates curl
  libboost1.81-dev nlohmann-json3-dev libyaml-cpp-dev libspdlog-dev libfmt-dev
  libssl-dev libcurl4-openssl-dev libgtest-dev libgmock-dev libxlsxwriter-dev libargon2-dev
  zlib1g-dev libcli11-dev prometheus-cpp-dev
  python3-openpyxl python3-venv chromium nginx nginx-light devscripts
  wrk debootstrap ansible ansible-core openssh-server openssh-client iproute2 nftables rsyslog
  chrony zstd procps shfmt
)
if [ "${1:-}" = --list ]; then
  printf '%s\n' "${packages[@]}"
  exit 0
fi
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
if [ ${#missing[@]} -eq 0 ]; then
  exit 0
fi
echo "installing Debian packages: ${missing[*]}" >&2
sudo_cmd=()
[ "$(id -u)" -eq 0 ] || sudo_cmd=(sudo)
export DEBIAN_FRONTEND=noninteractive
"${sudo_cmd[@]}" apt-get update -qq
"${sudo_cmd[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
