#!/usr/bin/env bash
# Regenerates the committed shell completions (completions/) and man pages (man/) from the clap
# tree. A test fails when these copies are stale: run this after changing any option or help text.
set -euo pipefail
cd "$(dirname "$0")/.."
cargo build --quiet
bin=${CARGO_TARGET_DIR:-target}/debug/jlm-batigest
rm -rf completions man
mkdir -p completions man
for shell in bash zsh fish powershell elvish; do
    "$bin" completions "$shell" --dir completions
done
"$bin" man --dir man
ls completions man
