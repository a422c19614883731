#!/usr/bin/env bash
# Runs the whole test suite. Under `dbus-run-session` an unlocked Secret Service keyring is started
# first, so credential tests use the real OS keyring.
set -euo pipefail
cd "$(dirname "$0")/.."
if [[ -n "${DBUS_SESSION_BUS_ADDRESS:-}" ]] && command -v gnome-keyring-daemon >/dev/null; then
    # A throwaway keyring directory, so the tests never open the user's own keyrings. The login
    # keyring is created there on first unlock; with an empty password gnome-keyring creates none.
    keyring_home=$(mktemp -d)
    trap 'rm -rf "$keyring_home"' EXIT
    eval "$(printf 'jlm-batigest-tests' | XDG_DATA_HOME="$keyring_home" gnome-keyring-daemon --unlock --components=secrets)"
    export GNOME_KEYRING_CONTROL
fi
cargo nextest run --locked --workspace --all-targets "$@"
