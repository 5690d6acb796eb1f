#!/usr/bin/env bash
# Installs the Debian packages the build and the tests need, skipping those already present.
# Idempotent: a warm call costs one dpkg query.
set -euo pipefail
packages=(
  build-essential cmake ninja-build pkg-config git openssl ca-certificates curl
  libboost1.81-dev nlohmann-json3-dev libyaml-cpp-dev libspdlog-dev libfmt-dev
  libssl-dev libcurl4-openssl-dev libgtest-dev libgmock-dev libxlsxwriter-dev libargon2-dev
  python3-openpyxl chromium nginx-light
  wrk debootstrap ansible openssh-server openssh-client iproute2 rsyslog chrony zstd
)
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
