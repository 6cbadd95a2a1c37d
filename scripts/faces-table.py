#!/usr/bin/env python3
"""The README's faces table, plain decoder against JMVAE-GAN decoder, from what the trainer wrote.

usage: scripts/faces-table.py PLAIN_MANIFEST PLAIN_EVAL GAN_MANIFEST GAN_EVAL

Each EVAL is a `jmvae eval --classifier ... --out FILE` report of the MANIFEST beside it (the
test partition). Training time is the manifest's own run; the weights it started from (its
`training.init`) are named below the table.
"""
import json
import os
import sys


def load(path):
    with open(path) as f:
        return json.load(f)


def row(name, manifest_path, eval_path):
    manifest, report = load(manifest_path), load(eval_path)
    realism = report["realism"]
    cells = [
        name,
        f"{report['mean_attribute_accuracy'] * 100:.1f} %",
        f"{report['mean_coherence'] * 100:.1f} %",
        f"{report['read_back'] * 100:.1f} %",
        f"{realism['frechet_classifier_features']:.2f}",
        f"{realism['sharpness_ratio']:.3f}",
        f"{manifest['training']['parameters']:,}",
        f"{manifest['training']['epochs']} epochs, {manifest['training']['seconds'] / 60:.0f} min",
    ]
    return "| " + " | ".join(cells) + " |"


def main():
    if len(sys.argv) != 5:
        sys.exit(__doc__)
    plain, plain_eval, gan, gan_eval = sys.argv[1:]
    report = load(plain_eval)
    print(f"| decoder ({report['examples']} {report['split']} faces, τ = {report['temperature']}) | attributes from images | coherence | read-back | Fréchet distance (classifier features) | sharpness ratio | parameters shipped | training (2 cores) |")
    print("|---|---:|---:|---:|---:|---:|---:|---:|")
    print(row("plain (likelihood only)", plain, plain_eval))
    print(row("JMVAE-GAN", gan, gan_eval))
    for name, path in [("plain", plain), ("JMVAE-GAN", gan)]:
        print(f"\n{name}: `{path}`, started from `{load(path)['training'].get('init') or 'fresh weights'}`")
    print(f"\nmajority baseline {report['mean_majority_baseline'] * 100:.1f} %; the attribute classifier on the real faces {report['mean_classifier_accuracy'] * 100:.1f} %")


if __name__ == "__main__":
    main()
