#!/usr/bin/env bash
# Sandbox benchmark: generator time for N devis, then rows/s streamed by `SELECT * FROM DEVIS` to
# FreeTDS tsql. Usage: scripts/bench-sandbox.sh [N]   (default 1000000). Prints figures, asserts nothing.
set -euo pipefail
cd "$(dirname "$0")/.."
n=${1:-1000000}
work=$(mktemp -d)
trap 'kill "${pid:-}" 2>/dev/null || true; rm -rf "$work"' EXIT

# Waits for the sandbox started as $pid to say where it listens; stops if it died first.
wait_listening() {
    until grep -q 'listening on' "$work/listen" 2>/dev/null; do
        kill -0 "$pid" 2>/dev/null || { echo "le bac à sable s'est arrêté :" >&2; cat "$work"/*.err >&2 2>/dev/null; exit 1; }
        sleep 0.1
    done
}

cargo build --release --quiet
bin=${CARGO_TARGET_DIR:-target}/release/jlm-batigest

echo "machine: $(nproc) cœurs, $(awk '/MemTotal/ {printf "%.0f Gio", $2/1048576}' /proc/meminfo), $(uname -sr)"
echo "génération de $n devis dans un fichier SQLite :"
/usr/bin/time -f "  %e s, pic mémoire %M Kio" "$bin" sandbox --generate "$n" --db "$work/bench.sqlite" \
    --listen 127.0.0.1:0 -q > "$work/listen" 2>"$work/gen.err" &
pid=$!
wait_listening
# GNU time ignores SIGINT while it waits: interrupt the sandbox itself.
pkill -INT -P "$pid"; wait "$pid" || true
cat "$work/gen.err"

"$bin" sandbox --db "$work/bench.sqlite" --listen 127.0.0.1:0 --tls off -q > "$work/listen" &
pid=$!
wait_listening
port=$(sed -n 's/.*listening on .*:\([0-9]*\)$/\1/p' "$work/listen")
printf '[global]\n\ttds version = 7.4\n\tencryption = off\n\tclient charset = UTF-8\n' > "$work/freetds.conf"
echo "SELECT * FROM DEVIS vers tsql (sortie jetée) :"
start=$(date +%s.%N)
printf 'SELECT * FROM DEVIS\ngo\nexit\n' | FREETDSCONF="$work/freetds.conf" tsql -H 127.0.0.1 -p "$port" \
    -U sa -P 'Sandbox!2024' -D BATIGEST_CONNECT -o fhq -t '|' > "$work/rows.txt"
end=$(date +%s.%N)
rows=$(grep -c '^DEVIS-\|^[0-9]*|DEVIS-' "$work/rows.txt" || true)
awk -v s="$start" -v e="$end" -v r="$rows" 'BEGIN { t = e - s; printf "  %d lignes en %.2f s : %.0f lignes/s\n", r, t, r / t }'
echo "  pic mémoire du bac à sable : $(awk '/VmHWM/ {print $2, $3}' /proc/$pid/status)"
