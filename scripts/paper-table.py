#!/usr/bin/env python3
"""The comparison table of docs/PAPER.md, from the reports the project's own commands wrote.

    scripts/paper-table.py RUNS_DIR

RUNS_DIR holds one run directory per row (as trained by the commands in docs/PAPER.md), and
RUNS_DIR/eval/ the `jmvae eval --out` reports of each row's best checkpoint: ROW-k1000.json
and ROW-k5000.json (MNIST), ROW.json (CelebA); RUNS_DIR/speed.json the samples/s of each row
measured alone. Prints the Markdown tables; nothing here computes a metric of its own, it only
reads and formats.
"""

import json
import sys
from pathlib import Path

# (row directory, name in the table, α shown)
MNIST_ROWS = [
    ("vae", "VAE", "–"),
    ("cvae", "CVAE", "–"),
    ("zero", "JMVAE (α = 0) = JMVAE-zero", "0"),
    ("kl0.01", "JMVAE-kl", "0.01"),
    ("kl0.1", "JMVAE-kl", "0.1"),
    ("kl1", "JMVAE-kl", "1"),
]
CELEBA_ROWS = [("celeba-cvae", "CVAE"), ("celeba-kl1", "JMVAE-kl, α = 1")]


def load(path):
    return json.loads(path.read_text()) if path.exists() else None


def fmt(value, digits=2, percent=False):
    if value is None:
        return "–"
    return f"{value * 100:.{digits}f} %" if percent else f"{value:.{digits}f}"


def best_epoch(run):
    best = load(run / "best" / "best.json")
    return best["epoch"] if best else None


def training(run):
    """Epochs the run trained."""
    records = [json.loads(line) for line in (run / "metrics.jsonl").read_text().splitlines() if line.strip()]
    return records[-1]["epoch"] if records else 0


def log_px(report):
    """log p(x) and its proposal: q(z|x,w) where the model has it (JMVAE), else q(z|x) (the
    VAE); the CVAE's is Σ_w p(x|w) / 10, each p(x|w) proposed by q(z|x,w)."""
    if report.get("log_px_uniform_label") is not None:
        return report["log_px_uniform_label"], "Σ_w q(z|x,w)"
    if report.get("log_px_joint_proposal") is not None:
        return report["log_px_joint_proposal"], "q(z|x,w)"
    return report.get("log_px_unimodal_proposal"), "q(z|x)"


def mnist_table(root, speed):
    out = [
        "| model | α | parameters | epochs (best) | training time | log p(x), K = 1000 | K = 5000 | log p(x\\|w), K = 1000 | K = 5000 | log p(w\\|x), K = 5000 | label accuracy | coherence, τ = 1 |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for name, shown, alpha in MNIST_ROWS:
        run = root / name
        if not run.exists():
            continue
        k1000 = load(root / "eval" / f"{name}-k1000.json") or {}
        k5000 = load(root / "eval" / f"{name}-k5000.json") or {}
        rate = speed.get(name, {})
        params = f"{rate['parameters'] / 1e6:.2f} M" if "parameters" in rate else "–"
        minutes = f"{rate['seconds_for_budget'] / 60:.1f} min" if "seconds_for_budget" in rate else "–"
        cells = [
            shown, alpha, params, f"{training(run)} ({best_epoch(run)})", minutes,
            fmt(log_px(k1000)[0]), fmt(log_px(k5000)[0]),
            fmt(k1000.get("log_px_given_w")), fmt(k5000.get("log_px_given_w")), fmt(k5000.get("log_pw_given_x"), 3),
            fmt(k1000.get("label_accuracy"), 1, True), fmt(k1000.get("coherence"), 1, True),
        ]
        out.append("| " + " | ".join(cells) + " |")
    return "\n".join(out)


def proposals_table(root):
    """Both proposals' log p(x) at both K, for the rows that have q(z|x)."""
    out = [
        "| model | α | q(z\\|x), K = 1000 | K = 5000 | q(z\\|x,w), K = 1000 | K = 5000 |",
        "|---|---:|---:|---:|---:|---:|",
    ]
    for name, shown, alpha in MNIST_ROWS:
        k1000 = load(root / "eval" / f"{name}-k1000.json")
        k5000 = load(root / "eval" / f"{name}-k5000.json")
        if not (k1000 and k5000) or k1000.get("log_px_unimodal_proposal") is None:
            continue
        out.append(
            f"| {shown} | {alpha} | {fmt(k1000['log_px_unimodal_proposal'])} | {fmt(k5000['log_px_unimodal_proposal'])} | "
            f"{fmt(k1000.get('log_px_joint_proposal'))} | {fmt(k5000.get('log_px_joint_proposal'))} |"
        )
    return "\n".join(out)


def celeba_table(root):
    out = [
        "| model | epochs (best) | attribute accuracy from images | majority baseline | coherence (40 attributes), τ = 1 | read-back of requested attributes | diversity ratio |",
        "|---|---:|---:|---:|---:|---:|---:|",
    ]
    for name, shown in CELEBA_ROWS:
        report = load(root / "eval" / f"{name}.json")
        run = root / name
        if report is None:
            continue
        headline = next((p for p in report.get("read_back_curve") or [] if p["temperature"] == report["temperature"]), {})
        out.append(
            f"| {shown} | {training(run)} ({best_epoch(run)}) | {fmt(report.get('mean_attribute_accuracy'), 1, True)} | "
            f"{fmt(report.get('mean_majority_baseline'), 1, True)} | {fmt(report.get('mean_coherence'), 1, True)} | "
            f"{fmt(report.get('read_back'), 1, True)} | {fmt(headline.get('diversity'))} |"
        )
    return "\n".join(out)


def main():
    if len(sys.argv) != 2:
        sys.exit("usage: scripts/paper-table.py RUNS_DIR")
    root = Path(sys.argv[1])
    speed = load(root / "speed.json") or {}
    print(mnist_table(root, speed))
    print()
    print(proposals_table(root))
    print()
    print(celeba_table(root))


if __name__ == "__main__":
    main()
