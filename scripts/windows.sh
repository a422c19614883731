#!/usr/bin/env bash
# The Windows build, from Linux (README « Sous Windows »), and what its tests run it with.
#
#   scripts/windows.sh build     the .exe the Wine suite runs (profile wintest), and the test helpers
#   scripts/windows.sh prefix    a Wine prefix for the suite (wineboot, then the ProcessPrng stand-in)
#   scripts/windows.sh package   the release archive: dist/jlm-batigest-VERSION-windows-x86_64.zip
#                                (the .exe, completions, man pages as text, README) and its .sha256
#
# Needs the Rust target x86_64-pc-windows-gnu and Debian's gcc-mingw-w64-x86-64 (build, package),
# and wine64 (prefix); scripts/test.sh installs them. Everything goes under the cargo target dir
# (windows-test/), where tests/cli/windows.rs looks for it.
set -euo pipefail
cd "$(dirname "$0")/.."

target=x86_64-pc-windows-gnu
cc=x86_64-w64-mingw32-gcc
wine=/usr/lib/wine/wine64
target_dir=$(cargo metadata --format-version 1 --no-deps |
    python3 -c 'import json, sys; print(json.load(sys.stdin)["target_directory"])')
out=$target_dir/windows-test

say() { printf '== %s\n' "$*" >&2; }

helpers() {
    mkdir -p "$out"
    # Test-only: Wine 8.0 lacks bcryptprimitives.dll, which Rust's standard library imports and
    # every Windows 10+ has.
    "$cc" -shared -O2 -s -o "$out/bcryptprimitives.dll" tests/windows/bcryptprimitives.c \
        tests/windows/bcryptprimitives.def -ladvapi32
    "$cc" -municode -O2 -s -o "$out/holdfile.exe" tests/windows/holdfile.c
}

build() {
    say "binaire Windows ($target, profil wintest)"
    cargo build --locked -p jlm-batigest --target "$target" --profile wintest
    helpers
}

prefix() {
    local dir=$out/prefix
    [[ -f $out/bcryptprimitives.dll ]] || helpers
    if [[ ! -f $dir/system.reg ]]; then
        say "préfixe Wine $dir"
        rm -rf "$dir"
        mkdir -p "$dir"
        # No Mono nor Gecko: the tests run a console program, and nothing may be downloaded.
        WINEPREFIX=$dir WINEDEBUG=-all WINEDLLOVERRIDES="mscoree,mshtml=" "$wine" wineboot --init >/dev/null 2>&1
        # The prefix is whole once its wineserver has written the registry and gone.
        WINEPREFIX=$dir /usr/lib/wine/wineserver -w
    fi
    cp "$out/bcryptprimitives.dll" "$dir/drive_c/windows/system32/bcryptprimitives.dll"
}

package() {
    local version name stage
    # The product's version: the workspace also holds the sandbox crate (crates/tds-sandbox).
    version=$(cargo metadata --format-version 1 --no-deps |
        python3 -c 'import json, sys; print(next(p["version"] for p in json.load(sys.stdin)["packages"] if p["name"] == "jlm-batigest"))')
    name=jlm-batigest-$version-windows-x86_64
    say "archive $name.zip (profil release)"
    command -v man >/dev/null && command -v col >/dev/null || {
        echo "il faut man et col pour les pages en texte (Debian : man-db, bsdextrautils)" >&2
        exit 1
    }
    cargo build --locked -p jlm-batigest --target "$target" --release
    stage=$(mktemp -d)
    trap 'rm -rf "$stage"' RETURN
    mkdir -p "$stage/$name/completions" "$stage/$name/man" dist
    cp "$target_dir/$target/release/jlm-batigest.exe" "$stage/$name/"
    cp completions/* "$stage/$name/completions/"
    cp README.md CHANGELOG.md "$stage/$name/"
    # Man pages as text, readable without man (Windows has none).
    local page
    for page in man/*.1; do
        MANWIDTH=100 man --no-hyphenation --no-justification -l "$page" 2>/dev/null | col -bx \
            >"$stage/$name/man/$(basename "$page" .1).txt"
    done
    rm -f "dist/$name.zip"
    (cd "$stage" && python3 -m zipfile -c "$OLDPWD/dist/$name.zip" "$name")
    (cd dist && sha256sum "$name.zip" >"$name.zip.sha256")

    # What a user gets: the archive checks against its sum, and its .exe runs (under Wine here).
    (cd dist && sha256sum --quiet -c "$name.zip.sha256")
    local unpacked
    unpacked=$(mktemp -d)
    python3 -m zipfile -e "dist/$name.zip" "$unpacked"
    if [[ -x $wine ]]; then
        prefix
        local said
        said=$(WINEPREFIX=$out/prefix WINEDEBUG=-all "$wine" "$unpacked/$name/jlm-batigest.exe" --version)
        WINEPREFIX=$out/prefix /usr/lib/wine/wineserver -k 2>/dev/null || true
        if [[ $said != "jlm-batigest $version" ]]; then
            echo "l'archive ne donne pas un programme qui marche : « $said »" >&2
            exit 1
        fi
        say "l'archive se vérifie et son programme répond : $said"
    fi
    rm -rf "$unpacked"
    say "dist/$name.zip"
    cat "dist/$name.zip.sha256"
}

case "${1:-}" in
build) build ;;
prefix) prefix ;;
package) package ;;
*)
    echo "usage : scripts/windows.sh build|prefix|package" >&2
    exit 2
    ;;
esac
