#!/usr/bin/env bash
# `make bench`: our figures beside a peer's, measured in the same run on the same cluster, and
# reported as ratios (the machine is noisy; a ratio holds better than an absolute time).
#
#   bench/run.sh <release build dir>
#
# On a local control plane of its own (build/bench-cluster, port offset 20000), with N objects
# (MCM_BENCH_OBJECTS, default 10000) of a schema-free custom resource:
#   informer sync time and RSS   mcm-informer-bench    vs informer-peer   (client-go)
#   watch events per second      mcm-watch-bench       vs watch-peer      (client-go)
#   no-op reconciles per second  mcm-controller-bench  vs controller-peer (controller-runtime)
#   200 Apps to Running, requests per steady reconcile, RSS: bench/apps.py (mcm-app-operator)
#   GET /api/v1/apps under wrk                 bench/gateway.sh   vs nginx (same bytes, static)
#   500 concurrent enrollments               bench/enrollments.py vs the same creates, bare
#   a Task run of a small playbook           bench/runner.py    vs bare ansible-playbook (root:
#                                            a test host; skipped without)
# Each pair runs MCM_BENCH_ROUNDS times (default 3), alternating, and the median is reported
# (the runner: MCM_BENCH_RUNNER_RUNS runs of each, default 20).
set -euo pipefail
repo=$(cd "$(dirname "$0")/.." && pwd)
build=$(realpath "${1:?usage: bench/run.sh <release build dir>}")
objects=${MCM_BENCH_OBJECTS:-10000}
rounds=${MCM_BENCH_ROUNDS:-3}
export MCM_CLUSTER_DIR="$repo/build/bench-cluster" MCM_CLUSTER_PORT_OFFSET=20000 KUBECONFIG=
# The App benchmark's StatefulSets claim about 200 volumes.
export MCM_CLUSTER_VOLUMES=260
results=$(mktemp -d)

peers=$("$repo/bench/peers/build.sh")
kubeconfig=$("$repo/hack/cluster-up.sh")
trap '"$repo/hack/cluster-down.sh" >/dev/null 2>&1 || true; rm -rf "$results"' EXIT
kubectl() { "$repo/hack/kubectl.sh" "$@"; }

kubectl apply -f "$repo/bench/peers/testdata/crd.yaml" >/dev/null
kubectl wait --for condition=established --timeout=60s crd/widgets.bench.mycloudmanager.io >/dev/null
kubectl create namespace bench >/dev/null 2>&1 || true
C=(--kubeconfig "$kubeconfig" --group bench.mycloudmanager.io --version v1 --namespace bench)
R=("${C[@]}" --resource widgets)
# The list's resourceVersion before the creates: watching from it replays every create.
before=$(kubectl get --raw '/apis/bench.mycloudmanager.io/v1/namespaces/bench/widgets?limit=1' |
  python3 -c 'import json, sys; print(json.load(sys.stdin)["metadata"]["resourceVersion"])')
[ -n "$before" ] || { echo "bench: no resourceVersion to watch from" >&2; exit 1; }
echo "creating $objects objects..." >&2
"$peers/loadgen" "${R[@]}" --kind Widget --count "$objects" --size-bytes 1000 >"$results/loadgen.json"

run() { # run <name> <command...>: appends the command's JSON line to $results/<name>
  local name=$1
  shift
  echo "  $name: ${*##*/}" >&2
  "$@" | tee -a "$results/$name" >&2
}
for ((i = 1; i <= rounds; i++)); do
  echo "round $i of $rounds" >&2
  run ours-sync "$build/bench/mcm-informer-bench" "${R[@]}" --expect "$objects"
  run peer-sync "$peers/informer-peer" "${R[@]}" --expect "$objects" --mode sync --list-mode list
  run ours-watch "$build/bench/mcm-watch-bench" "${R[@]}" --resource-version "$before" \
    --expect "$objects"
  run peer-watch "$peers/watch-peer" "${R[@]}" --resource-version "$before" --expect "$objects"
  run ours-reconcile "$build/bench/mcm-controller-bench" "${R[@]}" --kind Widget \
    --expect "$objects" --workers 2
  run peer-reconcile "$peers/controller-peer" "${C[@]}" --kind Widget --mode initial \
    --expect "$objects" --workers 2
done

echo "App operator: $objects-object runtime figures done; now 200 Apps" >&2
(cd "$repo" && python3 bench/apps.py "$repo/hack/kubectl.sh" "$build/mcm-app-operator" "$kubeconfig" \
  "$results") >"$results/apps"
echo "gateway: GET /api/v1/apps beside nginx serving the same bytes" >&2
"$repo/bench/gateway.sh" "$build" "$kubeconfig" >"$results/gateway"
echo "enrollments: through the gateway beside bare creates on the API server" >&2
/usr/bin/python3 "$repo/bench/enrollments.py" "$build" "$kubeconfig" >"$results/enrollments"
echo "task runner: Tasks beside bare ansible-playbook runs on a test host" >&2
code=0
/usr/bin/python3 "$repo/bench/runner.py" "$build" "$kubeconfig" >"$results/runner" || code=$?
[ "$code" -eq 0 ] || [ "$code" -eq 77 ] || exit "$code"

python3 - "$results" "$objects" "$rounds" <<'PY'
import json, os, platform, statistics, subprocess, sys
results, objects, rounds = sys.argv[1], int(sys.argv[2]), sys.argv[3]
def load(name):
    with open(os.path.join(results, name)) as f:
        return [json.loads(line) for line in f if line.startswith("{")]
def median(name, field):
    return statistics.median(r[field] for r in load(name))
cpu = next((l.split(":", 1)[1].strip() for l in open("/proc/cpuinfo") if l.startswith("model name")), "?")
print(f"make bench — {objects} objects, median of {rounds} rounds")
print(f"machine: {os.cpu_count()} cores, {cpu}, {platform.platform()}")
print(f"commands: bench/run.sh (mcm-*-bench beside bench/peers: client-go/controller-runtime)")
rows = [
    ("informer initial sync (s)", median("ours-sync", "sync_seconds"), median("peer-sync", "sync_seconds"), "≤ 0.8", "lower"),
    ("informer RSS after sync (MiB)", median("ours-sync", "rss_bytes") / 2**20, median("peer-sync", "rss_bytes") / 2**20, "≤ 0.5", "lower"),
    ("watch events per second", median("ours-watch", "events_per_second"), median("peer-watch", "events_per_second"), "≥ 1.5", "higher"),
    ("no-op reconciles per second", median("ours-reconcile", "reconciles_per_second"), median("peer-reconcile", "reconciles_per_second"), "≥ 2", "higher"),
    ("  of which queue drain only", statistics.median(r["reconciles"] / (r["seconds"] - r["first_reconcile_seconds"]) for r in load("ours-reconcile")),
     statistics.median(r["reconciles"] / (r["seconds"] - r["first_reconcile_seconds"]) for r in load("peer-reconcile")), "", "higher"),
]
print(f"{'figure':32} {'ours':>12} {'peer':>12} {'ratio':>8}  target")
for name, ours, peer, target, better in rows:
    print(f"{name:32} {ours:12.3f} {peer:12.3f} {ours / peer:8.2f}  {target} ({better} is better)")
apps = load("apps")[0]
print(f"App operator (bench/apps.py, {apps['apps']} Apps of the 7 types, release build):")
print(f"  kubectl apply to all Running      {apps['seconds_to_all_running']:8.1f} s   (target ≤ 60 s)")
print(f"  API requests per steady reconcile {apps['requests_per_steady_reconcile']:8.2f}     (target ≤ 4; {apps['steady_reconciles']:.0f} reconciles in {apps['steady_seconds']} s)")
print(f"  writes while steady               {apps['steady_writes']:8.0f}     (target 0)")
print(f"  operator RSS                      {apps['operator_rss_bytes'] / 2**20:8.1f} MiB")
gw = load("gateway")[0]
print(f"Gateway (bench/gateway.sh: wrk -t2 -c{gw['connections']} -d{gw['seconds']}s --latency, "
      f"{gw['body_bytes']}-byte body, same machine, alternating):")
print(f"  GET /api/v1/apps requests/s       {gw['ours_rps']:10.0f}   nginx static file {gw['nginx_rps']:10.0f}"
      f"   ratio {gw['ours_rps'] / gw['nginx_rps']:.2f} (target ≥ 0.7)")
print(f"  p99 latency                       {gw['ours_p99_ms']:10.2f} ms nginx             {gw['nginx_p99_ms']:10.2f} ms (target ≤ 5 ms)")
en = load("enrollments")[0]
print(f"Enrollments (bench/enrollments.py: {en['enrollments']} POST /api/v1/enroll from {en['workers']} threads, "
      f"beside the same Instances POSTed to the API server; {en['gateway_201']} x 201, {en['instances']} Instances):")
print(f"  total time                        {en['gateway_seconds']:8.2f} s   bare creates {en['create_seconds']:6.2f} s"
      f"   ratio {en['gateway_seconds'] / en['create_seconds']:.2f}")
print(f"  p50 / p99 latency                 {en['gateway_p50_ms']:6.0f} / {en['gateway_p99_ms']:.0f} ms"
      f"   bare creates {en['create_p50_ms']:.0f} / {en['create_p99_ms']:.0f} ms")
print(f"  bare create + status + audit      {en['three_writes_seconds']:8.2f} s   (the gateway's three writes; "
      f"ratio {en['gateway_seconds'] / en['three_writes_seconds']:.2f})")
runner = load("runner")
if runner:
    ru = runner[0]
    print(f"Task runner (bench/runner.py: bench.yml on one test host, {ru['runs']} runs each, warm SSH master):")
    print(f"  Task created to Succeeded         {ru['task_seconds']:8.3f} s   bare ansible-playbook {ru['bare_seconds']:.3f} s"
          f"   ratio {ru['ratio']:.3f} (target ≤ 1.05)")
    print(f"  of a Task run: {ru['task_before_ansible_seconds'] * 1000:.0f} ms before ansible-playbook, "
          f"{ru['task_ansible_seconds']:.3f} s in it, {ru['task_after_ansible_seconds'] * 1000:.0f} ms after")
else:
    print("Task runner (bench/runner.py): skipped, needs root for the test host")
PY
