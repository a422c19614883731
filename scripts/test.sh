#!/usr/bin/env bash
# Runs the whole test suite. Under `dbus-run-session` an unlocked Secret Service keyring is started
# first, so credential tests use the real OS keyring.
set -euo pipefail
cd "$(dirname "$0")/.."
if [[ -n "${DBUS_SESSION_BUS_ADDRESS:-}" ]] && command -v gnome-keyring-daemon >/dev/null; then
    eval "$(printf '' | gnome-keyring-daemon --unlock --components=secrets)"
    export GNOME_KEYRING_CONTROL
fi
exec cargo nextest run --locked --workspace --all-targets --profile "${NEXTEST_PROFILE:-default}" "$@"
