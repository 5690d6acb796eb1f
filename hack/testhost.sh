#!/usr/bin/env bash
# Real Debian target hosts for tests: a debootstrapped root running sshd in its own network,
# PID, UTS and IPC namespaces, reached from this machine over a veth pair and reaching the Debian
# mirror through NAT. Needs root.
#
#   hack/testhost.sh image               build (once) the cached root tarball, print its path
#   hack/testhost.sh up <name> <index>   start host <name> at 10.251.<index>.2, print one JSON line:
#       {"name","root","address","gateway","netns","index","hostKey"}
#   hack/testhost.sh info <name>         print that JSON line again
#   hack/testhost.sh exec <name> <cmd..> run a command inside the host (namespaces + chroot), with
#                                        a clean environment; stdin is passed through, e.g.
#       hack/testhost.sh exec web-1 sh -c 'mkdir -p /root/.ssh; cat >>/root/.ssh/authorized_keys' <key.pub
#   hack/testhost.sh down <name>         kill everything in it, unmount, delete netns, veth and dir
#
# Environment: MCM_CACHE_DIR (image cache, default ~/.cache/mycloudmanager), MCM_TESTHOST_DIR
# (where hosts are extracted, default /tmp/mcm-testhosts), MCM_TESTHOST_MIRROR.
#
# A host has no systemd: services are started by their /etc/init.d scripts (invoke-rc.d, the
# `service` command, ansible.builtin.service). Its apt lists are those of the image build; run
# `apt-get update` (update_cache) before installing.
set -euo pipefail

readonly suite=bookworm
readonly mirror=${MCM_TESTHOST_MIRROR:-http://deb.debian.org/debian}
# What ansible and the agent roles need on a target, and what the enrollment script uses. The
# agents themselves are not here: the tests install and remove them through apt.
readonly packages=(openssh-server python3 python3-apt sudo curl ca-certificates iproute2 procps)
# Bump when the post-processing below changes, so that cached images are rebuilt.
readonly recipe=1
readonly cache_dir=${MCM_CACHE_DIR:-$HOME/.cache/mycloudmanager}/testhost
readonly hosts_dir=${MCM_TESTHOST_DIR:-/tmp/mcm-testhosts}
readonly nft_table=mcm_testhost
readonly path_env=PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
# shellcheck source=lib/require.sh
. "$(dirname "$0")/lib/require.sh"
require_commands debootstrap ip nft pgrep zstd

die() { echo "testhost: $*" >&2; exit 1; }
log() { echo "testhost: $*" >&2; }

usage() {
  sed -n '2,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//' >&2
  exit 2
}

require_root() {
  [ "$(id -u)" -eq 0 ] ||
    die "must run as root (it creates network namespaces, mounts and chroots): sudo $0 $*"
}

check_name() {
  [[ $1 =~ ^[a-z0-9]([a-z0-9-]{0,20}[a-z0-9])?$ ]] ||
    die "bad host name '$1': lowercase letters, digits and '-', at most 22 characters"
}

netns_exists() {
  ip netns list | awk -v n="$1" '$1 == n { found = 1 } END { exit !found }'
}

up_failed() {
  local status=$?
  [ "$status" -ne 0 ] || return 0
  log "up $1 failed, removing what it made"
  cmd_down "$1" >/dev/null 2>&1 || true
  exit "$status"
}

# The tarball's name carries a hash of everything that shapes its content, so a changed package
# list or recipe builds a new image beside the old one instead of reusing a stale one.
image_path() {
  local key
  key=$(printf '%s\n' "recipe=$recipe" "suite=$suite" "variant=minbase" "${packages[@]}" |
    sha256sum | cut -c1-16)
  echo "$cache_dir/debian-$suite-$key.tar.zst"
}

# Unmounts everything at or below $1, deepest first. Mount points are read from mountinfo, where
# spaces and other special characters are octal-escaped; our paths have none (checked on entry).
unmount_below() {
  local dir=$1 m
  local -a mounts=()
  mapfile -t mounts < <(awk -v d="$dir" '$5 == d || index($5, d "/") == 1 { print $5 }' \
    /proc/self/mountinfo | sort -r)
  for m in "${mounts[@]}"; do
    umount "$m" 2>/dev/null || umount -l "$m"
  done
}

mounted_below() {
  awk -v d="$1" '$5 == d || index($5, d "/") == 1 { found = 1 } END { exit !found }' \
    /proc/self/mountinfo
}

build_image() {
  local out=$1 tmp
  mkdir -p "$cache_dir"
  # Built beside the final file and renamed into place, so an interrupted build never leaves a
  # tarball that looks complete.
  tmp=$(mktemp -d "$cache_dir/build.XXXXXX")
  # debootstrap mounts proc and sys inside the target and may leave them on failure.
  trap 'unmount_below "'"$tmp"'"; rm -rf --one-file-system "'"$tmp"'"' EXIT
  log "building the $suite image (debootstrap from $mirror, a few minutes): $out"
  local include
  include=$(IFS=,; echo "${packages[*]}")
  if ! nice -n 10 debootstrap --variant=minbase --include="$include" "$suite" "$tmp/root" \
    "$mirror" >"$tmp/debootstrap.log" 2>&1; then
    tail -n 30 "$tmp/debootstrap.log" >&2
    die "debootstrap failed (log above)"
  fi
  unmount_below "$tmp/root"
  local r=$tmp/root
  # Per-host identity is created at `up`: a baked-in machine-id or host key would make every
  # host the same machine to the gateway and to ssh.
  rm -f "$r"/etc/ssh/ssh_host_* "$r/var/lib/dbus/machine-id"
  : >"$r/etc/machine-id"
  : >"$r/etc/hostname"
  # A policy-rc.d that denies actions (as chroot builders like to add) would keep packages from
  # starting their services; the hosts must behave like real machines.
  rm -f "$r/usr/sbin/policy-rc.d"
  rm -f "$r/etc/apt/sources.list"
  cat >"$r/etc/apt/sources.list.d/debian.sources" <<EOF
Types: deb
URIs: $mirror
Suites: $suite $suite-updates
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg

Types: deb
URIs: ${mirror%/debian}/debian-security
Suites: $suite-security
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg
EOF
  chroot "$r" apt-get clean
  # /dev is a tmpfs of its own on each host; the nodes debootstrap made are not needed.
  find "$r/dev" -mindepth 1 -delete
  tar --numeric-owner --xattrs --xattrs-include='*' -C "$r" -cf - . |
    nice -n 10 zstd -q -T2 -3 -o "$tmp/image.tar.zst"
  mv "$tmp/image.tar.zst" "$out"
  unmount_below "$tmp"
  rm -rf --one-file-system "$tmp"
  trap - EXIT
}

cmd_image() {
  local out
  out=$(image_path)
  if [ ! -f "$out" ]; then
    mkdir -p "$cache_dir"
    # One build at a time: a second caller waits, then finds the tarball.
    exec 8>"$cache_dir/.build.lock"
    flock 8
    [ -f "$out" ] || build_image "$out"
    exec 8>&-
  fi
  echo "$out"
}

# The masquerade rule is shared by all hosts; the table is replaced as a whole in one nft
# transaction so that concurrent `up`s cannot duplicate the rule.
nft_add() {
  (
    flock 9
    nft -f - <<EOF
table ip $nft_table
delete table ip $nft_table
table ip $nft_table {
  chain postrouting {
    type nat hook postrouting priority srcnat; policy accept;
    ip saddr 10.251.0.0/16 ip daddr != 10.251.0.0/16 masquerade
  }
}
EOF
  ) 9>"$hosts_dir/.nft.lock"
}

nft_remove_if_unused() {
  (
    flock 9
    if ! ip netns list | awk '/^mcm-/ { found = 1 } END { exit !found }'; then
      nft delete table ip "$nft_table" 2>/dev/null || true
    fi
  ) 9>"$hosts_dir/.nft.lock"
}

# Enters the host's namespaces (through its init, PID 1 of the host's PID namespace) and its
# root, with the environment a login would have rather than ours.
host_run() {
  local name=$1; shift
  local dir=$hosts_dir/$name init
  init=$(cat "$dir/init.pid" 2>/dev/null) || die "host $name is not up"
  [ -d "/proc/$init" ] || die "host $name is not running (its init $init is gone): run down, then up"
  nsenter --target "$init" --pid --uts --ipc --net -- \
    chroot "$dir/root" /usr/bin/env -i "$path_env" HOME=/root LANG=C.UTF-8 TERM="${TERM:-dumb}" "$@"
}

# PID 1 of each host, installed as its /sbin/init, and the /sbin/runlevel that goes with it.
# invoke-rc.d, which package scripts call to start their service, refuses when it finds no init
# (as in a bare chroot) and only starts services linked in the current runlevel's /etc/rc2.d;
# with an init and runlevel 2 the hosts start and stop services like a sysvinit machine, and
# /proc/1/comm reading `init` makes ansible treat them as one. The init's one job is to reap the
# daemons reparented to it.
readonly init_py='#!/usr/bin/python3
# Init of a MyCloudManager test host (hack/testhost.sh): reaps orphaned children, forever.
import os, time
while True:
    try:
        os.wait()
    except ChildProcessError:
        time.sleep(1)
'
readonly runlevel_sh='#!/bin/sh
# Runlevel of a MyCloudManager test host (hack/testhost.sh): multi-user, always.
echo "N 2"
'

cmd_up() {
  [ $# -eq 2 ] || usage
  local name=$1 index=$2
  check_name "$name"
  if ! [[ $index =~ ^[0-9]+$ ]] || [ "$index" -lt 1 ] || [ "$index" -gt 254 ]; then
    die "bad index '$index': 1..254"
  fi
  [[ $hosts_dir =~ ^/[A-Za-z0-9/._-]+$ ]] || die "MCM_TESTHOST_DIR must be an absolute plain path"
  local netns=mcm-$name veth=mcmh$index dir=$hosts_dir/$name
  local root=$dir/root address=10.251.$index.2 gateway=10.251.$index.1
  if [ -e "$dir" ] || netns_exists "$netns"; then
    die "host $name already exists: hack/testhost.sh down $name"
  fi
  ! ip link show "$veth" >/dev/null 2>&1 || die "index $index is taken ($veth exists)"
  local image
  image=$(cmd_image)

  mkdir -p "$hosts_dir"
  mkdir "$dir"
  # Leave nothing half made behind when a step fails.
  trap 'up_failed "'"$name"'"' EXIT
  echo "$index" >"$dir/index"
  mkdir "$root"
  tar --numeric-owner --xattrs --xattrs-include='*' -I 'zstd -d' -C "$root" -xpf "$image"

  ip netns add "$netns"
  ip link add "$veth" type veth peer name eth0 netns "$netns"
  ip addr add "$gateway/24" dev "$veth"
  ip link set "$veth" up
  ip -n "$netns" link set lo up
  ip -n "$netns" addr add "$address/24" dev eth0
  ip -n "$netns" link set eth0 up
  ip -n "$netns" route add default via "$gateway"
  echo 1 >/proc/sys/net/ipv4/ip_forward
  nft_add

  # sysfs shows the network devices of the namespace that mounts it.
  nsenter --net="/run/netns/$netns" -- mount -t sysfs -o ro,nosuid,nodev,noexec sysfs "$root/sys"
  # A /dev of its own, not a bind of ours: a daemon inside (rsyslog's /dev/log) must not replace
  # this machine's sockets.
  mount -t tmpfs -o mode=0755,nosuid,size=16m tmpfs "$root/dev"
  local spec n major minor
  for spec in null:1:3 zero:1:5 full:1:7 random:1:8 urandom:1:9 tty:5:0; do
    IFS=: read -r n major minor <<<"$spec"
    mknod -m 666 "$root/dev/$n" c "$major" "$minor"
  done
  mkdir -m 755 "$root/dev/pts"
  mkdir -m 1777 "$root/dev/shm"
  mount -t devpts -o newinstance,ptmxmode=0666,mode=0620,gid=5 devpts "$root/dev/pts"
  mount -t tmpfs -o mode=1777,nosuid,nodev tmpfs "$root/dev/shm"
  ln -s pts/ptmx "$root/dev/ptmx"
  ln -s /proc/self/fd "$root/dev/fd"
  ln -s /proc/self/fd/0 "$root/dev/stdin"
  ln -s /proc/self/fd/1 "$root/dev/stdout"
  ln -s /proc/self/fd/2 "$root/dev/stderr"

  # Identity of this host.
  tr -d '-' </proc/sys/kernel/random/uuid >"$root/etc/machine-id"
  echo "$name" >"$root/etc/hostname"
  printf '127.0.0.1\tlocalhost\n127.0.1.1\t%s\n::1\tlocalhost ip6-localhost ip6-loopback\n' \
    "$name" >"$root/etc/hosts"
  rm -f "$root/etc/resolv.conf"
  cp /etc/resolv.conf "$root/etc/resolv.conf"

  printf '%s' "$init_py" >"$root/sbin/init"
  printf '%s' "$runlevel_sh" >"$root/sbin/runlevel"
  chmod 755 "$root/sbin/init" "$root/sbin/runlevel"
  # Its own PID namespace: init scripts that look for their daemon by name, and `down`, must see
  # only this host's processes. setsid + closed fds so that the init outlives this script.
  setsid nsenter --net="/run/netns/$netns" -- unshare --pid --uts --ipc --fork -- \
    chroot "$root" /usr/bin/env -i "$path_env" /sbin/init \
    </dev/null >"$dir/init.log" 2>&1 9>&- 8>&- &
  local unshare_pid=$! init="" deadline=$((SECONDS + 10))
  while [ -z "$init" ] && [ $SECONDS -lt $deadline ]; do
    init=$(pgrep -P "$unshare_pid" || true)
    [ -n "$init" ] || sleep 0.1
  done
  [ -n "$init" ] || die "the init of $name did not start (see $dir/init.log)"
  echo "$init" >"$dir/init.pid"
  # shellcheck disable=SC2016 # $1 is for the inner shell
  nsenter --target "$init" --uts -- sh -c 'echo "$1" >/proc/sys/kernel/hostname' sh "$name"
  # /proc mounted from inside the PID namespace lists only the host's processes.
  nsenter --target "$init" --pid -- mount -t proc -o nosuid,nodev,noexec proc "$root/proc"

  host_run "$name" ssh-keygen -A >/dev/null
  mkdir -p "$root/run/sshd"
  host_run "$name" /usr/sbin/sshd -t || die "sshd -t failed inside $name"
  host_run "$name" /usr/sbin/sshd </dev/null >/dev/null 2>&1 9>&- 8>&-
  deadline=$((SECONDS + 20))
  until timeout 1 bash -c "exec 3<>/dev/tcp/$address/22" 2>/dev/null; do
    [ $SECONDS -lt $deadline ] || die "sshd of $name does not answer on $address:22"
    sleep 0.2
  done
  trap - EXIT

  local host_key
  host_key=$(cut -d' ' -f1,2 "$root/etc/ssh/ssh_host_ed25519_key.pub")
  printf '{"name":"%s","root":"%s","address":"%s","gateway":"%s","netns":"%s","index":%d,"hostKey":"%s"}\n' \
    "$name" "$root" "$address" "$gateway" "$netns" "$index" "$host_key" | tee "$dir/host.json"
}

# Kills every process of the host: those in its network namespace (the init, and with it the
# whole PID namespace) and any other whose root is inside its directory.
kill_host_processes() {
  local netns=$1 root=$2 pid
  for _ in $(seq 1 50); do
    local -a pids=()
    if netns_exists "$netns"; then
      mapfile -t pids < <(ip netns pids "$netns" 2>/dev/null)
    fi
    for pid in /proc/[0-9]*; do
      case $(readlink "$pid/root" 2>/dev/null) in
        "$root" | "$root"/*) pids+=("${pid#/proc/}") ;;
      esac
    done
    [ ${#pids[@]} -gt 0 ] || return 0
    # Nothing inside needs a graceful stop: the host is thrown away. Killing the init of a PID
    # namespace kills the whole namespace; the others are stragglers.
    kill -KILL "${pids[@]}" 2>/dev/null || true
    sleep 0.1
  done
  die "processes of $netns survive SIGKILL: ${pids[*]}"
}

cmd_down() {
  [ $# -eq 1 ] || usage
  local name=$1
  check_name "$name"
  local netns=mcm-$name dir=$hosts_dir/$name index=""
  local root=$dir/root
  index=$(cat "$dir/index" 2>/dev/null || true)
  kill_host_processes "$netns" "$root"
  if mounted_below "$dir"; then
    unmount_below "$dir"
  fi
  ! mounted_below "$dir" || die "could not unmount everything under $dir"
  if netns_exists "$netns"; then
    ip netns delete "$netns"
  fi
  # Deleting the namespace destroys the pair; this catches a veth whose peer never moved in.
  if [ -n "$index" ] && ip link show "mcmh$index" >/dev/null 2>&1; then
    ip link delete "mcmh$index"
  fi
  [ ! -e "$dir" ] || rm -rf --one-file-system "$dir"
  [ -d "$hosts_dir" ] && nft_remove_if_unused
  return 0
}

cmd_info() {
  [ $# -eq 1 ] || usage
  check_name "$1"
  cat "$hosts_dir/$1/host.json" 2>/dev/null || die "host $1 is not up"
}

cmd_exec() {
  [ $# -ge 2 ] || usage
  local name=$1; shift
  check_name "$name"
  host_run "$name" "$@"
}

[ $# -ge 1 ] || usage
command=$1; shift
case $command in
  image) require_root "$command" "$@"; cmd_image "$@" ;;
  up) require_root "$command" "$@"; cmd_up "$@" ;;
  down) require_root "$command" "$@"; cmd_down "$@" ;;
  exec) require_root "$command" "$@"; cmd_exec "$@" ;;
  info) cmd_info "$@" ;;
  -h|--help|help) usage ;;
  *) echo "testhost: unknown command '$command'" >&2; usage ;;
esac
