#!/usr/bin/env bash
# Runs the browser end-to-end test against the integration tests' control plane: starts the app
# operator, the instance operator, the task runner (with the repo's ansible/) and the gateway
# (serving web/dist) of the build, then drives Debian's Chromium.
#   tests/e2e/run.sh <build dir>      (ctest runs it with the cluster fixture's environment)
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/../.." && pwd)
# shellcheck source=../../hack/lib/require.sh
. "$repo/hack/lib/require.sh"
require_commands curl chromium
build=$(realpath "${1:?usage: tests/e2e/run.sh <build dir>}")
out="$build/e2e"
rm -rf "$out" && mkdir -p "$out"
kubeconfig="$MCM_CLUSTER_DIR/kubeconfig"
kubectl() { "$repo/hack/kubectl.sh" "$@"; }

kubectl apply --server-side --force-conflicts -f "$repo/crds/" >/dev/null
kubectl wait --for condition=established --timeout=60s -f "$repo/crds/" >/dev/null
kubectl apply -f "$repo/manifests/base/namespace.yaml" >/dev/null
# A fresh catalog: the e2e test starts ntp from nothing.
kubectl delete apps.mycloudmanager.io --all -n mcm-system --wait=true >/dev/null
# A fresh fleet: one Instance whose SSH port has nobody listening, so that installing an agent
# runs ansible-playbook for real and fails fast as unreachable.
kubectl delete tasks.mycloudmanager.io,instances.mycloudmanager.io --all -n mcm-system \
  --wait=true >/dev/null
kubectl apply -f - >/dev/null <<'EOF'
apiVersion: mycloudmanager.io/v1alpha1
kind: Instance
metadata:
  name: e2e-1
  namespace: mcm-system
spec:
  hostname: e2e-1
  addresses: ["127.0.0.1"]
  network: net-a
  ssh:
    user: mcm
    port: 1
    hostKey: ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIB/yKyCUhlZtA9wacmPVps3UU+XQ4mNi+J/nfPazA3h/ e2e
EOF
task_logs="$out/task-logs"
mkdir -p "$task_logs"

pids=()
cleanup() {
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
  # Left behind, the Instance would be reconciled by whichever instance operator runs next.
  kubectl delete tasks.mycloudmanager.io,instances.mycloudmanager.io --all -n mcm-system \
    --wait=false >/dev/null 2>&1 || true
}
trap cleanup EXIT
"$build/mcm-app-operator" --kubeconfig "$kubeconfig" --leader-elect false --resync-period 5s \
  >"$out/app-operator.log" 2>&1 &
pids+=($!)
"$build/mcm-instance-operator" --kubeconfig "$kubeconfig" --leader-elect false \
  >"$out/instance-operator.log" 2>&1 &
pids+=($!)
"$build/mcm-task-runner-operator" --kubeconfig "$kubeconfig" --leader-elect false \
  --task-log-dir "$task_logs" --ansible-dir "$repo/ansible" >"$out/task-runner.log" 2>&1 &
pids+=($!)
"$build/mcm-gateway" --kubeconfig "$kubeconfig" --listen 127.0.0.1:0 --namespace mcm-system \
  --web-root "$repo/web/dist" --local-mode true --task-log-dir "$task_logs" \
  >"$out/gateway.log" 2>&1 &
pids+=($!)
port=""
for _ in $(seq 1 300); do
  port=$(sed -n 's|.*dashboard and API on http://127.0.0.1:\([0-9]*\).*|\1|p' "$out/gateway.log" | head -1)
  [ -n "$port" ] && break
  sleep 0.1
done
[ -n "$port" ] || { echo "the gateway did not start:"; cat "$out/gateway.log"; exit 1; }
until curl -fsS "http://127.0.0.1:$port/readyz" >/dev/null 2>&1; do sleep 0.1; done
password=$(kubectl get secret mcm-admin-initial -n mcm-system -o jsonpath='{.data.password}' | base64 -d)

status=0
MCM_E2E_URL="http://127.0.0.1:$port" MCM_E2E_PASSWORD="$password" MCM_E2E_OUT="$out" \
  node "$here/dashboard.e2e.mjs" || status=$?
if [ $status -ne 0 ]; then
  echo "--- gateway log ---"; tail -50 "$out/gateway.log"
  echo "--- app operator log ---"; tail -30 "$out/app-operator.log"
  echo "--- instance operator log ---"; tail -30 "$out/instance-operator.log"
  echo "--- task runner log ---"; tail -30 "$out/task-runner.log"
fi
# No secret ever reaches a log line.
if grep -qF "$password" "$out"/*.log; then
  echo "the admin password appears in a log"; status=1
fi
echo "screenshots and downloads: $out"
exit $status
