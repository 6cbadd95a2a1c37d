#!/usr/bin/env bash
# The sha256 of every input of pkg/: the model crate's sources and the Cargo files.
set -euo pipefail
cd "$(dirname "$0")/.."
git ls-files -co --exclude-standard src Cargo.toml Cargo.lock | LC_ALL=C sort \
  | xargs sha256sum | sha256sum | cut -d' ' -f1
