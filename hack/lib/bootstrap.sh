# shellcheck shell=bash
# What the local control plane needs besides its processes: kubeconfigs for each client, and
# the cluster objects that make workloads behave (kwok's RBAC, a kwok node, a default
# StorageClass with a pool of pre-provisioned volumes). Sourced by hack/cluster-up.sh and
# hack/cluster.sh after hack/lib/common.sh.
#
#   kubeconfigs_write     (re)write the admin and component kubeconfigs, certificates embedded
#   bootstrap_apply       apply the cluster objects; safe to repeat
#   volumes_free          make Released pool volumes Available again

STORAGE_CLASS=standard
# Pool of pre-provisioned volumes. There is no provisioner under kwok: the PV controller in
# kube-controller-manager binds claims to these, so StatefulSets with volumeClaimTemplates
# become Ready. Their reclaim policy is Retain (nothing could delete or recycle them); a
# claim's deletion leaves its volume Released until volumes_free makes it Available again.
PV_POOL_SIZE=${MCM_CLUSTER_VOLUMES:-40}  # MCM_CLUSTER_VOLUMES overrides (the benchmark needs more)
PV_SIZE=100Gi

# write_kubeconfig <file> <user name> <certificate name in PKI_DIR>
write_kubeconfig() {
  local file=$1 user=$2 cert=$3
  (
    umask 077
    cat >"$file.tmp" <<EOF
apiVersion: v1
kind: Config
clusters:
- name: mycloudmanager
  cluster:
    server: $APISERVER_URL
    certificate-authority-data: $(base64 -w0 <"$PKI_DIR/ca.crt")
users:
- name: $user
  user:
    client-certificate-data: $(base64 -w0 <"$PKI_DIR/$cert.crt")
    client-key-data: $(base64 -w0 <"$PKI_DIR/$cert.key")
contexts:
- name: mycloudmanager
  context:
    cluster: mycloudmanager
    user: $user
current-context: mycloudmanager
EOF
    mv "$file.tmp" "$file"
  )
}

kubeconfigs_write() {
  mkdir -p "$KUBECONFIG_DIR"
  write_kubeconfig "$ADMIN_KUBECONFIG" mycloudmanager-admin admin
  local c
  for c in kube-controller-manager kube-scheduler kwok; do
    write_kubeconfig "$KUBECONFIG_DIR/$c.kubeconfig" "$c" "$c"
  done
}

_bootstrap_kwok_rbac() {
  # kwok's own ClusterRole (kustomize/rbac in its repository) minus its CRDs, which we do not
  # enable, bound to the user name of kwok's client certificate.
  cat <<'EOF'
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata:
  name: mcm:kwok-controller
rules:
- apiGroups: [""]
  resources: [events]
  verbs: [create, delete, get, list, patch, update, watch]
- apiGroups: [""]
  resources: [nodes]
  verbs: [get, list, watch]
- apiGroups: [""]
  resources: [nodes/status, pods/status]
  verbs: [patch, update]
- apiGroups: [""]
  resources: [pods]
  verbs: [delete, get, list, patch, update, watch]
- apiGroups: [coordination.k8s.io]
  resources: [leases]
  verbs: [create, get, list, patch, update, watch]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBinding
metadata:
  name: mcm:kwok-controller
roleRef:
  apiGroup: rbac.authorization.k8s.io
  kind: ClusterRole
  name: mcm:kwok-controller
subjects:
- apiGroup: rbac.authorization.k8s.io
  kind: User
  name: mcm:kwok-controller
---
# kwok stands in for every kubelet at once: keep it out of API priority and fairness queues so
# a test that floods the API server does not starve node heartbeats (as kwok's own manifests do).
apiVersion: flowcontrol.apiserver.k8s.io/v1
kind: FlowSchema
metadata:
  name: mcm-kwok-controller
spec:
  priorityLevelConfiguration:
    name: exempt
  matchingPrecedence: 1000
  rules:
  - subjects:
    - kind: User
      user:
        name: mcm:kwok-controller
    resourceRules:
    - apiGroups: ["*"]
      resources: ["*"]
      verbs: ["*"]
      clusterScope: true
      namespaces: ["*"]
    nonResourceRules:
    - nonResourceURLs: ["*"]
      verbs: ["*"]
EOF
}

_bootstrap_node() {
  # The annotation hands the node to kwok (--manage-nodes-with-annotation-selector). No taint:
  # ordinary workloads must schedule here without tolerations. Its pods are simulated, so it is
  # as large as the App benchmark needs (200 Apps: several hundred pods), not a real kubelet's 110.
  cat <<EOF
apiVersion: v1
kind: Node
metadata:
  name: $KWOK_NODE
  annotations:
    kwok.x-k8s.io/node: fake
    node.alpha.kubernetes.io/ttl: "0"
  labels:
    type: kwok
    kubernetes.io/hostname: $KWOK_NODE
    kubernetes.io/os: linux
    kubernetes.io/arch: amd64
status:
  capacity: {cpu: "512", memory: 4Ti, pods: "2000"}
  allocatable: {cpu: "512", memory: 4Ti, pods: "2000"}
EOF
}

_bootstrap_storage() {
  cat <<EOF
apiVersion: storage.k8s.io/v1
kind: StorageClass
metadata:
  name: $STORAGE_CLASS
  annotations:
    storageclass.kubernetes.io/is-default-class: "true"
provisioner: kubernetes.io/no-provisioner
volumeBindingMode: Immediate
reclaimPolicy: Retain
EOF
  local i name
  for ((i = 0; i < PV_POOL_SIZE; i++)); do
    printf -v name 'mcm-pv-%02d' "$i"
    # Every access mode but ReadWriteOncePod (which excludes the others), so any claim binds.
    cat <<EOF
---
apiVersion: v1
kind: PersistentVolume
metadata:
  name: $name
  labels:
    mycloudmanager.io/volume-pool: local
spec:
  storageClassName: $STORAGE_CLASS
  capacity: {storage: $PV_SIZE}
  accessModes: [ReadWriteOnce, ReadOnlyMany, ReadWriteMany]
  persistentVolumeReclaimPolicy: Retain
  volumeMode: Filesystem
  hostPath:
    path: $MCM_CLUSTER_DIR/volumes/$name
    type: DirectoryOrCreate
EOF
  done
}

bootstrap_apply() {
  local manifest="$MCM_CLUSTER_DIR/config/bootstrap.yaml"
  local i dir dirs=()
  for ((i = 0; i < PV_POOL_SIZE; i++)); do
    printf -v dir '%s/volumes/mcm-pv-%02d' "$MCM_CLUSTER_DIR" "$i"
    dirs+=("$dir")
  done
  mkdir -p "$MCM_CLUSTER_DIR/config" "${dirs[@]}"
  {
    _bootstrap_kwok_rbac
    echo ---
    _bootstrap_storage
    echo ---
    _bootstrap_node
  } >"$manifest"
  # Client-side apply: a Node created this way keeps the status (capacity) it is created with.
  kubectl_admin apply -f "$manifest" >/dev/null
}

volumes_free() {
  local pv
  for pv in $(kubectl_admin get pv -l mycloudmanager.io/volume-pool=local \
    -o jsonpath='{range .items[?(@.status.phase=="Released")]}{.metadata.name}{"\n"}{end}'); do
    # Empty the directory first: the next claim must not see the previous one's files.
    find "$MCM_CLUSTER_DIR/volumes/$pv" -mindepth 1 -delete 2>/dev/null || true
    kubectl_admin patch pv "$pv" --type=json -p='[{"op":"remove","path":"/spec/claimRef"}]' >/dev/null
    echo "$pv"
  done
}
