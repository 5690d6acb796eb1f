#!/usr/bin/env bash
# `make run`: starts the local control plane (hack/cluster-up.sh), applies the CRDs of crds/,
# and starts every operator and the gateway that the release build produced, in the background,
# with their logs in the cluster directory. Prints where everything is.
#   hack/run.sh <build dir>
# Stop with `make cluster-down` (it stops the processes started here too).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
build=$(realpath "${1:?usage: hack/run.sh <build dir>}")
. "$here/lib/common.sh"
require_commands curl

kubeconfig=$("$here/cluster-up.sh")
if compgen -G "$MCM_REPO_DIR/crds/*.yaml" >/dev/null; then
  "$here/kubectl.sh" apply --server-side --force-conflicts -f "$MCM_REPO_DIR/crds/" >&2
  "$here/kubectl.sh" wait --for condition=established --timeout=60s -f "$MCM_REPO_DIR/crds/" >&2
fi
# The operators' Leases live in mcm-system.
"$here/kubectl.sh" apply -f "$MCM_REPO_DIR/manifests/base/namespace.yaml" >&2

# Every process started here writes its pid beside the cluster's own, so cluster-down stops it.
start_process() { # start_process <name> <binary> [args...]
  local name=$1 binary=$2
  shift 2
  local pid_file="$PID_DIR/$name.pid"
  if [ -f "$pid_file" ] && kill -0 "$(cat "$pid_file")" 2>/dev/null; then
    return 0
  fi
  nohup "$binary" "$@" >"$LOG_DIR/$name.log" 2>&1 &
  echo $! >"$pid_file"
  echo "started $name (log: $LOG_DIR/$name.log)" >&2
}

# The task runner writes each Task's output where the gateway reads it, and runs the playbooks of
# this checkout.
export MCM_TASK_LOG_DIR="$MCM_CLUSTER_DIR/task-logs" MCM_ANSIBLE_DIR="$MCM_REPO_DIR/ansible"
mkdir -p "$MCM_TASK_LOG_DIR"

started=0
for binary in "$build"/mcm-*-operator; do
  [ -x "$binary" ] || continue
  start_process "$(basename "$binary")" "$binary" --kubeconfig "$kubeconfig"
  started=$((started + 1))
done
# The dashboard on port 30000 of every interface, as the NodePort of a real cluster would be;
# kwok's nodes are simulated, which the dashboard says (--local-mode).
# Enrollment commands name the gateway by this machine's first address, which instances can
# reach (the dashboard may well be opened as 127.0.0.1).
address=$(hostname -I 2>/dev/null | awk '{print $1}')
public_url=()
case "$address" in *:*) address="[$address]" ;; esac
[ -n "$address" ] && public_url=(--public-url "http://$address:30000")
start_process mcm-gateway "$build/mcm-gateway" --kubeconfig "$kubeconfig" \
  --listen 0.0.0.0:30000 --namespace mcm-system --web-root "$MCM_REPO_DIR/web/dist" --local-mode true \
  "${public_url[@]}"
started=$((started + 1))
for _ in $(seq 1 100); do
  curl -fsS http://127.0.0.1:30000/readyz >/dev/null 2>&1 && break
  sleep 0.2
done

cat <<TXT

MyCloudManager local control plane is up.
  kubeconfig:  $kubeconfig
               (export KUBECONFIG=$kubeconfig, or use hack/kubectl.sh)
  logs:        $LOG_DIR
  processes:   $started operator/gateway process(es) started from $build
TXT
cat <<TXT
  dashboard:   http://127.0.0.1:30000
  admin login: user admin; the generated password is in the Secret mcm-system/mcm-admin-initial
               (hack/kubectl.sh -n mcm-system get secret mcm-admin-initial -o jsonpath='{.data.password}' | base64 -d)
TXT
echo "Stop everything with: make cluster-down"
