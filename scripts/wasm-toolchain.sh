# Sourced by the build scripts: decides how to compile for wasm32 and defines `wasm_cargo`.
#   rustup:    the wasm32 target's std is installed; plain cargo --target wasm32-unknown-unknown
#   build-std: Debian's rustc-web 1.96 with rust-web-src; std is compiled for wasm by cargo
# The build-std path keeps its own target dir, since it uses a different compiler.
# `wasm_cargo_threads` builds the threaded engine (atomics and bulk memory, so std itself is
# rebuilt with -Zbuild-std, in a target dir of its own); where that cannot be done (rustup
# without the rust-src component) it is not defined, and the page runs single-threaded.

wasm_std_installed() {
    local libdir
    libdir=$(rustc --print target-libdir --target wasm32-unknown-unknown 2>/dev/null) || return 1
    compgen -G "$libdir/libstd-*.rlib" >/dev/null
}

# The threaded build's flags: RUSTFLAGS replaces .cargo/config.toml's, so simd128 is repeated;
# the memory is imported and shared (what wasm-bindgen's thread support and the workers need),
# and the thread-local storage symbols are exported for each worker's start. A shared memory
# must declare its maximum: wasm32's 4 GiB, which the engine's memory checks count against
# (crates/playground-web/src/memory.rs); at 1 GiB a SmolLM2-135M-sized model on WebGPU (1.35 GB
# of wasm memory) trapped while loading instead of opening. A browser that cannot reserve it
# fails to start the threaded engine, and the worker falls back to the single-threaded one.
WASM_THREADS_RUSTFLAGS="-C target-feature=+atomics,+bulk-memory,+simd128 -C link-arg=--shared-memory -C link-arg=--import-memory
    -C link-arg=--max-memory=4294967296 -C link-arg=--export=__wasm_init_tls -C link-arg=--export=__tls_size
    -C link-arg=--export=__tls_align -C link-arg=--export=__tls_base"
WASM_THREADS_TARGET_DIR=target/wasm-threads

# Where std is compiled for wasm (-Zbuild-std), a panic is compiled as a bare trap (the
# immediate-abort panic strategy): no formatting of its message and location, 22 KB of the
# gzipped wasm, and the CPU engine's training step no slower (docs/PERFORMANCE.md, "wasm ≤ 300
# KB"). The page sees a panic as before (RuntimeError: unreachable, the worker replaced:
# web/engine/client.js); only the console loses the panic's message (a build with rustup's
# prebuilt std, or a native test, still shows it). std's `optimize_for_size` feature was
# measured too and is not used: 4 KB less, and a speed this loaded machine could not settle.
# An unstable flag, allowed by RUSTC_BOOTSTRAP.
WASM_STD_FOR_SIZE=(-Zpanic-immediate-abort --config 'profile.release.panic="immediate-abort"')

if wasm_std_installed; then
    WASM_TOOLCHAIN=rustup
    WASM_TARGET_DIR=target
    wasm_cargo() {
        local sub=$1; shift
        cargo "$sub" --target wasm32-unknown-unknown "$@"
    }
    if [ -d "$(rustc --print sysroot)/lib/rustlib/src/rust/library" ]; then
        wasm_cargo_threads() {
            local sub=$1; shift
            RUSTC_BOOTSTRAP=1 RUSTFLAGS="$WASM_THREADS_RUSTFLAGS" CARGO_TARGET_DIR=$WASM_THREADS_TARGET_DIR \
                cargo "$sub" -Zbuild-std=std,panic_abort "${WASM_STD_FOR_SIZE[@]}" --target wasm32-unknown-unknown "$@"
        }
    fi
else
    WASM_TOOLCHAIN=build-std
    WASM_TARGET_DIR=target/wasm
    wasm_cargo() {
        local sub=$1; shift
        # rustc links wasm with `rust-lld`. Debian's rustc-web 1.96.0+dfsg1-1~deb12u2 no longer
        # installs /usr/bin/rust-lld, so a link named so, to lld-22, is kept in target/wasm/bin.
        local lld_dir=$PWD/target/wasm/bin
        if [ ! -x "$lld_dir/rust-lld" ] && command -v lld-22 >/dev/null; then
            mkdir -p "$lld_dir" && ln -sf "$(command -v lld-22)" "$lld_dir/rust-lld"
        fi
        # /usr/bin first: Debian's cargo and cargo-clippy, not rustup's, which lack the std sources
        PATH=/usr/bin:$lld_dir:$PATH RUSTC=/usr/bin/rustc RUSTC_BOOTSTRAP=1 CARGO_TARGET_DIR=target/wasm \
            /usr/bin/cargo "$sub" -Zbuild-std=std,panic_abort "${WASM_STD_FOR_SIZE[@]}" --target wasm32-unknown-unknown "$@"
    }
    wasm_cargo_threads() {
        local sub=$1; shift
        local lld_dir=$PWD/target/wasm/bin
        PATH=/usr/bin:$lld_dir:$PATH RUSTC=/usr/bin/rustc RUSTC_BOOTSTRAP=1 RUSTFLAGS="$WASM_THREADS_RUSTFLAGS" \
            CARGO_TARGET_DIR=$WASM_THREADS_TARGET_DIR /usr/bin/cargo "$sub" -Zbuild-std=std,panic_abort "${WASM_STD_FOR_SIZE[@]}" --target wasm32-unknown-unknown "$@"
    }
fi
export WASM_TOOLCHAIN WASM_TARGET_DIR WASM_THREADS_TARGET_DIR
