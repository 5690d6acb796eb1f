"""Servers on the host side of a test host that the agents of agents_test.py report to.

Where Debian ships the server the test runs the real one, in a process of its own with its own
configuration, pid and log files under the test's work directory: rsyslogd as Graylog's syslog
input, chronyd as the NTP App, nginx as the ClamAV mirror. A Zabbix server needs a database, so
the trapper is a listener that checks the agent's side of the protocol (the ZBXD header and an
"active checks" request naming the host).
"""

import json
import os
import socket
import struct
import subprocess
import threading
import time
import zlib


def wait_until(predicate, timeout, interval=0.2):
    """Calls predicate until it returns a true value or timeout seconds pass; returns the last value."""
    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if value or time.monotonic() >= deadline:
            return value
        time.sleep(interval)


def listening(proto, address, port):
    """Whether a socket of this machine listens on address:port (proto "tcp" or "udp")."""
    flag = "-tln" if proto == "tcp" else "-uln"
    out = subprocess.run(["ss", "-H", flag, "src", f"{address}:{port}"],
                         capture_output=True, text=True, check=False).stdout
    return bool(out.strip())


class Server:
    """A server process started in the foreground, stopped by stop()."""

    def __init__(self, name, argv, workdir, proto, address, port):
        self.name = name
        self.log_path = os.path.join(workdir, f"{name}.log")
        self._log = open(self.log_path, "wb")
        self.proc = subprocess.Popen(argv, stdin=subprocess.DEVNULL, stdout=self._log,
                                     stderr=subprocess.STDOUT)
        if not wait_until(lambda: self.proc.poll() is not None or listening(proto, address, port),
                          15) or self.proc.poll() is not None:
            self.stop()
            raise RuntimeError(f"{name} does not listen on {proto} {address}:{port}: "
                               f"{self.log_tail()}")

    def log_tail(self):
        with open(self.log_path, "rb") as f:
            return f.read()[-2000:].decode(errors="replace")

    def stop(self):
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self._log.close()


def start_rsyslog(workdir, address, port):
    """rsyslogd receiving syslog over UDP on address:port into <workdir>/received.log.

    Only imudp is loaded: this instance never touches the machine's /dev/log."""
    spool = os.path.join(workdir, "rsyslog")
    os.makedirs(spool, exist_ok=True)
    received = os.path.join(workdir, "received.log")
    conf = os.path.join(workdir, "rsyslog.conf")
    with open(conf, "w") as f:
        f.write(f'global(workDirectory="{spool}")\n'
                'module(load="imudp")\n'
                f'input(type="imudp" address="{address}" port="{port}")\n'
                f'*.* action(type="omfile" file="{received}" template="RSYSLOG_FileFormat")\n')
    server = Server("rsyslogd", ["rsyslogd", "-n", "-f", conf, "-i",
                                 os.path.join(workdir, "rsyslogd.pid")],
                    workdir, "udp", address, port)
    server.received = received
    return server


def start_chronyd(workdir, address, port):
    """chronyd serving NTP on address:port from this machine's clock, which it never sets (-x)."""
    conf = os.path.join(workdir, "chrony.conf")
    with open(conf, "w") as f:
        f.write(f"port {port}\n"
                f"bindaddress {address}\n"
                "allow 10.251.0.0/16\n"
                "local stratum 8\n"
                # No command socket: the machine's own chronyd may use the usual ones.
                "cmdport 0\n"
                "bindcmdaddress /\n"
                f"pidfile {os.path.join(workdir, 'chronyd.pid')}\n")
    return Server("chronyd", ["chronyd", "-d", "-x", "-u", "root", "-f", conf],
                  workdir, "udp", address, port)


def start_nginx(workdir, address, port):
    """nginx serving an empty ClamAV mirror on address:port, requests in <workdir>/access.log."""
    prefix = os.path.join(workdir, "nginx")
    os.makedirs(os.path.join(prefix, "html"), exist_ok=True)
    access = os.path.join(workdir, "access.log")
    conf = os.path.join(prefix, "nginx.conf")
    with open(conf, "w") as f:
        f.write("daemon off;\n"
                "worker_processes 1;\n"
                f"pid {prefix}/nginx.pid;\n"
                f"error_log {prefix}/error.log;\n"
                "events { worker_connections 64; }\n"
                "http {\n"
                f"  access_log {access};\n"
                f"  client_body_temp_path {prefix}/body;\n"
                f"  proxy_temp_path {prefix}/proxy;\n"
                f"  fastcgi_temp_path {prefix}/fastcgi;\n"
                f"  uwsgi_temp_path {prefix}/uwsgi;\n"
                f"  scgi_temp_path {prefix}/scgi;\n"
                f"  server {{ listen {address}:{port}; root {prefix}/html; }}\n"
                "}\n")
    server = Server("nginx", ["nginx", "-p", prefix, "-e", f"{prefix}/error.log", "-c", conf],
                    workdir, "tcp", address, port)
    server.access = access
    return server


class ZabbixTrapper:
    """Accepts Zabbix agent connections on address:port and keeps the requests they send.

    A request is b"ZBXD", a flags byte (0x01 protocol, 0x02 zlib-compressed, 0x04 large), the
    data length and the uncompressed length (4 bytes each, 8 when large), then JSON."""

    def __init__(self, address, port):
        self.requests = []
        self.errors = []
        self._lock = threading.Lock()
        self._sock = socket.create_server((address, port))
        self._sock.settimeout(0.5)
        self._stopping = False
        self._thread = threading.Thread(target=self._serve, daemon=True)
        self._thread.start()

    def _serve(self):
        while not self._stopping:
            try:
                conn, _ = self._sock.accept()
            except socket.timeout:
                continue
            except OSError:
                return
            with conn:
                conn.settimeout(5)
                try:
                    self._handle(conn)
                except (OSError, ValueError) as e:
                    with self._lock:
                        self.errors.append(repr(e))

    @staticmethod
    def _read(conn, n):
        data = b""
        while len(data) < n:
            chunk = conn.recv(n - len(data))
            if not chunk:
                raise ValueError(f"connection closed after {len(data)} of {n} bytes")
            data += chunk
        return data

    def _handle(self, conn):
        head = self._read(conn, 5)
        if head[:4] != b"ZBXD":
            raise ValueError(f"no ZBXD header: {head!r}")
        flags = head[4]
        size = 8 if flags & 0x04 else 4
        lengths = self._read(conn, 2 * size)
        fmt = "<Q" if size == 8 else "<I"
        length = struct.unpack(fmt, lengths[:size])[0]
        data = self._read(conn, length)
        if flags & 0x02:
            data = zlib.decompress(data)
        request = json.loads(data)
        with self._lock:
            self.requests.append(request)
        body = json.dumps({"response": "success", "data": []}).encode()
        conn.sendall(b"ZBXD\x01" + struct.pack("<II", len(body), 0) + body)

    def seen(self):
        with self._lock:
            return list(self.requests)

    def stop(self):
        self._stopping = True
        self._sock.close()
        self._thread.join(5)
