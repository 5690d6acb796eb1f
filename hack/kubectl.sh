#!/usr/bin/env bash
# Runs the pinned kubectl (built by hack/tools.sh) against the local control plane, or against
# the cluster of $KUBECONFIG when the caller has set it. Arguments go to kubectl unchanged.
#   hack/kubectl.sh get pods -A
#
# Parameters (environment):
#   KUBECONFIG       if set and not empty, used as is (a real cluster, for `make install`)
#   MCM_CLUSTER_DIR  otherwise, its kubeconfig is used (default <repo>/build/cluster)
#   MCM_CACHE_DIR    where hack/tools.sh keeps the binaries
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
. "$here/lib/common.sh"

bin=$("$MCM_HACK_DIR/tools.sh")
if [ -n "${KUBECONFIG:-}" ]; then
  exec "$bin/kubectl" "$@"
fi
[ -f "$ADMIN_KUBECONFIG" ] ||
  die "no local cluster at $MCM_CLUSTER_DIR (start one with make cluster-up) and KUBECONFIG is not set"
exec "$bin/kubectl" --kubeconfig "$ADMIN_KUBECONFIG" "$@"
