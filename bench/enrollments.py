#!/usr/bin/python3
"""Enrollment through the gateway beside bare API server creates, run by bench/run.sh.

Starts the release mcm-gateway, signs in as admin, asks for an enrollment token (maxUses 1000)
and fires N enrollments (POST /api/v1/enroll with Authorization: Bearer and a body of facts, one
distinct hostname and machineId each) from a pool of worker threads, each on a kept-alive
connection opened before the clock starts. Every enrollment must come back 201 and exactly N
Instances with the right hostnames must exist afterwards.

Beside it, in the same run, alternating, the same pool sends straight to the kube-apiserver
(admin client certificate, kept-alive TLS connections):
  create         POST of the very Instance objects the gateway makes: the peer figure
  three writes   that create plus what the gateway also writes per enrollment: the merge patch
                 of status (facts, lastSeen) and the AuditEvent, one after the other
The figures are total time, p50 and p99 latency; the ratios gateway/create and
gateway/three-writes. Median of MCM_BENCH_ROUNDS rounds (default 3). Instances and the
enrollments' AuditEvents are deleted between rounds and at the end.

    python3 bench/enrollments.py <release build dir> <kubeconfig>

Prints one JSON line on stdout, a summary on stderr. Needs no root.
Environment: MCM_BENCH_ENROLLMENTS (500), MCM_BENCH_ENROLL_WORKERS (100), MCM_BENCH_ROUNDS (3),
MCM_BENCH_GATEWAY_ARGS (more gateway flags, e.g. "--kube-api-qps 0": its API client unlimited).
"""
import base64
import hashlib
import http.client
import json
import os
import platform
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from kubeapi import (GROUP, KUBECTL, KubeApi, delete_all, exchange, log, machine,  # noqa: E402
                     parsed, prepare_cluster)

NS = "mcm-system"              # the gateway's namespace: its Instances land here
PEER_NS = "bench-enrollments"  # the bare creates land here, out of the gateway's caches
COUNT = int(os.environ.get("MCM_BENCH_ENROLLMENTS", "500"))
WORKERS = int(os.environ.get("MCM_BENCH_ENROLL_WORKERS", "100"))
ROUNDS = int(os.environ.get("MCM_BENCH_ROUNDS", "3"))
NETWORK = "bench-net"
ENROLL_ACTION = "mycloudmanager.io/audit-action=instance.enroll"


def host_key():
    """A well-formed ssh-ed25519 public key (random: nothing connects with it)."""
    blob = b"\x00\x00\x00\x0bssh-ed25519\x00\x00\x00\x20" + os.urandom(32)
    return "ssh-ed25519 " + base64.b64encode(blob).decode()


def facts(name, index, key):
    return {"hostname": name, "addresses": [f"10.200.{index // 250}.{index % 250 + 1}"],
            "os": {"family": "debian", "name": "Debian GNU/Linux", "version": "12"},
            "cpu": 2, "memoryMiB": 2048, "kernel": "6.1.0-bench-amd64",
            "machineId": hashlib.md5(name.encode()).hexdigest(), "hostKey": key}


def instance(ns, f, token_id):
    """The Instance the gateway makes of these facts (src/gateway/enrollment.cpp, new_instance)."""
    return {"apiVersion": "mycloudmanager.io/v1alpha1", "kind": "Instance",
            "metadata": {"name": f["hostname"], "namespace": ns,
                         "labels": {"mycloudmanager.io/machine-id": f["machineId"],
                                    "mycloudmanager.io/enrollment-token": token_id}},
            "spec": {"hostname": f["hostname"], "addresses": f["addresses"], "network": NETWORK,
                     "os": f["os"], "ssh": {"user": "mcm", "port": 22, "hostKey": f["hostKey"]},
                     "agents": []}}


def now_text():
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())


def fire(count, workers, warm, send):
    """Runs send(i) for i < count on `workers` threads (i = w, w + workers, ...), after each
    thread has run warm() and all have met at a barrier. Returns (seconds from the barrier to
    the last answer, [latency], [status])."""
    latencies = [0.0] * count
    statuses = [0] * count
    barrier = threading.Barrier(workers + 1)
    ends = [0.0] * workers
    errors = []

    def worker(w):
        try:
            warm()
        except Exception as error:  # noqa: BLE001 - reported below
            errors.append(f"warm-up: {error!r}")
        barrier.wait()
        for i in range(w, count, workers):
            start = time.perf_counter()
            try:
                statuses[i] = send(i)
            except Exception as error:  # noqa: BLE001 - a lost request, counted
                errors.append(f"request {i}: {error!r}")
                statuses[i] = -1
            latencies[i] = time.perf_counter() - start
        ends[w] = time.perf_counter()

    threads = [threading.Thread(target=worker, args=(w,)) for w in range(workers)]
    for thread in threads:
        thread.start()
    barrier.wait()
    start = time.perf_counter()
    for thread in threads:
        thread.join()
    if errors:
        log(f"  {len(errors)} error(s), first: {errors[0]}")
    return max(ends) - start, latencies, statuses


def percentile(values, p):
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(p / 100 * (len(ordered) - 1))))]


class Gateway:
    """The release gateway on a loopback port, signed in as admin."""

    def __init__(self, build, kubeconfig, workdir):
        self.log_path = os.path.join(workdir, "gateway.log")
        self.proc = subprocess.Popen(
            [os.path.join(build, "mcm-gateway"), "--kubeconfig", kubeconfig, "--listen",
             "127.0.0.1:0", "--namespace", NS] + os.environ.get("MCM_BENCH_GATEWAY_ARGS", "").split(),
            stdout=open(self.log_path, "w"), stderr=subprocess.STDOUT)
        self.local = threading.local()
        self.cookie = self.csrf = ""
        self.port = None
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and self.proc.poll() is None:
            with open(self.log_path, errors="replace") as f:
                m = re.search(r"dashboard and API on http://127\.0\.0\.1:(\d+)", f.read())
            if m:
                self.port = int(m.group(1))
                try:
                    if self.call("GET", "/readyz", fresh=True)[0] == 200:
                        return
                except OSError:
                    pass
            time.sleep(0.1)
        raise RuntimeError("the gateway did not start:\n" + open(self.log_path).read()[-3000:])

    def connect(self):
        return http.client.HTTPConnection("127.0.0.1", self.port, timeout=60)

    def call(self, method, path, body=None, headers=None, fresh=False):
        """(status, parsed body), on this thread's kept-alive connection or a fresh one."""
        data = None if body is None else json.dumps(body).encode()
        all_headers = {"Content-Type": "application/json"} if data is not None else {}
        if self.cookie:
            all_headers["Cookie"] = self.cookie
            all_headers["X-CSRF-Token"] = self.csrf
        all_headers.update(headers or {})
        local = threading.local() if fresh else self.local
        status, payload, self.last_headers = exchange(local, self.connect, method, path, data,
                                                      all_headers)
        if fresh:
            local.conn.close()
        return status, parsed(payload)

    def login(self, password):
        status, body = self.call("POST", "/api/v1/session", {"username": "admin", "password": password})
        if status != 200:
            raise RuntimeError(f"login: {status} {body}")
        self.cookie = self.last_headers["Set-Cookie"].split(";", 1)[0]
        self.csrf = body["csrfToken"]

    def token(self):
        status, body = self.call("POST", "/api/v1/enrollment-tokens",
                                 {"network": NETWORK, "maxUses": 1000, "ttlSeconds": 3600,
                                  "reason": "enrollment benchmark"})
        if status != 201:
            raise RuntimeError(f"enrollment token: {status} {body}")
        return body["token"]

    def stop(self):
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()


def run_gateway(gateway, api, round_no, key):
    token = gateway.token()
    names = [f"enr-{round_no}-{i:03d}" for i in range(COUNT)]
    bodies = [facts(name, i, key) for i, name in enumerate(names)]
    bearer = {"Authorization": "Bearer " + token}
    saved = (gateway.cookie, gateway.csrf)
    gateway.cookie = gateway.csrf = ""  # the token alone, as an enrolling machine sends it
    try:
        seconds, latencies, statuses = fire(
            COUNT, WORKERS, lambda: gateway.call("GET", "/readyz"),
            lambda i: gateway.call("POST", "/api/v1/enroll", bodies[i], bearer)[0])
    finally:
        gateway.cookie, gateway.csrf = saved
    created = api.check("GET", f"{GROUP}/namespaces/{NS}/instances")["items"]
    by_name = {i["metadata"]["name"]: i for i in created}
    right = sum(1 for n in names if n in by_name and by_name[n]["spec"]["hostname"] == n)
    ok = statuses.count(201)
    if ok != COUNT or len(created) != COUNT or right != COUNT:
        others = sorted({s for s in statuses if s != 201})
        raise RuntimeError(f"round {round_no}: {ok} of {COUNT} answered 201 (others: {others}), "
                           f"{len(created)} Instances exist, {right} with the right hostname")
    return {"seconds": seconds, "p50": percentile(latencies, 50), "p99": percentile(latencies, 99),
            "created": ok, "instances": len(created)}


def run_peer(api, round_no, key, writes):
    """The same Instances straight to the API server: the create alone (writes=1) or with the
    gateway's status patch and AuditEvent (writes=3)."""
    run = f"kube-{writes}-{round_no}"
    names = [f"{run}-{i:03d}" for i in range(COUNT)]
    bodies = [instance(PEER_NS, facts(name, i, key), run) for i, name in enumerate(names)]
    path = f"{GROUP}/namespaces/{PEER_NS}/instances"

    def send(i):
        status, _ = api.request("POST", path, bodies[i])
        if writes == 1 or status != 201:
            return status
        f = facts(names[i], i, key)
        patched, _ = api.request(
            "PATCH", f"{path}/{names[i]}/status",
            {"status": {"lastSeen": now_text(),
                        "facts": {"cpu": f["cpu"], "memoryMiB": f["memoryMiB"], "osName": f["os"]["name"],
                                  "osVersion": f["os"]["version"], "kernel": f["kernel"]}}},
            content_type="application/merge-patch+json")
        audited, _ = api.request("POST", f"{GROUP}/namespaces/{PEER_NS}/auditevents", {
            "apiVersion": "mycloudmanager.io/v1alpha1", "kind": "AuditEvent",
            "metadata": {"generateName": "audit-", "namespace": PEER_NS,
                         "labels": {"mycloudmanager.io/audit-action": "instance.enroll",
                                    "mycloudmanager.io/audit-result": "success"}},
            "spec": {"actor": "enrollment:bench", "time": now_text(), "action": "instance.enroll",
                     "result": "success", "target": {"kind": "Instance", "namespace": PEER_NS,
                                                     "name": names[i]},
                     "source": "127.0.0.1", "details": "network " + NETWORK}})
        return status if patched == 200 and audited == 201 else (patched if patched != 200 else audited)

    seconds, latencies, statuses = fire(
        COUNT, WORKERS, lambda: api.request("GET", f"{path}?limit=1"), send)
    made = api.check("GET", f"{path}?labelSelector=mycloudmanager.io%2Fenrollment-token%3D{run}")["items"]
    if statuses.count(201) != COUNT or len(made) != COUNT:
        raise RuntimeError(f"bare creates, round {round_no}: {statuses.count(201)} of {COUNT} "
                           f"answered 201, {len(made)} Instances exist")
    return {"seconds": seconds, "p50": percentile(latencies, 50), "p99": percentile(latencies, 99)}


def clean(api):
    delete_all(api, f"{GROUP}/namespaces/{NS}/instances")
    api.check("DELETE", f"{GROUP}/namespaces/{NS}/auditevents?labelSelector={ENROLL_ACTION}", ok=(200, 404))
    delete_all(api, f"{GROUP}/namespaces/{PEER_NS}/instances")
    delete_all(api, f"{GROUP}/namespaces/{PEER_NS}/auditevents")
    time.sleep(1)  # the gateway's caches take in the deletions before the next round


def main():
    if len(sys.argv) != 3:
        sys.exit("usage: bench/enrollments.py <release build dir> <kubeconfig>")
    build, kubeconfig = os.path.abspath(sys.argv[1]), sys.argv[2]
    prepare_cluster(kubeconfig)
    api = KubeApi(KUBECTL, kubeconfig)
    api.check("POST", "/api/v1/namespaces", {"apiVersion": "v1", "kind": "Namespace",
                                             "metadata": {"name": PEER_NS}}, ok=(201, 409))
    workdir = tempfile.mkdtemp(prefix="mcm-bench-enroll-")
    gateway = None
    try:
        clean(api)
        gateway = Gateway(build, kubeconfig, workdir)
        secret = api.check("GET", f"/api/v1/namespaces/{NS}/secrets/mcm-admin-initial")
        gateway.login(base64.b64decode(secret["data"]["password"]).decode())
        key = host_key()
        ours, create, three = [], [], []
        for r in range(1, ROUNDS + 1):
            log(f"  enrollments round {r} of {ROUNDS}: {COUNT} through the gateway, "
                f"{WORKERS} at a time")
            ours.append(run_gateway(gateway, api, r, key))
            log(f"    gateway {ours[-1]['seconds']:.2f} s; bare creates")
            create.append(run_peer(api, r, key, 1))
            log(f"    create {create[-1]['seconds']:.2f} s; bare create + status + audit")
            three.append(run_peer(api, r, key, 3))
            log(f"    three writes {three[-1]['seconds']:.2f} s")
            clean(api)
        with open(f"/proc/{gateway.proc.pid}/status") as f:
            rss = next(int(line.split()[1]) * 1024 for line in f if line.startswith("VmRSS:"))
    except Exception:
        if gateway:
            log("--- gateway log (tail) ---\n" + open(gateway.log_path, errors="replace").read()[-3000:])
        raise
    finally:
        if gateway:
            gateway.stop()
        try:
            clean(api)
            api.request("DELETE", f"/api/v1/namespaces/{PEER_NS}")
        finally:
            api.close()
            shutil.rmtree(workdir, ignore_errors=True)

    def med(runs, field):
        return statistics.median(run[field] for run in runs)

    result = {"enrollments": COUNT, "workers": WORKERS, "rounds": ROUNDS,
              "gateway_seconds": med(ours, "seconds"), "gateway_p50_ms": med(ours, "p50") * 1000,
              "gateway_p99_ms": med(ours, "p99") * 1000, "gateway_201": min(o["created"] for o in ours),
              "instances": min(o["instances"] for o in ours),
              "create_seconds": med(create, "seconds"), "create_p50_ms": med(create, "p50") * 1000,
              "create_p99_ms": med(create, "p99") * 1000,
              "three_writes_seconds": med(three, "seconds"),
              "three_writes_p50_ms": med(three, "p50") * 1000,
              "three_writes_p99_ms": med(three, "p99") * 1000,
              "gateway_rss_bytes": rss}
    print(json.dumps(result), flush=True)
    log(summary(result))


def summary(r):
    return "\n".join([
        f"Enrollments (bench/enrollments.py <build> <kubeconfig>: {r['enrollments']} POST /api/v1/enroll, "
        f"{r['workers']} threads on kept-alive connections, median of {r['rounds']} rounds)",
        f"machine: {machine()}, {platform.platform()}",
        f"  {'':26} {'total s':>9} {'p50 ms':>9} {'p99 ms':>9}",
        f"  {'gateway enrollments':26} {r['gateway_seconds']:9.2f} {r['gateway_p50_ms']:9.1f} {r['gateway_p99_ms']:9.1f}"
        f"   {r['gateway_201']} x 201, {r['instances']} Instances, none lost",
        f"  {'kube-apiserver creates':26} {r['create_seconds']:9.2f} {r['create_p50_ms']:9.1f} {r['create_p99_ms']:9.1f}"
        f"   ratio gateway/create {r['gateway_seconds'] / r['create_seconds']:.2f}",
        f"  {'  + status patch + audit':26} {r['three_writes_seconds']:9.2f} {r['three_writes_p50_ms']:9.1f} "
        f"{r['three_writes_p99_ms']:9.1f}   ratio gateway/three writes "
        f"{r['gateway_seconds'] / r['three_writes_seconds']:.2f}",
        f"  gateway RSS after the last round {r['gateway_rss_bytes'] / 2**20:.1f} MiB"])


if __name__ == "__main__":
    main()
