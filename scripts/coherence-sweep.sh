#!/usr/bin/env bash
# The coherence levers of issue 8 under one budget: every configuration trains for the same
# epochs on the same 50,000 images (the last 10,000 training images held out for validation),
# keeps its best checkpoint by validation log p(x), and is evaluated on validation only
# (K = 100, 2,000 images; coherence curve with the CNN judge). Resumable: rerun the same
# command after an interruption and finished runs are skipped.
#
#   scripts/coherence-sweep.sh DATA/mnist runs/sweep runs/judge-cnn.bpk [epochs] [lanes]
set -euo pipefail
data=${1:?usage: coherence-sweep.sh DATA OUT JUDGE [epochs] [lanes]}
out=${2:?out directory}
judge=${3:?judge from jmvae train-classifier}
epochs=${4:-20}
lanes=${5:-2}
jmvae=${JMVAE:-target/release/jmvae}
mkdir -p "$out"

# name | flags (each run also gets --warmup 10 unless it sets its own)
configs=(
  "kl0.1|--alpha 0.1"
  "kl0.01|--alpha 0.01"
  "kl0.5|--alpha 0.5"
  "kl1|--alpha 1"
  "zero|--alpha 0"
  "kl0.1-warmup20|--alpha 0.1 --warmup 20"
  "kl0.1-label20|--alpha 0.1 --rescale label=20"
)

one() {
  local name=${1%%|*} flags=${1#*|}
  local run="$out/$name"
  [[ $flags == *--warmup* ]] || flags="$flags --warmup 10"
  local common=(--data "$data" --out "$run" --epochs "$epochs" --validation 10000 --eval-every 5 --eval-k 100 --eval-examples 2000)
  if [ -f "$run/validation.json" ]; then echo "$name: done"; return; fi
  # shellcheck disable=SC2086
  if [ -f "$run/run.json" ]; then
    "$jmvae" train "${common[@]}" $flags --resume >"$run.log" 2>&1 || grep -q "already has" "$run.log"
  else
    "$jmvae" train "${common[@]}" $flags >"$run.log" 2>&1
  fi
  "$jmvae" eval --run "$run" --checkpoint best --split validation --data "$data" -k 100 --limit 2000 \
    --classifier "$judge" --out "$run/validation.json" >>"$run.log" 2>&1
  echo "$name: $(grep -c . "$run/metrics.jsonl") epochs, evaluated"
}

# Each lane runs its share of the configurations one after another, on one thread.
for lane in $(seq 0 $((lanes - 1))); do
  (
    export RAYON_NUM_THREADS=$(( $(nproc) / lanes > 0 ? $(nproc) / lanes : 1 ))
    for i in "${!configs[@]}"; do
      if [ $((i % lanes)) -eq "$lane" ]; then one "${configs[$i]}"; fi
    done
  ) &
done
wait

# One table of every configuration, from the validation reports.
python3 - "$out" "${configs[@]}" <<'PY'
import json, sys, os
out, configs = sys.argv[1], sys.argv[2:]
print("| run | flags | best epoch | log p(x) (val, K=100) | label acc | σ q(z|w) | coherence τ=1 | τ=0.5 | τ=0 | diversity τ=1 | τ=0.5 | chosen τ | coherence there | diversity there |")
print("|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
for c in configs:
    name, flags = c.split("|", 1)
    path = os.path.join(out, name, "validation.json")
    if not os.path.exists(path):
        print(f"| {name} | `{flags}` | not finished |"); continue
    r = json.load(open(path))
    best = json.load(open(os.path.join(out, name, "best", "best.json")))
    curve = {p["temperature"]: p for p in r["coherence_curve"]}
    tau = r["sampling"]["temperature"]
    sel = min(r["selection_curve"], key=lambda p: abs(p["temperature"] - tau))
    lp = r.get("log_px_unimodal_proposal") or r.get("log_px_joint_proposal")
    print(f"| {name} | `{flags}` | {best['epoch']} | {lp:.2f} | {r['label_accuracy']*100:.2f} % | {r['encoder_widths']['label']:.2f} | "
          f"{curve[1.0]['coherence']*100:.1f} % | {curve[0.5]['coherence']*100:.1f} % | {curve[0.0]['coherence']*100:.1f} % | "
          f"{curve[1.0]['diversity']:.2f} | {curve[0.5]['diversity']:.2f} | {tau} | {sel['coherence']*100:.1f} % | {sel['diversity']:.2f} |")
PY
