#!/usr/bin/env bash
# The example service against a static axum binary (and express 5 + @godaddy/terminus when node
# is installed), side by side under wrk, in one run on one machine; then RSS and open file
# descriptors of the service over a mixed load of every endpoint and format.
#
#   benches/wrk.sh                 # wrk -t2 -c32, 8 s per figure, two rounds, 60 s mixed load
#   WRK_DURATION=3s WRK_ROUNDS=1 MIXED_SECONDS=20 benches/wrk.sh
#
# Needs `wrk` (Debian: apt-get install -y wrk); prints a note and exits 0 without it.
set -euo pipefail
cd "$(dirname "$0")/.."
if ! command -v wrk >/dev/null; then
  echo "wrk is not installed (apt-get install -y wrk): nothing measured"
  exit 0
fi
duration=${WRK_DURATION:-8s}
rounds=${WRK_ROUNDS:-2}
threads=${WRK_THREADS:-2}
connections=${WRK_CONNECTIONS:-32}
mixed_seconds=${MIXED_SECONDS:-60}
target=${CARGO_TARGET_DIR:-target}

cargo build --release -p prodready-example >&2
cargo build --release -p prodready --example bench_static >&2
work=$(mktemp -d)
pids=()
cleanup() {
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  sleep 0.5
  for p in "${pids[@]}"; do kill -KILL "$p" 2>/dev/null || true; done
  rm -rf "$work"
}
trap cleanup EXIT
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
wait_for() { for _ in $(seq 1 300); do curl -s -o /dev/null "$1" && return 0; sleep 0.1; done; echo "no answer at $1" >&2; exit 1; }

svc_port=$(free_port)
PRODREADY_LISTEN="127.0.0.1:$svc_port" EXAMPLE_DATABASE_URL="sqlite://$work/orders.db" PRODREADY_DRAIN_PERIOD=0s \
  "$target/release/service" >"$work/service.out" 2>"$work/service.err" &
svc_pid=$!
pids+=("$svc_pid")
svc="http://127.0.0.1:$svc_port"
wait_for "$svc/livez"
# The first evaluation done: /readyz answers from a report, not "starting".
for _ in $(seq 1 100); do
  curl -s "$svc/readyz?verbose" | grep -q 'starting' || break
  sleep 0.1
done
curl -s -o "$work/report.json" "$svc/readiness-checklist"

static_port=$(free_port)
STATIC_LISTEN="127.0.0.1:$static_port" STATIC_BODY_FILE="$work/report.json" \
  "$target/release/examples/bench_static" &
pids+=("$!")
statik="http://127.0.0.1:$static_port"
wait_for "$statik/ok"

terminus=""
if command -v node >/dev/null && command -v npm >/dev/null; then
  cache=${PRODREADY_BENCH_NODE_CACHE:-$HOME/.cache/prodready-bench-node}
  mkdir -p "$cache"
  if [ ! -d "$cache/node_modules/@godaddy/terminus" ] || [ ! -d "$cache/node_modules/express" ]; then
    (cd "$cache" && npm init -y >/dev/null && npm install --silent express@5 @godaddy/terminus >&2) || true
  fi
  if [ -d "$cache/node_modules/@godaddy/terminus" ]; then
    node_port=$(free_port)
    cat >"$work/terminus.js" <<'JS'
const http = require('http');
const express = require('express');
const { createTerminus } = require('@godaddy/terminus');
const app = express();
app.get('/', (req, res) => res.send('ok'));
const server = http.createServer(app);
// Ten no-op checks per request, as a terminus health check runs its dependencies.
const checks = Array.from({ length: 10 }, () => async () => true);
createTerminus(server, {
  healthChecks: { '/readyz': async () => { await Promise.all(checks.map((c) => c())); } },
});
server.listen(Number(process.env.PORT), '127.0.0.1');
JS
    PORT=$node_port NODE_PATH="$cache/node_modules" node "$work/terminus.js" &
    pids+=("$!")
    terminus="http://127.0.0.1:$node_port"
    wait_for "$terminus/readyz"
  fi
fi

# rps URL [HEADER]: requests per second.
rps() {
  local out
  out=$(wrk -t"$threads" -c"$connections" -d"$duration" ${2:+-H "$2"} "$1")
  echo "$out" | awk '/Requests\/sec/ {print $2}'
}
ratio() { python3 -c "print(f'{float($1)/float($2):.2f}')"; }

echo "readyz answers: $(curl -s -o /dev/null -w '%{http_code}' "$svc/readyz"); report JSON: $(wc -c <"$work/report.json") bytes"
echo "wrk -t$threads -c$connections -d$duration, $rounds round(s)"
for round in $(seq 1 "$rounds"); do
  s_ok=$(rps "$statik/ok")
  readyz=$(rps "$svc/readyz")
  s_body=$(rps "$statik/body")
  json=$(rps "$svc/readiness-checklist")
  gzip=$(rps "$svc/readiness-checklist" "Accept-Encoding: gzip")
  etag=$(curl -s -D - -o /dev/null "$svc/readiness-checklist" | awk -F': ' 'tolower($1)=="etag" {print $2}' | tr -d '\r')
  notmod=$(rps "$svc/readiness-checklist" "If-None-Match: $etag")
  echo
  echo "round $round (req/s)"
  echo "| figure | measured |"
  echo "| --- | --- |"
  echo "| /readyz ÷ static axum ok | $(ratio "$readyz" "$s_ok") ($readyz vs $s_ok) |"
  if [ -n "$terminus" ]; then
    t=$(rps "$terminus/readyz")
    echo "| /readyz ÷ express+terminus (10 no-op checks) | $(ratio "$readyz" "$t") ($readyz vs $t) |"
  fi
  echo "| /readiness-checklist JSON ÷ static body of the same bytes | $(ratio "$json" "$s_body") ($json vs $s_body) |"
  echo "| /readiness-checklist gzip ÷ static body | $(ratio "$gzip" "$s_body") ($gzip vs $s_body) |"
  echo "| /readiness-checklist 304 ÷ static ok | $(ratio "$notmod" "$s_ok") ($notmod vs $s_ok) |"
done

# A mixed load: every endpoint and format, with and without gzip and tags.
cat >"$work/mixed.lua" <<'LUA'
local paths = {
  "/readyz", "/readyz?verbose", "/livez", "/livez?verbose", "/startupz", "/metrics",
  "/readiness-checklist", "/readiness-checklist?format=text", "/readiness-checklist?format=markdown",
  "/readiness-checklist?format=health+json", "/readiness-checklist?format=junit",
  "/readiness-checklist?format=sarif", "/readiness-checklist?status=fail,warn",
  "/readiness-checklist?gate=readiness", "/orders", "/no-such-route",
}
local i = 0
request = function()
  i = i + 1
  local path = paths[(i % #paths) + 1]
  local headers = {}
  if i % 3 == 0 then headers["Accept-Encoding"] = "gzip" end
  return wrk.format("GET", path, headers)
end
LUA
sample() { # RSS in KiB and open fds of the service
  echo "$(awk '/VmRSS/ {print $2}' /proc/"$svc_pid"/status) $(ls /proc/"$svc_pid"/fd | wc -l)"
}
echo
echo "mixed load for ${mixed_seconds}s (every endpoint and format): RSS KiB, open fds every 5 s"
wrk -t"$threads" -c"$connections" -d"${mixed_seconds}s" -s "$work/mixed.lua" "$svc" >"$work/mixed.out" &
wrk_pid=$!
samples=()
for _ in $(seq 0 5 "$mixed_seconds"); do
  samples+=("$(sample)")
  sleep 5
done
wait "$wrk_pid" || true
echo "${samples[*]}" | tr ' ' '\n' | paste - - | awk '{printf "  t=%3ds rss=%6d KiB fds=%d\n", (NR-1)*5, $1, $2}'
awk '/Requests\/sec/ {print "  mixed load: " $2 " req/s"}' "$work/mixed.out"
sleep 2
echo "  after the load: rss=$(sample | cut -d' ' -f1) KiB fds=$(sample | cut -d' ' -f2)"
