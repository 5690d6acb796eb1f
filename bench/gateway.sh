#!/usr/bin/env bash
# The gateway's read path beside nginx: requests per second and p99 latency of GET /api/v1/apps
# (with a session cookie, answered from the informer cache) under wrk, and of nginx serving the
# same bytes as a static file, on the same machine in the same run, alternating, median of
# MCM_BENCH_ROUNDS (default 3). Both servers and wrk share the machine's cores.
#   bench/gateway.sh <release build dir> <kubeconfig>
# Prints one JSON line with the medians.
set -euo pipefail
repo=$(cd "$(dirname "$0")/.." && pwd)
# shellcheck source=../hack/lib/require.sh
. "$repo/hack/lib/require.sh"
require_commands curl nginx wrk
build=$(realpath "${1:?usage: bench/gateway.sh <build dir> <kubeconfig>}")
kubeconfig=${2:?usage: bench/gateway.sh <build dir> <kubeconfig>}
rounds=${MCM_BENCH_ROUNDS:-3}
seconds=${MCM_BENCH_WRK_SECONDS:-10}
connections=${MCM_BENCH_WRK_CONNECTIONS:-64}
work=$(mktemp -d)
pids=()
cleanup() {
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT
kubectl() { KUBECONFIG=$kubeconfig "$repo/hack/kubectl.sh" "$@"; }

kubectl apply --server-side --force-conflicts -f "$repo/crds/" >/dev/null
kubectl wait --for condition=established --timeout=60s -f "$repo/crds/" >/dev/null
kubectl apply -f "$repo/manifests/base/namespace.yaml" >/dev/null
"$build/mcm-gateway" --kubeconfig "$kubeconfig" --listen 127.0.0.1:0 --namespace mcm-system \
  >"$work/gateway.log" 2>&1 &
pids+=($!)
port=""
for _ in $(seq 1 300); do
  port=$(sed -n 's|.*dashboard and API on http://127.0.0.1:\([0-9]*\).*|\1|p' "$work/gateway.log" | head -1)
  [ -n "$port" ] && curl -fsS "http://127.0.0.1:$port/readyz" >/dev/null 2>&1 && break
  sleep 0.1
done
[ -n "$port" ] || { echo "bench: the gateway did not start" >&2; cat "$work/gateway.log" >&2; exit 1; }
password=$(kubectl get secret mcm-admin-initial -n mcm-system -o jsonpath='{.data.password}' | base64 -d)
cookie=$(curl -fsS -D - -o /dev/null -H 'Content-Type: application/json' \
  -d "{\"username\":\"admin\",\"password\":\"$password\"}" "http://127.0.0.1:$port/api/v1/session" |
  sed -n 's/^[Ss]et-[Cc]ookie: \([^;]*\).*/\1/p')
curl -fsS -H "Cookie: $cookie" "http://127.0.0.1:$port/api/v1/apps" >"$work/apps.json"

# nginx serves the very same bytes, with its usual static-file settings.
mkdir -p "$work/nginx/www"
cp "$work/apps.json" "$work/nginx/www/apps.json"
# nginx's workers drop to an unprivileged user: let it read the file.
chmod a+rx "$work" "$work/nginx" "$work/nginx/www" && chmod a+r "$work/nginx/www/apps.json"
cat >"$work/nginx/nginx.conf" <<CONF
worker_processes auto;
pid $work/nginx/nginx.pid;
error_log $work/nginx/error.log;
events { worker_connections 1024; }
http {
  access_log off;
  sendfile on;
  tcp_nopush on;
  keepalive_requests 100000;
  types { application/json json; }
  client_body_temp_path $work/nginx;
  proxy_temp_path $work/nginx;
  fastcgi_temp_path $work/nginx;
  uwsgi_temp_path $work/nginx;
  scgi_temp_path $work/nginx;
  server { listen 127.0.0.1:28090; root $work/nginx/www; }
}
CONF
nginx -c "$work/nginx/nginx.conf" -g 'daemon off;' &
pids+=($!)
for _ in $(seq 1 100); do
  curl -fsS http://127.0.0.1:28090/apps.json >/dev/null 2>&1 && break
  sleep 0.1
done
cmp -s <(curl -fsS http://127.0.0.1:28090/apps.json) "$work/apps.json" ||
  { echo "bench: nginx does not serve the file" >&2; cat "$work/nginx/error.log" >&2; exit 1; }

wrk_run() { # wrk_run <url> [header]: "requests_per_second p99_ms"
  local out
  if [ -n "${2:-}" ]; then
    out=$(wrk -t2 -c"$connections" -d"${seconds}s" --latency -H "$2" "$1")
  else
    out=$(wrk -t2 -c"$connections" -d"${seconds}s" --latency "$1")
  fi
  python3 - "$out" <<'PY'
import re, sys
text = sys.argv[1]
rps = float(re.search(r"Requests/sec:\s+([\d.]+)", text).group(1))
value, unit = re.search(r"99%\s+([\d.]+)(us|ms|s)", text).groups()
p99 = float(value) * {"us": 0.001, "ms": 1.0, "s": 1000.0}[unit]
errors = re.search(r"Non-2xx or 3xx responses: (\d+)", text)
if errors:
    sys.exit(f"bench: {errors.group(1)} failed responses")
print(rps, p99)
PY
}
ours=() theirs=()
for ((i = 1; i <= rounds; i++)); do
  echo "  gateway round $i of $rounds" >&2
  ours+=("$(wrk_run "http://127.0.0.1:$port/api/v1/apps" "Cookie: $cookie")")
  theirs+=("$(wrk_run "http://127.0.0.1:28090/apps.json")")
done
python3 - "$(printf '%s\n' "${ours[@]}")" "$(printf '%s\n' "${theirs[@]}")" "$(wc -c <"$work/apps.json")" \
  "$connections" "$seconds" <<'PY'
import json, statistics, sys
def medians(text):
    rows = [list(map(float, line.split())) for line in text.splitlines() if line.strip()]
    return statistics.median(r[0] for r in rows), statistics.median(r[1] for r in rows)
ours, theirs = medians(sys.argv[1]), medians(sys.argv[2])
print(json.dumps({"ours_rps": ours[0], "ours_p99_ms": ours[1], "nginx_rps": theirs[0],
                  "nginx_p99_ms": theirs[1], "body_bytes": int(sys.argv[3]),
                  "connections": int(sys.argv[4]), "seconds": int(sys.argv[5])}))
PY
