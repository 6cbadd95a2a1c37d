#!/usr/bin/env bash
# Build the browser package pkg/ from the shared model crate:
#   cargo (wasm32, profile wasm-release) -> wasm-bindgen (--target web) -> wasm-opt -Oz
# and record the hash of the sources it was built from in pkg/SOURCE_HASH, which CI checks.
#
# Needs: rustup target wasm32-unknown-unknown, wasm-bindgen-cli at the version pinned in
# Cargo.lock, and wasm-opt from the npm package `binaryen` (Debian's binaryen 108 produces a
# module that fails to load). scripts/setup.sh installs all three.
set -euo pipefail
cd "$(dirname "$0")/.."

target_dir="${CARGO_TARGET_DIR:-target}"
cargo build --lib --target wasm32-unknown-unknown --profile wasm-release \
  --no-default-features --features webgpu,flex
wasm="$target_dir/wasm32-unknown-unknown/wasm-release/jmvae.wasm"

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
wasm-bindgen --target web --out-dir "$tmp" --out-name jmvae "$wasm"
wasm_opt="$(npm root -g)/binaryen/bin/wasm-opt"
"$wasm_opt" -Oz --strip-debug --strip-producers \
  --enable-bulk-memory --enable-nontrapping-float-to-int --enable-sign-ext \
  --enable-reference-types --enable-multivalue --enable-mutable-globals \
  "$tmp/jmvae_bg.wasm" -o "$tmp/jmvae_bg.opt.wasm"
mv "$tmp/jmvae_bg.opt.wasm" "$tmp/jmvae_bg.wasm"
scripts/source-hash.sh > "$tmp/SOURCE_HASH"

# Replace pkg/ only once everything above succeeded.
mkdir -p pkg
rm -f pkg/jmvae.js pkg/jmvae.d.ts pkg/jmvae_bg.wasm pkg/jmvae_bg.wasm.d.ts pkg/SOURCE_HASH
cp "$tmp"/jmvae.js "$tmp"/jmvae.d.ts "$tmp"/jmvae_bg.wasm "$tmp"/jmvae_bg.wasm.d.ts "$tmp"/SOURCE_HASH pkg/
ls -l pkg/
