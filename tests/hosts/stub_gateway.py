#!/usr/bin/env python3
"""A STUB of the gateway's enrollment endpoints, used only to test the client behaviour of
ansible/enroll.sh (tests/hosts/enroll_script_test.sh). It is not the gateway: mcm-gateway's own
enrollment (tokens, Instances, audit) is tested against the real gateway elsewhere.

It serves, as in the contract (issue 5, "Enrollment endpoints"):
  GET  /enroll.sh                the script, from the file given with --script
  GET  /api/v1/enroll/ssh-key    the public key given with --public-key
  POST /api/v1/enroll            201 {"instance","created":true} for a new machineId, 200 with
                                 created false for a known one, 409 for a hostname taken by
                                 another machineId

The test steers it through <state>/config.json, read on every request:
  {"key_status": 401, "key_message": "...", "post_status": 500, "post_message": "..."}
(absent keys mean normal behaviour), and reads what it received in <state>/requests.jsonl: one
JSON object per API request, {"method","path","authorization","contentType","status","body"}
with body the parsed JSON document (or the raw text when it did not parse).
"""
import argparse
import json
import os
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

lock = threading.Lock()


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--address", required=True)
    parser.add_argument("--port", type=int, default=0, help="0 picks a free port")
    parser.add_argument("--token", required=True)
    parser.add_argument("--public-key", required=True, help="file with the key line to serve")
    parser.add_argument("--script", required=True, help="the enrollment script to serve")
    parser.add_argument("--state", required=True, help="directory for config.json, requests.jsonl")
    args = parser.parse_args()
    machines = {}  # hostname -> machineId, as the gateway keeps Instances

    class Handler(BaseHTTPRequestHandler):
        def log_message(self, fmt, *values):
            pass

        def config(self):
            try:
                with open(os.path.join(args.state, "config.json")) as f:
                    return json.load(f)
            except FileNotFoundError:
                return {}

        def reply(self, status, body, content_type="application/json"):
            data = body if isinstance(body, bytes) else body.encode()
            self.send_response(status)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def error(self, status, message, field=None):
            error = {"code": status, "message": message}
            if field:
                error["field"] = field
            self.reply(status, json.dumps({"error": error}))
            return status

        def record(self, status, body):
            entry = {"method": self.command, "path": self.path,
                     "authorization": self.headers.get("Authorization"),
                     "contentType": self.headers.get("Content-Type"),
                     "status": status, "body": body}
            with lock, open(os.path.join(args.state, "requests.jsonl"), "a") as f:
                f.write(json.dumps(entry) + "\n")

        def authorized(self):
            return self.headers.get("Authorization") == "Bearer " + args.token

        def do_GET(self):
            if self.path == "/enroll.sh":
                with open(args.script, "rb") as f:
                    self.reply(200, f.read(), "text/x-shellscript")
                return
            if self.path != "/api/v1/enroll/ssh-key":
                self.error(404, "no route " + self.path)
                return
            config = self.config()
            if not self.authorized():
                status = self.error(401, "invalid enrollment token")
            elif config.get("key_status"):
                status = self.error(config["key_status"], config.get("key_message", "refused"))
            else:
                with open(args.public_key) as f:
                    self.reply(200, f.read(), "text/plain")
                status = 200
            self.record(status, None)

        def do_POST(self):
            length = int(self.headers.get("Content-Length", "0"))
            raw = self.rfile.read(length).decode("utf-8", "replace")
            try:
                body = json.loads(raw)
            except ValueError:
                body = raw
            if self.path != "/api/v1/enroll":
                self.error(404, "no route " + self.path)
                return
            config = self.config()
            if not self.authorized():
                status = self.error(401, "invalid enrollment token")
            elif config.get("post_status"):
                status = self.error(config["post_status"], config.get("post_message", "refused"),
                                    config.get("post_field"))
            elif not isinstance(body, dict) or not isinstance(body.get("hostname"), str):
                status = self.error(400, "the body is not a JSON object with a hostname")
            else:
                name, machine = body["hostname"], body.get("machineId")
                with lock:
                    known = machines.get(name)
                    if known is None:
                        machines[name] = machine
                if known is not None and known != machine:
                    status = self.error(409, f"hostname {name} belongs to another machine",
                                        "hostname")
                else:
                    status = 201 if known is None else 200
                    self.reply(status, json.dumps({"instance": name, "created": known is None}))
            self.record(status, body)

    server = ThreadingHTTPServer((args.address, args.port), Handler)
    # The test waits for this file to learn the port.
    with open(os.path.join(args.state, "port.tmp"), "w") as f:
        f.write(str(server.server_address[1]))
    os.rename(os.path.join(args.state, "port.tmp"), os.path.join(args.state, "port"))
    server.serve_forever()


if __name__ == "__main__":
    main()
