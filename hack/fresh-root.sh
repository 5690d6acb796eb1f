#!/usr/bin/env bash
# Runs `make test` of a commit in a clean Debian root, to prove that the project's own files
# install everything it needs: a debootstrapped bookworm (minbase) with only what a new machine
# of the project's kind comes with (gcc, g++, make, cmake, ninja, GoogleTest and Python from
# Debian; Go and Node.js with npm copied from this machine, as the kind installs them before a
# session), then a clone of the commit, `hack/install-deps.sh`, and `make test`. Needs root.
#
#   hack/fresh-root.sh prepare           build the clean root (once), print its path
#   hack/fresh-root.sh test [<commit>]   clone <commit> (default HEAD) into it and run .ci/run
#   hack/fresh-root.sh unit [<commit>]   the same with `make unit` (no cluster, no test hosts: it
#                                        may run beside another make test)
#   hack/fresh-root.sh remove            unmount and delete the root
#
# Each `test` starts from a copy of the prepared root, so packages installed by one run are not
# there for the next. The Go-built Kubernetes binaries and the test host image are taken from
# this machine's cache (as CI has them cached), everything else is fetched or built anew.
# The root shares this machine's network (the test hosts reach the Debian mirror through it), so
# no other `make test` may run at the same time: the ports and host names are the same.
#
# Environment: MCM_FRESH_ROOT (default /var/tmp/mcm-fresh-root), MCM_CACHE_DIR, MCM_TESTHOST_MIRROR,
# MCM_FRESH_ROOT_LOCK: a file to hold (flock) while the tests run, not while the root installs
# and builds, so that other test runs of this machine can wait their turn for the ports.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/.." && pwd)
# shellcheck source=lib/require.sh
. "$here/lib/require.sh"
require_commands debootstrap

readonly base=${MCM_FRESH_ROOT:-/var/tmp/mcm-fresh-root}
readonly mirror=${MCM_TESTHOST_MIRROR:-http://deb.debian.org/debian}
readonly cache=${MCM_CACHE_DIR:-$HOME/.cache/mycloudmanager}
# What a new machine of the project's kind has from Debian before any project script runs.
readonly machine_packages=(build-essential cmake ninja-build libgtest-dev python3 git
  ca-certificates)

die() { echo "fresh-root: $*" >&2; exit 1; }
log() { echo "fresh-root: $*" >&2; }

[ "$(id -u)" -eq 0 ] || die "must run as root (debootstrap, chroot, mounts)"

unmount_below() {
  local m
  awk -v d="$1" '$5 == d || index($5, d "/") == 1 { print $5 }' /proc/self/mountinfo |
    sort -r | while read -r m; do umount "$m" 2>/dev/null || umount -l "$m"; done
}

cmd_prepare() {
  local clean=$base/clean
  if [ -f "$clean/.prepared" ]; then
    echo "$clean"
    return 0
  fi
  rm -rf --one-file-system "$clean"
  mkdir -p "$base"
  log "debootstrap bookworm into $clean (a few minutes)"
  debootstrap --variant=minbase bookworm "$clean" "$mirror" >"$base/debootstrap.log" 2>&1 ||
    { tail -n 20 "$base/debootstrap.log" >&2; die "debootstrap failed"; }
  unmount_below "$clean"
  cp /etc/resolv.conf "$clean/etc/resolv.conf"
  chroot "$clean" /usr/bin/env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin DEBIAN_FRONTEND=noninteractive \
    apt-get install -y -qq --no-install-recommends "${machine_packages[@]}" >"$base/apt.log" 2>&1 ||
    { tail -n 20 "$base/apt.log" >&2; die "installing the machine's packages failed"; }
  # Go and Node.js as the machine kind installs them (not from Debian).
  mkdir -p "$clean/usr/local"
  cp -a "$(dirname "$(dirname "$(readlink -f "$(command -v go)")")")" "$clean/usr/local/go"
  cp -a "$(readlink -f "$(command -v node)")" "$clean/usr/bin/node"
  cp -a /usr/lib/node_modules "$clean/usr/lib/node_modules"
  ln -sf ../lib/node_modules/npm/bin/npm-cli.js "$clean/usr/bin/npm"
  ln -sf ../lib/node_modules/npm/bin/npx-cli.js "$clean/usr/bin/npx"
  chroot "$clean" apt-get clean
  touch "$clean/.prepared"
  echo "$clean"
}

# The machine's own setup for reaching the package registries (the certificate authorities it
# trusts, npm's and pip's settings, the variables that point clients at them): a new machine of
# the kind comes with it, and the project does not install it.
machine_config() {
  local root=$1 f
  mkdir -p "$root/usr/local/share/ca-certificates"
  cp -a /usr/local/share/ca-certificates/. "$root/usr/local/share/ca-certificates/"
  cp /etc/ssl/certs/ca-certificates.crt "$root/etc/ssl/certs/ca-certificates.crt"
  for f in /etc/pip.conf /etc/npmrc "$HOME/.npmrc"; do
    [ -f "$f" ] && mkdir -p "$root$(dirname "${f/#$HOME//root}")" &&
      cp "$f" "$root${f/#$HOME//root}"
  done
  env | grep -E '^([A-Z_]*(CA_CERTS?|CA_BUNDLE|CERT_FILE|CERT_DIR|CAINFO)|PIP_(CERT|DEFAULT_TIMEOUT|INDEX_URL)|NODE_EXTRA_CA_CERTS|GO(PROXY|SUMDB|NOSUMDB|PRIVATE)|(https?|no)_proxy|(HTTPS?|NO)_PROXY)=' || true
}

cmd_test() {
  local what=$1 commit=${2:-HEAD} clean run work status=0 command='bash .ci/run'
  [ "$what" = unit ] && command='make unit'
  clean=$(cmd_prepare)
  commit=$(git -C "$repo" rev-parse "$commit")
  run=$base/run-$what
  unmount_below "$run"
  rm -rf --one-file-system "$run"
  log "copying the clean root"
  cp -a "$clean" "$run"
  work=$run/work
  mkdir -p "$work" "$run/root/.cache"
  git clone -q "$repo" "$work/main"
  git -C "$work/main" checkout -q "$commit"
  [ -d "$repo/../shared" ] && cp -a "$repo/../shared" "$work/shared"
  # The root is a mount point of its own, as / is on a machine (the test hosts make / a slave
  # mount before they unshare).
  mount --bind "$run" "$run"
  mount -t proc proc "$run/proc"
  mount --rbind /sys "$run/sys"
  mount --rbind /dev "$run/dev"
  mount -t tmpfs tmpfs "$run/run"
  mkdir -p "$run/root/.cache/mycloudmanager/bin" "$run/root/.cache/mycloudmanager/testhost"
  [ -d "$cache/bin" ] && mount --bind "$cache/bin" "$run/root/.cache/mycloudmanager/bin"
  [ -d "$cache/testhost" ] && mount --bind "$cache/testhost" "$run/root/.cache/mycloudmanager/testhost"
  local -a machine_env
  mapfile -t machine_env < <(machine_config "$run")
  log "$command of $commit in $run (log: $base/$what.log)"
  local -a in_root=(chroot "$run" /usr/bin/env -i HOME=/root LANG=C.UTF-8 CI=true
    "${machine_env[@]}" PATH=/usr/local/go/bin:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin)
  if [ "$what" = test ] && [ -n "${MCM_FRESH_ROOT_LOCK:-}" ]; then
    # make test's own first steps (install, Go builds, sanitizer build, web), then make test
    # itself, which finds them done, while holding the lock.
    "${in_root[@]}" bash -c "cd /work/main && make tools build-test web" >"$base/$what.log" 2>&1 ||
      status=$?
    [ "$status" -ne 0 ] || flock "$MCM_FRESH_ROOT_LOCK" "${in_root[@]}" \
      bash -c "cd /work/main && $command" >>"$base/$what.log" 2>&1 || status=$?
  else
    "${in_root[@]}" bash -c "cd /work/main && $command" >"$base/$what.log" 2>&1 || status=$?
  fi
  unmount_below "$run"
  tail -n 30 "$base/$what.log"
  log "$command exited $status"
  return "$status"
}

cmd_remove() {
  unmount_below "$base"
  rm -rf --one-file-system "$base"
}

case ${1:-} in
  prepare) cmd_prepare ;;
  test | unit) cmd_test "$@" ;;
  remove) cmd_remove ;;
  *) sed -n '2,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//' >&2; exit 2 ;;
esac
