#!/usr/bin/env bash
# Every test of the project: the Rust unit and end-to-end tests, the check that pkg/ was
# built from the current sources, and the real-browser tests in headless Chromium.
set -euo pipefail
cd "$(dirname "$0")/.."

scripts/setup.sh
# The fault hooks (trainer/src/fault_injection.rs) are built into the binary the reliability
# tests run; release builds leave them out.
cargo test --release --workspace --features jmvae-trainer/fault-injection

# Every fuzz target for a few seconds from its seed corpus, so that a parser that starts to
# panic shows here (docs/FUZZING.md); skipped with a message where no nightly is installed.
FUZZ_BUILD=quick scripts/fuzz.sh "${JMVAE_FUZZ_SECONDS:-5}"

# pkg/ is committed so the page works from a clone; it must match the sources it claims.
if [ -f pkg/SOURCE_HASH ]; then
  expected=$(cat pkg/SOURCE_HASH)
  actual=$(scripts/source-hash.sh)
  if [ "$expected" != "$actual" ]; then
    echo "pkg/ is stale: built from sources $expected, the tree has $actual; run scripts/build-pkg.sh" >&2
    exit 1
  fi
  echo "pkg/ matches the sources ($actual)"
fi

# The browser must reproduce the native trainer's digits and faces for the shipped weights and
# seed (the faces: two attribute sets, the rows tests/browser/faces-helpers.mjs compares).
reference="$(mktemp -d)"
trap 'rm -rf "$reference"' EXIT
"${CARGO_TARGET_DIR:-target}/release/jmvae" sample --manifest www/models/mnist.json \
  --samples 16 --seed 7 --json "$reference/native-samples.json"
"${CARGO_TARGET_DIR:-target}/release/jmvae" sample --manifest www/models/mnist.json \
  --samples 16 --seed 7 --temperature 0.5 --json "$reference/native-samples-tempered.json"
"${CARGO_TARGET_DIR:-target}/release/jmvae" sample --manifest www/models/celeba-gan.json \
  --attributes "Male,No_Beard,Smiling" --attributes "Eyeglasses,No_Beard,Young" \
  --samples 16 --seed 7 --json "$reference/native-faces.json"
JMVAE_NATIVE_SAMPLES="$reference/native-samples.json" \
JMVAE_NATIVE_SAMPLES_TEMPERED="$reference/native-samples-tempered.json" JMVAE_NATIVE_FACES="$reference/native-faces.json" \
  node --test --test-concurrency=1 tests/browser/
