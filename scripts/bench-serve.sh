#!/usr/bin/env bash
# Load benchmark of `jlm-batigest serve` (issue 20). Prints figures, asserts nothing.
#
# Usage: scripts/bench-serve.sh            (BENCH_DEVIS=10000, BENCH_SECONDS=5, BENCH_PROFILE=debug)
# Needs: wrk (Debian package wrk), curl, cargo.
#
# One sandbox with BENCH_DEVIS generated devis, one `serve` on a free loopback port with a SQLite
# store, then wrk at 1, 10 and 50 connections on GET devis-clients?limit=50, GET dashboard and
# POST sync-offer (one devis, so every call after the first is an `unchanged` sync taking the
# store's write lock). Then the faults: the sandbox killed (Batigest routes answer 503, how
# fast), restarted (they recover without restarting serve); a client that leaves mid-response;
# and serve's memory (VmRSS) before and after 100 000 requests, then after 100 000 connections of
# one request each.
set -euo pipefail
cd "$(dirname "$0")/.."
devis=${BENCH_DEVIS:-10000}
seconds=${BENCH_SECONDS:-5}
# shellcheck source=scripts/bench-lib.sh
source scripts/bench-lib.sh
token=bench-token-0123456789abcdef

start_sandbox() {
    local generate=(--generate "$devis")
    [[ -e $work/batigest.sqlite ]] && generate=()
    "$bin" sandbox --listen "127.0.0.1:$1" "${generate[@]}" --db "$work/batigest.sqlite" --tls off \
        >"$work/sandbox.log" 2>&1 &
    sandbox_pid=$!
    pids+=("$sandbox_pid")
    for _ in $(seq 1 600); do grep -q 'listening on' "$work/sandbox.log" && return; sleep 0.1; done
    echo "le bac à sable ne démarre pas :" >&2; cat "$work/sandbox.log" >&2; exit 1
}
start_sandbox 0
sandbox_port=$(sed -n 's/^listening on 127.0.0.1:\([0-9]*\).*/\1/p' "$work/sandbox.log" | head -1)

BATIGEST_SQL_SERVER=127.0.0.1 BATIGEST_SQL_PORT=$sandbox_port BATIGEST_SQL_USER=sa BATIGEST_SQL_PASSWORD='Sandbox!2024' \
JLM_BATIGEST_API_TOKEN=$token "$bin" serve --encrypt off --listen 127.0.0.1:0 --quiet \
    --jlm-db "sqlite:$work/jlm.sqlite" >"$work/serve.out" 2>"$work/serve.log" &
serve_pid=$!
pids+=("$serve_pid")
for _ in $(seq 1 100); do grep -q 'servie sur' "$work/serve.log" && break; sleep 0.1; done
base=$(sed -n 's/^API Batigest servie sur //p' "$work/serve.log")
api="$base/api/batigest"
auth="Authorization: Bearer $token"
ref=$(curl -s -H "$auth" "$api/devis-clients?limit=1" | sed -n 's/.*"NUMERO_DEVIS":"\([^"]*\)".*/\1/p')

cat >"$work/post.lua" <<LUA
wrk.method = "POST"
wrk.body = '{"batigestRef": "$ref"}'
wrk.headers["Content-Type"] = "application/json"
LUA

echo "serve ($profile) sur $base, bac à sable de $devis devis, $seconds s par mesure"
printf '%-28s %5s %10s %9s %9s %8s\n' route clients 'req/s' 'p50 ms' 'p99 ms' erreurs
measure() {
    local name=$1 connections=$2; shift 2
    local out
    out=$(wrk -t "$(( connections < 2 ? 1 : 2 ))" -c "$connections" -d "${seconds}s" --timeout 30s --latency \
        -H "$auth" "$@" 2>&1)
    local rps p50 p99 errors timeouts
    rps=$(sed -n 's/^Requests\/sec: *//p' <<<"$out")
    p50=$(awk '$1=="50%"{print $2}' <<<"$out")
    p99=$(awk '$1=="99%"{print $2}' <<<"$out")
    errors=$(sed -n 's/.*Non-2xx or 3xx responses: *//p' <<<"$out"); errors=${errors:-0}
    timeouts=$(sed -n 's/.*timeout \([0-9]*\).*/\1/p' <<<"$out"); errors=$(( errors + ${timeouts:-0} ))
    printf '%-28s %5s %10s %9s %9s %8s\n' "$name" "$connections" "$rps" "$p50" "$p99" "$errors"
}
for c in 1 10 50; do measure "devis-clients?limit=50" "$c" "$api/devis-clients?limit=50"; done
for c in 1 10 50; do measure dashboard "$c" "$api/dashboard"; done
for c in 1 10 50; do measure sync-offer "$c" -s "$work/post.lua" "$api/sync-offer"; done

rss() { awk '/VmRSS/{print $2" kB"}' "/proc/$serve_pid/status"; }
echo
echo "Mémoire de serve après les mesures : $(rss)"
for round in 1 2 3 4; do
    n=$(wrk -t 2 -c 10 -d 20s -H "$auth" "$api/integrations" 2>/dev/null | sed -n 's/^ *\([0-9]*\) requests in.*/\1/p')
    echo "… $n requêtes de plus (integrations) : $(rss)"
done
# A client that opens a connection per request (as a web backend calling with a fresh connection
# each time): the connections that ended must not pile up in serve.
for round in 1 2 3; do
    n=$(wrk -t 2 -c 10 -d 10s -H 'Connection: close' "$base/healthz" 2>/dev/null | sed -n 's/^ *\([0-9]*\) requests in.*/\1/p')
    echo "… $n connexions ouvertes puis fermées (healthz, une requête chacune) : $(rss)"
done
echo
kill -INT "$sandbox_pid"; wait "$sandbox_pid" 2>/dev/null || true
start=$(date +%s%N)
code=$(curl -s -o /dev/null -w '%{http_code}' -H "$auth" "$api/devis-clients?limit=50")
echo "Bac à sable arrêté : devis-clients répond $code en $(( ($(date +%s%N) - start) / 1000000 )) ms ;" \
     "integrations : $(curl -s -o /dev/null -w '%{http_code}' -H "$auth" "$api/integrations")"
start_sandbox "$sandbox_port"
echo "Bac à sable relancé : devis-clients répond $(curl -s -o /dev/null -w '%{http_code}' -H "$auth" "$api/devis-clients?limit=50") (serve n'a pas été relancé)"
# A client that leaves mid-response: a large answer, the connection closed after 1 KiB.
curl -s -H "$auth" "$api/devis-clients?limit=10000" | head -c 1024 >/dev/null || true
echo "Client parti en cours de réponse : serve répond encore $(curl -s -o /dev/null -w '%{http_code}' "$base/healthz")"
