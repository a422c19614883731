#!/usr/bin/env bash
# Benchmark of the automatic sync (`sync-offer --all --watch`, issue 29). Prints figures, asserts
# nothing.
#
# Usage: scripts/bench-watch.sh   (BENCH_DEVIS=100000, BENCH_SECONDS=20, BENCH_INTERVAL=1s,
#                                  BENCH_PASSES=10000, BENCH_SMALL=1000, BENCH_PROFILE=release)
# Needs: python3, bc, cargo. BENCH_DEVIS=0 skips parts 1 and 2, BENCH_PASSES=0 part 3.
#
# 1. A sandbox with BENCH_DEVIS generated devis, reached through a loopback relay that counts the
#    bytes the server sends; a watcher on an embedded store: the first pass (everything), then
#    BENCH_SECONDS of quiet passes — the client's CPU (utime + stime) and the bytes received, per
#    quiet pass.
# 2. An amount changed in the dossier's file: how long until the watcher writes the change, in
#    intervals.
# 3. Memory: a watcher passing every 100 ms over BENCH_SMALL devis, its VmRSS after 100 passes and
#    after BENCH_PASSES (10⁴ passes take about 20 minutes; BENCH_PASSES=0 skips it).
set -euo pipefail
cd "$(dirname "$0")/.."
devis=${BENCH_DEVIS:-100000}
seconds=${BENCH_SECONDS:-20}
interval=${BENCH_INTERVAL:-1s}
passes=${BENCH_PASSES:-10000}
small=${BENCH_SMALL:-1000}
BENCH_PROFILE=${BENCH_PROFILE:-release}
# shellcheck source=scripts/bench-lib.sh
source scripts/bench-lib.sh
ticks=$(getconf CLK_TCK)

wait_for() { # file, pattern, count[, seconds]
    local tries=$((${4:-600} * 10))
    for _ in $(seq 1 "$tries"); do
        (($(grep -c -- "$2" "$1" 2>/dev/null || true) >= $3)) && return
        # A long wait looks less often: the log of 10⁴ passes is large.
        if (($3 > 1000)); then sleep 1; else sleep 0.1; fi
    done
    echo "« $2 » n'apparaît pas dans $1 :" >&2; tail -5 "$1" >&2; exit 1
}
cpu_ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }
rss_kib() { awk '/^VmRSS/ {print $2}' "/proc/$1/status"; }

start_sandbox() { # name, devis
    "$bin" sandbox --listen 127.0.0.1:0 --generate "$2" --db "$work/$1.sqlite" --tls off >"$work/$1.log" 2>&1 &
    pids+=("$!")
    wait_for "$work/$1.log" 'listening on' 1
    sed -n 's/^listening on 127.0.0.1:\([0-9]*\).*/\1/p' "$work/$1.log" | head -1
}

# The relay: every byte both ways, the server's counted into $work/octets.
relay() { # server port → prints its own port
    python3 - "$1" "$work/octets" >"$work/relay.log" 2>&1 <<'EOF' &
import asyncio, sys
server, counter = int(sys.argv[1]), sys.argv[2]
received = 0
async def pipe(reader, writer, count):
    global received
    try:
        while data := await reader.read(65536):
            if count:
                received += len(data)
                with open(counter, "w") as f:
                    f.write(str(received))
            writer.write(data)
            await writer.drain()
    except ConnectionError:
        pass
    finally:
        writer.close()
async def client(creader, cwriter):
    sreader, swriter = await asyncio.open_connection("127.0.0.1", server)
    await asyncio.gather(pipe(creader, swriter, False), pipe(sreader, cwriter, True))
async def main():
    relay = await asyncio.start_server(client, "127.0.0.1", 0)
    print(relay.sockets[0].getsockname()[1], flush=True)
    await relay.serve_forever()
asyncio.run(main())
EOF
    pids+=("$!")
    wait_for "$work/relay.log" '^[0-9]' 1
    head -1 "$work/relay.log"
}

watch() { # port, store, interval, name
    BATIGEST_SQL_SERVER=127.0.0.1 BATIGEST_SQL_PORT=$1 BATIGEST_SQL_USER=sa BATIGEST_SQL_PASSWORD='Sandbox!2024' \
        "$bin" -v --encrypt off --jlm-db "sqlite:$work/$2" sync-offer --all --watch --interval "$3" --format ndjson \
        >"$work/$4.out" 2>"$work/$4.log" &
    pids+=("$!")
    echo "$!"
}

if ((devis > 0)); then
echo "== $devis devis, intervalle $interval, profil $profile"
port=$(start_sandbox batigest "$devis")
relayed=$(relay "$port")
started=$(date +%s.%N)
watcher=$(watch "$relayed" jlm.sqlite "$interval" veille)
wait_for "$work/veille.log" 'passe de synchronisation' 1
first=$(echo "$(date +%s.%N) - $started" | bc)
printf 'première passe (tout) : %.1f s, %s lignes de changement\n' "$first" "$(wc -l <"$work/veille.out")"
wait_for "$work/veille.log" 'passe calme' 1
calm0=$(grep -c 'passe calme' "$work/veille.log"); cpu0=$(cpu_ticks "$watcher"); bytes0=$(cat "$work/octets")
lines0=$(wc -l <"$work/veille.out")
sleep "$seconds"
calm1=$(grep -c 'passe calme' "$work/veille.log"); cpu1=$(cpu_ticks "$watcher"); bytes1=$(cat "$work/octets")
quiet=$((calm1 - calm0))
printf 'passes calmes : %d en %d s ; CPU client %.1f ms par passe ; reçu du serveur %d octets par passe\n' \
    "$quiet" "$seconds" "$(echo "($cpu1 - $cpu0) * 1000 / $ticks / $quiet" | bc -l)" "$(((bytes1 - bytes0) / quiet))"
printf 'lignes écrites pendant les passes calmes : %d ; mémoire du veilleur : %d Kio\n' \
    "$(($(wc -l <"$work/veille.out") - lines0))" "$(rss_kib "$watcher")"

# An amount changed in Batigest: until the watcher writes it.
numero=$(python3 -c "
import sqlite3, sys
c = sqlite3.connect(sys.argv[1])
n = c.execute(\"SELECT NUMERO_DEVIS FROM DEVIS WHERE STATUT IN ('VALIDE','ACCEPTE') ORDER BY ID DESC LIMIT 1\").fetchone()[0]
c.execute('UPDATE DEVIS SET MONTANT_HT = 123456.78 WHERE NUMERO_DEVIS = ?', (n,)); c.commit(); print(n)" "$work/batigest.sqlite")
changed=$(date +%s.%N)
wait_for "$work/veille.out" "\"numero_devis\":\"$numero\".*123456.78" 1
seen=$(echo "$(date +%s.%N) - $changed" | bc)
seconds_per_interval=$(python3 -c "
import re, sys
n, unit = re.fullmatch(r'(\d+)(ms|s|m|min|h)?', sys.argv[1]).groups()
print(int(n) * {'ms': 0.001, None: 1, 's': 1, 'm': 60, 'min': 60, 'h': 3600}[unit])" "$interval")
printf 'changement de %s vu après %.2f s (%.2f intervalle)\n' "$numero" "$seen" "$(echo "$seen / $seconds_per_interval" | bc -l)"
kill "$watcher"
fi

if ((passes > 0)); then
    echo "== mémoire : $passes passes toutes les 100 ms sur $small devis"
    small_port=$(start_sandbox petit "$small")
    watcher=$(watch "$small_port" petit-jlm.sqlite 100ms memoire)
    for count in 100 1000 $((passes / 2)) "$passes"; do
        wait_for "$work/memoire.log" 'passe calme' "$count" 7200
        printf 'VmRSS après %d passes : %d Kio\n' "$count" "$(rss_kib "$watcher")"
    done
fi
