#!/usr/bin/env bash
# Builds the local control plane's binaries from their pinned Go modules into a cache outside
# the clone, keyed by version, and prints the directory that holds them. A warm call only checks
# that each binary exists.
#   hack/tools.sh            build what is missing, print the bin directory
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=versions.env
. "$here/versions.env"

cache=${MCM_CACHE_DIR:-$HOME/.cache/mycloudmanager}
bin="$cache/bin/k8s-$KUBERNETES_VERSION-etcd-$ETCD_VERSION-kwok-$KWOK_VERSION"
mkdir -p "$bin"

export GOTOOLCHAIN=local CGO_ENABLED=0 GOFLAGS=-mod=mod
minor=${KUBERNETES_VERSION#v1.}; minor=${minor%%.*}
ldflags="-s -w -X k8s.io/component-base/version.gitVersion=$KUBERNETES_VERSION \
 -X k8s.io/component-base/version.gitMajor=1 -X k8s.io/component-base/version.gitMinor=$minor \
 -X k8s.io/component-base/version.gitTreeState=clean"

build() { # build <module dir> <output name> <package> [ldflags]
  local dir=$1 out=$2 pkg=$3 flags=${4:-"-s -w"}
  [ -x "$bin/$out" ] && return 0
  echo "building $out ($pkg) — a cold build takes minutes" >&2
  (cd "$here/tools/$dir" && go build -p 2 -trimpath -ldflags "$flags" -o "$bin/$out.tmp" "$pkg")
  mv "$bin/$out.tmp" "$bin/$out"
}

for c in kube-apiserver kube-controller-manager kube-scheduler kubectl; do
  build kubernetes "$c" "k8s.io/kubernetes/cmd/$c" "$ldflags"
done
build etcd etcd . "-s -w"
build kwok kwok sigs.k8s.io/kwok/cmd/kwok "-s -w"
echo "$bin"
