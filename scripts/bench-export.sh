#!/usr/bin/env bash
# Export benchmark (issue 9): jlm-batigest against the tools IT would otherwise use, on the same
# sandbox serving the same generated data. Prints figures, asserts nothing.
#
# Usage: scripts/bench-export.sh
#   BENCH_SIZES="10000 100000 1000000"  numbers of devis (one dataset generated per size)
#   BENCH_RUNS=3                         runs of each client per size; the median wall time is kept
#                                        (clients run interleaved, so load spikes hit all three)
#   BENCH_BIN=path                       measure this jlm-batigest binary instead of building one
#                                        (e.g. a copy of an older build, to compare two versions)
# Needs: cargo, FreeTDS freebcp (Debian freetds-bin), python3 with python-tds (pip install python-tds),
# GNU time (/usr/bin/time).
#
# For each size: one sandbox (`jlm-batigest sandbox --generate N --db FILE --tls off`) on a free
# loopback port, then every devis exported to CSV by
#   (a) jlm-batigest devis --format csv -o FILE --encrypt off
#   (b) freebcp "SELECT … FROM DEVIS d JOIN CLIENTS c …" queryout FILE -c -t,   (default options)
#   (c) scripts/bench_pytds_export.py (python-tds + csv module)
# all three selecting the same columns in the same order with the same ORDER BY; then
# scripts/bench_compare_csv.py checks that the three files hold the same rows (see its header
# for how each tool's number and date formats are normalised).
#
# Figures per client: wall time (median of BENCH_RUNS), rows/s, CPU time user+sys and peak RSS
# (GNU time, same run), the sandbox's CPU time for that run (utime+stime from /proc), and the
# bytes the client received: the sandbox, run with -v, logs the bytes it sent on each connection
# after the login (TDS framing included) when the client leaves. Ratios are
# throughput ratios (their wall time / ours; above 1 means we are faster).
#
# Then, at the largest size, `analytics --periode mensuel` (only once that command exists) and
# the start-up time of `--version` and `--help` (mean of 50 runs, fork and exec included).
set -euo pipefail
cd "$(dirname "$0")/.."
sizes=${BENCH_SIZES:-"10000 100000 1000000"}
runs=${BENCH_RUNS:-3}
work=$(mktemp -d)
sandbox_pid=
stop_sandbox() {
    if [[ -n $sandbox_pid ]]; then
        kill -INT "$sandbox_pid" 2>/dev/null || true
        wait "$sandbox_pid" 2>/dev/null || true
        sandbox_pid=
    fi
}
trap 'stop_sandbox; rm -rf "$work"' EXIT

if [[ -n ${BENCH_BIN:-} ]]; then
    bin=$BENCH_BIN
else
    cargo build --release --quiet 2> "$work/build.log" || { cat "$work/build.log"; exit 1; }
    bin=${CARGO_TARGET_DIR:-target}/release/jlm-batigest
fi

echo "machine : $(nproc) cœurs, $(awk '/MemTotal/ {printf "%.0f Gio", $2/1048576}' /proc/meminfo), $(uname -sr)"
echo "date    : $(date '+%Y-%m-%d %H:%M %Z')"
echo "outils  : $("$bin" --version), $(freebcp -v 2>&1 | grep -o 'freetds v[0-9.]*' || echo freebcp), python-tds $(python3 -c 'import importlib.metadata as m; print(m.version("python-tds"))'), $(python3 --version)"
echo "charge  : $(cut -d' ' -f1-3 /proc/loadavg) (avant les mesures)"

query="SELECT d.NUMERO_DEVIS, d.REFERENCE_AFFAIRE, c.CODE_CLIENT, c.NOM, d.MONTANT_HT, d.MONTANT_TTC, \
d.TAUX_MARGE, d.DATE_CREATION, d.DATE_VALIDATION, d.STATUT, d.RESPONSABLE \
FROM DEVIS d JOIN CLIENTS c ON c.ID = d.CLIENT_ID ORDER BY d.DATE_CREATION DESC, d.NUMERO_DEVIS DESC"

export BATIGEST_SQL_SERVER=127.0.0.1 BATIGEST_DATABASE=BATIGEST_CONNECT BATIGEST_SQL_USER=sa
export BATIGEST_SQL_PASSWORD='Sandbox!2024'
# No user configuration or profile may change what is measured.
export XDG_CONFIG_HOME=$work/config XDG_DATA_HOME=$work/data JLM_BATIGEST_CONFIG=$work/config/empty.toml
# An empty file: a JLM_BATIGEST_CONFIG naming a missing file is refused.
mkdir -p "$work/config"
: > "$JLM_BATIGEST_CONFIG"
export FREETDSCONF=$work/freetds.conf

sandbox_ticks() { awk '{print $14 + $15}' "/proc/$sandbox_pid/stat"; }
# The sandbox runs with -v and logs "connection closed … bytes_sent=N" when a client leaves.
closed_count() { grep -c 'connection closed' "$work/sandbox.err" || true; }

# run NAME N ARGS…: one timed run; appends "wall cpu rss_kb sandbox_cpu bytes" to $work/NAME.runs
run() {
    local name=$1 n=$2
    shift 2
    local ticks0 closed0 start end
    ticks0=$(sandbox_ticks)
    closed0=$(closed_count)
    start=$(date +%s%N)
    /usr/bin/time -f '%U %S %M' -o "$work/time" "$@" > "$work/$name.log" 2>&1 || {
        echo "  $name a échoué :"
        sed 's/^/    /' "$work/$name.log" | tail -5
        return 1
    }
    end=$(date +%s%N)
    local hz bytes
    hz=$(getconf CLK_TCK)
    read -r user sys rss < <(tail -1 "$work/time")
    for _ in $(seq 200); do
        (($(closed_count) > closed0)) && break
        sleep 0.01
    done
    bytes=$(grep 'connection closed' "$work/sandbox.err" | tail -n +$((closed0 + 1)) |
        sed -n 's/.*bytes_sent=\([0-9]*\).*/\1/p' | awk '{ s += $1 } END { print s + 0 }')
    awk -v w=$(((end - start) / 1000)) -v u="$user" -v s="$sys" -v m="$rss" -v t=$(($(sandbox_ticks) - ticks0)) \
        -v hz="$hz" -v b="$bytes" \
        'BEGIN { printf "%.6f %.2f %d %.2f %d\n", w / 1e6, u + s, m, t / hz, b }' >> "$work/$name.runs"
}

# median NAME: the run with the median wall time
median() { sort -n "$work/$1.runs" | awk '{ a[NR] = $0 } END { print a[int((NR + 1) / 2)] }'; }

largest=0
for n in $sizes; do
    ((n > largest)) && largest=$n
done

for n in $sizes; do
    echo
    echo "== $n devis =="
    db=$work/devis-$n.sqlite
    start=$(date +%s%N)
    "$bin" sandbox --generate "$n" --db "$db" --listen 127.0.0.1:0 --tls off -v > "$work/listen" 2> "$work/sandbox.err" &
    sandbox_pid=$!
    until grep -q 'listening on' "$work/listen" 2> /dev/null; do
        kill -0 "$sandbox_pid" 2> /dev/null || { cat "$work/sandbox.err"; exit 1; }
        sleep 0.05
    done
    end=$(date +%s%N)
    port=$(sed -n 's/.*listening on .*:\([0-9]*\)$/\1/p' "$work/listen")
    awk -v t=$(((end - start) / 1000000)) 'BEGIN { printf "  bac à sable prêt en %.1f s (génération comprise), ", t / 1000 }'
    echo "port $port, $(du -m "$db" | cut -f1) Mo de SQLite"
    export BATIGEST_SQL_PORT=$port
    printf '[sandbox]\n\thost = 127.0.0.1\n\tport = %s\n\ttds version = 7.4\n\tencryption = off\n\tclient charset = UTF-8\n' \
        "$port" > "$FREETDSCONF"
    rm -f "$work"/*.runs
    for ((i = 1; i <= runs; i++)); do
        run ours "$n" "$bin" devis --format csv -o "$work/ours.csv" --encrypt off -q
        run freebcp "$n" freebcp "$query" queryout "$work/freebcp.csv" -c -t, -S sandbox -U sa \
            -P "$BATIGEST_SQL_PASSWORD" -D BATIGEST_CONNECT
        run python "$n" python3 scripts/bench_pytds_export.py 127.0.0.1 "$port" "$work/python.csv"
    done
    echo "  contrôle des trois fichiers (dernier passage) :"
    python3 scripts/bench_compare_csv.py "$work/ours.csv" "$work/freebcp.csv" "$work/python.csv" || true
    printf '  %-13s %9s %12s %9s %9s %11s %10s\n' client "mur (s)" "lignes/s" "CPU (s)" "RSS (Mo)" "CPU bac (s)" "reçu (Mo)"
    for name in ours freebcp python; do
        label=$name
        [[ $name == ours ]] && label=jlm-batigest
        [[ $name == python ]] && label=python-tds
        read -r wall cpu rss sandbox_cpu bytes < <(median "$name")
        printf -v "wall_$name" '%s' "$wall"
        awk -v l="$label" -v w="$wall" -v c="$cpu" -v m="$rss" -v s="$sandbox_cpu" -v b="$bytes" -v n="$n" \
            'BEGIN { printf "  %-13s %9.3f %12.0f %9.2f %9.1f %11.2f %10.1f\n", l, w, n / w, c, m / 1024, s, b / 1048576 }'
    done
    echo "  (médiane de $runs passages ; murs de chaque passage : jlm-batigest $(cut -d' ' -f1 "$work/ours.runs" | xargs printf '%.2f ')| freebcp $(cut -d' ' -f1 "$work/freebcp.runs" | xargs printf '%.2f ')| python $(cut -d' ' -f1 "$work/python.runs" | xargs printf '%.2f '))"
    # shellcheck disable=SC2154 # set through printf -v above
    awk -v o="$wall_ours" -v f="$wall_freebcp" -v p="$wall_python" \
        'BEGIN { printf "  débit jlm-batigest / freebcp : %.2f×   jlm-batigest / python-tds : %.2f×\n", f / o, p / o }'
    echo "  charge : $(cut -d' ' -f1-3 /proc/loadavg)"

    if ((n == largest)); then
        # ---- analytics --periode mensuel (issue 9, point 2) -------------------------------------
        # Measured only once the command exists. "Reçu" is counted by the sandbox as above: the
        # bytes of every result the KPI queries returned.
        if "$bin" analytics --help > /dev/null 2>&1; then
            rm -f "$work/analytics.runs"
            if run analytics "$n" "$bin" analytics --periode mensuel --no-save --format json \
                -o "$work/analytics.json" --encrypt off -q; then
                read -r wall cpu rss sandbox_cpu bytes < "$work/analytics.runs"
                awk -v w="$wall" -v c="$cpu" -v m="$rss" -v s="$sandbox_cpu" -v b="$bytes" -v n="$n" \
                    'BEGIN { printf "  analytics --periode mensuel sur %d devis : %.3f s, CPU %.2f s, RSS %.1f Mo, bac à sable %.2f s CPU, reçu %.1f Kio\n", n, w, c, m / 1024, s, b / 1024 }'
            fi
        else
            echo "  analytics --periode mensuel : commande absente de cette version, non mesurée"
        fi
    fi
    stop_sandbox
    rm -f "$db" "$work"/*.csv
done

echo
echo "== démarrage (moyenne de 50 lancements) =="
for args in --version --help; do
    start=$(date +%s%N)
    for _ in $(seq 50); do "$bin" "$args" > /dev/null; done
    end=$(date +%s%N)
    awk -v t=$(((end - start) / 1000)) -v a="$args" 'BEGIN { printf "  jlm-batigest %-9s : %.2f ms\n", a, t / 50 / 1000 }'
done
echo "  binaire : $(du -m "$bin" | cut -f1) Mo"
