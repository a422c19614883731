# Sourced by the bench scripts that start processes: builds the binary of BENCH_PROFILE (debug, or
# release) into $bin, makes a work folder $work, and kills every pid pushed onto $pids and removes
# $work on exit.
profile=${BENCH_PROFILE:-debug}
if [[ $profile == release ]]; then cargo build --release -q; bin=target/release/jlm-batigest; else cargo build -q; bin=target/debug/jlm-batigest; fi
work=$(mktemp -d)
pids=()
cleanup() { for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done; wait 2>/dev/null || true; rm -rf "$work"; }
trap cleanup EXIT
