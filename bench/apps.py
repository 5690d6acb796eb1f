"""The App operator's benchmark, run by bench/run.sh on its cluster.

Starts the release mcm-app-operator, applies 200 Apps of the seven types at once with kubectl
(each with NodePorts of its own), and reports: the time from `kubectl apply` until every App is
Running, the API requests per steady reconcile and the writes during a steady minute (from the
operator's own /metrics), and the operator's resident memory.

    python3 bench/apps.py <kubectl wrapper> <operator binary> <kubeconfig> <work dir>
"""
import json
import os
import re
import subprocess
import sys
import time
import urllib.request

KUBECTL, OPERATOR, KUBECONFIG, WORK = sys.argv[1:5]
COUNT = int(os.environ.get("MCM_BENCH_APPS", "200"))
STEADY_SECONDS = int(os.environ.get("MCM_BENCH_STEADY_SECONDS", "60"))
METRICS_PORT = 28080
PORTS = {  # NodePort names per type (operators/app/catalog.cpp)
    "zabbix": ["web", "trapper"], "graylog": ["web", "syslog", "gelf"], "rundeck": ["web"],
    "clamav-mirror": ["web"], "artifactory": ["web"], "ntp": ["ntp"], "duplicity": [],
}
TYPES = list(PORTS)


def kubectl(*args, stdin=None):
    return subprocess.run([KUBECTL, *args], input=stdin, capture_output=True, text=True, check=True).stdout


def metrics():
    text = urllib.request.urlopen(f"http://127.0.0.1:{METRICS_PORT}/metrics", timeout=5).read().decode()
    requests = writes = reconciles = 0.0
    for line in text.splitlines():
        m = re.match(r'mcm_kube_requests_total\{code="(\d+)",verb="(\w+)"\} (\S+)', line) or \
            re.match(r'mcm_kube_requests_total\{verb="(\w+)",code="(\d+)"\} (\S+)', line)
        if m:
            verb = m.group(2) if m.group(1).isdigit() else m.group(1)
            value = float(m.group(3))
            if verb not in ("WATCH",):
                requests += value
            if verb in ("POST", "PUT", "PATCH", "DELETE"):
                writes += value
        m = re.match(r'mcm_controller_reconcile_total\{[^}]*\} (\S+)', line)
        if m:
            reconciles += float(m.group(1))
    return requests, writes, reconciles


def rss(pid):
    with open(f"/proc/{pid}/status") as f:
        return next(int(l.split()[1]) * 1024 for l in f if l.startswith("VmRSS:"))


def main():
    kubectl("apply", "-f", "manifests/base/namespace.yaml")
    kubectl("apply", "--server-side", "--force-conflicts", "-f", "crds/")
    kubectl("wait", "--for", "condition=established", "--timeout=60s", "-f", "crds/")
    kubectl("create", "namespace", "bench-apps")
    log = open(os.path.join(WORK, "operator.log"), "w")
    # Without leader election: its Lease renewals (a PUT every 2 s) are writes of the election,
    # not of reconciles, and would hide what the steady-state figure is about.
    op = subprocess.Popen([OPERATOR, "--kubeconfig", KUBECONFIG, "--metrics-bind-address",
                           f"127.0.0.1:{METRICS_PORT}", "--resync-period", "10s",
                           "--leader-elect", "false"], stdout=log, stderr=log)
    try:
        docs, port = [], 30200
        for i in range(COUNT):
            kind = TYPES[i % len(TYPES)]
            node_ports = {}
            for name in PORTS[kind]:
                node_ports[name] = port
                port += 1
            spec = {"type": kind}
            if node_ports:
                spec["nodePorts"] = node_ports
            docs.append({"apiVersion": "mycloudmanager.io/v1alpha1", "kind": "App",
                         "metadata": {"name": f"app-{i:03d}", "namespace": "bench-apps"}, "spec": spec})
        manifest = json.dumps({"apiVersion": "v1", "kind": "List", "items": docs})
        time.sleep(2)  # the operator takes its Lease and syncs its caches
        start = time.monotonic()
        kubectl("apply", "-f", "-", stdin=manifest)
        running = 0
        while time.monotonic() - start < 600:
            phases = kubectl("get", "apps.mycloudmanager.io", "-n", "bench-apps", "-o",
                             "jsonpath={.items[*].status.phase}").split()
            running = phases.count("Running")
            if running == COUNT:
                break
            time.sleep(0.5)
        to_running = time.monotonic() - start
        if running != COUNT:
            sys.exit(f"only {running} of {COUNT} Apps Running after 600 s")
        time.sleep(15)  # let the last status writes and watch events settle
        r0, w0, c0 = metrics()
        time.sleep(STEADY_SECONDS)
        r1, w1, c1 = metrics()
        print(json.dumps({
            "apps": COUNT, "seconds_to_all_running": to_running,
            "steady_seconds": STEADY_SECONDS, "steady_reconciles": c1 - c0,
            "requests_per_steady_reconcile": (r1 - r0) / max(1.0, c1 - c0),
            "steady_writes": w1 - w0, "operator_rss_bytes": rss(op.pid)}))
    finally:
        op.terminate()
        op.wait(timeout=30)


main()
