# shellcheck shell=bash
# Certificates of the local control plane, made with openssl. Sourced by hack/cluster-up.sh.
#
#   certs_ensure <pki dir>   create whatever is missing; existing files are kept, so a restart
#                            keeps the identities that kubeconfigs and tokens already carry
#
# Two CAs: etcd-ca signs only etcd's server certificate and its clients, so a Kubernetes client
# certificate (admin, kwok...) cannot talk to etcd directly and bypass RBAC. ca signs the
# API server's serving certificate and every Kubernetes client identity.
# Keys are ECDSA P-256: quick to make, and accepted by etcd, Kubernetes and service-account
# token signing alike. Files are written under umask 077 and never printed.
require_commands openssl

readonly CERT_DAYS=3650

_cert_key() { # _cert_key <file>
  [ -f "$1" ] || openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out "$1" 2>/dev/null
}

_cert_ca() { # _cert_ca <dir> <name> <common name>
  local dir=$1 name=$2 cn=$3
  [ -f "$dir/$name.crt" ] && return 0
  _cert_key "$dir/$name.key"
  openssl req -x509 -new -sha256 -days "$CERT_DAYS" -key "$dir/$name.key" -subj "/CN=$cn" \
    -addext "basicConstraints=critical,CA:TRUE" \
    -addext "keyUsage=critical,keyCertSign,cRLSign,digitalSignature" \
    -out "$dir/$name.crt.tmp" 2>/dev/null
  mv "$dir/$name.crt.tmp" "$dir/$name.crt"
}

# _cert_leaf <dir> <ca name> <name> <subject> <extended key usage> [subject alt names]
_cert_leaf() {
  local dir=$1 ca=$2 name=$3 subject=$4 eku=$5 sans=${6:-}
  [ -f "$dir/$name.crt" ] && return 0
  _cert_key "$dir/$name.key"
  local ext="basicConstraints=critical,CA:FALSE
keyUsage=critical,digitalSignature
extendedKeyUsage=$eku"
  [ -n "$sans" ] && ext+=$'\n'"subjectAltName=$sans"
  openssl req -new -key "$dir/$name.key" -subj "$subject" 2>/dev/null |
    openssl x509 -req -sha256 -days "$CERT_DAYS" -CA "$dir/$ca.crt" -CAkey "$dir/$ca.key" \
      -set_serial "0x$(openssl rand -hex 16)" -extfile <(printf '%s\n' "$ext") \
      -out "$dir/$name.crt.tmp" 2>/dev/null
  mv "$dir/$name.crt.tmp" "$dir/$name.crt"
}

_cert_service_account_keys() { # _cert_service_account_keys <dir>
  local dir=$1
  [ -f "$dir/sa.pub" ] && return 0
  _cert_key "$dir/sa.key"
  openssl pkey -in "$dir/sa.key" -pubout -out "$dir/sa.pub.tmp" 2>/dev/null
  mv "$dir/sa.pub.tmp" "$dir/sa.pub"
}

# certs_ensure <pki dir>; uses FIRST_SERVICE_IP from hack/lib/common.sh.
certs_ensure() {
  local dir=$1
  mkdir -p "$dir"
  (
    umask 077
    # A leaf signed by a CA that is gone would be rejected everywhere: start the set over.
    if [ ! -f "$dir/ca.crt" ] || [ ! -f "$dir/etcd-ca.crt" ]; then
      rm -f "$dir"/*.crt "$dir"/*.key "$dir"/*.pub
    fi
    _cert_ca "$dir" etcd-ca mycloudmanager-etcd-ca
    _cert_ca "$dir" ca mycloudmanager-ca

    # etcd serves clients and its (single) peer with the same certificate.
    _cert_leaf "$dir" etcd-ca etcd-server /CN=etcd serverAuth,clientAuth \
      IP:127.0.0.1,DNS:localhost
    # Used by the API server and by hack/cluster.sh compact.
    _cert_leaf "$dir" etcd-ca etcd-client /CN=kube-apiserver-etcd-client clientAuth

    _cert_leaf "$dir" ca kube-apiserver /CN=kube-apiserver serverAuth \
      "IP:127.0.0.1,IP:$FIRST_SERVICE_IP,DNS:localhost,DNS:kubernetes,DNS:kubernetes.default,DNS:kubernetes.default.svc,DNS:kubernetes.default.svc.cluster.local"
    _cert_leaf "$dir" ca admin "/O=system:masters/CN=mycloudmanager-admin" clientAuth
    # The bootstrap RBAC policy binds these two user names to their roles.
    _cert_leaf "$dir" ca kube-controller-manager /CN=system:kube-controller-manager clientAuth
    _cert_leaf "$dir" ca kube-scheduler /CN=system:kube-scheduler clientAuth
    # Bound to a least-privilege ClusterRole by hack/lib/bootstrap.sh.
    _cert_leaf "$dir" ca kwok /CN=mcm:kwok-controller clientAuth

    _cert_service_account_keys "$dir"
  )
}
