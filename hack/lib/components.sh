# shellcheck shell=bash
# The processes of the local control plane: each one's command line, defined once here and used
# by hack/cluster-up.sh and hack/cluster.sh alike, and how to start, probe and stop them.
# Sourced after hack/lib/common.sh with the cluster environment loaded (ports, MCM_BIN_DIR).
#
#   component_start <name>       start in the background unless already running
#   component_wait_ready <name>  wait for its health probe; on failure exit naming its log
#   component_stop <name>        SIGTERM, then SIGKILL after a grace period
#   component_kill <name>        SIGKILL at once (a crash, for restart tests)
#   component_pid <name>         print the pid if running, else return 1
#   components_stop_all          stop every process of this cluster, pid files or not
#
# Every component logs to $LOG_DIR/<name>.log (appended across restarts) and records its pid in
# $PID_DIR/<name>.pid. Names: see COMPONENTS in common.sh.
require_commands curl

# Seconds a component gets to exit after SIGTERM before SIGKILL.
STOP_GRACE_SECONDS=${MCM_CLUSTER_STOP_GRACE:-10}

# --- command lines: each cmd_<name> sets CMD ----------------------------------------------------

cmd_etcd() {
  local peer="https://127.0.0.1:$ETCD_PEER_PORT"
  CMD=("$MCM_BIN_DIR/etcd"
    --name=mcm
    --data-dir="$MCM_CLUSTER_DIR/etcd"
    --listen-client-urls="$ETCD_URL"
    --advertise-client-urls="$ETCD_URL"
    --listen-peer-urls="$peer"
    --initial-advertise-peer-urls="$peer"
    --initial-cluster="mcm=$peer"
    --initial-cluster-state=new
    --cert-file="$PKI_DIR/etcd-server.crt"
    --key-file="$PKI_DIR/etcd-server.key"
    --trusted-ca-file="$PKI_DIR/etcd-ca.crt"
    --client-cert-auth=true
    --peer-cert-file="$PKI_DIR/etcd-server.crt"
    --peer-key-file="$PKI_DIR/etcd-server.key"
    --peer-trusted-ca-file="$PKI_DIR/etcd-ca.crt"
    --peer-client-cert-auth=true
    # A throw-away cluster: losing the last writes on a power cut is fine, fsync latency is not.
    --unsafe-no-fsync=true
    # Compaction is left to the tests (hack/cluster.sh compact).
    --auto-compaction-retention=0
  )
}

# shellcheck disable=SC2054 # commas inside flag values, not between array elements
cmd_kube_apiserver() {
  CMD=("$MCM_BIN_DIR/kube-apiserver"
    --bind-address=127.0.0.1
    --advertise-address=127.0.0.1
    --secure-port="$APISERVER_PORT"
    --tls-cert-file="$PKI_DIR/kube-apiserver.crt"
    --tls-private-key-file="$PKI_DIR/kube-apiserver.key"
    --client-ca-file="$PKI_DIR/ca.crt"
    --etcd-servers="$ETCD_URL"
    --etcd-cafile="$PKI_DIR/etcd-ca.crt"
    --etcd-certfile="$PKI_DIR/etcd-client.crt"
    --etcd-keyfile="$PKI_DIR/etcd-client.key"
    # etcd is compacted only when a test asks for it (hack/cluster.sh compact), so that what
    # a test observes does not depend on when a periodic compaction last ran.
    --etcd-compaction-interval=0
    --authorization-mode=Node,RBAC
    --service-account-issuer="$SA_ISSUER"
    --service-account-key-file="$PKI_DIR/sa.pub"
    --service-account-signing-key-file="$PKI_DIR/sa.key"
    --service-cluster-ip-range="$SERVICE_CIDR"
    --allow-privileged=true
    --audit-policy-file="$MCM_HACK_DIR/lib/audit-policy.yaml"
    --audit-log-path="$LOG_DIR/audit.log"
    # Blocking: an event is on disk before its response is sent, so a test that counts writes
    # right after making them sees all of them.
    --audit-log-mode=blocking
    --audit-log-maxsize=200
    --audit-log-maxbackup=3
    # On SIGTERM, drain in-flight requests and then give open connections (watches) 2 s,
    # instead of waiting up to the 60 s request timeout for them to go idle.
    --shutdown-send-retry-after=true
    # The "kubernetes" Service cannot point at a loopback address (its Endpoints would be
    # refused every 10 s), and nothing runs inside the cluster to use it anyway.
    --endpoint-reconciler-type=none
  )
}

cmd_kube_controller_manager() {
  local kubeconfig="$KUBECONFIG_DIR/kube-controller-manager.kubeconfig"
  CMD=("$MCM_BIN_DIR/kube-controller-manager"
    --kubeconfig="$kubeconfig"
    --authentication-kubeconfig="$kubeconfig"
    --authorization-kubeconfig="$kubeconfig"
    --bind-address=127.0.0.1
    --secure-port="$CONTROLLER_MANAGER_PORT"
    --service-account-private-key-file="$PKI_DIR/sa.key"
    --root-ca-file="$PKI_DIR/ca.crt"
    --use-service-account-credentials=true
    # One instance: leader election would only add a Lease write every few seconds.
    --leader-elect=false
    --controllers='*'
  )
}

cmd_kube_scheduler() {
  local kubeconfig="$KUBECONFIG_DIR/kube-scheduler.kubeconfig"
  CMD=("$MCM_BIN_DIR/kube-scheduler"
    --kubeconfig="$kubeconfig"
    --authentication-kubeconfig="$kubeconfig"
    --authorization-kubeconfig="$kubeconfig"
    --bind-address=127.0.0.1
    --secure-port="$SCHEDULER_PORT"
    --leader-elect=false
  )
}

cmd_kwok() {
  CMD=("$MCM_BIN_DIR/kwok"
    --kubeconfig="$KUBECONFIG_DIR/kwok.kubeconfig"
    # Without stages kwok refuses to start; these are kwok's own defaults (see the file).
    --config="$MCM_HACK_DIR/lib/kwok-stages.yaml"
    --manage-all-nodes=false
    --manage-nodes-with-annotation-selector=kwok.x-k8s.io/node=fake
    --cidr="$POD_CIDR"
    # The node's InternalIP, and so the hostIP of its pods.
    --node-ip=127.0.0.1
    # Lease heartbeats keep the node Ready in the node lifecycle controller's eyes; kwok's
    # flag default (0) turns them off and the node would go NotReady after the grace period.
    --node-lease-duration-seconds=40
  )
}

# --- process handling ---------------------------------------------------------------------------

component_cmd() { # component_cmd <name>: sets CMD
  case $1 in
    etcd | kube-apiserver | kube-controller-manager | kube-scheduler | kwok) "cmd_${1//-/_}" ;;
    *) die "unknown component '$1' (one of: ${COMPONENTS[*]})" ;;
  esac
}

component_pid() {
  local name=$1 file="$PID_DIR/$1.pid" pid argv0
  [ -f "$file" ] || return 1
  pid=$(<"$file")
  [[ "$pid" =~ ^[0-9]+$ ]] || return 1
  # The pid may belong to another process by now: it must be this component of this cluster.
  # A zombie has an empty command line and counts as gone (see _pid_alive for its threads).
  { IFS= read -r -d '' argv0 <"/proc/$pid/cmdline"; } 2>/dev/null || return 1
  [ "${argv0##*/}" = "$name" ] || return 1
  tr '\0' '\n' <"/proc/$pid/cmdline" 2>/dev/null | grep -qF -- "$MCM_CLUSTER_DIR/" || return 1
  echo "$pid"
}

# A new kwok process has a new holder identity, and cannot take over its node's Lease from its
# predecessor until that expires (40 s), nor play any pod on the node meanwhile. Removing the
# stale Lease lets it create a fresh one at once. Best effort: the API server may be down.
prestart_kwok() {
  curl_kube "/apis/coordination.k8s.io/v1/namespaces/kube-node-lease/leases/$KWOK_NODE" \
    -X DELETE -o /dev/null 2>/dev/null || true
}

component_start() {
  local name=$1
  component_pid "$name" >/dev/null && return 0
  component_cmd "$name"
  if declare -F "prestart_${name//-/_}" >/dev/null; then "prestart_${name//-/_}"; fi
  mkdir -p "$LOG_DIR" "$PID_DIR"
  local pidfile="$PID_DIR/$name.pid" logfile="$LOG_DIR/$name.log" i
  rm -f "$pidfile"
  printf '==== %s start: %s\n' "$(date -Is)" "${CMD[*]}" >>"$logfile"
  # setsid: the component gets its own session, so it outlives this script and is not hit by
  # a Ctrl-C meant for the caller. The wrapper writes its own pid and then execs, so the
  # recorded pid is the component's. fd 9 (the cluster lock) must not leak into it.
  # shellcheck disable=SC2016 # expanded by the wrapper shell, not here
  setsid bash -c 'echo $$ >"$0.tmp" && mv "$0.tmp" "$0" && exec "$@"' "$pidfile" "${CMD[@]}" \
    </dev/null >>"$logfile" 2>&1 9>&- &
  for ((i = 0; i < 200; i++)); do
    [ -s "$pidfile" ] && return 0
    sleep 0.05
  done
  die "$name did not start; read $logfile"
}

# One probe, no waiting. kube-controller-manager and kube-scheduler serve /healthz with a
# certificate they make up in memory, hence -k there; the probe carries no credentials.
component_ready() {
  local name=$1
  case $name in
    etcd) curl_etcd /health 2>/dev/null | grep -q '"health":"true"' ;;
    kube-apiserver) [ "$(curl_kube /readyz 2>/dev/null)" = ok ] ;;
    kube-controller-manager)
      [ "$(curl -sk --max-time 5 "https://127.0.0.1:$CONTROLLER_MANAGER_PORT/healthz")" = ok ] ;;
    kube-scheduler)
      [ "$(curl -sk --max-time 5 "https://127.0.0.1:$SCHEDULER_PORT/healthz")" = ok ] ;;
    # kwok serves nothing; it is ready once it holds its node's Lease (removed before it
    # starts, see prestart_kwok) and the node reports Ready.
    kwok)
      curl_kube "/apis/coordination.k8s.io/v1/namespaces/kube-node-lease/leases/$KWOK_NODE" \
        -f -o /dev/null 2>/dev/null &&
        curl_kube "/api/v1/nodes/$KWOK_NODE" 2>/dev/null | grep -q '"type":"Ready","status":"True"' ;;
    *) die "unknown component '$name'" ;;
  esac
}

component_fail() { # component_fail <name> <reason>
  local logfile="$LOG_DIR/$1.log"
  {
    echo "error: $1 $2; read $logfile — its last lines:"
    tail -n 15 "$logfile" 2>/dev/null | sed 's/^/  | /'
  } >&2
  exit 1
}

component_wait_ready() {
  local name=$1 deadline=$((SECONDS + MCM_CLUSTER_TIMEOUT))
  until component_ready "$name"; do
    component_pid "$name" >/dev/null || component_fail "$name" "exited during start-up"
    ((SECONDS < deadline)) || component_fail "$name" "not ready after ${MCM_CLUSTER_TIMEOUT}s"
    sleep 0.2
  done
}

# True while any thread of the process lives. After SIGKILL the main thread can be a zombie
# while the others still exit, and until the last one is gone the listening sockets are still
# open: a restart that does not wait for it fails with "address already in use".
_pid_alive() {
  local pid=$1 state tasks
  read -r _ _ state _ <"/proc/$pid/stat" 2>/dev/null || return 1
  [ "$state" != Z ] && return 0
  tasks=("/proc/$pid/task/"*)
  ((${#tasks[@]} > 1))
}

_wait_pid_gone() { # _wait_pid_gone <pid> <seconds>; returns 1 if still there
  local i
  for ((i = 0; i < $2 * 10; i++)); do
    _pid_alive "$1" || return 0
    sleep 0.1
  done
  ! _pid_alive "$1"
}

component_stop() {
  local name=$1 pid
  if pid=$(component_pid "$name"); then
    kill -TERM "$pid" 2>/dev/null || true
    if ! _wait_pid_gone "$pid" "$STOP_GRACE_SECONDS"; then
      log "$name did not stop within ${STOP_GRACE_SECONDS}s of SIGTERM; sending SIGKILL"
      kill -KILL "$pid" 2>/dev/null || true
      _wait_pid_gone "$pid" 5 || die "$name (pid $pid) survived SIGKILL"
    fi
  fi
  rm -f "$PID_DIR/$name.pid"
}

component_kill() {
  local name=$1 pid
  if pid=$(component_pid "$name"); then
    kill -KILL "$pid" 2>/dev/null || true
    _wait_pid_gone "$pid" 5 || die "$name (pid $pid) survived SIGKILL"
  fi
  rm -f "$PID_DIR/$name.pid"
}

# Pids of every component process whose command line names this cluster's directory, found in
# /proc rather than in pid files, so a process whose pid file was lost is found as well.
_components_scan() {
  local f pid argv0
  for f in /proc/[0-9]*/cmdline; do
    pid=${f#/proc/}
    pid=${pid%/cmdline}
    { IFS= read -r -d '' argv0 <"$f"; } 2>/dev/null || continue
    case ${argv0##*/} in
      etcd | kube-apiserver | kube-controller-manager | kube-scheduler | kwok) ;;
      mcm-*) ;; # operators and the gateway started by hack/run.sh
      *) continue ;;
    esac
    tr '\0' '\n' <"$f" 2>/dev/null | grep -qF -- "$MCM_CLUSTER_DIR/" && echo "$pid"
  done
  return 0
}

_pids_alive() { # prints those of the given pids that still run
  local pid
  for pid in "$@"; do
    if _pid_alive "$pid"; then echo "$pid"; fi
  done
  return 0
}

_stop_pids() { # _stop_pids <pid>...: SIGTERM, then SIGKILL after the grace period
  local pids=("$@") i
  ((${#pids[@]} > 0)) || return 0
  kill -TERM "${pids[@]}" 2>/dev/null || true
  for ((i = 0; i < STOP_GRACE_SECONDS * 10; i++)); do
    mapfile -t pids < <(_pids_alive "${pids[@]}")
    ((${#pids[@]} == 0)) && return 0
    sleep 0.1
  done
  log "sending SIGKILL to pids ${pids[*]}, still running ${STOP_GRACE_SECONDS}s after SIGTERM"
  kill -KILL "${pids[@]}" 2>/dev/null || true
  for ((i = 0; i < 50; i++)); do
    mapfile -t pids < <(_pids_alive "${pids[@]}")
    ((${#pids[@]} == 0)) && return 0
    sleep 0.1
  done
}

# etcd last: a stopping API server removes its endpoint lease from etcd and waits for it. The
# rest all at once: the cluster is going away, and each drain need not be paid in turn.
components_stop_all() {
  local pid argv0 first=() last=()
  for pid in $(_components_scan); do
    { IFS= read -r -d '' argv0 <"/proc/$pid/cmdline"; } 2>/dev/null || continue
    if [ "${argv0##*/}" = etcd ]; then last+=("$pid"); else first+=("$pid"); fi
  done
  _stop_pids "${first[@]}"
  _stop_pids "${last[@]}"
  rm -f "$PID_DIR"/*.pid
}
