#!/usr/bin/env bash
# End-to-end load on flowkitd: wrk POSTs a small JSON body to a webhook flow
# (WebhookTrigger → Response, answered synchronously by the flow) and to /healthz (the bare HTTP
# path, no engine), on loopback.
#
#   bash bench/wrk_webhook.sh [FLOWKITD] [DURATION_S] [CONNECTIONS]
#
# FLOWKIT_BENCH_INSIGHTS=errors|none logs less to insights (default: every message).
# FLOWKIT_BENCH_FSYNC=false runs LMDB without fsync per commit.
# FLOWKIT_BENCH_QUEUE=memory runs the engine's queue in memory instead of LMDB.
# Needs wrk and curl (bash scripts/install-deps.sh --bench). Data goes to a temporary directory.
set -euo pipefail
repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
server=${1:-$repo/build/release/server/flowkitd}
duration=${2:-10}
connections=${3:-50}
data=$(mktemp -d)
port=${FLOWKIT_BENCH_PORT:-2377}
url=http://127.0.0.1:$port
# FLOWKIT_BENCH_QUEUE=memory: runs the engine without the durable runtime (no fsync per hop batch).
"$server" --listen 127.0.0.1:$port --data "$data" --log-level warn --rate-limit 0 \
  ${FLOWKIT_BENCH_QUEUE:+--queue "$FLOWKIT_BENCH_QUEUE:"} ${FLOWKIT_BENCH_FSYNC:+--fsync "$FLOWKIT_BENCH_FSYNC"} \
  ${FLOWKIT_BENCH_INSIGHTS:+--insights "$FLOWKIT_BENCH_INSIGHTS"} >/dev/null &
pid=$!
trap 'kill -TERM $pid 2>/dev/null; wait $pid 2>/dev/null; rm -rf "$data"' EXIT
for _ in $(seq 100); do curl -fsS "$url/healthz" >/dev/null 2>&1 && break; sleep 0.1; done
token=$(curl -sS -X POST "$url/user" -d '{"email":"bench@example.com","password":"bench-password"}' |
  sed -n 's/.*"token":"\([^"]*\)".*/\1/p')
flow=$(curl -sS -X POST "$url/flows" -H "Authorization: Bearer $token" -H 'Content-Type: application/json' \
  --data-binary "@$repo/examples/flows/webhook-demo.json" | sed -n 's/.*"flowId":"\([^"]*\)".*/\1/p')
curl -sS -X POST "$url/flows/$flow/coordinator" -H "Authorization: Bearer $token" -d '{"command":"start"}' >/dev/null
lua=$(mktemp --suffix=.lua)
cat >"$lua" <<'LUA'
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
wrk.body = '{"name":"Ada","order":{"id":12345,"items":[{"sku":"A-1","qty":2},{"sku":"B-7","qty":1}],"note":"leave at the door"}}'
LUA
echo "== webhook → Response flow ($url/flows/$flow/components/hook), $connections connections, ${duration}s"
wrk -t2 -c"$connections" -d"${duration}s" --latency -s "$lua" "$url/flows/$flow/components/hook"
echo "== GET /healthz (HTTP path only)"
wrk -t2 -c"$connections" -d"${duration}s" --latency "$url/healthz"
echo "== server RSS: $(awk '/VmRSS/ {print $2, $3}' /proc/$pid/status)"
rm -f "$lua"
