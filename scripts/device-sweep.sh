#!/usr/bin/env bash
# One prepared run on a lent many-core machine (not part of the build or tests): train the
# comparison models of the README's results table side by side on the CPU backend for a fixed
# wall-clock budget, then evaluate each with K = 1000 on the first 2000 test images.
#
# Usage: scripts/device-sweep.sh BIN DATA CLASSIFIER OUT TRAIN_SECONDS
#   BIN: a jmvae binary built here; DATA: MNIST dir; CLASSIFIER: from `jmvae train-classifier`;
#   OUT: where results go; TRAIN_SECONDS: wall-clock budget of each training.
set -uo pipefail
bin=$1 data=$2 classifier=$3 out=$4 seconds=$5
runs=/tmp/sweep
mkdir -p "$runs" "$out"
nproc; date

common=(--data "$data" --epochs 1000 --warmup 30 --eval-every 10 --eval-k 100 --eval-examples 2000)
train() { # name, extra flags...
  local name=$1; shift
  RAYON_NUM_THREADS=4 timeout "$seconds" "$bin" train "${common[@]}" --out "$runs/$name" "$@" \
    > "$out/$name.log" 2>&1
}
train vae --model vae &
train kl0.01 --alpha 0.01 &
train kl1 --alpha 1 &
train zero --alpha 0 &
wait
date
for name in vae kl0.01 kl1 zero; do
  RAYON_NUM_THREADS=4 timeout 150 "$bin" eval --run "$runs/$name" --data "$data" -k 1000 --limit 2000 \
    --classifier "$classifier" --out "$runs/$name/eval.json" > "$runs/$name/eval.log" 2>&1 &
done
wait
date
for name in vae kl0.01 kl1 zero; do
  cp "$runs/$name/metrics.jsonl" "$out/$name.metrics.jsonl" 2>/dev/null
  cp "$runs/$name/eval.json" "$out/$name.eval.json" 2>/dev/null
done
cd "$out" && tar czf sweep.tgz ./*.jsonl ./*.json ./*.log && rm -f ./*.jsonl ./*.log ./*.json
ls -la "$out"
