#!/usr/bin/env bash
# The training-time column of docs/PAPER.md: each MNIST row's samples/s measured alone (one
# epoch of 10,000 examples, no monitor), and its parameter count from an export of its best
# checkpoint, written to RUNS/speed.json for scripts/paper-table.py.
#
#   scripts/paper-speed.sh DATA_DIR RUNS        (e.g. DATA/mnist runs/paper14)
#
# JMVAE_BIN: the trainer (default target/release/jmvae). Use an otherwise idle machine.
set -euo pipefail
[[ $# -eq 2 ]] || { echo "usage: scripts/paper-speed.sh DATA_DIR RUNS" >&2; exit 2; }
data=$1 runs=$2
bin="${JMVAE_BIN:-target/release/jmvae}"
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
declare -A flags=([vae]="--model vae" [cvae]="--model cvae" [zero]="--alpha 0" [kl0.01]="--alpha 0.01" [kl0.1]="--alpha 0.1" [kl1]="--alpha 1")
rows=()
for row in vae cvae zero kl0.01 kl0.1 kl1; do
  "$bin" train --data "$data" --validation 10000 --limit 10000 --epochs 1 --eval-every 0 --seed 1 \
    ${flags[$row]} --out "$tmp/$row" > /dev/null 2>&1
  "$bin" export --run "$runs/$row" --checkpoint best --out "$tmp/$row.json" > /dev/null
  rows+=("$(python3 - "$row" "$tmp/$row/metrics.jsonl" "$tmp/$row.json" <<'PY'
import json, sys
row, metrics, manifest = sys.argv[1:]
rate = json.loads(open(metrics).readline())["samples_per_second"]
params = json.load(open(manifest))["training"]["parameters"]
# The table's budget: 20 epochs of 50,000 examples.
print(json.dumps(row) + ": " + json.dumps({"samples_per_second": rate, "parameters": params, "seconds_for_budget": 20 * 50000 / rate}))
PY
)")
done
(IFS=,; echo "{${rows[*]}}") | python3 -m json.tool > "$tmp/speed.json"
mv "$tmp/speed.json" "$runs/speed.json"
cat "$runs/speed.json"
