#!/usr/bin/env bash
# Starts the local control plane on loopback: etcd, kube-apiserver, kube-controller-manager,
# kube-scheduler and kwok (one simulated node), with TLS everywhere, RBAC, service-account
# tokens, audit logging, a default StorageClass and a pool of volumes. Prints the path of the
# admin kubeconfig on stdout; progress goes to stderr.
#
# Idempotent: if the cluster is up and healthy it only prints the kubeconfig path; if some of
# its processes are gone (a reboot, a crash) it starts those again on the same data.
#
# Parameters (environment):
#   MCM_CLUSTER_DIR          certificates, etcd data, logs, pids, kubeconfig
#                            (default <repo>/build/cluster)
#   MCM_CLUSTER_PORT_OFFSET  added to every port (default 0): API server 6443, etcd 2379/2380,
#                            controller-manager 10257, scheduler 10259
#   MCM_CLUSTER_TIMEOUT      seconds each component gets to become ready (default 60)
#   MCM_CLUSTER_SMOKE=1      also run hack/cluster.sh smoke (a Deployment, a StatefulSet with a
#                            volume and a token request) before returning
#   MCM_CACHE_DIR            where hack/tools.sh keeps the binaries
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
. "$here/lib/common.sh"
. "$here/lib/certs.sh"
. "$here/lib/components.sh"
. "$here/lib/bootstrap.sh"
require_commands ss

# Refuses to take over a directory that holds something else, before writing anything into
# it: cluster-down deletes whatever carries the marker.
check_cluster_dir() {
  [ -f "$MCM_CLUSTER_MARKER" ] && return 0
  local entry
  for entry in "$MCM_CLUSTER_DIR"/* "$MCM_CLUSTER_DIR"/.[!.]*; do
    [ -e "$entry" ] || continue
    [ "$entry" = "$MCM_CLUSTER_DIR/.lock" ] && continue
    die "$MCM_CLUSTER_DIR is not empty and was not made by hack/cluster-up.sh; choose another MCM_CLUSTER_DIR"
  done
}

mark_cluster_dir() {
  [ -f "$MCM_CLUSTER_MARKER" ] ||
    echo "local control plane made by hack/cluster-up.sh; hack/cluster-down.sh deletes this directory" \
      >"$MCM_CLUSTER_MARKER"
}

cluster_is_up() {
  local c
  for c in "${COMPONENTS[@]}"; do
    component_pid "$c" >/dev/null || return 1
  done
  component_ready kube-apiserver
}

# Fixes the ports and binaries for the life of this cluster directory (see common.sh).
record_cluster_env() {
  MCM_CLUSTER_PORT_OFFSET=${MCM_CLUSTER_PORT_OFFSET:-0}
  set_ports
  MCM_BIN_DIR=$("$MCM_HACK_DIR/tools.sh")
  mkdir -p "$(dirname "$MCM_CLUSTER_ENV")"
  printf 'MCM_CLUSTER_PORT_OFFSET=%q\nMCM_BIN_DIR=%q\n' "$MCM_CLUSTER_PORT_OFFSET" "$MCM_BIN_DIR" \
    >"$MCM_CLUSTER_ENV"
}

# A port held by someone else makes a component exit with a bind error deep in its log; say
# it plainly instead. Only checked for components about to start.
check_port_free() { # check_port_free <component> <port>...
  local name=$1
  shift
  command -v ss >/dev/null || return 0
  component_pid "$name" >/dev/null && return 0
  local port
  for port in "$@"; do
    if [ -n "$(ss -Hltn "sport = :$port" 2>/dev/null)" ]; then
      die "port $port, needed by $name, is in use (another cluster? set MCM_CLUSTER_PORT_OFFSET)"
    fi
  done
}

wait_for_default_service_account() {
  # Created by the controller-manager; pods and `kubectl create token default` need it.
  local deadline=$((SECONDS + MCM_CLUSTER_TIMEOUT))
  until curl_kube /api/v1/namespaces/default/serviceaccounts/default -f -o /dev/null 2>/dev/null; do
    ((SECONDS < deadline)) ||
      component_fail kube-controller-manager "created no default ServiceAccount in ${MCM_CLUSTER_TIMEOUT}s"
    sleep 0.2
  done
}

main() {
  local started=$SECONDS
  check_cluster_dir
  lock_cluster
  mark_cluster_dir
  if load_cluster_env && cluster_is_up; then
    echo "$ADMIN_KUBECONFIG"
    return 0
  fi
  record_cluster_env
  mkdir -p "$LOG_DIR" "$PID_DIR" "$MCM_CLUSTER_DIR/etcd"
  chmod 700 "$MCM_CLUSTER_DIR/etcd"
  certs_ensure "$PKI_DIR"
  kubeconfigs_write

  check_port_free etcd "$ETCD_CLIENT_PORT" "$ETCD_PEER_PORT"
  check_port_free kube-apiserver "$APISERVER_PORT"
  check_port_free kube-controller-manager "$CONTROLLER_MANAGER_PORT"
  check_port_free kube-scheduler "$SCHEDULER_PORT"

  log "starting etcd and kube-apiserver in $MCM_CLUSTER_DIR (API server port $APISERVER_PORT)"
  component_start etcd
  component_wait_ready etcd
  component_start kube-apiserver
  component_wait_ready kube-apiserver

  # The controllers start while the cluster objects are applied; kwok waits for its RBAC.
  component_start kube-controller-manager
  component_start kube-scheduler
  bootstrap_apply
  component_start kwok
  component_wait_ready kube-controller-manager
  component_wait_ready kube-scheduler
  component_wait_ready kwok
  wait_for_default_service_account
  log "control plane ready in $((SECONDS - started))s; logs in $LOG_DIR"

  if [ "${MCM_CLUSTER_SMOKE:-0}" = 1 ]; then
    "$MCM_HACK_DIR/cluster.sh" smoke
  fi
  echo "$ADMIN_KUBECONFIG"
}

main "$@"
