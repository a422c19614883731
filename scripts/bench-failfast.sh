#!/usr/bin/env bash
# How fast `test-connection` gives up (issue 30: the tests no longer time it). Prints figures,
# asserts nothing.
#
# Usage: scripts/bench-failfast.sh         (BENCH_RUNS=5, BENCH_PROFILE=debug)
#
# 1. A slow server: the sandbox answers each message after 4 s, the client has --timeout 1; the
#    time until it exits 3 with « délai dépassé » (the timeout bounds it; without it: 8 s and more).
# 2. --encrypt strict against a server that does not speak TDS 8.0: the sandbox closes at once
#    on the TLS ClientHello; the time until the client exits 3 naming the mismatch.
set -euo pipefail
cd "$(dirname "$0")/.."
runs=${BENCH_RUNS:-5}
# shellcheck source=scripts/bench-lib.sh
source scripts/bench-lib.sh

# Starts a sandbox with ARGS; prints its port once it says « listening on ».
start_sandbox() {
    local log=$work/sandbox-${#pids[@]}.log
    "$bin" sandbox --listen 127.0.0.1:0 --generate 10 "$@" >"$log" 2>&1 &
    pids+=("$!")
    for _ in $(seq 1 600); do
        grep -q 'listening on' "$log" && break
        sleep 0.1
    done
    sed -n 's/^listening on 127.0.0.1:\([0-9]*\).*/\1/p' "$log" | head -1
}

# Runs test-connection ARGS against PORT RUNS times; prints the exit codes and the times in ms.
measure() {
    local label=$1 port=$2
    shift 2
    local times=() codes=() start end code
    for _ in $(seq 1 "$runs"); do
        start=$(date +%s%N)
        code=0
        BATIGEST_SQL_PASSWORD='Sandbox!2024' "$bin" test-connection --server 127.0.0.1 --port "$port" --user sa "$@" \
            >/dev/null 2>&1 || code=$?
        end=$(date +%s%N)
        times+=("$(((end - start) / 1000000))")
        codes+=("$code")
    done
    printf '%-58s codes %s ; ms : %s\n' "$label" "${codes[*]}" "${times[*]}"
}

slow=$(start_sandbox --tls off --latency-ms 4000)
measure "serveur lent (4 s par message), --timeout 1" "$slow" --encrypt off --timeout 1
plain=$(start_sandbox --tls required)
measure "--encrypt strict face à un serveur sans TDS 8.0" "$plain" --encrypt strict --trust-cert
