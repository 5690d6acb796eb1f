#!/usr/bin/env bash
# Checks are strings evaluated later (check ... eval '...'): single quotes, and variables only
# read there, are on purpose.
# shellcheck disable=SC2016,SC2034
# Tests ansible/enroll.sh for real, as users run it (curl ... | sudo sh -s -- ...), on a Debian
# host from hack/testhost.sh, against stub_gateway.py: a stub of the gateway's two enrollment
# endpoints that checks what the script sends and answers what each case needs. It tests the
# script's client behaviour only; the gateway's side is tested against the real gateway.
#
#   sudo tests/hosts/enroll_script_test.sh      (exit 77, skipped, when not root)
#
# MCM_ENROLL_TEST_INDEX picks the host's 10.251.<index>.0/24 network (default 1).
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/../.." && pwd)
script=$repo/ansible/enroll.sh
testhost=$repo/hack/testhost.sh
# shellcheck source=../../hack/lib/require.sh
. "$repo/hack/lib/require.sh"
require_commands ssh ssh-keygen checkbashisms dash
if [ "$(id -u)" -ne 0 ]; then
  echo "skipped: needs root (network namespaces, chroot)"
  exit 77
fi

host=enroll-test
index=${MCM_ENROLL_TEST_INDEX:-1}
address=10.251.$index.2
work=$(mktemp -d /tmp/mcm-enroll-test.XXXXXX)
state=$work/stub
stub_pid=''

cleanup() {
  [ -z "$stub_pid" ] || kill "$stub_pid" 2>/dev/null || true
  "$testhost" down "$host" >/dev/null 2>&1 || echo "warning: could not remove test host $host" >&2
  rm -rf "$work"
}
trap cleanup EXIT

passed=0
failed=0
pass() { passed=$((passed + 1)); echo "ok   $1"; }
fail() {
  failed=$((failed + 1))
  echo "FAIL $1"
  [ $# -lt 2 ] || printf '%s\n' "$2" | sed 's/^/     | /'
}
# check DESCRIPTION COMMAND...: passes when the command succeeds; shows the last run's output
# otherwise.
check() {
  local description=$1; shift
  if "$@"; then pass "$description"; else fail "$description" "${out:-}"; fi
}

# --- the host and the stub ----------------------------------------------------------------------

"$testhost" down "$host" >/dev/null 2>&1 || true
host_json=$("$testhost" up "$host" "$index")
root=$(python3 -c 'import json, sys; print(json.load(sys.stdin)["root"])' <<<"$host_json")
host_key=$(python3 -c 'import json, sys; print(json.load(sys.stdin)["hostKey"])' <<<"$host_json")
gateway_ip=$(python3 -c 'import json, sys; print(json.load(sys.stdin)["gateway"])' <<<"$host_json")

mkdir -p "$state"
ssh-keygen -q -t ed25519 -N '' -C mycloudmanager -f "$work/gateway_key"
token=$(head -c 16 /dev/urandom | od -An -tx1 | tr -d ' \n')
python3 "$here/stub_gateway.py" --address "$gateway_ip" --token "$token" \
  --public-key "$work/gateway_key.pub" --script "$script" --state "$state" &
stub_pid=$!
for _ in $(seq 1 100); do
  [ -f "$state/port" ] && break
  sleep 0.1
done
[ -f "$state/port" ] || { echo "the stub gateway did not start"; exit 1; }
gw=http://$gateway_ip:$(cat "$state/port")

on_host() { "$testhost" exec "$host" "$@"; }

stub_config() { printf '%s\n' "$1" >"$state/config.json"; }

# enroll_as GATEWAY TOKEN [ARGS...]: the dashboard's one-liner, inside the host (the script always
# comes from the stub); sets out and rc. requests.jsonl is emptied first, so that it then holds
# this run's requests only.
enroll_as() {
  local g=$1 t=$2; shift 2
  : >"$state/requests.jsonl"
  rc=0
  out=$(on_host sh -c 's=$1 g=$2 t=$3; shift 3
    curl -fsSL "$s/enroll.sh" | sudo sh -s -- --gateway "$g" --token "$t" "$@"' \
    sh "$gw" "$g" "$t" "$@" 2>&1) || rc=$?
}
enroll() { enroll_as "$gw" "$token" "$@"; }

# over FILE TARGET COMMAND...: runs COMMAND in the host with FILE mounted over TARGET (a path in
# the host), in a mount namespace of our own: the host itself keeps its real file. (The mount is
# made from outside: inside the chroot, / is not a mount point and unshare cannot make it private.)
over() {
  local file=$1 target=$2; shift 2
  unshare --mount --propagation private sh -c 'mount --bind "$1" "$2" && shift 2 && exec "$@"' \
    sh "$file" "$root$target" "$testhost" exec "$host" "$@"
}
with_os_release() { over "$1" /usr/lib/os-release "${@:2}"; }

# What enrollment may change on the host, to compare before and after a run.
snapshot() {
  (
    cd "$root"
    sha256sum etc/passwd etc/shadow etc/group etc/gshadow etc/subuid etc/subgid 2>/dev/null
    find etc/sudoers.d home -printf '%p %m %U %G %s\n' | sort
    find etc/sudoers.d home -type f -exec sha256sum {} + | sort
  )
}

# post_body PYTHON_EXPRESSION: evaluates it on the last POST body the stub received (`b`).
post_body() {
  python3 - "$state/requests.jsonl" "$1" <<'EOF'
import json, sys
posts = [json.loads(l) for l in open(sys.argv[1]) if l.strip()]
posts = [p for p in posts if p["method"] == "POST"]
if not posts:
    sys.exit("no POST received")
b = posts[-1]["body"]
print(json.dumps(eval(sys.argv[2])))
EOF
}

last_status() {
  tail -n 1 "$state/requests.jsonl" | python3 -c 'import json, sys; print(json.load(sys.stdin)["status"])'
}
request_count() { grep -c "\"method\": \"$1\"" "$state/requests.jsonl" || true; }
contains() { grep -qF -- "$1" <<<"$out"; }

user_absent() { ! grep -q '^mcm:' "$root/etc/passwd" && [ ! -e "$root/home/mcm" ]; }

# --- static checks ------------------------------------------------------------------------------

out=$(dash -n "$script" 2>&1) || true
check "the script parses under dash (sh -n)" test -z "$out"
out=$(on_host sh -n /dev/stdin <"$script" 2>&1) || true
check "the script parses under the host's sh" test -z "$out"
check "checkbashisms finds nothing" eval 'out=$(checkbashisms "$script" 2>&1)'

initial=$(snapshot)
unchanged() { [ "$(snapshot)" = "$initial" ]; }

# --- refusals before any change -----------------------------------------------------------------

enroll --bogus
check "an unknown argument exits 2 with the usage" eval '[ $rc -eq 2 ] && contains "usage:"'

: >"$state/requests.jsonl"
rc=0
# shellcheck disable=SC2016
out=$(on_host sh -c 'curl -fsSL "$1/enroll.sh" | runuser -u nobody -- sh -s -- --gateway "$1" --token t' \
  sh "$gw" 2>&1) || rc=$?
check "refuses to run as another user than root" eval '[ $rc -eq 1 ] && contains "must run as root"'

stub_config '{"key_status": 401, "key_message": "enrollment token expired at 2025-01-01T00:00:00Z"}'
enroll
check "HTTP 401 on the key: fails with the gateway's message and status" eval \
  '[ $rc -ne 0 ] && contains "enrollment token expired at 2025-01-01T00:00:00Z" && contains "HTTP 401"'
check "HTTP 401 on the key: says what to do" contains "Ask for a new enrollment command in the dashboard"
check "HTTP 401 on the key: nothing posted, host unchanged" eval \
  '[ "$(request_count POST)" -eq 0 ] && unchanged && user_absent'

stub_config '{"key_status": 410, "key_message": "enrollment token already used 1 time(s) of 1"}'
enroll
check "HTTP 410 on the key: fails with the message, host unchanged" eval \
  '[ $rc -ne 0 ] && contains "already used 1 time(s) of 1" && contains "HTTP 410" && unchanged'
rm -f "$state/config.json"

enroll_as "$gw" wrong-token
check "a wrong token: fails with the gateway's 401" eval \
  '[ $rc -ne 0 ] && contains "invalid enrollment token" && contains "HTTP 401" && unchanged'

# Port 9 of the stub's address: nothing listens there, the connection is refused at once.
enroll_as "http://$gateway_ip:9" "$token"
check "an unreachable gateway: says so, host unchanged" eval \
  '[ $rc -ne 0 ] && contains "unreachable" && contains "$gateway_ip:9" && unchanged'

printf 'NAME="Alpine Linux"\nID=alpine\nVERSION_ID=3.19.1\n' >"$work/alpine"
: >"$state/requests.jsonl"
rc=0
out=$(with_os_release "$work/alpine" sh -c \
  'curl -fsSL "$1/enroll.sh" | sh -s -- --gateway "$1" --token "$2"' sh "$gw" "$token" 2>&1) || rc=$?
check "an unsupported distribution: fails naming the supported ones" eval \
  '[ $rc -ne 0 ] && contains "unsupported distribution" && contains "Alpine Linux" && contains "Debian, Ubuntu, RHEL"'
check "an unsupported distribution: no request, host unchanged" eval \
  '[ "$(request_count GET)" -eq 0 ] && unchanged'

# --- the gateway refuses the machine: roll back what the run created ----------------------------

stub_config '{"post_status": 500, "post_message": "cannot create Instance: etcd is down"}'
enroll
check "HTTP 500 on the POST: fails with the message and status" eval \
  '[ $rc -ne 0 ] && contains "etcd is down" && contains "HTTP 500" && ! contains "enrolled as"'
check "HTTP 500 on the POST: user, home, key and sudoers of this run removed" eval \
  'user_absent && [ ! -e "$root/etc/sudoers.d/mycloudmanager" ] && unchanged'

stub_config '{"post_status": 409, "post_message": "hostname enroll-test belongs to another machine", "post_field": "hostname"}'
enroll
check "HTTP 409 on the POST: message, field and advice; rolled back" eval \
  '[ $rc -ne 0 ] && contains "belongs to another machine (field hostname)" && contains "rename this machine" && unchanged'

# Distribution families, seen through the facts posted (the gateway refuses, nothing stays).
stub_config '{"post_status": 500}'
printf 'NAME="Rocky Linux"\nID="rocky"\nID_LIKE="rhel centos fedora"\nVERSION_ID="9.3"\n' >"$work/rocky"
printf 'NAME="Linux Mint"\nID=linuxmint\nID_LIKE="ubuntu debian"\nVERSION_ID="21.3"\n' >"$work/mint"
printf 'NAME="Ubuntu"\nID=ubuntu\nID_LIKE=debian\nVERSION_ID="24.04"\n' >"$work/ubuntu"
for distro in rocky:rhel:"Rocky Linux":9.3 mint:debian:"Linux Mint":21.3 ubuntu:debian:Ubuntu:24.04; do
  IFS=: read -r file family name version <<<"$distro"
  : >"$state/requests.jsonl"
  rc=0
  out=$(with_os_release "$work/$file" sh -c \
    'curl -fsSL "$1/enroll.sh" | sh -s -- --gateway "$1" --token "$2"' sh "$gw" "$token" 2>&1) || rc=$?
  got=$(post_body 'b["os"]' 2>&1 || true)
  want=$(printf '{"family": "%s", "name": "%s", "version": "%s"}' "$family" "$name" "$version")
  check "$name is reported as family $family" eval '[ "$got" = "$want" ] && unchanged'
done
rm -f "$state/config.json"

# --- success --------------------------------------------------------------------------------------

enroll
check "success: exit 0 and 'enrolled as instance $host'" eval \
  '[ $rc -eq 0 ] && contains "enrolled as instance $host"'
check "success: the stub answered 201 (a new machine)" eval '[ "$(last_status)" = 201 ]'

machine_id=$(cat "$root/etc/machine-id")
kernel=$(uname -r)
memory=$(awk '$1 == "MemTotal:" { print int($2 / 1024) }' /proc/meminfo)
cpus=$(grep -c '^processor' /proc/cpuinfo)
expected=$(python3 -c '
import json, sys
h, a, mid, key, kern, mem, cpu = sys.argv[1:]
print(json.dumps({"hostname": h, "addresses": [a],
                  "os": {"family": "debian", "name": "Debian", "version": "12"},
                  "cpu": int(cpu), "memoryMiB": int(mem), "kernel": kern, "machineId": mid,
                  "hostKey": key, "sshUser": "mcm", "sshPort": 22}, sort_keys=True))' \
  "$host" "$address" "$machine_id" "$host_key" "$kernel" "$memory" "$cpus")
got=$(post_body 'dict(sorted(b.items())) if isinstance(b, dict) else b' 2>&1 || true)
got=$(python3 -c 'import json, sys; print(json.dumps(json.loads(sys.argv[1]), sort_keys=True))' "$got" 2>&1 || echo "$got")
out="want $expected"$'\n'"got  $got"
check "success: the posted facts are this host's" test "$got" = "$expected"
headers_ok() {
  out=$(python3 - "$state/requests.jsonl" "$token" 2>&1 <<'EOF'
import json, sys
for r in map(json.loads, open(sys.argv[1])):
    assert r["authorization"] == "Bearer " + sys.argv[2], r
    if r["method"] == "POST":
        assert r["contentType"] == "application/json", r
EOF
)
}
check "success: every request carries the token, the POST is application/json" headers_ok

out=$(grep '^mcm:' "$root/etc/shadow" "$root/etc/passwd" 2>&1 || true)
check "success: user mcm exists with a locked password" eval \
  'grep -q "^mcm:\*:" "$root/etc/shadow" && grep -q "^mcm:x:[0-9]*:[0-9]*:[^:]*:/home/mcm:" "$root/etc/passwd"'
keys=$root/home/mcm/.ssh/authorized_keys
want_key="no-agent-forwarding,no-X11-forwarding,no-port-forwarding $(cat "$work/gateway_key.pub")"
out=$(cat "$keys" 2>&1; stat -c '%n %a %U' "$root/home/mcm/.ssh" "$keys" 2>&1)
check "success: the gateway's key is trusted once, with its restrictions" eval \
  '[ "$(cat "$keys")" = "$want_key" ]'
check "success: ~/.ssh is 700 and authorized_keys 600, owned by mcm" eval \
  '[ "$(on_host stat -c "%a %U" /home/mcm/.ssh /home/mcm/.ssh/authorized_keys | xargs)" = "700 mcm 600 mcm" ]'
out=$(cat "$root/etc/sudoers.d/mycloudmanager" 2>&1; on_host stat -c '%a %U' /etc/sudoers.d/mycloudmanager 2>&1)
check "success: a sudoers drop-in for mcm alone, 0440 root, valid" eval \
  'grep -qx "mcm ALL=(ALL) NOPASSWD: ALL" "$root/etc/sudoers.d/mycloudmanager" &&
   [ "$(grep -cv "^#" "$root/etc/sudoers.d/mycloudmanager")" -eq 2 ] &&
   [ "$(on_host stat -c "%a %U" /etc/sudoers.d/mycloudmanager)" = "440 root" ] &&
   on_host visudo -c >/dev/null'

# The gateway's view: it logs in with its key, trusting the host key the script reported, and
# becomes root without a password or a tty.
echo "$address $(post_body 'b["hostKey"]' | tr -d '"')" >"$work/known_hosts"
out=$(ssh -i "$work/gateway_key" -o IdentitiesOnly=yes -o BatchMode=yes -o ConnectTimeout=10 \
  -o StrictHostKeyChecking=yes -o UserKnownHostsFile="$work/known_hosts" "mcm@$address" \
  'sudo -n id -u' 2>&1) || true
check "success: the gateway's key logs in as mcm and sudo -n gives root" test "$out" = 0

enrolled=$(snapshot)
enroll
check "second run: exit 0, enrolled again (the stub answered 200)" eval \
  '[ $rc -eq 0 ] && contains "enrolled as instance $host" && [ "$(last_status)" = 200 ]'
check "second run: nothing changed on the host" eval \
  '[ "$(snapshot)" = "$enrolled" ] && ! contains "created user" && ! contains "trusted"'

stub_config '{"post_status": 500, "post_message": "try later"}'
enroll
check "a refused run after enrollment removes nothing it did not create" eval \
  '[ $rc -ne 0 ] && contains "try later" && [ "$(snapshot)" = "$enrolled" ]'
rm -f "$state/config.json"

# --- without curl: wget ---------------------------------------------------------------------------

# Installed through the host's NAT, like the agents; curl is then hidden in a mount namespace.
if out=$(on_host sh -c 'DEBIAN_FRONTEND=noninteractive apt-get install -y -q wget ||
    { apt-get update -q && DEBIAN_FRONTEND=noninteractive apt-get install -y -q wget; }' 2>&1); then
  without_curl() { over /dev/null /usr/bin/curl "$@"; }
  wget_enroll() { # wget_enroll GATEWAY
    rc=0
    out=$(without_curl sh -c 'wget -qO- "$1/enroll.sh" | sh -s -- --gateway "$2" --token "$3"' \
      sh "$gw" "$1" "$token" 2>&1) || rc=$?
  }
  wget_enroll "$gw"
  check "wget instead of curl: enrolls" eval \
    '[ $rc -eq 0 ] && contains "enrolled as instance $host" && [ "$(snapshot)" = "$enrolled" ]'
  # GNU wget drops the body of a 401: the status and the advice are what is left to show.
  stub_config '{"key_status": 401, "key_message": "enrollment token expired"}'
  wget_enroll "$gw"
  check "wget instead of curl: HTTP 401 with what to do" eval \
    '[ $rc -ne 0 ] && contains "HTTP 401" && contains "Ask for a new enrollment command"'
  stub_config '{"key_status": 410, "key_message": "enrollment token revoked"}'
  wget_enroll "$gw"
  check "wget instead of curl: HTTP 410 with the gateway's message" eval \
    '[ $rc -ne 0 ] && contains "enrollment token revoked" && contains "HTTP 410"'
  rm -f "$state/config.json"
  wget_enroll "http://$gateway_ip:9"
  check "wget instead of curl: an unreachable gateway" eval '[ $rc -ne 0 ] && contains "unreachable"'
  stub_config '{"post_status": 500, "post_message": "cannot create Instance"}'
  wget_enroll "$gw"
  check "wget instead of curl: HTTP 500 on the POST with the message" eval \
    '[ $rc -ne 0 ] && contains "cannot create Instance" && contains "HTTP 500" && [ "$(snapshot)" = "$enrolled" ]'
  rm -f "$state/config.json"
else
  fail "install wget on the host (through NAT)" "$out"
fi

echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
