#!/usr/bin/env bash
# Install what the tests need on a fresh Debian machine with Rust and Node.js:
# Chromium (for the real-browser tests) and the npm packages in package-lock.json.
# With --wasm, also what scripts/build-pkg.sh needs to rebuild pkg/.
set -euo pipefail
cd "$(dirname "$0")/.."

as_root() { if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi; }

if ! command -v chromium >/dev/null; then
  as_root apt-get update -qq
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null
fi
[ -d node_modules/playwright-core ] && [ -d node_modules/axe-core ] && [ -d node_modules/esbuild ] || npm ci --no-audit --no-fund

if [ "${1:-}" = "--wasm" ]; then
  rustup target add wasm32-unknown-unknown
  version=$(grep -A1 '^name = "wasm-bindgen"$' Cargo.lock | sed -n 's/^version = "\(.*\)"/\1/p')
  if [ "$(wasm-bindgen --version 2>/dev/null | cut -d' ' -f2)" != "$version" ]; then
    cargo install wasm-bindgen-cli --version "$version"
  fi
  [ -x "$(npm root -g)/binaryen/bin/wasm-opt" ] || npm install -g binaryen@132
fi
