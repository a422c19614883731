#!/usr/bin/env bash
# The test command (README « Tests »; .ci/run calls it too). On a fresh Debian or Ubuntu machine it
# first installs what the tests drive for real — FreeTDS (tsql), Samba's ntlm_auth (winbind), python-tds,
# pyOpenSSL and aiosmtpd (the alerts' SMTP server), D-Bus and gnome-keyring, PostgreSQL, zsh and fish,
# Node.js with the npm packages of the README's forwarding snippet (tests/node: express,
# http-proxy-middleware, installed in a cache folder), and for the Windows suite the Rust target
# x86_64-pc-windows-gnu, mingw-w64 and Wine — starts
# PostgreSQL when it is down, builds the Windows binary (scripts/windows.sh), then runs the suite
# inside a private D-Bus session with a throwaway, unlocked keyring. What is already there is left as
# it is. Arguments go to cargo nextest (or cargo test without nextest). A test whose tool or service
# is missing fails naming it; with JLM_BATIGEST_TEST_ALLOW_SKIP=1 (ignored in CI) the preparation goes
# as far as it can, such tests are skipped, and the run ends with « N tests sautés » and their list.
set -euo pipefail
cd "$(dirname "$0")/.."
script=$(pwd)/scripts/test.sh

say() { printf '== %s\n' "$*" >&2; }

# As root, or through sudo for a normal user.
as_root() {
    if [[ $(id -u) == 0 ]]; then
        "$@"
    elif command -v sudo >/dev/null; then
        sudo "$@"
    else
        echo "il faut être root (ou avoir sudo) pour : $*" >&2
        exit 1
    fi
}

setup() {
    local need=()
    command -v tsql >/dev/null || need+=(freetds-bin)
    # Samba's NTLM client (ntlm_auth), the one Wine's NTLM runs: a judge of the sandbox's NTLM.
    command -v ntlm_auth >/dev/null || need+=(winbind)
    command -v dbus-run-session >/dev/null || need+=(dbus)
    command -v gnome-keyring-daemon >/dev/null || need+=(gnome-keyring)
    command -v zsh >/dev/null || need+=(zsh)
    command -v fish >/dev/null || need+=(fish)
    command -v script >/dev/null || need+=(bsdutils)
    command -v setpriv >/dev/null || need+=(util-linux)
    command -v node >/dev/null || need+=(nodejs)
    command -v npm >/dev/null || need+=(npm)
    # The Windows suite: the cross C compiler (aws-lc-sys, SQLite, the test helpers) and Wine.
    command -v x86_64-w64-mingw32-gcc >/dev/null || need+=(gcc-mingw-w64-x86-64)
    [[ -x /usr/lib/wine/wine64 ]] || need+=(wine64)
    python3 -m pip --version >/dev/null 2>&1 || need+=(python3-pip)
    local fresh_postgres=
    if ! command -v pg_ctlcluster >/dev/null; then
        need+=(postgresql)
        fresh_postgres=1
    fi
    if ((${#need[@]})); then
        say "paquets système : ${need[*]}"
        as_root env DEBIAN_FRONTEND=noninteractive apt-get update -qq
        as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${need[@]}"
    fi

    if ! python3 -c "import pytds, OpenSSL, aiosmtpd" 2>/dev/null; then
        say "paquets Python : python-tds pyopenssl aiosmtpd"
        local pip=(python3 -m pip install --quiet --disable-pip-version-check)
        [[ $(id -u) == 0 ]] || pip+=(--user)
        # Debian's own Python refuses pip outside a virtual environment (PEP 668) unless told.
        "${pip[@]}" python-tds pyopenssl aiosmtpd 2>/dev/null ||
            "${pip[@]}" --break-system-packages python-tds pyopenssl aiosmtpd
    fi

    if ! rustup target list --installed 2>/dev/null | grep -qx x86_64-pc-windows-gnu; then
        say "cible Rust x86_64-pc-windows-gnu"
        rustup target add x86_64-pc-windows-gnu
    fi

    local version
    version=$(ls /etc/postgresql | sort -V | tail -n 1)
    if [[ -n $fresh_postgres ]]; then
        # Installed just now for the tests: they connect as postgres on 127.0.0.1 without a password.
        as_root sed -i 's/^\(host\s\+all\s\+all\s\+127\.0\.0\.1\/32\s\+\)\S\+/\1trust/' \
            "/etc/postgresql/$version/main/pg_hba.conf"
        pg_isready -q -h 127.0.0.1 -p 5432 2>/dev/null && as_root pg_ctlcluster --skip-systemctl-redirect "$version" main reload
    fi
    if ! pg_isready -q -h 127.0.0.1 -p 5432 2>/dev/null; then
        say "PostgreSQL $version"
        as_root pg_ctlcluster --skip-systemctl-redirect "$version" main start
        for _ in $(seq 30); do pg_isready -q -h 127.0.0.1 -p 5432 && break; sleep 1; done
        pg_isready -q -h 127.0.0.1 -p 5432 || { echo "PostgreSQL ne démarre pas" >&2; exit 1; }
    fi
}

# The npm packages of tests/cli/erp_proxy.rs (tests/node/package.json and its lock file), in a
# cache folder named after the lock file: installed once per version, never in the repository.
node_dir() {
    echo "${XDG_CACHE_HOME:-$HOME/.cache}/jlm-batigest/node-$(sha256sum tests/node/package-lock.json | cut -c1-16)"
}
node_packages() {
    local dir
    dir=$(node_dir)
    if [[ ! -d $dir/node_modules ]]; then
        say "paquets npm : express, http-proxy-middleware (tests/node)"
        rm -rf "$dir.partiel"
        mkdir -p "$dir.partiel"
        cp tests/node/package.json tests/node/package-lock.json "$dir.partiel/"
        (cd "$dir.partiel" && npm ci --no-audit --no-fund --ignore-scripts --loglevel=error)
        rm -rf "$dir"
        mv "$dir.partiel" "$dir"
    fi
}

# First pass: set up, then start again inside a D-Bus session of our own, so the keyring below is
# never the user's own.
# Under the opt-out (never in CI), a preparation that fails (no sudo, no network) is said and the
# run goes on: the tests of what is missing are skipped and counted at the end.
allow_skip=
[[ ${JLM_BATIGEST_TEST_ALLOW_SKIP:-} == 1 && -z ${CI:-} ]] && allow_skip=1
prepare() {
    if [[ -n $allow_skip ]]; then
        ("$@") || say "préparation incomplète ($*) : les tests de ce qui manque seront sautés et comptés"
    else
        "$@"
    fi
}

if [[ -z "${JLM_BATIGEST_TEST_SESSION:-}" ]]; then
    prepare setup
    prepare node_packages
    JLM_BATIGEST_TEST_NODE_MODULES=$(node_dir)/node_modules
    export JLM_BATIGEST_TEST_NODE_MODULES
    # The Windows binary and the Wine prefix of tests/cli/windows.rs.
    prepare scripts/windows.sh build
    prepare scripts/windows.sh prefix
    export JLM_BATIGEST_TEST_SESSION=1
    if [[ -n $allow_skip ]] && ! command -v dbus-run-session >/dev/null; then
        say "dbus-run-session absent : les tests du trousseau seront sautés et comptés"
        export JLM_BATIGEST_TEST_NO_KEYRING=1
        exec "$script" "$@"
    fi
    exec dbus-run-session -- "$script" "$@"
fi

# A throwaway keyring directory, so the tests never open the user's own keyrings. The login
# keyring is created there on first unlock; with an empty password gnome-keyring creates none.
keyring_home=$(mktemp -d)
if [[ -z ${JLM_BATIGEST_TEST_NO_KEYRING:-} ]]; then
    eval "$(printf 'jlm-batigest-tests' | XDG_DATA_HOME="$keyring_home" gnome-keyring-daemon --unlock --components=secrets)"
    export GNOME_KEYRING_CONTROL
fi

# The Wine prefixes of tests killed by their time limit: their wineservers, then the folders.
sweep_wine() {
    local dir
    for dir in "${TMPDIR:-/tmp}"/jlm-batigest-wine/prefixe-*/p; do
        [[ -d $dir ]] && WINEPREFIX=$dir /usr/lib/wine/wineserver -k 2>/dev/null
    done
    rm -rf "${TMPDIR:-/tmp}/jlm-batigest-wine"
}
trap 'sweep_wine; rm -rf "$keyring_home"' EXIT

# A test whose tool or service is missing fails naming it; under JLM_BATIGEST_TEST_ALLOW_SKIP=1 (never
# in CI) it is skipped instead and writes a line here, counted once the suite is over.
skip_log=$(mktemp)
export JLM_BATIGEST_TEST_SKIP_LOG=$skip_log
trap 'sweep_wine; rm -rf "$keyring_home" "$skip_log"' EXIT

status=0
if cargo nextest --version >/dev/null 2>&1; then
    cargo nextest run --locked --workspace --all-targets "$@" || status=$?
else
    say "cargo-nextest absent : cargo test (cargo install cargo-nextest --locked pour l'autre)"
    cargo test --locked --workspace --all-targets "$@" || status=$?
fi
skipped=$(wc -l <"$skip_log")
if ((skipped)); then
    ((skipped == 1)) && noun="test sauté" || noun="tests sautés"
    say "$skipped $noun (JLM_BATIGEST_TEST_ALLOW_SKIP=1) :"
    sed 's/^/   /' "$skip_log" >&2
else
    say "0 test sauté"
fi
exit "$status"
