#!/usr/bin/env bash
# flowkit's run command: builds flowkit and runs the demo flow.
#
#   bash scripts/run-demo.sh [--no-deps] [--jobs N] [FLOW.json]
#
# Installs the Debian packages (only missing ones), builds the `flowkit` CLI and `flowkitd`
# (Release, in <repo>/build/demo), checks the demo flow
# (examples/flows/demo-flow.json, default) and the demo component manifests
# (examples/components/, Appmixer connector layout, vendor "acme") with
#   flowkit validate <manifests...> <flow> --components examples/components
# printing one `OK <file>` or `ERROR <file>: <pointer>: <reason>` line per file. The exit code is
# the validator's: 0 when everything is valid.
# then runs a flow with `flowkit run`, and finally starts flowkitd (data in build/demo/data, listening
# on 127.0.0.1:2200 or FLOWKIT_DEMO_LISTEN) with examples/flows/webhook-demo.json installed and
# started, and prints the curl line that calls it. Ctrl-C stops the server (it drains).
#
# Environment: FLOWKIT_BUILD_ROOT (default <repo>/build).
set -euo pipefail

repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
build_dir=${FLOWKIT_BUILD_ROOT:-$repo/build}/demo
jobs=$(nproc 2>/dev/null || echo 2)
install_deps=1
flow=$repo/examples/flows/demo-flow.json
components=$repo/examples/components

usage() { sed -n '2,15p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'; }

while (($#)); do
  case "$1" in
    --no-deps) install_deps=0 ;;
    --jobs) shift; jobs=${1:?--jobs needs a number} ;;
    --jobs=*) jobs=${1#--jobs=} ;;
    -h | --help) usage; exit 0 ;;
    -*) echo "run-demo.sh: unknown option '$1'" >&2; usage >&2; exit 2 ;;
    *) flow=$(realpath "$1") ;;
  esac
  shift
done

step() { echo; echo "==> $*"; }

if ((install_deps)); then
  step "checking Debian packages (scripts/install-deps.sh)"
  bash "$repo/scripts/install-deps.sh" </dev/null
fi

step "building the flowkit CLI in ${build_dir#"$repo"/}"
source "$repo/scripts/common.sh"
cmake -S "$repo" -B "$build_dir" "${flowkit_cmake_args[@]}" -DCMAKE_BUILD_TYPE=Release \
  -DFLOWKIT_BUILD_TESTS=OFF -DFLOWKIT_BUILD_EXAMPLES=OFF -DFLOWKIT_BUILD_BENCH=OFF \
  -DFLOWKIT_BUILD_TOOLS=ON >/dev/null
cmake --build "$build_dir" --parallel "$jobs" --target flowkit_cli flowkitd
cli=$build_dir/tools/flowkit

rel() { echo "${1#"$repo"/}"; }
manifests=()
while IFS= read -r m; do
  manifests+=("$(rel "$m")")
done < <(find "$components" -name component.json | sort)
# --components goes last: the CLI's --components (a repeatable option) takes one DIR per use, but
# CLI11 2.1 lets a vector option swallow the following FILEs unless told otherwise.
args=(validate "${manifests[@]}" "$(rel "$flow")" --components "$(rel "$components")")

step "validating the demo: $(rel "$flow")" \
  "with ${#manifests[@]} component manifests from $(rel "$components")/"
echo "\$ $(rel "$cli") ${args[*]}"
cd "$repo"
set +e
"$cli" "${args[@]}"
rc=$?
set -e

echo
if ((rc != 0)); then
  echo "run-demo: validation failed (exit $rc); see the ERROR lines above."
  exit "$rc"
fi
echo "run-demo: the demo flow and its components are valid."

# Run a flow of built-in components on the in-process engine.
run_flow=examples/flows/counter-demo.json
step "running $run_flow on the embedded engine" \
  "OnStart -> Counter -> storage.Set; one JSON line per emitted message, then a summary"
echo "\$ $(rel "$cli") run $run_flow --wait 0.2"
"$cli" run "$run_flow" --wait 0.2

# The server: flowkitd on the embedded default (LMDB + SQLite in build/demo/data), with the
# webhook demo flow installed and started through the REST API.
server=$build_dir/server/flowkitd
data=$build_dir/data
listen=${FLOWKIT_DEMO_LISTEN:-127.0.0.1:2200}
url=http://$listen
step "starting flowkitd --listen $listen --data $(rel "$data")"
"$server" --listen "$listen" --data "$data" &
server_pid=$!
trap 'kill -TERM $server_pid 2>/dev/null; wait $server_pid 2>/dev/null' EXIT INT TERM
for _ in $(seq 100); do
  curl -fsS "$url/healthz" >/dev/null 2>&1 && break
  kill -0 $server_pid 2>/dev/null || { echo "run-demo: flowkitd did not start" >&2; exit 1; }
  sleep 0.1
done

api() {  # api METHOD PATH [BODY]: JSON in, JSON out, token when we have one
  curl -sS -X "$1" "$url$2" -H 'Content-Type: application/json' ${token:+-H "Authorization: Bearer $token"} \
    ${3:+--data-binary "$3"}
}
json_field() { sed -n "s/.*\"$1\":\"\([^\"]*\)\".*/\1/p"; }
credentials='{"email":"demo@example.com","password":"demo-password"}'
token=
token=$(api POST /user "$credentials" | json_field token)
[ -n "$token" ] || token=$(api POST /user/auth "$credentials" | json_field token)
[ -n "$token" ] || { echo "run-demo: cannot sign in as demo@example.com" >&2; exit 1; }
flow_id=$(api GET "/flows?pattern=Demo:%20greet%20over%20a%20webhook&projection=flowId" | json_field flowId)
if [ -z "$flow_id" ]; then
  flow_id=$(api POST /flows "@$repo/examples/flows/webhook-demo.json" | json_field flowId)
fi
api POST "/flows/$flow_id/coordinator" '{"command":"start"}' >/dev/null
echo
echo "run-demo: flowkitd is running the webhook demo flow $flow_id (user demo@example.com / demo-password)."
echo "Try it:"
echo
echo "  curl -s -X POST $url/flows/$flow_id/components/hook -H 'Content-Type: application/json' -d '{\"name\":\"Ada\"}'"
echo
echo "REST API: $url/openapi.json   Stop: Ctrl-C"
if [ -n "${FLOWKIT_DEMO_EXIT:-}" ]; then
  curl -sS -X POST "$url/flows/$flow_id/components/hook" -H 'Content-Type: application/json' -d '{"name":"Ada"}'
  echo
  exit 0
fi
wait $server_pid
