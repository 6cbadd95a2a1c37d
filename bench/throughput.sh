#!/usr/bin/env bash
# Throughput of our Rust trainer against the PyTorch reference (bench/pytorch_reference.py),
# the same JMVAE-kl network and loss, run back to back on the same data and machine.
#
#   bench/throughput.sh DATA_DIR [EXAMPLES] [EPOCHS]
#
# DATA_DIR holds the MNIST gzip IDX files (train-* and t10k-*; our trainer reads both).
# EXAMPLES (default 10000) training examples per epoch and EPOCHS (default 2) are the same
# for both. Environment:
#   JMVAE_BIN  our trainer (default: target/release/jmvae in this repository)
#   PYTHON     the interpreter with bench/requirements.txt installed (default: python3)
#   THREADS    threads for both sides (default 2): RAYON_NUM_THREADS for ours,
#              torch.set_num_threads for PyTorch
#   RESULTS    the file to append the summary row to (default: bench/results.md)
#
# samples/s is training examples over training seconds, summed over the epochs; each
# epoch's seconds cover its binarisation, shuffle and steps (ours leaves its per-epoch
# test-set ELBO pass outside them). Prints a Markdown table and the ratio rust/pytorch,
# and appends a row to bench/results.md. Use an otherwise idle machine for numbers
# worth keeping: the load average before the run is recorded beside them. With other
# work on the cores, PyTorch's OpenMP threads spin at every barrier and it slows down
# many-fold (OMP_WAIT_POLICY=PASSIVE avoids that, but is not PyTorch's default).
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(dirname "$here")"

if [[ $# -lt 1 || $# -gt 3 ]]; then
    echo "usage: bench/throughput.sh DATA_DIR [EXAMPLES] [EPOCHS]" >&2
    exit 2
fi
data="$(cd "$1" && pwd)"
examples="${2:-10000}"
epochs="${3:-2}"
threads="${THREADS:-2}"
bin="${JMVAE_BIN:-$root/target/release/jmvae}"
python="${PYTHON:-python3}"
results="${RESULTS:-$here/results.md}"

[[ -x "$bin" ]] || { echo "no trainer at $bin (cargo build --release, or set JMVAE_BIN)" >&2; exit 1; }
"$python" -c 'import torch' 2>/dev/null \
    || { echo "$python cannot import torch: $python -m pip install -r bench/requirements.txt" >&2; exit 1; }

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

load_before="$(cut -d' ' -f1 /proc/loadavg)"

# --- ours
echo "rust: $examples examples x $epochs epochs, $threads threads ..." >&2
if ! RAYON_NUM_THREADS="$threads" "$bin" train --data "$data" --out "$work/run" \
        --limit "$examples" --epochs "$epochs" --eval-every 0 >"$work/rust.log" 2>&1; then
    tail -n 20 "$work/rust.log" >&2
    exit 1
fi
# Total examples over total seconds: the harmonic mean of the per-epoch samples/s.
rust="$("$python" - "$work/run/metrics.jsonl" "$examples" <<'EOF'
import json, sys
records = [json.loads(line) for line in open(sys.argv[1]) if line.strip()]
examples = int(sys.argv[2])
seconds = sum(examples / r["samples_per_second"] for r in records)
print(f'{examples * len(records) / seconds:.1f} {seconds:.3f} {records[-1]["train_loss"]:.4f}')
EOF
)"
read -r rust_rate rust_seconds rust_loss <<<"$rust"

# --- PyTorch
echo "pytorch: $examples examples x $epochs epochs, $threads threads ..." >&2
"$python" "$here/pytorch_reference.py" --data "$data" --examples "$examples" --epochs "$epochs" \
    --threads "$threads" >"$work/pytorch.json"
py="$("$python" - "$work/pytorch.json" <<'EOF'
import json, sys
r = json.loads(open(sys.argv[1]).read().strip().splitlines()[-1])
print(r["samples_per_second"], r["seconds"], r["final_loss"], r["torch"])
EOF
)"
read -r py_rate py_seconds py_loss torch_version <<<"$py"

ratio="$(awk -v a="$rust_rate" -v b="$py_rate" 'BEGIN { printf "%.2f", a / b }')"
version="$("$bin" --version 2>/dev/null | awk '{print $NF}' || true)"

# --- report
cat <<EOF
| impl | version | threads | examples x epochs | train seconds | samples/s | last-epoch loss |
| --- | --- | ---: | ---: | ---: | ---: | ---: |
| rust (burn) | jmvae ${version:-?} | $threads | $examples x $epochs | $rust_seconds | $rust_rate | $rust_loss |
| pytorch | torch $torch_version | $threads | $examples x $epochs | $py_seconds | $py_rate | $py_loss |

rust/pytorch samples/s: **$ratio**
EOF

if [[ ! -f "$results" ]]; then
    cat >"$results" <<'EOF'
# Training throughput: Rust/Burn trainer vs PyTorch reference

Written by `bench/throughput.sh` (one row per run). samples/s = training examples over
training seconds (binarisation, shuffle and steps; no evaluation), same data, threads and
machine for both, run back to back. `load` is the 1-minute load average before the run:
rows taken with a busy machine are not comparable.

| date (UTC) | nproc | cpu | load | threads | examples x epochs | rust samples/s | pytorch samples/s | torch | rust/pytorch |
| --- | ---: | --- | ---: | ---: | ---: | ---: | ---: | --- | ---: |
EOF
fi
cpu="$(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ *//; s/|/\//g' || echo '?')"
printf '| %s | %s | %s | %s | %s | %s x %s | %s | %s | %s | %s |\n' \
    "$(date -u +%Y-%m-%dT%H:%MZ)" "$(nproc)" "$cpu" "$load_before" "$threads" "$examples" "$epochs" \
    "$rust_rate" "$py_rate" "$torch_version" "$ratio" >>"$results"
echo "appended to $results" >&2
