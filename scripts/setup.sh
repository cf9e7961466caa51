#!/usr/bin/env bash
# Installs what building (mode "serve") or testing (mode "test") needs and is missing, and
# nothing else. Idempotent: when everything is present it only checks, in seconds.
#   serve: wasm toolchain (rustup's wasm32 target, or Debian's rustc-web + std sources + lld),
#          the wasm-bindgen CLI at the Cargo.lock version, npm packages from package-lock.json
#   test:  the same, plus Mesa lavapipe (GPU tests on the CPU), the test browsers (Chromium;
#          Firefox ESR; WebKitGTK's WebDriver and MiniBrowser, with Xvfb as a display), fonts
#          for the scripts the text tests type (CJK, Devanagari, colour emoji), Debian's clippy
#          for the wasm target, and a Python venv with PyTorch (parity checks)
set -euo pipefail
cd "$(dirname "$0")/.."
mode=${1:-serve}
case "$mode" in serve|test) ;; *) echo "usage: $0 serve|test" >&2; exit 2 ;; esac

say() { echo "==> $*"; }
source scripts/wasm-toolchain.sh

# --- Debian packages -------------------------------------------------------------------------
packages=()
if command -v dpkg >/dev/null; then
    need_pkg() { dpkg -s "$1" >/dev/null 2>&1 || packages+=("$1"); }
elif [ "$WASM_TOOLCHAIN" = build-std ]; then
    echo "No wasm32 standard library: run  rustup target add wasm32-unknown-unknown" >&2
    exit 1
else
    need_pkg() { :; } # not Debian: Chromium and a Vulkan driver are the user's to provide
fi
if [ "$WASM_TOOLCHAIN" = build-std ]; then
    # no wasm32 std from rustup here: Debian's compiler builds it from source
    for p in rustc-web cargo-web rust-web-src lld-22; do need_pkg "$p"; done
    [ "$mode" = test ] && need_pkg rust-web-clippy
fi
if [ "$mode" = test ]; then
    need_pkg mesa-vulkan-drivers
    for p in chromium firefox-esr webkit2gtk-driver xvfb; do need_pkg "$p"; done
    for p in fonts-droid-fallback fonts-lohit-deva fonts-noto-color-emoji; do need_pkg "$p"; done
fi
if [ ${#packages[@]} -gt 0 ]; then
    say "installing Debian packages: ${packages[*]}"
    if [ "$(id -u)" = 0 ]; then sudo=(); elif command -v sudo >/dev/null; then sudo=(sudo); else
        echo "Missing packages: ${packages[*]}. Install them as root (apt-get install ${packages[*]})," >&2
        echo "or, for the wasm toolchain, run: rustup target add wasm32-unknown-unknown" >&2
        exit 1
    fi
    "${sudo[@]}" apt-get update -qq
    DEBIAN_FRONTEND=noninteractive "${sudo[@]}" apt-get install -y -qq --no-install-recommends "${packages[@]}" >/dev/null
    source scripts/wasm-toolchain.sh
fi

# --- wasm-bindgen CLI, exactly the version of the crate in Cargo.lock ------------------------
want=$(awk '/^name = "wasm-bindgen"$/ { getline; gsub(/"/, "", $3); print $3 }' Cargo.lock)
have=$(wasm-bindgen --version 2>/dev/null | awk '{print $2}' || true)
if [ "$have" != "$want" ]; then
    say "installing wasm-bindgen-cli $want (found: ${have:-none}); takes a few minutes once"
    # no --locked: the registry mirror lacks one version pinned in the CLI's own lock file
    cargo install -q wasm-bindgen-cli --version "$want"
fi

# --- npm packages from the lock file ---------------------------------------------------------
if ! cmp -s package-lock.json node_modules/.installed-from-lock 2>/dev/null; then
    say "installing npm packages from package-lock.json"
    npm ci --no-audit --no-fund --loglevel=error
    cp package-lock.json node_modules/.installed-from-lock
fi

# --- Python for the PyTorch parity checks ----------------------------------------------------
if [ "$mode" = test ]; then
    venv=build/venv
    if ! cmp -s scripts/requirements-parity.txt "$venv/.requirements" 2>/dev/null; then
        say "installing PyTorch into $venv (once; a large download)"
        python3 -m venv "$venv"
        "$venv/bin/pip" install -q --disable-pip-version-check -r scripts/requirements-parity.txt
        cp scripts/requirements-parity.txt "$venv/.requirements"
    fi
fi
say "set-up complete ($mode; wasm toolchain: $WASM_TOOLCHAIN)"
