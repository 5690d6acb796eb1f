#!/usr/bin/python3
"""The agents on a real host, the way the gateway's task runner installs them.

A Debian host from hack/testhost.sh gets the `mcm` user that enrollment creates (its SSH key,
passwordless sudo). Then, for each agent, `ansible-playbook -i inventory.yml
ansible/playbooks/agent.yml -e @vars.json` runs over SSH (pipelining, ControlPersist, a
known_hosts file, become through sudo) with the App's endpoints on the host side of the link:
installed -> checked on the host and against the real server the agent reports to (rsyslogd,
chronyd, nginx; a listener for Zabbix' trapper) -> run again, nothing changed -> removed ->
checked -> removed again, nothing changed. Bad input must fail on its check and leave the host
untouched.

Usage: tests/hosts/agents_test.py [agent ...]        (all seven by default)
Environment: MCM_AGENTS_TEST_INDEX  host index, 10..19 (default 10): the host is 10.251.<i>.2
             MCM_AGENTS_TEST_KEEP=1 leave the host and the work directory for a look afterwards
Needs root (network namespaces; exits 77, skipped, without). Prints one line per check and "N passed, N failed".
"""

import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import agents_servers  # noqa: E402
from agents_servers import wait_until  # noqa: E402
from checks import Results  # noqa: E402

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
TESTHOST = os.path.join(REPO, "hack", "testhost.sh")
PLAYBOOK = "ansible/playbooks/agent.yml"
AGENTS = ["zabbix", "graylog", "rundeck", "clamav", "repository", "ntp", "backup"]
INSTANCE = "web-1"
BACKUP_TARGET = "swift://mcm-backups-web-1"
PORTS = {"zabbix_web": 30601, "trapper": 30651, "graylog_web": 30602, "syslog": 30514,
         "gelf": 30512, "rundeck_web": 30603, "clamav_web": 30604, "artifactory_web": 30605,
         "ntp": 30123}
RECAP = re.compile(r"^(\S+)\s*:\s*ok=(\d+)\s+changed=(\d+)\s+unreachable=(\d+)\s+failed=(\d+)",
                   re.M)


class Host:
    """A test host and what runs against it: shell commands inside it, and the playbook."""

    def __init__(self, name, index, workdir):
        self.name = name
        self.workdir = workdir
        out = subprocess.run([TESTHOST, "up", name, str(index)], capture_output=True, text=True,
                             check=False)
        if out.returncode != 0:
            raise RuntimeError(f"testhost up {name} {index} failed: {out.stderr[-2000:]}")
        self.info = json.loads(out.stdout.strip().splitlines()[-1])
        self.address = self.info["address"]
        self.gateway = self.info["gateway"]
        self.key = os.path.join(workdir, "id_ed25519")
        self.known_hosts = os.path.join(workdir, "known_hosts")
        with open(self.known_hosts, "w") as f:
            f.write(f"{self.address} {self.info['hostKey']}\n")
        self.inventory = os.path.join(workdir, "inventory.yml")
        with open(self.inventory, "w") as f:
            json.dump({"all": {"hosts": {INSTANCE: {"ansible_host": self.address,
                                                    "ansible_port": 22,
                                                    "ansible_user": "mcm"}}}}, f)

    def sh(self, script, stdin=None):
        """Runs a shell script inside the host as root; returns (exit status, stdout + stderr)."""
        out = subprocess.run([TESTHOST, "exec", self.name, "sh", "-c", script], input=stdin,
                             capture_output=True, text=True, check=False)
        return out.returncode, out.stdout + out.stderr

    def enroll(self):
        """What enrollment does: the mcm user, the gateway's key, passwordless sudo."""
        subprocess.run(["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-C", "agents-test",
                        "-f", self.key], check=True)
        with open(self.key + ".pub") as f:
            public = f.read()
        status, out = self.sh(
            "set -e; useradd -m -s /bin/bash mcm; install -d -m 700 -o mcm -g mcm /home/mcm/.ssh;"
            " cat >/home/mcm/.ssh/authorized_keys; chown mcm:mcm /home/mcm/.ssh/authorized_keys;"
            " chmod 600 /home/mcm/.ssh/authorized_keys;"
            " echo 'mcm ALL=(ALL) NOPASSWD: ALL' >/etc/sudoers.d/mcm; chmod 440 /etc/sudoers.d/mcm",
            stdin=public)
        if status != 0:
            raise RuntimeError(f"enrolling {self.name} failed: {out}")

    def env(self):
        """The task runner's environment: pipelining, one master connection, strict host keys."""
        env = {k: v for k, v in os.environ.items() if not k.startswith("ANSIBLE_")}
        env.update({
            "ANSIBLE_PIPELINING": "True",
            "ANSIBLE_SSH_ARGS": (f"-o ControlMaster=auto -o ControlPersist=120s "
                                 f"-o ControlPath={self.workdir}/cm-%C "
                                 f"-o StrictHostKeyChecking=yes "
                                 f"-o UserKnownHostsFile={self.known_hosts}"),
            "ANSIBLE_PRIVATE_KEY_FILE": self.key,
            "ANSIBLE_HOST_KEY_CHECKING": "True",
            "ANSIBLE_PYTHON_INTERPRETER": "auto_silent",
            "ANSIBLE_RETRY_FILES_ENABLED": "False",
            "ANSIBLE_NOCOLOR": "1",
            "ANSIBLE_LOCAL_TEMP": os.path.join(self.workdir, "ansible-local"),
        })
        return env

    def playbook(self, variables, label):
        """Runs the playbook as the runner does; returns (exit status, output, recap, seconds)."""
        path = os.path.join(self.workdir, "vars.json")
        with open(path, "w") as f:
            json.dump(variables, f)
        start = time.monotonic()
        out = subprocess.run(["ansible-playbook", "-i", self.inventory, PLAYBOOK, "-e", "@" + path],
                             cwd=REPO, env=self.env(), capture_output=True, text=True, check=False)
        seconds = time.monotonic() - start
        output = out.stdout + out.stderr
        with open(os.path.join(self.workdir, f"{label}.log"), "w") as f:
            f.write(output)
        recap = {m.group(1): {"ok": int(m.group(2)), "changed": int(m.group(3)),
                              "unreachable": int(m.group(4)), "failed": int(m.group(5))}
                 for m in RECAP.finditer(output)}.get(INSTANCE)
        return out.returncode, output, recap, seconds

    def down(self):
        subprocess.run([TESTHOST, "down", self.name], capture_output=True, check=False)

    # What is on the host.
    def package(self, name):
        """dpkg's status of a package: "install ok installed", ... or "" when dpkg knows none."""
        status, out = self.sh(f"dpkg-query -W -f='${{Status}}' {name} 2>/dev/null")
        return out.strip() if status == 0 else ""

    def installed(self, name):
        return self.package(name) == "install ok installed"

    def purged(self, name):
        return self.package(name) in ("", "unknown ok not-installed", "purge ok not-installed")

    def read(self, path):
        status, out = self.sh(f"cat {path}")
        return out if status == 0 else None

    def exists(self, path):
        return self.sh(f"test -e {path}")[0] == 0

    def running(self, process):
        return self.sh(f"pgrep -x {process}")[0] == 0


def endpoints(gateway):
    """The Apps' status.endpoints as the app operator writes them (contract), per agent."""
    g, p = gateway, PORTS
    return {
        "zabbix": {"web": f"http://{g}:{p['zabbix_web']}/", "trapper": f"tcp://{g}:{p['trapper']}"},
        "graylog": {"web": f"http://{g}:{p['graylog_web']}/", "syslog": f"udp://{g}:{p['syslog']}",
                    "gelf": f"udp://{g}:{p['gelf']}"},
        "rundeck": {"web": f"http://{g}:{p['rundeck_web']}/"},
        "clamav": {"web": f"http://{g}:{p['clamav_web']}/"},
        "repository": {"web": f"http://{g}:{p['artifactory_web']}/"},
        "ntp": {"ntp": f"udp://{g}:{p['ntp']}"},
        "backup": {},
    }


def test_bad_input(r, host, eps):
    """Refused on the controller: the host is never reached, so not one of its files changes."""
    host.sh("touch /root/.before-bad-input")
    cases = [
        ("unknown agent", {"mcm_agent": "antivirus", "mcm_agent_state": "present",
                           "mcm_endpoints": {}, "mcm_instance": INSTANCE},
         "mcm_agent must be one of zabbix, graylog, rundeck, clamav, repository, ntp, backup"),
        ("missing endpoint", {"mcm_agent": "ntp", "mcm_agent_state": "present",
                              "mcm_endpoints": {"web": eps["clamav"]["web"]},
                              "mcm_instance": INSTANCE},
         "the ntp agent needs the endpoint 'ntp' of the App ntp"),
        ("endpoint of the wrong scheme", {"mcm_agent": "zabbix", "mcm_agent_state": "present",
                                          "mcm_endpoints": {"trapper": eps["zabbix"]["web"]},
                                          "mcm_instance": INSTANCE},
         "the zabbix agent needs the endpoint 'trapper' of the App zabbix as tcp://HOST:PORT"),
        ("bad state", {"mcm_agent": "ntp", "mcm_agent_state": "enabled",
                       "mcm_endpoints": eps["ntp"], "mcm_instance": INSTANCE},
         "mcm_agent_state must be 'present' or 'absent'"),
    ]
    for label, variables, message in cases:
        status, output, recap, _ = host.playbook(variables, "bad-" + label.replace(" ", "-"))
        r.check(f"bad input ({label}): the playbook fails", status != 0, f"exit {status}")
        r.check(f"bad input ({label}): it says why", message in output, output[-1500:])
        r.check(f"bad input ({label}): nothing changed, no task ran on the host",
                recap is not None and recap["changed"] == 0 and recap["ok"] <= 5, str(recap))
    _, changed = host.sh("find / -xdev -newer /root/.before-bad-input"
                         " -not -path /root/.before-bad-input | head -20")
    r.check("bad input: no file of the host changed", changed.strip() == "", changed)


def run_twice(r, host, agent, state, variables):
    """Applies the agent, then again: the second run must change nothing."""
    for attempt in (1, 2):
        status, output, recap, seconds = host.playbook(variables, f"{agent}-{state}-{attempt}")
        r.timings.append((f"{agent} {state} #{attempt}", seconds,
                          recap["changed"] if recap else None))
        if not r.check(f"{agent} {state} (run {attempt}) succeeds in {seconds:.1f}s",
                       status == 0 and recap is not None and recap["failed"] == 0,
                       output[-3000:]):
            return False
        if attempt == 2:
            r.check(f"{agent} {state}: the second run changes nothing (changed=0)",
                    recap["changed"] == 0, str(recap))
    return True


def check_present(r, host, agent, servers, keys):
    g = host.gateway
    if agent == "zabbix":
        r.check("zabbix: zabbix-agent installed", host.installed("zabbix-agent"))
        conf = host.read("/etc/zabbix/zabbix_agentd.conf") or ""
        for line in (f"Server={g}", f"ServerActive={g}:{PORTS['trapper']}", f"Hostname={INSTANCE}"):
            r.check(f"zabbix: config has {line}", line in conf.splitlines(), conf)
        r.check("zabbix: zabbix_agentd runs", host.running("zabbix_agentd"))
        trapper = servers["trapper"]
        seen = wait_until(lambda: [q for q in trapper.seen()
                                   if q.get("request") == "active checks"
                                   and q.get("host") == INSTANCE], 30)
        r.check(f"zabbix: the agent asked the trapper {g}:{PORTS['trapper']} for its active"
                f" checks as {INSTANCE}", bool(seen), f"{trapper.seen()} {trapper.errors}")
        if seen:
            r.check("zabbix: with the auto-registration metadata",
                    seen[0].get("host_metadata") == "mycloudmanager", str(seen[0]))
    elif agent == "graylog":
        r.check("graylog: rsyslog installed", host.installed("rsyslog"))
        conf = host.read("/etc/rsyslog.d/60-mycloudmanager.conf") or ""
        r.check("graylog: the drop-in forwards to the syslog endpoint over UDP",
                f'target="{g}" port="{PORTS["syslog"]}" protocol="udp"' in conf, conf)
        r.check("graylog: rsyslogd runs", host.running("rsyslogd"))
        token = f"agents-test-{os.getpid()}-{time.time_ns()}"
        host.sh(f"logger -t mcm-agents-test {token}")
        received = servers["rsyslog"].received

        def arrived():
            try:
                with open(received) as f:
                    return [line for line in f if token in line]
            except FileNotFoundError:
                return []
        lines = wait_until(arrived, 20)
        r.check(f"graylog: a logger line on the host reached rsyslogd on {g}:{PORTS['syslog']}",
                bool(lines), servers["rsyslog"].log_tail())
        if lines:
            r.check("graylog: it names the host and the tag",
                    host.name in lines[0] and "mcm-agents-test" in lines[0], lines[0])
    elif agent == "rundeck":
        status, out = host.sh("id -u rundeck")
        r.check("rundeck: the rundeck user exists", status == 0, out)
        keys_file = host.read("/home/rundeck/.ssh/authorized_keys") or ""
        r.check("rundeck: Rundeck's key is authorized", keys["rundeck"] in keys_file, keys_file)
        status, out = host.sh("visudo -cf /etc/sudoers.d/mycloudmanager-rundeck")
        r.check("rundeck: its sudo rule is valid", status == 0, out)
        ssh = subprocess.run(
            ["ssh", "-i", keys["rundeck_key"], "-o", "BatchMode=yes", "-o",
             "StrictHostKeyChecking=yes", "-o", f"UserKnownHostsFile={host.known_hosts}",
             f"rundeck@{host.address}", "sudo", "-n", "id", "-u"],
            capture_output=True, text=True, timeout=60, check=False)
        r.check("rundeck: Rundeck logs in with its key and runs a command as root",
                ssh.returncode == 0 and ssh.stdout.strip() == "0", ssh.stdout + ssh.stderr)
    elif agent == "clamav":
        for package in ("clamav", "clamav-freshclam"):
            r.check(f"clamav: {package} installed", host.installed(package))
        conf = host.read("/etc/clamav/freshclam.conf") or ""
        mirror = f"PrivateMirror http://{g}:{PORTS['clamav_web']}"
        r.check(f"clamav: freshclam.conf has {mirror}", mirror in conf.splitlines(), conf)
        r.check("clamav: freshclam runs", host.running("freshclam"))
        access = servers["nginx"].access

        def fetched():
            try:
                with open(access) as f:
                    return [line for line in f
                            if line.startswith(host.address) and re.search(r"GET /\S+\.c[vl]d", line)]
            except FileNotFoundError:
                return []
        r.check(f"clamav: freshclam asked nginx on {g}:{PORTS['clamav_web']} for the signatures",
                bool(wait_until(fetched, 60)), host.read("/var/log/clamav/freshclam.log") or "")
    elif agent == "repository":
        listing = host.read("/etc/apt/sources.list.d/mycloudmanager.list") or ""
        want = (f"deb [trusted=yes] http://{g}:{PORTS['artifactory_web']}/artifactory/api/deb/"
                f"debian-remote bookworm main")
        r.check("repository: apt source points at Artifactory's Debian remote",
                want in listing.splitlines(), listing)
    elif agent == "ntp":
        r.check("ntp: chrony installed", host.installed("chrony"))
        conf = host.read("/etc/chrony/conf.d/mycloudmanager.conf") or ""
        line = f"server {g} port {PORTS['ntp']} iburst prefer"
        r.check(f"ntp: the drop-in has '{line}'", line in conf.splitlines(), conf)
        r.check("ntp: chronyd runs", host.running("chronyd"))
        args = host.sh("ps -o args= -C chronyd")[1]
        r.check("ntp: chronyd leaves the clock it shares with this machine alone (-x)",
                " -x" in args, args)

        def synchronised():
            out = host.sh("chronyc -n sources")[1]
            return [x for x in out.splitlines() if x.startswith("^*") and f" {g} " in x]
        selected = wait_until(synchronised, 60, interval=1)
        r.check(f"ntp: chronyc sources shows {g} selected (^*)", bool(selected),
                host.sh("chronyc -n sources")[1] + servers["chronyd"].log_tail())
    elif agent == "backup":
        r.check("backup: duplicity installed", host.installed("duplicity"))
        conf = host.read("/etc/mycloudmanager/backup.conf") or ""
        r.check("backup: backup.conf names the target", f"MCM_BACKUP_TARGET={BACKUP_TARGET}"
                in conf.splitlines(), conf)


def check_absent(r, host, agent):
    if agent == "zabbix":
        r.check("zabbix: zabbix-agent purged", host.purged("zabbix-agent"),
                host.package("zabbix-agent"))
        r.check("zabbix: its config is gone", not host.exists("/etc/zabbix/zabbix_agentd.conf"))
        r.check("zabbix: zabbix_agentd stopped", not host.running("zabbix_agentd"))
    elif agent == "graylog":
        r.check("graylog: the drop-in is gone",
                not host.exists("/etc/rsyslog.d/60-mycloudmanager.conf"))
        r.check("graylog: rsyslog, the system logger, stays and runs",
                host.installed("rsyslog") and host.running("rsyslogd"))
    elif agent == "rundeck":
        r.check("rundeck: the user is gone", host.sh("id rundeck")[0] != 0)
        r.check("rundeck: its home is gone", not host.exists("/home/rundeck"))
        r.check("rundeck: its sudo rule is gone",
                not host.exists("/etc/sudoers.d/mycloudmanager-rundeck"))
    elif agent == "clamav":
        for package in ("clamav", "clamav-freshclam", "clamav-base"):
            r.check(f"clamav: {package} purged", host.purged(package), host.package(package))
        r.check("clamav: freshclam.conf is gone", not host.exists("/etc/clamav/freshclam.conf"))
        r.check("clamav: freshclam stopped", not host.running("freshclam"))
    elif agent == "repository":
        r.check("repository: the apt source is gone",
                not host.exists("/etc/apt/sources.list.d/mycloudmanager.list"))
    elif agent == "ntp":
        r.check("ntp: the drop-in is gone", not host.exists("/etc/chrony/conf.d/mycloudmanager.conf"))
        r.check("ntp: chrony, which the agent installed, is purged", host.purged("chrony"),
                host.package("chrony"))
        r.check("ntp: chronyd stopped", not host.running("chronyd"))
    elif agent == "backup":
        r.check("backup: duplicity purged", host.purged("duplicity"), host.package("duplicity"))
        r.check("backup: backup.conf is gone", not host.exists("/etc/mycloudmanager/backup.conf"))


def main():
    if os.geteuid() != 0:
        print("agents_test: skipped, needs root (hack/testhost.sh makes network namespaces)",
              file=sys.stderr)
        return 77
    agents = [a for a in AGENTS if a in sys.argv[1:]] if len(sys.argv) > 1 else AGENTS
    unknown = [a for a in sys.argv[1:] if a not in AGENTS]
    if unknown:
        print(f"agents_test: unknown agents {unknown}; known: {AGENTS}", file=sys.stderr)
        return 2
    index = int(os.environ.get("MCM_AGENTS_TEST_INDEX", "10"))
    if not 10 <= index <= 19:
        print("agents_test: MCM_AGENTS_TEST_INDEX must be 10..19", file=sys.stderr)
        return 2
    keep = os.environ.get("MCM_AGENTS_TEST_KEEP") == "1"
    name = f"agents{index}"
    workdir = tempfile.mkdtemp(prefix="mcm-agents-")
    os.chmod(workdir, 0o755)  # nginx's worker reads its (empty) document root in here
    r = Results()
    servers = {}
    host = None
    started = time.monotonic()
    subprocess.run([TESTHOST, "down", name], capture_output=True, check=False)  # a crashed run
    try:
        host = Host(name, index, workdir)
        print(f"host {name}: {host.address} (host side {host.gateway}), work dir {workdir}",
              flush=True)
        host.enroll()
        g = host.gateway
        servers["rsyslog"] = agents_servers.start_rsyslog(workdir, g, PORTS["syslog"])
        servers["chronyd"] = agents_servers.start_chronyd(workdir, g, PORTS["ntp"])
        servers["nginx"] = agents_servers.start_nginx(workdir, g, PORTS["clamav_web"])
        servers["trapper"] = agents_servers.ZabbixTrapper(g, PORTS["trapper"])
        keys = {"rundeck_key": os.path.join(workdir, "rundeck_ed25519")}
        subprocess.run(["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-C", "rundeck",
                        "-f", keys["rundeck_key"]], check=True)
        with open(keys["rundeck_key"] + ".pub") as f:
            keys["rundeck"] = f.read().strip()
        eps = endpoints(g)

        test_bad_input(r, host, eps)

        extra = {"rundeck": {"mcm_rundeck_public_key": keys["rundeck"]},
                 "backup": {"mcm_backup_target": BACKUP_TARGET},
                 # The host shares this machine's clock: chronyd follows the server, sets nothing.
                 "ntp": {"mcm_ntp_control_clock": False}}
        for agent in agents:
            variables = {"mcm_agent": agent, "mcm_agent_state": "present",
                         "mcm_endpoints": eps[agent], "mcm_instance": INSTANCE,
                         **extra.get(agent, {})}
            stale = agent == "ntp" and host.exists("/etc/apt/sources.list.d/mycloudmanager.list")
            if stale:
                # Nothing listens on Artifactory's port: with lists older than a day the
                # playbook refreshes them, and that one source failing must not stop the agent.
                host.sh("rm -f /var/lib/apt/periodic/update-success-stamp;"
                        " touch -d '3 days ago' /var/lib/apt/lists")
            if run_twice(r, host, agent, "present", variables):
                if stale:
                    output = open(os.path.join(workdir, "ntp-present-1.log")).read()
                    r.check("ntp: installed from stale lists while the Artifactory repository"
                            " is unreachable, which the run reports",
                            "apt could not refresh every package list" in output, output[-3000:])
                check_present(r, host, agent, servers, keys)
        for agent in agents:
            variables = {"mcm_agent": agent, "mcm_agent_state": "absent", "mcm_endpoints": {},
                         "mcm_instance": INSTANCE}
            if run_twice(r, host, agent, "absent", variables):
                check_absent(r, host, agent)
    except Exception as e:  # a broken setup is one more failure, reported like the others
        r.check("setup", False, repr(e))
    finally:
        for server in servers.values():
            server.stop()
        if host and not keep:
            host.down()
        if not keep:
            shutil.rmtree(workdir, ignore_errors=True)
    print("\ntimings (seconds, changed):")
    for label, seconds, changed in r.timings:
        print(f"  {label:<28} {seconds:6.1f}  {changed}")
    print(f"total {time.monotonic() - started:.0f}s")
    print(f"{r.passed} passed, {r.failed} failed")
    return 1 if r.failed else 0


if __name__ == "__main__":
    sys.exit(main())
