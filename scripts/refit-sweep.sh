#!/usr/bin/env bash
# Refit the label encoder q(z|w) of a trained model to the model's own posterior
# p(z|w) ∝ p(w|z)^λ p(z), every other network fixed (`jmvae train --refit label`), for several
# λ; evaluate each on validation only (the CNN judge's coherence curve and the chosen
# temperature). The likelihoods and the label accuracy cannot move: only q(z|w) trains.
#
#   scripts/refit-sweep.sh MANIFEST DATA/mnist OUT JUDGE [epochs] [λ ...]
#   DATASET=celeba MODALITY=attributes scripts/refit-sweep.sh MANIFEST DATA/celeba OUT JUDGE ...
#   (faces: the attribute encoder q(z|w), CelebA's validation partition)
set -euo pipefail
dataset=${DATASET:-mnist} modality=${MODALITY:-label}
manifest=${1:?usage: refit-sweep.sh MANIFEST DATA OUT JUDGE [epochs] [lambda...]}
data=${2:?data} out=${3:?out} judge=${4:?judge}
epochs=${5:-5}
shift $(( $# < 5 ? $# : 5 ))
lambdas=("${@:-1 2 3 5}")
[ $# -gt 0 ] || lambdas=(1 2 3 5)
jmvae=${JMVAE:-target/release/jmvae}
mkdir -p "$out"
for lambda in "${lambdas[@]}"; do
  run="$out/$modality-x$lambda"
  if [ ! -f "$run/validation.json" ]; then
    [ -f "$run/run.json" ] && resume=--resume || resume=
    alpha=$(python3 -c "import json,sys; print(json.load(open(sys.argv[1]))['training']['alpha'])" "$manifest")
    batch=$(python3 -c "import json,sys; print(json.load(open(sys.argv[1]))['training']['batch'])" "$manifest")
    "$jmvae" train --dataset "$dataset" --data "$data" --init "$manifest" --refit "$modality" --rescale "$modality=$lambda" \
      --alpha "$alpha" --batch "$batch" --epochs "$epochs" --validation 10000 --eval-every 1 --eval-k 10 --eval-examples 500 \
      --out "$run" $resume >"$run.log" 2>&1 || grep -q "already has" "$run.log"
    # -k 1 and 500 images: the likelihoods are those of the fixed networks; this report is for
    # the coherence curve and the temperature, which use 1000 (500) digits per label.
    "$jmvae" eval --run "$run" --checkpoint best --split validation --data "$data" -k 1 --limit 500 \
      --classifier "$judge" --out "$run/validation.json" >>"$run.log" 2>&1
  fi
  python3 - "$run/validation.json" "$lambda" <<'PY'
import json, sys
r, lam = json.load(open(sys.argv[1])), sys.argv[2]
if "read_back_curve" in r:  # faces
    c = {p["temperature"]: p for p in r["read_back_curve"]}
    tau = r["sampling"]["temperature"]
    sel = min(r["selection_curve"], key=lambda p: abs(p["temperature"] - tau))
    print(f"| λ = {lam} | " + " | ".join(f"{c[t]['read_back']*100:.1f} % / {c[t]['diversity']:.2f}" for t in (0.0, 0.5, 1.0))
          + f" | {tau} | {sel['read_back']*100:.1f} % / {sel['diversity']:.2f} | {r['mean_attribute_accuracy']*100:.1f} % |")
    sys.exit()
c = {p["temperature"]: p for p in r["coherence_curve"]}
tau = r["sampling"]["temperature"]
sel = min(r["selection_curve"], key=lambda p: abs(p["temperature"] - tau))
print(f"| λ = {lam} | {r['encoder_widths']['label']:.3f} | " + " | ".join(f"{c[t]['coherence']*100:.1f} % / {c[t]['diversity']:.2f}" for t in (0.5, 0.75, 1.0))
      + f" | {tau} | {sel['coherence']*100:.1f} % / {sel['diversity']:.2f} |")
PY
done
