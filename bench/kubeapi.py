"""What the Python benchmarks share: the Kubernetes API with the standard library only, the
cluster's preparation, and the machine line of the summaries.

The API credentials are those of a kubeconfig, read through kubectl (which resolves contexts and
embedded data); the client certificate and key go to a private temporary directory, because
ssl can load them only from files. One HTTPS connection per thread, kept alive.
"""
import base64
import http.client
import json
import os
import shutil
import ssl
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
KUBECTL = os.path.join(REPO, "hack", "kubectl.sh")
GROUP = "/apis/mycloudmanager.io/v1alpha1"


def log(message):
    print(message, file=sys.stderr, flush=True)


def prepare_cluster(kubeconfig):
    """Our CRDs, established, and the namespace mcm-system."""
    env = dict(os.environ, KUBECONFIG=kubeconfig)
    crds = os.path.join(REPO, "crds")
    for args in (["apply", "--server-side", "--force-conflicts", "-f", crds],
                 ["wait", "--for", "condition=established", "--timeout=60s", "-f", crds],
                 ["apply", "-f", os.path.join(REPO, "manifests/base/namespace.yaml")]):
        subprocess.run([KUBECTL, *args], capture_output=True, text=True, check=True, env=env)


def exchange(local, connect, method, path, data, headers):
    """One request on the connection kept in `local.conn` (made by connect() when there is none),
    again on a new one if the server had closed it. Returns (status, raw body, headers)."""
    for attempt in (1, 2):
        conn = getattr(local, "conn", None)
        if conn is None:
            conn = local.conn = connect()
        try:
            conn.request(method, path, body=data, headers=headers)
            response = conn.getresponse()
            return response.status, response.read(), response.headers
        except (http.client.RemoteDisconnected, ConnectionError):
            conn.close()
            local.conn = None
            if attempt == 2:
                raise


def parsed(payload):
    try:
        return json.loads(payload) if payload else None
    except ValueError:
        return payload.decode(errors="replace")


class KubeApi:
    def __init__(self, kubectl, kubeconfig):
        env = dict(os.environ, KUBECONFIG=kubeconfig)
        raw = subprocess.run([kubectl, "config", "view", "--raw", "--minify", "-o", "json"],
                             capture_output=True, text=True, check=True, env=env).stdout
        config = json.loads(raw)
        cluster = config["clusters"][0]["cluster"]
        user = config["users"][0]["user"]
        url = urllib.parse.urlsplit(cluster["server"])
        self.host, self.port = url.hostname, url.port or 443
        self.context = ssl.create_default_context(
            cadata=base64.b64decode(cluster["certificate-authority-data"]).decode())
        self.headers = {"Accept": "application/json"}
        self._dir = tempfile.mkdtemp(prefix="mcm-bench-kube-")
        if "client-certificate-data" in user:
            cert, key = os.path.join(self._dir, "cert.pem"), os.path.join(self._dir, "key.pem")
            for path, field in ((cert, "client-certificate-data"), (key, "client-key-data")):
                with open(os.open(path, os.O_WRONLY | os.O_CREAT, 0o600), "wb") as f:
                    f.write(base64.b64decode(user[field]))
            self.context.load_cert_chain(cert, key)
        elif "token" in user:
            self.headers["Authorization"] = "Bearer " + user["token"]
        self._local = threading.local()

    def close(self):
        shutil.rmtree(self._dir, ignore_errors=True)

    def connect(self):
        return http.client.HTTPSConnection(self.host, self.port, context=self.context, timeout=60)

    def request(self, method, path, body=None, content_type="application/json"):
        """(status, parsed JSON body or None), on this thread's connection; a 429 (a new CRD's
        storage still starting, say) is retried after the Retry-After the server asks for."""
        data = None if body is None else json.dumps(body).encode()
        headers = dict(self.headers)
        if data is not None:
            headers["Content-Type"] = content_type
        for _ in range(30):
            status, payload, answer = exchange(self._local, self.connect, method, path, data, headers)
            if status != 429:
                break
            time.sleep(min(int(answer.get("Retry-After", "1") or 1), 5))
        return status, parsed(payload)

    def check(self, method, path, body=None, ok=(200, 201, 202), **kwargs):
        status, out = self.request(method, path, body, **kwargs)
        if status not in ok:
            raise RuntimeError(f"{method} {path}: {status} {out}")
        return out

    def watch(self, path, resource_version, timeout=600):
        """Yields (event type, object) of a watch from resource_version, on a connection of its
        own; ends when the server closes it or after `timeout` seconds."""
        conn = http.client.HTTPSConnection(self.host, self.port, context=self.context,
                                           timeout=timeout)
        sep = "&" if "?" in path else "?"
        conn.request("GET", f"{path}{sep}watch=true&allowWatchBookmarks=false"
                            f"&resourceVersion={resource_version}&timeoutSeconds={int(timeout)}",
                     headers=self.headers)
        response = conn.getresponse()
        if response.status != 200:
            raise RuntimeError(f"watch {path}: {response.status} {response.read()[:500]}")
        try:
            while True:
                line = response.readline()
                if not line:
                    return
                event = json.loads(line)
                yield event["type"], event["object"]
        finally:
            conn.close()


def delete_all(api, path, timeout=120):
    """Deletes every object of a namespaced collection and waits until the list is empty."""
    api.check("DELETE", path, ok=(200, 404))
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        status, out = api.request("GET", path + "?limit=1")
        if status == 404 or not out["items"]:
            return
        time.sleep(0.2)
    raise RuntimeError(f"{path}: objects still there after {timeout} s")


def machine():
    """'N cores, CPU model': the line every summary prints."""
    cpu = "?"
    with open("/proc/cpuinfo") as f:
        for line in f:
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    return f"{os.cpu_count()} cores, {cpu}"
