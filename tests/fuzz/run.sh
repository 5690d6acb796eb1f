#!/usr/bin/env bash
# Fuzzes the gateway's API from its own OpenAPI document (/api/v1/openapi.json) with
# schemathesis, against the integration tests' control plane: starts the app operator, the
# instance operator, the task runner and the gateway of the build (the sanitizer build under
# ctest), signs in as admin, and runs every phase of schemathesis (examples, coverage, fuzzing,
# stateful) with two workers and every check its settings enable (tests/fuzz/schemathesis.toml).
# Fails on any failed check (a 5xx, a response the document does not describe), on any of our
# processes exiting early or uncleanly, and on any sanitizer report in their logs.
#   tests/fuzz/run.sh <build dir>      (ctest runs it with the cluster fixture's environment)
# MCM_FUZZ_MAX_EXAMPLES (default 20) and MCM_FUZZ_SECONDS (default 150) bound the run; its
# state (the logs, and schemathesis's report and cache) is in <build dir>/fuzz.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/../.." && pwd)
# shellcheck source=../../hack/lib/require.sh
. "$repo/hack/lib/require.sh"
require_commands curl
build=$(realpath "${1:?usage: tests/fuzz/run.sh <build dir>}")
max_examples=${MCM_FUZZ_MAX_EXAMPLES:-20}
seconds=${MCM_FUZZ_SECONDS:-150}
# The same cases every run unless MCM_FUZZ_SEED says otherwise, so that make test does not pass
# or fail by chance; a run with another seed explores further.
seed=${MCM_FUZZ_SEED:-20261204}
out="$build/fuzz"
rm -rf "$out" && mkdir -p "$out"
kubeconfig="$MCM_CLUSTER_DIR/kubeconfig"
ns=mcm-fuzz
kubectl() { "$repo/hack/kubectl.sh" "$@"; }

# schemathesis and everything it pulls in, pinned by requirements.txt, in a virtualenv outside
# the clone keyed by that file's content: made once, then only checked.
venv_dir() {
  local requirements="$here/requirements.txt" version key cache venv
  version=$(sed -n 's/^schemathesis==//p' "$requirements")
  key=$(sha256sum "$requirements" | cut -c1-12)
  cache=${MCM_CACHE_DIR:-$HOME/.cache/mycloudmanager}
  venv="$cache/venv/schemathesis-$version-$key"
  mkdir -p "$cache/venv"
  (
    flock 9
    [ -f "$venv/.complete" ] && exit 0
    /usr/bin/python3 -c 'import ensurepip' 2>/dev/null || {
      echo "python3 -m venv needs Debian's python3-venv (hack/install-deps.sh)" >&2; exit 1; }
    echo "installing schemathesis $version into $venv" >&2
    rm -rf "$venv"
    /usr/bin/python3 -m venv "$venv"
    "$venv/bin/pip" install --quiet --disable-pip-version-check -r "$requirements" >&2
    touch "$venv/.complete"
  ) 9>"$cache/venv/.lock"
  echo "$venv"
}
venv=$(venv_dir)

kubectl apply --server-side --force-conflicts -f "$repo/crds/" >/dev/null
kubectl wait --for condition=established --timeout=60s -f "$repo/crds/" >/dev/null
# A namespace of its own, made anew: the apps, fleet, audit trail and Secrets of the run are
# removed with it, and no other test sees them.
kubectl delete namespace "$ns" --ignore-not-found --timeout=120s >/dev/null
kubectl create namespace "$ns" >/dev/null
# One Instance for the fleet calls to find. The task runner runs the Tasks that switching its
# agents makes with a stand-in playbook that connects nowhere (tests/fuzz/ansible/): the Instances
# the fuzzer enrolls have made-up addresses.
kubectl apply -f - >/dev/null <<EOF
apiVersion: mycloudmanager.io/v1alpha1
kind: Instance
metadata:
  name: fuzz-1
  namespace: $ns
spec:
  hostname: fuzz-1
  addresses: ["127.0.0.1"]
  network: net-fuzz
  ssh:
    user: fuzz
    hostKey: ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIB/yKyCUhlZtA9wacmPVps3UU+XQ4mNi+J/nfPazA3h/ fuzz
EOF
task_logs="$out/task-logs"
mkdir -p "$task_logs"

names=()
pids=()
cleanup() {
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
  # Left behind, its objects would be reconciled by whichever operators run next.
  kubectl delete namespace "$ns" --wait=false >/dev/null 2>&1 || true
}
trap cleanup EXIT
start() { # start <name> <argv...>: output to $out/<name>.log
  local name=$1
  shift
  "$@" >"$out/$name.log" 2>&1 &
  pids+=($!)
  names+=("$name")
}
start app-operator "$build/mcm-app-operator" --kubeconfig "$kubeconfig" --leader-elect false \
  --resync-period 5s
start instance-operator "$build/mcm-instance-operator" --kubeconfig "$kubeconfig" \
  --leader-elect false
start task-runner "$build/mcm-task-runner-operator" --kubeconfig "$kubeconfig" \
  --leader-elect false --task-log-dir "$task_logs" --ansible-dir "$here/ansible" \
  --ssh-key-secret "$ns/mcm-instance-ssh"
start gateway "$build/mcm-gateway" --kubeconfig "$kubeconfig" --listen 127.0.0.1:0 \
  --namespace "$ns" --local-mode true --task-log-dir "$task_logs"
# The gateway's port once its log says it listens; nothing when it exits or takes 60 s first.
listening_port() {
  local gateway=${pids[-1]} deadline=$((SECONDS + 60)) line
  while [ $SECONDS -lt $deadline ] && kill -0 "$gateway" 2>/dev/null; do
    line=$(grep -m1 -o 'dashboard and API on http://127.0.0.1:[0-9]*' "$out/gateway.log" || true)
    [ -z "$line" ] || { echo "${line##*:}"; return; }
    sleep 0.1
  done
}
port=$(listening_port)
[ -n "$port" ] || { echo "the gateway did not start:"; cat "$out/gateway.log"; exit 1; }
url="http://127.0.0.1:$port"
until curl -fsS "$url/readyz" >/dev/null 2>&1; do sleep 0.1; done

# Signed in as admin: the session cookie, and the CSRF token its state-changing calls need.
password=$(kubectl get secret mcm-admin-initial -n "$ns" -o jsonpath='{.data.password}' | base64 -d)
json() { /usr/bin/python3 -c 'import json, sys; print(json.load(sys.stdin)[sys.argv[1]])' "$1"; }
login=$(PASSWORD=$password /usr/bin/python3 -c \
  'import json, os; print(json.dumps({"username": "admin", "password": os.environ["PASSWORD"]}))' |
  curl -fsS -D "$out/login-headers.txt" -H 'Content-Type: application/json' --data-binary @- \
    "$url/api/v1/session")
session=$(sed -n 's/^[Ss]et-[Cc]ookie: mcm_session=\([^;]*\);.*/\1/p' "$out/login-headers.txt")
csrf=$(json csrfToken <<<"$login")
rm -f "$out/login-headers.txt"
[ -n "$session" ] && [ -n "$csrf" ] || { echo "sign-in gave no session: $login"; exit 1; }
# An enrollment token that lasts the run, for the enrollment calls.
enrollment=$(curl -fsS -H "Cookie: mcm_session=$session" -H "X-CSRF-Token: $csrf" \
  -H 'Content-Type: application/json' --data '{"network":"net-fuzz","maxUses":1000}' \
  "$url/api/v1/enrollment-tokens" | json token)

# Logging out would end the session every other call uses: never sent.
status=0
MCM_FUZZ_SESSION=$session MCM_FUZZ_CSRF=$csrf MCM_FUZZ_ENROLLMENT_TOKEN=$enrollment \
  SCHEMATHESIS_HOOKS="$here/hooks.py" \
  timeout --kill-after 10 $((seconds + 60)) \
  env -C "$out" "$venv/bin/schemathesis" --config-file "$here/schemathesis.toml" --no-color \
  run "$url/api/v1/openapi.json" --workers 2 --max-examples "$max_examples" \
  --max-time "$seconds" --seed "$seed" \
  --exclude-operation-id logout \
  --report junit,vcr --report-dir "$out/report" || status=$?
[ $status -eq 0 ] || echo "schemathesis failed (exit $status); requests and responses: $out/report"

# Every process still runs, then stops cleanly on SIGTERM (sanitizers report leaks at exit).
for i in "${!pids[@]}"; do
  if ! kill -0 "${pids[$i]}" 2>/dev/null; then
    echo "${names[$i]} exited during the run"; status=1
  fi
done
for i in "${!pids[@]}"; do kill "${pids[$i]}" 2>/dev/null || true; done
for i in "${!pids[@]}"; do
  code=0
  wait "${pids[$i]}" || code=$?
  [ $code -eq 0 ] || { echo "${names[$i]} exited with $code"; status=1; }
done
pids=()
for name in "${names[@]}"; do
  if grep -qE 'ERROR: [A-Za-z]*Sanitizer|runtime error|Assertion .* failed' "$out/$name.log"; then
    echo "--- sanitizer report in $name's log ---"
    grep -E -A40 'ERROR: [A-Za-z]*Sanitizer|runtime error|Assertion .* failed' "$out/$name.log" |
      head -80
    status=1
  fi
done
if [ $status -ne 0 ]; then
  for name in "${names[@]}"; do echo "--- $name log ---"; tail -30 "$out/$name.log"; done
fi
# No secret ever reaches a log line.
if grep -qF -e "$password" -e "$session" -e "$enrollment" "$out"/*.log; then
  echo "a secret appears in a log"; status=1
fi
exit $status
