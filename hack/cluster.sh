#!/usr/bin/env bash
# Operates on a running local control plane (made by hack/cluster-up.sh); integration tests use
# it to crash, stop and restart components and to compact etcd at a moment of their choosing.
#
#   hack/cluster.sh start <component>    start it (same command line as cluster-up), wait ready
#   hack/cluster.sh stop <component>     SIGTERM, then SIGKILL after a grace period
#   hack/cluster.sh restart <component>  SIGKILL (a crash), start again, wait until ready
#   hack/cluster.sh compact              compact etcd to its current revision, physically
#   hack/cluster.sh free-volumes         make Released pool volumes Available again
#   hack/cluster.sh status               one line per component: running (pid) or stopped
#   hack/cluster.sh smoke                check a Deployment, a StatefulSet with a volume and a
#                                        token request work, then clean up
# Components: etcd kube-apiserver kube-controller-manager kube-scheduler kwok.
#
# Parameters (environment):
#   MCM_CLUSTER_DIR         the cluster (default <repo>/build/cluster); its ports and binaries
#                           are those recorded by cluster-up
#   MCM_CLUSTER_TIMEOUT     seconds a component gets to become ready (default 60)
#   MCM_CLUSTER_STOP_GRACE  seconds between SIGTERM and SIGKILL for stop (default 10)
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
. "$here/lib/common.sh"
. "$here/lib/components.sh"
. "$here/lib/bootstrap.sh"
require_commands curl

usage() {
  sed -n '/^#   hack\/cluster.sh start/,/^# Components/p' "$0" | sed 's/^# \{0,1\}//' >&2
  exit 2
}

cmd_start() {
  lock_cluster
  component_start "$1"
  component_wait_ready "$1"
}

cmd_stop() {
  lock_cluster
  component_cmd "$1" # rejects unknown names
  component_stop "$1"
}

cmd_restart() {
  lock_cluster
  component_cmd "$1"
  component_kill "$1"
  component_start "$1"
  component_wait_ready "$1"
}

# Through etcd's JSON gateway, so no etcdctl is needed: a range request returns the current
# revision in its header, and compaction to it drops every older version.
cmd_compact() {
  local response revision
  # Key "\0", which holds nothing: only the header is wanted.
  response=$(curl_etcd /v3/kv/range -X POST -d '{"key":"AA=="}') ||
    die "etcd range request failed; read $LOG_DIR/etcd.log"
  revision=$(grep -o '"revision":"[0-9]*"' <<<"$response" | head -n 1 | grep -o '[0-9][0-9]*') ||
    die "no revision in etcd's range response: $response"
  response=$(curl_etcd /v3/kv/compaction -X POST \
    -d "{\"revision\":\"$revision\",\"physical\":true}") ||
    die "etcd compaction request failed; read $LOG_DIR/etcd.log"
  case $response in
    *"has been compacted"*) ;; # nothing written since the last compaction: already done
    *'"error"'* | *'"code"'*) die "etcd compaction to revision $revision failed: $response" ;;
  esac
  echo "compacted etcd to revision $revision"
}

cmd_status() {
  local c pid
  for c in "${COMPONENTS[@]}"; do
    if pid=$(component_pid "$c"); then
      echo "$c running (pid $pid)"
    else
      echo "$c stopped"
    fi
  done
}

# Used while developing these scripts and by MCM_CLUSTER_SMOKE=1 hack/cluster-up.sh.
cmd_smoke() {
  local ns started=$SECONDS token_file
  # A fresh name each time: a namespace takes the namespace controller seconds to delete.
  ns=mcm-smoke-$(date +%s)
  kubectl_admin create namespace "$ns" >/dev/null
  kubectl_admin apply -n "$ns" -f - >/dev/null <<'EOF'
apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
spec:
  replicas: 2
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec:
      containers:
      - {name: web, image: registry.invalid/web:1}
---
apiVersion: v1
kind: Service
metadata:
  name: db
spec:
  clusterIP: None
  selector: {app: db}
  ports:
  - {port: 5432}
---
apiVersion: apps/v1
kind: StatefulSet
metadata:
  name: db
spec:
  serviceName: db
  replicas: 2
  selector: {matchLabels: {app: db}}
  template:
    metadata: {labels: {app: db}}
    spec:
      containers:
      - name: db
        image: registry.invalid/db:1
        volumeMounts:
        - {name: data, mountPath: /data}
  volumeClaimTemplates:
  - metadata: {name: data}
    spec:
      accessModes: [ReadWriteOnce]
      resources: {requests: {storage: 1Gi}}
EOF
  kubectl_admin -n "$ns" wait deployment/web --for=condition=Available --timeout="${MCM_CLUSTER_TIMEOUT}s" >/dev/null ||
    die "smoke: Deployment web not Available (scheduler or kwok); read $LOG_DIR/kube-scheduler.log and kwok.log"
  kubectl_admin -n "$ns" rollout status statefulset/db --timeout="${MCM_CLUSTER_TIMEOUT}s" >/dev/null ||
    die "smoke: StatefulSet db not Ready (volume binding?); read $LOG_DIR/kube-controller-manager.log"
  log "smoke: Deployment Available, StatefulSet Ready with bound volumes"

  # The token goes to a private file and from there into a header: it is never printed.
  token_file=$(mktemp)
  # shellcheck disable=SC2064 # the file name is fixed now; the variable is local
  trap "rm -f $(printf %q "$token_file")" EXIT
  kubectl_admin -n "$ns" create token default --duration=10m |
    sed 's/^/Authorization: Bearer /' >"$token_file"
  curl --silent --show-error --max-time 5 --user-agent mcm-hack --cacert "$PKI_DIR/ca.crt" \
    -H "@$token_file" \
    -H 'Content-Type: application/json' -X POST \
    -d '{"apiVersion":"authentication.k8s.io/v1","kind":"SelfSubjectReview"}' \
    "$APISERVER_URL/apis/authentication.k8s.io/v1/selfsubjectreviews" |
    grep -q "\"username\":\"system:serviceaccount:$ns:default\"" ||
    die "smoke: a token from 'kubectl create token' was not accepted by the API server"
  log "smoke: service-account token accepted"

  # Claims go first, so their volumes are back in the pool when this returns.
  local volumes
  volumes=$(kubectl_admin -n "$ns" get pvc -o jsonpath='{range .items[*]}pv/{.spec.volumeName} {end}')
  kubectl_admin -n "$ns" delete statefulset db --cascade=foreground >/dev/null
  kubectl_admin -n "$ns" delete pvc --all >/dev/null
  # shellcheck disable=SC2086 # one word per volume
  kubectl_admin wait $volumes --for=jsonpath='{.status.phase}'=Released \
    --timeout="${MCM_CLUSTER_TIMEOUT}s" >/dev/null
  volumes_free >/dev/null
  kubectl_admin delete namespace "$ns" --wait=false >/dev/null
  log "smoke: passed in $((SECONDS - started))s"
}

main() {
  [ $# -ge 1 ] || usage
  local command=$1
  shift
  load_cluster_env || die "no cluster in $MCM_CLUSTER_DIR; start one with hack/cluster-up.sh"
  case $command in
    start | stop | restart)
      [ $# -eq 1 ] || usage
      "cmd_$command" "$1"
      ;;
    compact | status | smoke) [ $# -eq 0 ] || usage; "cmd_$command" ;;
    free-volumes) [ $# -eq 0 ] || usage; volumes_free ;;
    *) usage ;;
  esac
}

main "$@"
