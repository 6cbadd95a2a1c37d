#!/usr/bin/env python3
"""Write Fashion-MNIST out in the class-folder layout that `jmvae train --dataset folder` reads.

    sudo apt-get install -y dataset-fashion-mnist   # Debian/Ubuntu: the four IDX files
    scripts/fashion-mnist-folders.py OUT            # OUT/{train,test}/CLASS/NNNNN.png
    jmvae train --dataset folder --data OUT --validation 10000 --out runs/fashion

The IDX files are read from --idx (default: where Debian's package puts them); the class
names are Zalando's, with `/` (not allowed in a folder name) written as `_`. Standard
library only: the PNGs are written with zlib. Fashion-MNIST is (c) Zalando SE, MIT licence.
"""

import argparse
import gzip
import os
import struct
import sys
import zlib

CLASSES = ["T-shirt/top", "Trouser", "Pullover", "Dress", "Coat", "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot"]
DEBIAN = "/usr/share/datasets/fashion-mnist"
SPLITS = {"train": "train", "test": "t10k"}


def read_idx(path, magic, dims):
    """The payload of an IDX file of unsigned bytes, checked against its header."""
    opener = gzip.open if path.endswith(".gz") else open
    with opener(path, "rb") as f:
        data = f.read()
    found, = struct.unpack(">I", data[:4])
    if found != magic:
        sys.exit(f"{path}: magic number {found:#x}, expected {magic:#x}: not an IDX file of this kind")
    shape = struct.unpack(">" + "I" * dims, data[4:4 + 4 * dims])
    body = data[4 + 4 * dims:]
    size = 1
    for d in shape:
        size *= d
    if len(body) != size:
        sys.exit(f"{path}: {len(body)} bytes of data for the header's shape {shape}: truncated or corrupt")
    return shape, body


def find(idx, stem):
    """The IDX file `stem`, gzip or raw."""
    for name in (stem + ".gz", stem):
        path = os.path.join(idx, name)
        if os.path.exists(path):
            return path
    sys.exit(f"`{stem}` is not in {idx}: install dataset-fashion-mnist or pass --idx DIR")


def png(width, height, pixels):
    """A grey 8-bit PNG of `pixels` (row-major bytes)."""
    def chunk(kind, data):
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)
    rows = b"".join(b"\x00" + pixels[y * width:(y + 1) * width] for y in range(height))
    header = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(rows, 9)) + chunk(b"IEND", b"")


def write_split(idx, out, split, prefix):
    """Every image of one split as OUT/split/CLASS/NNNNN.png; returns how many."""
    (n, h, w), images = read_idx(find(idx, f"{prefix}-images-idx3-ubyte"), 0x803, 3)
    (m,), labels = read_idx(find(idx, f"{prefix}-labels-idx1-ubyte"), 0x801, 1)
    if n != m:
        sys.exit(f"{prefix}: {n} images but {m} labels")
    folders = [os.path.join(out, split, name.replace("/", "_")) for name in CLASSES]
    for folder in folders:
        os.makedirs(folder, exist_ok=True)
    for i in range(n):
        pixels = images[i * h * w:(i + 1) * h * w]
        with open(os.path.join(folders[labels[i]], f"{i:05d}.png"), "wb") as f:
            f.write(png(w, h, pixels))
    return n


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out", help="the folder to write (OUT/train/CLASS/*.png, OUT/test/CLASS/*.png)")
    parser.add_argument("--idx", default=DEBIAN, help=f"the folder of the four IDX files (default: {DEBIAN})")
    args = parser.parse_args()
    if os.path.exists(args.out) and os.listdir(args.out):
        sys.exit(f"`{args.out}` is not empty; choose a new folder, so that no old images mix in")
    for split, prefix in SPLITS.items():
        count = write_split(args.idx, args.out, split, prefix)
        print(f"{split}: {count} images in {len(CLASSES)} class folders under {os.path.join(args.out, split)}")


if __name__ == "__main__":
    main()
