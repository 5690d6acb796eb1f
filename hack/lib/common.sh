# shellcheck shell=bash
# shellcheck disable=SC2034 # the variables here are read by the sourcing scripts
# Shared settings of the local control plane scripts: where a cluster lives, its ports, its
# binaries, and small helpers. Sourced, never run.
#
# Parameters (environment):
#   MCM_CLUSTER_DIR          the cluster's directory (default <repo>/build/cluster)
#   MCM_CLUSTER_PORT_OFFSET  added to every port (default 0), so clusters can run side by side
#   MCM_CLUSTER_TIMEOUT      seconds to wait for a component to become ready (default 60)
#
# A cluster records its offset and binary directory in $MCM_CLUSTER_DIR/config/cluster.env when
# it is created; later calls read them back from there, so a restart uses the same ports and
# binaries as the first start even if the caller's environment differs.

MCM_REPO_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
MCM_HACK_DIR="$MCM_REPO_DIR/hack"
# shellcheck source=require.sh
. "$MCM_HACK_DIR/lib/require.sh"
require_commands curl

# The cluster directory must be absolute: it is matched against process command lines to tell
# our processes from strangers that reuse a recorded pid.
MCM_CLUSTER_DIR=$(realpath -m "${MCM_CLUSTER_DIR:-$MCM_REPO_DIR/build/cluster}")
MCM_CLUSTER_TIMEOUT=${MCM_CLUSTER_TIMEOUT:-60}

# Marker written first by cluster-up: cluster-down only deletes a directory that carries it.
MCM_CLUSTER_MARKER="$MCM_CLUSTER_DIR/.mycloudmanager-cluster"
MCM_CLUSTER_ENV="$MCM_CLUSTER_DIR/config/cluster.env"
PKI_DIR="$MCM_CLUSTER_DIR/pki"
LOG_DIR="$MCM_CLUSTER_DIR/logs"
PID_DIR="$MCM_CLUSTER_DIR/pids"
ADMIN_KUBECONFIG="$MCM_CLUSTER_DIR/kubeconfig"
KUBECONFIG_DIR="$MCM_CLUSTER_DIR/kubeconfigs"
# The simulated node that kwok manages (registered by hack/lib/bootstrap.sh).
KWOK_NODE=kwok-node-0

# Fixed cluster-internal addressing. The first service IP (10.96.0.1) is the in-cluster
# address of the API server and is a SAN of its serving certificate.
SERVICE_CIDR=10.96.0.0/16
FIRST_SERVICE_IP=10.96.0.1
POD_CIDR=10.244.0.0/16
SA_ISSUER=https://kubernetes.default.svc.cluster.local

# Components in start order.
COMPONENTS=(etcd kube-apiserver kube-controller-manager kube-scheduler kwok)

die() {
  echo "error: $*" >&2
  exit 1
}

log() {
  echo "cluster: $*" >&2
}

# Reads the offset and binary directory recorded by cluster-up, refusing a conflicting offset.
# Sets MCM_CLUSTER_PORT_OFFSET, MCM_BIN_DIR and the port variables. Returns 1 if the cluster
# directory has never been set up.
load_cluster_env() {
  [ -f "$MCM_CLUSTER_ENV" ] || return 1
  local requested=${MCM_CLUSTER_PORT_OFFSET:-}
  # shellcheck source=/dev/null
  . "$MCM_CLUSTER_ENV"
  if [ -n "$requested" ] && [ "$requested" != "$MCM_CLUSTER_PORT_OFFSET" ]; then
    die "$MCM_CLUSTER_DIR was created with MCM_CLUSTER_PORT_OFFSET=$MCM_CLUSTER_PORT_OFFSET," \
      "not $requested; run hack/cluster-down.sh first or use another MCM_CLUSTER_DIR"
  fi
  set_ports
}

set_ports() {
  local o=${MCM_CLUSTER_PORT_OFFSET:-0}
  [[ "$o" =~ ^[0-9]+$ ]] || die "MCM_CLUSTER_PORT_OFFSET must be a non-negative integer, got '$o'"
  ETCD_CLIENT_PORT=$((2379 + o))
  ETCD_PEER_PORT=$((2380 + o))
  APISERVER_PORT=$((6443 + o))
  CONTROLLER_MANAGER_PORT=$((10257 + o))
  SCHEDULER_PORT=$((10259 + o))
  ((SCHEDULER_PORT <= 65535)) || die "MCM_CLUSTER_PORT_OFFSET=$o puts ports beyond 65535"
  APISERVER_URL="https://127.0.0.1:$APISERVER_PORT"
  ETCD_URL="https://127.0.0.1:$ETCD_CLIENT_PORT"
}

kubectl_admin() {
  "$MCM_BIN_DIR/kubectl" --kubeconfig "$ADMIN_KUBECONFIG" "$@"
}

# curl against the API server as the admin (system:masters). The user agent also keeps the
# API server from pretty-printing (it does for curl), so responses can be matched on one line.
#   curl_kube <path> [curl args...]
curl_kube() {
  local path=$1
  shift
  curl --silent --show-error --max-time 5 --user-agent mcm-hack --cacert "$PKI_DIR/ca.crt" \
    --cert "$PKI_DIR/admin.crt" --key "$PKI_DIR/admin.key" "$@" "$APISERVER_URL$path"
}

# curl against etcd's client port (its JSON gateway and health endpoints).
#   curl_etcd <path> [curl args...]
curl_etcd() {
  local path=$1
  shift
  curl --silent --show-error --max-time 5 --cacert "$PKI_DIR/etcd-ca.crt" \
    --cert "$PKI_DIR/etcd-client.crt" --key "$PKI_DIR/etcd-client.key" "$@" "$ETCD_URL$path"
}

# Serialises the scripts that start or stop processes of one cluster. The lock lives on fd 9,
# which component_start closes for the processes it launches.
lock_cluster() {
  mkdir -p "$MCM_CLUSTER_DIR"
  exec 9>"$MCM_CLUSTER_DIR/.lock"
  flock -w "$MCM_CLUSTER_TIMEOUT" 9 ||
    die "another cluster script has held $MCM_CLUSTER_DIR/.lock for ${MCM_CLUSTER_TIMEOUT}s"
}
