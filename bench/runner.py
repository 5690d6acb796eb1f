#!/usr/bin/python3
"""The task runner's overhead over a bare ansible-playbook run, run by bench/run.sh.

Brings up one Debian test host (hack/testhost.sh, index MCM_BENCH_RUNNER_INDEX, default 30),
makes it manageable the way enrollment does (user mcm trusting the gateway's key from the Secret
mcm-system/mcm-instance-ssh, sudo without a password) and registers it as an Instance with its
pinned host key. Then the release mcm-task-runner-operator runs bench/playbooks/bench.yml (ping
and a command under sudo, no facts) as Tasks (action run), alternating with bare
ansible-playbook runs of the same playbook on the same host with the environment the runner
gives ansible (operators/task-runner/task_runner.cpp: inventory, known_hosts, key, pipelining,
ControlMaster/ControlPersist=60s in a fixed control path directory). One run of each comes
first and is not counted, so both sides reuse a warm SSH connection.

  Task run    from just before the POST of the Task until the watch shows it Succeeded
  bare run    from the spawn of ansible-playbook until its exit
The figure is the ratio of the medians of MCM_BENCH_RUNNER_RUNS runs each (default 20).

Both sides start ansible-playbook through the same two-line shim (first on the runner's PATH and
the bare run's), which notes when the real ansible-playbook starts and ends: that splits a Task
run into before ansible / ansible / after ansible. status.startTime and completionTime are kept
at whole seconds, too coarse for this; the watch gives when Running and Succeeded were written.

    python3 bench/runner.py <release build dir> <kubeconfig>

Prints one JSON line on stdout, a summary on stderr. Needs root (network namespaces); exits 77
without.
"""
import base64
import hashlib
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from kubeapi import GROUP, KUBECTL, REPO, KubeApi, log, machine, prepare_cluster  # noqa: E402

TESTHOST = os.path.join(REPO, "hack", "testhost.sh")
NS = "mcm-system"
HOST = "bench-runner"
INDEX = int(os.environ.get("MCM_BENCH_RUNNER_INDEX", "30"))
RUNS = int(os.environ.get("MCM_BENCH_RUNNER_RUNS", "20"))
LABEL = "mycloudmanager.io/bench"
PLAYBOOK = "bench.yml"


def testhost(*args, stdin=None, check=True):
    out = subprocess.run([TESTHOST, *args], input=stdin, capture_output=True, text=True, check=False)
    if check and out.returncode != 0:
        raise RuntimeError(f"testhost {' '.join(args)}: {out.stderr[-2000:]}")
    return out.stdout


def instance_key(api, build, kubeconfig, workdir):
    """The Secret with the instances' SSH key pair; the gateway makes it when it starts, so it
    is started for a moment when the Secret is not there yet."""
    path = f"/api/v1/namespaces/{NS}/secrets/mcm-instance-ssh"
    status, secret = api.request("GET", path)
    if status == 404:
        log("  no Secret mcm-instance-ssh yet: starting the gateway to make it")
        gateway = subprocess.Popen([os.path.join(build, "mcm-gateway"), "--kubeconfig", kubeconfig,
                                    "--listen", "127.0.0.1:0", "--namespace", NS],
                                   stdout=open(os.path.join(workdir, "gateway.log"), "w"),
                                   stderr=subprocess.STDOUT)
        try:
            deadline = time.monotonic() + 60
            while status == 404 and time.monotonic() < deadline and gateway.poll() is None:
                time.sleep(0.2)
                status, secret = api.request("GET", path)
        finally:
            gateway.terminate()
            gateway.wait(timeout=20)
    if status != 200:
        raise RuntimeError(f"Secret {NS}/mcm-instance-ssh: {status} {secret}")
    return {k: base64.b64decode(v).decode() for k, v in secret["data"].items()}


def prepare_host(public_key):
    """What enroll.sh leaves on a host: user mcm trusting the gateway's key, sudo without a
    password. Returns the host's JSON line from testhost."""
    testhost("down", HOST, check=False)
    host = json.loads(testhost("up", HOST, str(INDEX)).strip().splitlines()[-1])
    testhost("exec", HOST, "sh", "-c", """set -e
id mcm >/dev/null 2>&1 || useradd --create-home --shell /bin/sh --comment 'MyCloudManager management' mcm
install -d -m 700 -o mcm -g mcm /home/mcm/.ssh
cat > /home/mcm/.ssh/authorized_keys
chown mcm:mcm /home/mcm/.ssh/authorized_keys
chmod 600 /home/mcm/.ssh/authorized_keys
echo 'mcm ALL=(ALL) NOPASSWD: ALL' > /etc/sudoers.d/mycloudmanager
chmod 440 /etc/sudoers.d/mycloudmanager
""", stdin="no-agent-forwarding,no-X11-forwarding,no-port-forwarding " + public_key.strip() + "\n")
    return host


def write_shim(bin_dir, stamps):
    """ansible-playbook that notes the start and end of the real one in `stamps`."""
    real = shutil.which("ansible-playbook")
    if not real:
        raise RuntimeError("ansible-playbook is not installed")
    os.makedirs(bin_dir)
    shim = os.path.join(bin_dir, "ansible-playbook")
    with open(shim, "w") as f:
        f.write(f"""#!/bin/sh
echo "start $$ $(date +%s.%N)" >>'{stamps}'
'{real}' "$@"
code=$?
echo "end $$ $(date +%s.%N)" >>'{stamps}'
exit $code
""")
    os.chmod(shim, 0o755)


def last_stamps(stamps):
    """(start, end) of the last run the shim noted."""
    with open(stamps) as f:
        lines = f.read().split("\n")
    start = next(float(l.split()[2]) for l in reversed(lines) if l.startswith("start "))
    end = next(float(l.split()[2]) for l in reversed(lines) if l.startswith("end "))
    return start, end


class Bare:
    """ansible-playbook with the runner's arguments and environment, in a workspace made once."""

    def __init__(self, workdir, ansible_dir, bin_dir, host, private_key):
        self.ws = os.path.join(workdir, "bare")
        home = os.path.join(workdir, "bare-home")
        os.makedirs(os.path.join(self.ws, "tmp"))
        os.makedirs(os.path.join(home, "cp"))
        os.chmod(home, 0o700)
        with open(os.path.join(self.ws, "inventory.json"), "w") as f:
            json.dump({"all": {"hosts": {HOST: {"ansible_host": host["address"], "ansible_port": 22,
                                                "ansible_user": "mcm"}}}}, f, indent=2)
        with open(os.path.join(self.ws, "known_hosts"), "w") as f:
            f.write(f"{host['address']} {host['hostKey']}\n")
        with open(os.path.join(self.ws, "vars.json"), "w") as f:
            f.write("{}")
        key = os.path.join(self.ws, "id_key")
        with open(os.open(key, os.O_WRONLY | os.O_CREAT, 0o600), "w") as f:
            f.write(private_key)
        self.cwd = os.path.join(ansible_dir, "playbooks")
        self.argv = ["ansible-playbook", "-i", os.path.join(self.ws, "inventory.json"),
                     os.path.join(self.cwd, PLAYBOOK), "-e", "@" + os.path.join(self.ws, "vars.json")]
        self.env = {
            "PATH": bin_dir + ":" + os.environ.get("PATH", "/usr/local/bin:/usr/bin:/bin"),
            "HOME": home, "LANG": "C.UTF-8", "PYTHONUNBUFFERED": "1",
            "ANSIBLE_CONFIG": os.path.join(ansible_dir, "ansible.cfg"),
            "ANSIBLE_PIPELINING": "True", "ANSIBLE_HOST_KEY_CHECKING": "True",
            "ANSIBLE_SSH_CONTROL_PATH_DIR": os.path.join(home, "cp"),
            "ANSIBLE_SSH_ARGS": "-o ControlMaster=auto -o ControlPersist=60s -o ServerAliveInterval=15 "
                                "-o BatchMode=yes -o IdentitiesOnly=yes -o StrictHostKeyChecking=yes "
                                "-o UserKnownHostsFile=" + os.path.join(self.ws, "known_hosts"),
            "ANSIBLE_PRIVATE_KEY_FILE": key, "ANSIBLE_LOCAL_TEMP": os.path.join(self.ws, "tmp"),
            "ANSIBLE_NOCOLOR": "1", "ANSIBLE_RETRY_FILES_ENABLED": "False", "ANSIBLE_TIMEOUT": "20"}
        self.control_dir = os.path.join(home, "cp")

    def run(self):
        """(seconds, output)"""
        start = time.time()
        # As the runner starts it: stdin /dev/null, output and errors on one pipe, its own
        # process group.
        out = subprocess.run(self.argv, cwd=self.cwd, env=self.env, stdin=subprocess.DEVNULL,
                             stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                             check=False, process_group=0)
        seconds = time.time() - start
        if out.returncode != 0:
            raise RuntimeError(f"bare ansible-playbook exited {out.returncode}:\n{out.stdout[-3000:]}")
        return start, seconds, out.stdout


class TaskWatch:
    """Every change of the Tasks in the namespace, with the time it was seen."""

    def __init__(self, api):
        listing = api.check("GET", f"{GROUP}/namespaces/{NS}/tasks?limit=1")
        self.seen = {}  # name -> [(time, phase, object)]
        self.changed = threading.Condition()
        self.thread = threading.Thread(
            target=self._follow, args=(api, listing["metadata"]["resourceVersion"]), daemon=True)
        self.thread.start()

    def _follow(self, api, version):
        for kind, obj in api.watch(f"{GROUP}/namespaces/{NS}/tasks", version, timeout=3600):
            if kind in ("ADDED", "MODIFIED"):
                phase = obj.get("status", {}).get("phase", "")
                with self.changed:
                    self.seen.setdefault(obj["metadata"]["name"], []).append((time.time(), phase, obj))
                    self.changed.notify_all()

    def wait_end(self, name, timeout=300):
        deadline = time.monotonic() + timeout
        with self.changed:
            while True:
                events = self.seen.get(name, [])
                if events and events[-1][1] in ("Succeeded", "Failed", "Cancelled"):
                    return events
                left = deadline - time.monotonic()
                if left <= 0 or not self.thread.is_alive():
                    raise RuntimeError(f"Task {name} did not end within {timeout} s: {events[-1:]}")
                self.changed.wait(left)


def run_task(api, watch, index):
    name = f"bench-run-{index:02d}"
    start = time.time()
    api.check("POST", f"{GROUP}/namespaces/{NS}/tasks", {
        "apiVersion": "mycloudmanager.io/v1alpha1", "kind": "Task",
        "metadata": {"name": name, "namespace": NS, "labels": {LABEL: "runner"}},
        "spec": {"action": "run", "playbook": PLAYBOOK, "targets": [HOST]}})
    events = watch.wait_end(name)
    end, phase, task = events[-1]
    if phase != "Succeeded":
        raise RuntimeError(f"Task {name} ended {phase}: {task.get('status')}")
    running = next((t for t, p, _ in events if p == "Running"), None)
    status = task["status"]
    return {"start": start, "seconds": end - start, "running": running, "end": end,
            "writes": len(events), "status_seconds": _rfc3339(status["completionTime"]) -
            _rfc3339(status["startTime"])}


def _rfc3339(text):
    return time.mktime(time.strptime(text, "%Y-%m-%dT%H:%M:%SZ")) - time.timezone


def cpu_seconds(pids):
    """User + system CPU time the processes have used so far."""
    total = 0
    for pid in pids:
        try:
            with open(f"/proc/{pid}/stat") as f:
                fields = f.read().rsplit(")", 1)[1].split()
            total += int(fields[11]) + int(fields[12])
        except (OSError, IndexError, ValueError):
            pass
    return total / os.sysconf("SC_CLK_TCK")


def cluster_pids():
    """kube-apiserver and etcd of the local control plane (hack/cluster-up.sh), if known."""
    pids = []
    directory = os.path.join(os.environ.get("MCM_CLUSTER_DIR", os.path.join(REPO, "build", "cluster")), "pids")
    for name in ("kube-apiserver", "etcd"):
        try:
            with open(os.path.join(directory, f"{name}.pid")) as f:
                pids.append(int(f.read().strip()))
        except (OSError, ValueError):
            pass
    return pids


def stop_masters(host, control_dirs):
    """Ends the SSH connection masters both sides kept open to the host (ansible names the
    socket after the first 10 hex digits of sha1("address-port-user"))."""
    socket = hashlib.sha1(f"{host['address']}-22-mcm".encode()).hexdigest()[:10]
    for directory in control_dirs:
        if os.path.exists(os.path.join(directory, socket)):
            subprocess.run(["ssh", "-o", f"ControlPath={directory}/{socket}", "-O", "exit",
                            host["address"]], capture_output=True, check=False, timeout=10)


def main():
    if len(sys.argv) != 3:
        sys.exit("usage: bench/runner.py <release build dir> <kubeconfig>")
    if os.geteuid() != 0:
        log("runner benchmark: skipped, needs root (hack/testhost.sh makes network namespaces)")
        return 77
    build, kubeconfig = os.path.abspath(sys.argv[1]), sys.argv[2]
    prepare_cluster(kubeconfig)
    api = KubeApi(KUBECTL, kubeconfig)
    workdir = tempfile.mkdtemp(prefix="mcm-bench-runner-")
    runner = host = None
    control_dirs = []
    try:
        api.check("DELETE", f"{GROUP}/namespaces/{NS}/tasks?labelSelector={LABEL}%3Drunner", ok=(200, 404))
        keys = instance_key(api, build, kubeconfig, workdir)
        log(f"  test host {HOST} (index {INDEX})")
        host = prepare_host(keys["public-key"])
        api.request("DELETE", f"{GROUP}/namespaces/{NS}/instances/{HOST}")
        for _ in range(100):
            if api.request("GET", f"{GROUP}/namespaces/{NS}/instances/{HOST}")[0] == 404:
                break
            time.sleep(0.1)
        api.check("POST", f"{GROUP}/namespaces/{NS}/instances", {
            "apiVersion": "mycloudmanager.io/v1alpha1", "kind": "Instance",
            "metadata": {"name": HOST, "namespace": NS, "labels": {LABEL: "runner"}},
            "spec": {"hostname": HOST, "addresses": [host["address"]], "network": "bench",
                     "os": {"family": "debian", "name": "Debian GNU/Linux", "version": "12"},
                     "ssh": {"user": "mcm", "port": 22, "hostKey": host["hostKey"]}, "agents": []}})

        ansible_dir = os.path.join(workdir, "ansible")
        shutil.copytree(os.path.join(REPO, "ansible"), ansible_dir, symlinks=True)
        shutil.copy(os.path.join(REPO, "bench", "playbooks", PLAYBOOK),
                    os.path.join(ansible_dir, "playbooks", PLAYBOOK))
        bin_dir, stamps = os.path.join(workdir, "bin"), os.path.join(workdir, "stamps")
        write_shim(bin_dir, stamps)
        bare = Bare(workdir, ansible_dir, bin_dir, host, keys["private-key"])
        control_dirs = [bare.control_dir, f"/tmp/mcm-task-runner-{os.getuid()}/cp"]

        runner = subprocess.Popen(
            [os.path.join(build, "mcm-task-runner-operator"), "--kubeconfig", kubeconfig,
             "--task-log-dir", os.path.join(workdir, "task-logs"), "--ansible-dir", ansible_dir,
             "--leader-elect", "false", "--metrics-bind-address", "127.0.0.1:0"],
            stdout=open(os.path.join(workdir, "runner.log"), "w"), stderr=subprocess.STDOUT,
            env=dict(os.environ, PATH=bin_dir + ":" + os.environ.get("PATH", "/usr/bin:/bin")))
        watch = TaskWatch(api)
        time.sleep(2)  # the runner syncs its caches

        log(f"  warm-up: one Task run, one bare run (not counted)")
        run_task(api, watch, 0)
        bare.run()
        tasks, bares = [], []
        cluster = cluster_pids()
        for i in range(1, RUNS + 1):
            before = cpu_seconds(cluster), cpu_seconds([runner.pid])
            task = run_task(api, watch, i)
            task["cluster_cpu"] = cpu_seconds(cluster) - before[0]
            task["runner_cpu"] = cpu_seconds([runner.pid]) - before[1]
            task["ansible_start"], task["ansible_end"] = last_stamps(stamps)
            tasks.append(task)
            before = cpu_seconds(cluster)
            start, seconds, _ = bare.run()
            ansible_start, ansible_end = last_stamps(stamps)
            bares.append({"seconds": seconds, "ansible": ansible_end - ansible_start,
                          "cluster_cpu": cpu_seconds(cluster) - before})
            log(f"  run {i} of {RUNS}: Task {task['seconds']:.3f} s, bare {seconds:.3f} s")
        if runner.poll() is not None:
            raise RuntimeError(f"the task runner exited ({runner.returncode})")
    except Exception:
        if runner is not None:
            log("--- task runner log (tail) ---\n" +
                open(os.path.join(workdir, "runner.log"), errors="replace").read()[-3000:])
        raise
    finally:
        if runner is not None and runner.poll() is None:
            runner.terminate()
            try:
                runner.wait(timeout=30)
            except subprocess.TimeoutExpired:
                runner.kill()
                runner.wait()
        if host:
            stop_masters(host, control_dirs)
        api.request("DELETE", f"{GROUP}/namespaces/{NS}/tasks?labelSelector={LABEL}%3Drunner")
        api.request("DELETE", f"{GROUP}/namespaces/{NS}/instances/{HOST}")
        testhost("down", HOST, check=False)
        api.close()
        shutil.rmtree(workdir, ignore_errors=True)

    med = statistics.median
    result = {
        "runs": RUNS,
        "task_seconds": med(t["seconds"] for t in tasks),
        "bare_seconds": med(b["seconds"] for b in bares),
        "ratio": med(t["seconds"] for t in tasks) / med(b["seconds"] for b in bares),
        "ratio_of_pairs": med(t["seconds"] / b["seconds"] for t, b in zip(tasks, bares)),
        # Where a Task run's time goes (medians, seconds).
        "task_to_running_seconds": med(t["running"] - t["start"] for t in tasks if t["running"]),
        "task_before_ansible_seconds": med(t["ansible_start"] - t["start"] for t in tasks),
        "task_ansible_seconds": med(t["ansible_end"] - t["ansible_start"] for t in tasks),
        "task_after_ansible_seconds": med(t["end"] - t["ansible_end"] for t in tasks),
        "bare_ansible_seconds": med(b["ansible"] for b in bares),
        "task_status_seconds": med(t["status_seconds"] for t in tasks),
        "task_writes_seen": med(t["writes"] for t in tasks),
        # CPU used during a run (means: the clock ticks are 10 ms), by kube-apiserver + etcd and
        # by the runner; the machine has two cores for all of it.
        "task_cluster_cpu_seconds": statistics.mean(t["cluster_cpu"] for t in tasks),
        "bare_cluster_cpu_seconds": statistics.mean(b["cluster_cpu"] for b in bares),
        "task_runner_cpu_seconds": statistics.mean(t["runner_cpu"] for t in tasks),
    }
    print(json.dumps(result), flush=True)
    log(summary(result))
    return 0


def summary(r):
    return "\n".join([
        f"Task runner (bench/runner.py <build> <kubeconfig>: {PLAYBOOK}, ping + a command under sudo, "
        f"one Debian test host, warm SSH master both sides, {r['runs']} runs each, alternating, median)",
        f"machine: {machine()}, {platform.platform()}",
        f"  Task created -> Succeeded   {r['task_seconds']:7.3f} s",
        f"  bare ansible-playbook       {r['bare_seconds']:7.3f} s   ratio runner/bare "
        f"{r['ratio']:.3f} (target <= 1.05; median of the pairs' ratios {r['ratio_of_pairs']:.3f})",
        f"  a Task run: {r['task_before_ansible_seconds'] * 1000:.0f} ms before ansible-playbook starts "
        f"(Running seen after {r['task_to_running_seconds'] * 1000:.0f} ms), "
        f"{r['task_ansible_seconds']:.3f} s in it (bare: {r['bare_ansible_seconds']:.3f} s), "
        f"{r['task_after_ansible_seconds'] * 1000:.0f} ms from its exit to Succeeded seen",
        f"  Task changes seen per run {r['task_writes_seen']:.0f} (the create and the status writes); "
        f"completionTime - startTime {r['task_status_seconds']:.0f} s (whole seconds)",
        f"  CPU during a run: kube-apiserver + etcd {r['task_cluster_cpu_seconds'] * 1000:.0f} ms "
        f"(bare run: {r['bare_cluster_cpu_seconds'] * 1000:.0f} ms), task runner "
        f"{r['task_runner_cpu_seconds'] * 1000:.0f} ms"])


if __name__ == "__main__":
    sys.exit(main())
