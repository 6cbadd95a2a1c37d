#!/usr/bin/env python3
"""Write MNIST digits paired with Fashion-MNIST items of the same class as one metadata.csv.

    scripts/digits-fashion-csv.py OUT --mnist DATA/mnist      # Fashion-MNIST from Debian's package
    jmvae train --dataset folder --data OUT --validation 10000 --out runs/digits-fashion

Three modalities, as MMVAE pairs MNIST with SVHN: every MNIST image of class c (`file_name`)
gets a Fashion-MNIST image of class c (`fashion_file_name`), drawn without replacement within
its split and class by --seed (each item is used about once), and the class (`label`, 0-9).
The split folders (train/, test/) keep each dataset's own: test digits meet test items only.
Standard library only; reads the IDX files as scripts/fashion-mnist-folders.py does.
"""

import argparse
import csv
import importlib.util
import os
import random
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
spec = importlib.util.spec_from_file_location("folders", os.path.join(HERE, "fashion-mnist-folders.py"))
folders = importlib.util.module_from_spec(spec)
spec.loader.exec_module(folders)

SPLITS = {"train": "train", "test": "t10k"}


def read_split(idx, prefix):
    """(images as a list of 28x28 byte strings, labels) of one IDX split."""
    (n, h, w), images = folders.read_idx(folders.find(idx, f"{prefix}-images-idx3-ubyte"), 0x803, 3)
    (m,), labels = folders.read_idx(folders.find(idx, f"{prefix}-labels-idx1-ubyte"), 0x801, 1)
    if n != m:
        sys.exit(f"{idx}/{prefix}: {n} images but {m} labels")
    return [images[i * h * w:(i + 1) * h * w] for i in range(n)], list(labels), (w, h)


def pairing(digit_labels, item_labels, rng):
    """For each digit, the index of an item of its class: each class's items shuffled and dealt in turn."""
    by_class = {}
    for i, c in enumerate(item_labels):
        by_class.setdefault(c, []).append(i)
    for items in by_class.values():
        rng.shuffle(items)
    dealt = {c: 0 for c in by_class}
    chosen = []
    for c in digit_labels:
        if c not in by_class:
            sys.exit(f"no Fashion-MNIST item of class {c}")
        items = by_class[c]
        chosen.append(items[dealt[c] % len(items)])
        dealt[c] += 1
    return chosen


def write_split(out, split, digits, items, rng):
    """OUT/split/{digits,fashion}/NNNNN.png and OUT/split/metadata.csv; returns the row count."""
    digit_images, digit_labels, (w, h) = digits
    item_images, item_labels, _ = items
    base = os.path.join(out, split)
    for folder in ("digits", "fashion"):
        os.makedirs(os.path.join(base, folder), exist_ok=True)
    rows = []
    for i, j in enumerate(pairing(digit_labels, item_labels, rng)):
        digit, item = f"digits/{i:05d}.png", f"fashion/{i:05d}.png"
        with open(os.path.join(base, digit), "wb") as f:
            f.write(folders.png(w, h, digit_images[i]))
        with open(os.path.join(base, item), "wb") as f:
            f.write(folders.png(w, h, item_images[j]))
        rows.append((digit, item, digit_labels[i]))
    temporary = os.path.join(base, "metadata.csv.partial")
    with open(temporary, "w", newline="") as f:
        writer = csv.writer(f)
        writer.writerow(["file_name", "fashion_file_name", "label"])
        writer.writerows(rows)
    os.replace(temporary, os.path.join(base, "metadata.csv"))  # nothing half-written is read as data
    return len(rows)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out", help="the folder to write (OUT/train/metadata.csv, OUT/test/metadata.csv and the images)")
    parser.add_argument("--mnist", required=True, help="the folder of MNIST's four IDX files")
    parser.add_argument("--fashion", default=folders.DEBIAN, help=f"the folder of Fashion-MNIST's four IDX files (default: {folders.DEBIAN})")
    parser.add_argument("--seed", type=int, default=1, help="the draw of the pairs (default 1)")
    args = parser.parse_args()
    rng = random.Random(args.seed)
    for split, prefix in SPLITS.items():
        n = write_split(args.out, split, read_split(args.mnist, prefix), read_split(args.fashion, prefix), rng)
        print(f"{split}: {n} digit-item pairs in {os.path.join(args.out, split, 'metadata.csv')}")


if __name__ == "__main__":
    main()
