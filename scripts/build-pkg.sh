#!/usr/bin/env bash
# Build the browser package pkg/ from the shared model crate, as two modules (below):
#   cargo (wasm32, profile wasm-release) -> wasm-bindgen (--target web) -> wasm-opt -Oz
# and record the hash of the sources it was built from in pkg/SOURCE_HASH, which CI checks.
#
# Needs: rustup target wasm32-unknown-unknown, wasm-bindgen-cli at the version pinned in
# Cargo.lock, and wasm-opt from the npm package `binaryen` (Debian's binaryen 108 produces a
# module that fails to load). scripts/setup.sh installs all three.
set -euo pipefail
cd "$(dirname "$0")/.."

target_dir="${CARGO_TARGET_DIR:-target}"
wasm_opt="$(npm root -g)/binaryen/bin/wasm-opt"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# One module per feature set, named `out_name`: pkg/<out_name>.js and pkg/<out_name>_bg.wasm.
#   jmvae      WebGPU with the CPU fallback inside (the documented module for embedders)
#   jmvae-cpu  the CPU backend only: a fraction of the bytes, what the page loads first
build_module() {
  local out_name=$1 features=$2
  cargo build --lib --target wasm32-unknown-unknown --profile wasm-release \
    --no-default-features --features "$features"
  local wasm="$target_dir/wasm32-unknown-unknown/wasm-release/jmvae.wasm"
  wasm-bindgen --target web --out-dir "$tmp" --out-name "$out_name" "$wasm"
  "$wasm_opt" -Oz --strip-debug --strip-producers \
    --enable-bulk-memory --enable-nontrapping-float-to-int --enable-sign-ext \
    --enable-reference-types --enable-multivalue --enable-mutable-globals \
    "$tmp/${out_name}_bg.wasm" -o "$tmp/${out_name}_bg.opt.wasm"
  mv "$tmp/${out_name}_bg.opt.wasm" "$tmp/${out_name}_bg.wasm"
}
build_module jmvae-cpu flex
build_module jmvae webgpu,flex
scripts/source-hash.sh > "$tmp/SOURCE_HASH"

# Replace pkg/ only once everything above succeeded.
mkdir -p pkg
rm -f pkg/*.js pkg/*.d.ts pkg/*.wasm pkg/SOURCE_HASH
cp "$tmp"/*.js "$tmp"/*.d.ts "$tmp"/*.wasm "$tmp"/SOURCE_HASH pkg/
ls -l pkg/
