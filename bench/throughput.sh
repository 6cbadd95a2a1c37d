#!/usr/bin/env bash
# Throughput of our Rust trainer against its PyTorch twin, the same JMVAE-kl network and loss,
# run in alternating pairs (ours, theirs, ours, theirs, ...) on the same data and machine.
#
#   bench/throughput.sh DATA_DIR [EXAMPLES] [EPOCHS]
#
# DATA_DIR holds MNIST's gzip IDX files (train-* and t10k-*), or with DATASET=celeba the CelebA
# folder (our `--data` for `--dataset celeba`). EXAMPLES (default 10000 for MNIST, 2000 for
# faces) training examples per epoch and EPOCHS (default 2; 1 for faces) are the same for both.
# Environment:
#   DATASET    mnist (default; twin bench/pytorch_reference.py) or celeba (bench/pytorch_faces.py)
#   PAIRS      alternating pairs of runs (default 3); the ratio reported is the median of the
#              pairs' ratios, with the lowest and highest beside it
#   JMVAE_BIN  our trainer (default: target/release/jmvae in this repository)
#   PYTHON     the interpreter with bench/requirements.txt installed (default: python3)
#   THREADS    threads for both sides (default 2): RAYON_NUM_THREADS for ours,
#              torch.set_num_threads for PyTorch
#   RESULTS    the file to append the summary row to (default: bench/results.md)
#   LABEL      what the row calls our trainer (default: `jmvae VERSION` from its --version)
#
# samples/s is training examples over training seconds, summed over the epochs; each epoch's
# seconds cover its data preparation (MNIST: binarisation), shuffle and steps, on both sides
# (ours leaves its per-epoch ELBO pass outside them). The faces twin reads the faces from our
# trainer's CelebA cache, which our first run writes, so both train on the same pixels. Use an
# otherwise idle machine for numbers worth keeping: the load average before the run is recorded
# beside them. With other work on the cores, PyTorch's OpenMP threads spin at every barrier and
# it slows down many-fold (OMP_WAIT_POLICY=PASSIVE avoids that, but is not PyTorch's default).
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(dirname "$here")"

if [[ $# -lt 1 || $# -gt 3 ]]; then
    echo "usage: [DATASET=mnist|celeba] [PAIRS=3] bench/throughput.sh DATA_DIR [EXAMPLES] [EPOCHS]" >&2
    exit 2
fi
dataset="${DATASET:-mnist}"
case "$dataset" in
    mnist) twin="$here/pytorch_reference.py"; default_examples=10000; default_epochs=2; ours_flags=() ;;
    celeba) twin="$here/pytorch_faces.py"; default_examples=2000; default_epochs=1; ours_flags=(--dataset celeba) ;;
    *) echo "DATASET must be mnist or celeba, got \`$dataset\`" >&2; exit 2 ;;
esac
data="$(cd "$1" && pwd)"
examples="${2:-$default_examples}"
epochs="${3:-$default_epochs}"
pairs="${PAIRS:-3}"
threads="${THREADS:-2}"
bin="${JMVAE_BIN:-$root/target/release/jmvae}"
python="${PYTHON:-python3}"
results="${RESULTS:-$here/results.md}"

[[ "$pairs" =~ ^[1-9][0-9]*$ ]] || { echo "PAIRS must be a positive whole number, got \`$pairs\`" >&2; exit 2; }
[[ -x "$bin" ]] || { echo "no trainer at $bin (cargo build --release, or set JMVAE_BIN)" >&2; exit 1; }
"$python" -c 'import torch' 2>/dev/null \
    || { echo "$python cannot import torch: $python -m pip install -r bench/requirements.txt" >&2; exit 1; }

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

load_before="$(cut -d' ' -f1 /proc/loadavg)"

# One run of ours: "samples/s seconds last-epoch-loss". Total examples over total seconds,
# the harmonic mean of the per-epoch samples/s.
ours() {
    rm -rf "$work/run"
    if ! RAYON_NUM_THREADS="$threads" "$bin" train "${ours_flags[@]}" --data "$data" --out "$work/run" \
            --limit "$examples" --epochs "$epochs" --eval-every 0 >"$work/rust.log" 2>&1; then
        tail -n 20 "$work/rust.log" >&2
        exit 1
    fi
    "$python" - "$work/run/metrics.jsonl" "$examples" <<'EOF'
import json, sys
records = [json.loads(line) for line in open(sys.argv[1]) if line.strip()]
examples = int(sys.argv[2])
seconds = sum(examples / r["samples_per_second"] for r in records)
print(f'{examples * len(records) / seconds:.1f} {seconds:.3f} {records[-1]["train_loss"]:.4f}')
EOF
}

# One run of the twin: "samples/s seconds last-epoch-loss torch-version".
theirs() {
    "$python" "$twin" --data "$data" --examples "$examples" --epochs "$epochs" --threads "$threads" >"$work/pytorch.json"
    "$python" - "$work/pytorch.json" <<'EOF'
import json, sys
r = json.loads(open(sys.argv[1]).read().strip().splitlines()[-1])
print(r["samples_per_second"], r["seconds"], r["final_loss"], r["torch"])
EOF
}

version="$("$bin" --version 2>/dev/null | awk '{print $NF}' || true)"
label="${LABEL:-jmvae ${version:-?}}"
echo "| pair | impl | version | threads | examples x epochs | train seconds | samples/s | last-epoch loss |"
echo "| ---: | --- | --- | ---: | ---: | ---: | ---: | ---: |"
ratios=() rust_rates=() py_rates=()
for pair in $(seq "$pairs"); do
    echo "pair $pair/$pairs: rust then pytorch, $dataset, $examples examples x $epochs epochs, $threads threads ..." >&2
    # A failed run stops the script here: `exit` inside $(...) leaves only its subshell.
    ours_result="$(ours)" || exit 1
    theirs_result="$(theirs)" || exit 1
    read -r rust_rate rust_seconds rust_loss <<<"$ours_result"
    read -r py_rate py_seconds py_loss torch_version <<<"$theirs_result"
    echo "| $pair | rust (burn) | $label | $threads | $examples x $epochs | $rust_seconds | $rust_rate | $rust_loss |"
    echo "| $pair | pytorch | torch $torch_version | $threads | $examples x $epochs | $py_seconds | $py_rate | $py_loss |"
    ratios+=("$(awk -v a="$rust_rate" -v b="$py_rate" 'BEGIN { printf "%.3f", a / b }')")
    rust_rates+=("$rust_rate") py_rates+=("$py_rate")
done

# The median (the mean of the middle two for an even count), and the range.
median() { printf '%s\n' "$@" | sort -g | awk '{ v[NR] = $1 } END { printf "%.2f", (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }
lowest() { printf '%s\n' "$@" | sort -g | head -n1; }
highest() { printf '%s\n' "$@" | sort -g | tail -n1; }
ratio="$(median "${ratios[@]}")"
spread="$(printf '%.2f–%.2f' "$(lowest "${ratios[@]}")" "$(highest "${ratios[@]}")")"
rust_median="$(median "${rust_rates[@]}")"
py_median="$(median "${py_rates[@]}")"
echo
echo "rust/pytorch samples/s, median of $pairs pairs: **$ratio** (pairs: ${ratios[*]})"

if [[ ! -f "$results" ]]; then
    cat >"$results" <<'EOF'
# Training throughput: Rust/Burn trainer vs its PyTorch twin

Written by `bench/throughput.sh` (one row per run of it). samples/s = training examples over
training seconds (data preparation, shuffle and steps; no evaluation), same data, threads and
machine for both, in alternating pairs; the ratio is the median of the pairs' ratios, with
their range. `load` is the 1-minute load average before the run: rows taken with a busy
machine are not comparable.

EOF
fi
if ! grep -q '^## Alternating pairs' "$results"; then
    cat >>"$results" <<'EOF'
## Alternating pairs

| date (UTC) | dataset | trainer | nproc | cpu | load | threads | examples x epochs | pairs | rust samples/s (median) | pytorch samples/s (median) | torch | rust/pytorch (median) | range |
| --- | --- | --- | ---: | --- | ---: | ---: | ---: | ---: | ---: | ---: | --- | ---: | --- |
EOF
fi
cpu="$(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ *//; s/|/\//g' || echo '?')"
printf '| %s | %s | %s | %s | %s | %s | %s | %s x %s | %s | %s | %s | %s | %s | %s |\n' \
    "$(date -u +%Y-%m-%dT%H:%MZ)" "$dataset" "$label" "$(nproc)" "$cpu" "$load_before" "$threads" "$examples" "$epochs" "$pairs" \
    "$rust_median" "$py_median" "$torch_version" "$ratio" "$spread" >>"$results"
echo "appended to $results" >&2
