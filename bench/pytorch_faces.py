#!/usr/bin/env python3
"""Reference PyTorch trainer of the faces model, for the throughput comparison on CelebA.

The same network and loss as our `jmvae train --dataset celeba`: JMVAE-kl (alpha = 0.1,
beta = 1: no warm-up) on 64x64 colour faces x (3x64x64 intensities in [0, 1]) and CelebA's
40 binary attributes w, z = 64, Adam (lr 1e-3, eps 1e-5 as Burn's AdamConfig), batch 100,
float32, one z sample per example. The networks follow `ModelConfig::celeba`:

- image networks: four 4x4 convolutions, stride 2, padding 1, 3-32-32-64-64 channels (64x64
  down to a 64x4x4 map), flattened channel-first, then a 1024-256 dense layer; a ReLU after
  each; no batch norm. The joint encoder's image branch and q(z|x) each have their own.
- attribute networks: 40-256 (joint branch), 40-256-256 (q(z|w)); ReLU.
- joint encoder q(z|x,w): the branches concatenated (image first), a 512-256 ReLU layer,
  then linear heads for the mean and the log-variance (256-64 each); q(z|x), q(z|w) the same
  heads on their own stacks.
- image decoder p(x|z): 64-256 ReLU, a linear projection 256-1024 reshaped to 64x4x4, then
  four 4x4 transposed convolutions, stride 2, padding 1, 64-64-32-32-3, each preceded by a
  ReLU (the projection's output included) and the last one giving the logits.
- attribute decoder p(w|z): 64-256-256 ReLU, then a linear 256-40 to the logits.

Likelihoods: the image is Gaussian with a fixed sigma = 0.2 around sigmoid(logits), with
its constant: log p(x|z) = -sum (x - sigmoid(l))^2 / (2 sigma^2) - D (log sigma + log(2 pi)/2),
D = 12288; the attributes are 40 independent Bernoullis on the logits.

The pixels are our trainer's own: this script reads the CelebA cache file that `jmvae train
--dataset celeba` writes (trainer/src/celeba/cache.rs: magic `JMVCELB1`, a u64 little-endian
header length, a JSON header, then the faces as channel-first RGB bytes), located by the same
sha256 key our loader computes, so both sides train on identical faces in the same order
(the training partition's faces whose JPEG is present, in attribute-file order, the first N).
Run our trainer once on the same --data (and --cache) first; without the cache file this
script stops and says so. The attributes come from list_attr_celeba.txt (-1 -> 0, 1 -> 1).

Timing covers each epoch's shuffle and training steps, as our trainer's epoch does (for the
faces an epoch draws nothing else: no flip unless --flip, which the benchmark leaves off):
each step turns the batch's bytes into float intensities, draws the noise, computes the loss
and the terms' batch means, reads them back, and takes an Adam step. Reading the cache and
building the model are outside it.

Prints one JSON line:
{"impl": "pytorch", "torch": ..., "threads": ..., "examples_per_epoch": ...,
 "epochs": ..., "seconds": ..., "samples_per_second": ..., "final_loss": ...}
where final_loss is the mean training loss over the last epoch (our metrics.jsonl's
train_loss). With --params it prints the parameter count (and per network) and exits.
"""

import argparse
import hashlib
import json
import math
import os
import struct
import sys
import time
from pathlib import Path

import torch
import torch.nn.functional as F
from torch import nn

from twin_parts import (
    ALPHA, BATCH, BETA, LATENT, LEARNING_RATE, GaussianHead, adam, bernoulli_log_likelihood, kl_between,
    kl_to_prior, print_result, relu_stack,
)

SIDE = 64
CHANNELS = 3
IMAGE_BYTES = CHANNELS * SIDE * SIDE
ATTRIBUTES = 40  # CelebA's; the model takes its width from the attribute file
CONV_CHANNELS = (32, 32, 64, 64)  # encoders, input side first
DECONV_CHANNELS = (64, 64, 32, 32)  # image decoder, smallest map first; then 3
IMAGE_HIDDEN = 256
ATTRIBUTE_HIDDEN = 256
JOINT_HIDDEN = 256
# The f32 the config stores, widened as Rust's `modality.sigma as f64` does.
SIGMA = struct.unpack("<f", struct.pack("<f", 0.2))[0]
LOG_2PI = math.log(2.0 * math.pi)

# ---------------------------------------------------------------- data

ATTRIBUTE_FILE = "list_attr_celeba.txt"
PARTITION_FILE = "list_eval_partition.txt"
IMAGE_DIR = "img_align_celeba"
CACHE_MAGIC = b"JMVCELB1"
# trainer/src/celeba/cache.rs's CACHE_FORMAT (the Rust literal continues its line with `\`).
CACHE_FORMAT = (
    "jmvae celeba cache v1: centred square crop 140/178 of the width, "
    "Triangle resize to 64x64, RGB u8 channel-first"
)
CROP_FIELD = "crop 140/178, side 64"
TRAIN = "train"


def default_cache_dir() -> Path | None:
    """Our trainer's default: $JMVAE_CACHE, else $XDG_CACHE_HOME/jmvae or ~/.cache/jmvae."""
    if os.environ.get("JMVAE_CACHE"):
        return Path(os.environ["JMVAE_CACHE"])
    base = os.environ.get("XDG_CACHE_HOME")
    if base:
        return Path(base) / "jmvae"
    home = os.environ.get("HOME")
    return Path(home) / ".cache" / "jmvae" if home else None


def read_attributes(data: Path) -> tuple[bytes, list[str], list[str], dict[str, list[int]]]:
    """The attribute file's bytes, its names, its ids in order and each id's 0/1 values."""
    raw = (data / ATTRIBUTE_FILE).read_bytes()
    lines = raw.decode("utf-8").splitlines()
    names = lines[1].split()
    ids, values = [], {}
    for line in lines[2:]:
        fields = line.split()
        if not fields:
            continue
        if len(fields) != len(names) + 1:
            raise ValueError(f"{ATTRIBUTE_FILE}: row `{fields[0]}` has {len(fields) - 1} values for {len(names)} names")
        ids.append(fields[0])
        values[fields[0]] = [1 if v == "1" else 0 for v in fields[1:]]
    return raw, names, ids, values


def train_ids_present(data: Path, ids: list[str]) -> list[tuple[str, int]]:
    """The training partition's ids whose image exists, in attribute-file order, with sizes."""
    partition = {}
    for line in (data / PARTITION_FILE).read_text().splitlines():
        fields = line.split()
        if fields:
            partition[fields[0]] = fields[1]
    present = []
    for image_id in ids:
        if partition[image_id] != "0":
            continue
        try:
            present.append((image_id, os.stat(data / IMAGE_DIR / image_id).st_size))
        except FileNotFoundError:
            pass
    return present


def cache_key(attribute_bytes: bytes, present: list[tuple[str, int]]) -> str:
    """trainer/src/celeba/cache.rs's cache_key: sha256 over length-prefixed fields."""
    digest = hashlib.sha256()

    def field(value: bytes):
        digest.update(struct.pack("<Q", len(value)))
        digest.update(value)

    field(CACHE_FORMAT.encode())
    field(CROP_FIELD.encode())
    field(attribute_bytes)
    field(TRAIN.encode())
    for image_id, size in present:
        field(image_id.encode())
        field(struct.pack("<Q", size))
    return digest.hexdigest()


def load_training_set(data: Path, cache_dir: Path | None, examples: int) -> tuple[torch.Tensor, torch.Tensor]:
    """The first `examples` training faces as uint8 [N, 12288] (channel-first) and their
    attributes as uint8 [N, 40], read from our trainer's cache file."""
    attribute_bytes, names, ids, values = read_attributes(data)
    present = train_ids_present(data, ids)
    key = cache_key(attribute_bytes, present)
    if cache_dir is None:
        raise SystemExit("no cache directory: pass --cache (our trainer's --cache) or set HOME")
    path = cache_dir / f"celeba-{TRAIN}-{key[:16]}.bin"
    if not path.is_file():
        raise SystemExit(
            f"no cache file `{path}` for these faces: run our trainer once on them first, e.g.\n"
            f"  jmvae train --dataset celeba --data {data} --cache {cache_dir} --limit 1 --epochs 1 "
            f"--eval-every 0 --out /tmp/jmvae-cache-run"
        )
    with open(path, "rb") as f:
        if f.read(8) != CACHE_MAGIC:
            raise ValueError(f"{path}: not a jmvae CelebA cache (wrong magic number)")
        (header_len,) = struct.unpack("<Q", f.read(8))
        header = json.loads(f.read(header_len))
        if header["format"] != CACHE_FORMAT or header["key"] != key:
            raise ValueError(f"{path}: its format or key does not match this script's (trainer changed?)")
        cached = header["ids"]
        expected = 16 + header_len + len(cached) * IMAGE_BYTES
        if os.fstat(f.fileno()).st_size != expected:
            raise ValueError(f"{path}: truncated")
        if examples > len(cached):
            raise ValueError(f"asked for {examples} examples, the cache has {len(cached)} training faces")
        pixels = bytearray(f.read(examples * IMAGE_BYTES))
    images = torch.frombuffer(pixels, dtype=torch.uint8).reshape(examples, IMAGE_BYTES)
    attributes = torch.tensor([values[i] for i in cached[:examples]], dtype=torch.uint8)
    if attributes.shape[1] != len(names):
        raise ValueError("attribute rows and names disagree")
    return images, attributes


# ---------------------------------------------------------------- model


class ImageFeatures(nn.Module):
    """Strided 4x4 convolutions (each halving the map), flattened, then a dense layer; a
    ReLU after each (network.rs's Mlp for a `conv` config)."""

    def __init__(self):
        super().__init__()
        depths = (CHANNELS,) + CONV_CHANNELS
        self.convs = nn.ModuleList(nn.Conv2d(a, b, 4, stride=2, padding=1) for a, b in zip(depths, depths[1:]))
        flat = CONV_CHANNELS[-1] * (SIDE >> len(CONV_CHANNELS)) ** 2
        self.dense = relu_stack(flat, IMAGE_HIDDEN)

    def forward(self, x):
        h = x.reshape(-1, CHANNELS, SIDE, SIDE)
        for conv in self.convs:
            h = F.relu(conv(h))
        return self.dense(h.flatten(1))


class JointEncoder(nn.Module):
    """q(z|x,w): one branch per modality, concatenated (image first), a shared layer, a head."""

    def __init__(self, attributes: int):
        super().__init__()
        self.x_branch = ImageFeatures()
        self.w_branch = relu_stack(attributes, ATTRIBUTE_HIDDEN)
        self.trunk = relu_stack(IMAGE_HIDDEN + ATTRIBUTE_HIDDEN, JOINT_HIDDEN)
        self.head = GaussianHead(JOINT_HIDDEN, LATENT)

    def forward(self, x, w):
        return self.head(self.trunk(torch.cat([self.x_branch(x), self.w_branch(w)], dim=1)))


class UnimodalEncoder(nn.Module):
    def __init__(self, body: nn.Module, width: int):
        super().__init__()
        self.body = body
        self.head = GaussianHead(width, LATENT)

    def forward(self, m):
        return self.head(self.body(m))


class ImageDecoder(nn.Module):
    """p(x|z): a dense layer, a projection to a 64x4x4 map, then transposed convolutions that
    double it up to 3x64x64, a ReLU before each (model.rs's Decoder + network.rs's Upsampler)."""

    def __init__(self):
        super().__init__()
        self.trunk = relu_stack(LATENT, IMAGE_HIDDEN)
        self.seed = (DECONV_CHANNELS[0], SIDE >> len(DECONV_CHANNELS), SIDE >> len(DECONV_CHANNELS))
        self.project = nn.Linear(IMAGE_HIDDEN, math.prod(self.seed))
        depths = DECONV_CHANNELS + (CHANNELS,)
        self.deconvs = nn.ModuleList(
            nn.ConvTranspose2d(a, b, 4, stride=2, padding=1) for a, b in zip(depths, depths[1:])
        )

    def forward(self, z):
        h = self.project(self.trunk(z)).reshape(-1, *self.seed)
        for deconv in self.deconvs:
            h = deconv(F.relu(h))
        return h.flatten(1)  # logits, channel-first


class FacesJmvae(nn.Module):
    def __init__(self, attributes: int = ATTRIBUTES):
        super().__init__()
        self.joint = JointEncoder(attributes)
        self.encode_x = UnimodalEncoder(ImageFeatures(), IMAGE_HIDDEN)
        self.encode_w = UnimodalEncoder(relu_stack(attributes, ATTRIBUTE_HIDDEN, ATTRIBUTE_HIDDEN), ATTRIBUTE_HIDDEN)
        self.decode_x = ImageDecoder()
        self.decode_w = nn.Sequential(relu_stack(LATENT, ATTRIBUTE_HIDDEN, ATTRIBUTE_HIDDEN), nn.Linear(ATTRIBUTE_HIDDEN, attributes))


def count(module: nn.Module) -> int:
    return sum(p.numel() for p in module.parameters())


def expected_parameters(attributes: int) -> int:
    """The count src/model.rs's test derives from the config, term by term."""
    linear = lambda i, o: i * o + o  # noqa: E731
    conv = lambda i, o: i * o * 16 + o  # noqa: E731
    convs = conv(3, 32) + conv(32, 32) + conv(32, 64) + conv(64, 64)
    image_encoder = convs + linear(1024, 256)
    joint = image_encoder + linear(attributes, 256) + linear(512, 256) + 2 * linear(256, 64)
    uni_x = image_encoder + 2 * linear(256, 64)
    uni_w = linear(attributes, 256) + linear(256, 256) + 2 * linear(256, 64)
    dec_x = linear(64, 256) + linear(256, 1024) + conv(64, 64) + conv(64, 32) + conv(32, 32) + conv(32, 3)
    dec_w = linear(64, 256) + linear(256, 256) + linear(256, attributes)
    return joint + uni_x + uni_w + dec_x + dec_w


# ---------------------------------------------------------------- loss


def gaussian_log_likelihood(x, logits):
    """log N(x; sigmoid(logits), SIGMA^2 I) summed over the pixels, constant included."""
    size = x.shape[1]
    squared = (x - torch.sigmoid(logits)).pow(2).sum(dim=1)
    return squared * (-0.5 / (SIGMA * SIGMA)) - size * (math.log(SIGMA) + 0.5 * LOG_2PI)


def jmvae_kl_loss(model: FacesJmvae, x, w, eps):
    """-mean over the batch of the JMVAE-kl bound, with one reparameterised z per example;
    and the batch means of its terms (log p(x|z), log p(w|z), KL to the prior, KL to q(z|x),
    KL to q(z|w)), as our trainer logs them."""
    q = model.joint(x, w)
    mean, log_var = q
    z = mean + (0.5 * log_var).exp() * eps
    log_px = gaussian_log_likelihood(x, model.decode_x(z))
    log_pw = bernoulli_log_likelihood(w, model.decode_w(z))
    kl_prior = kl_to_prior(mean, log_var)
    kl_x = kl_between(q, model.encode_x(x))
    kl_w = kl_between(q, model.encode_w(w))
    bound = log_px + log_pw - BETA * kl_prior - ALPHA * (kl_x + kl_w)
    terms = torch.stack([t.mean() for t in (log_px, log_pw, kl_prior, kl_x, kl_w)])
    return -bound.mean(), terms.detach()


# ---------------------------------------------------------------- training


def train_epoch(model, optimizer, images, attributes, batch: int) -> float:
    """One pass: shuffle, step through batches; the mean batch loss."""
    order = torch.randperm(len(images))
    total, steps = 0.0, 0
    for indices in order.split(batch):
        x = images[indices].to(torch.float32).div_(255.0)
        w = attributes[indices].to(torch.float32)
        eps = torch.randn(len(indices), LATENT)
        loss, terms = jmvae_kl_loss(model, x, w, eps)
        value = loss.item()  # ours reads the loss and the terms' means back every step too
        terms.tolist()
        if not math.isfinite(value):
            raise RuntimeError(f"the loss became {value} at step {steps}")
        optimizer.zero_grad(set_to_none=True)
        loss.backward()
        optimizer.step()
        total += value
        steps += 1
    return total / steps


def train(images, attributes, epochs: int, lr: float, batch: int) -> tuple[float, float]:
    """Train a fresh model; the training seconds and the last epoch's mean loss."""
    model = FacesJmvae(attributes.shape[1])
    optimizer = adam(model.parameters(), lr)
    seconds, loss = 0.0, float("nan")
    for _ in range(epochs):
        started = time.perf_counter()
        loss = train_epoch(model, optimizer, images, attributes, batch)
        seconds += time.perf_counter() - started
    return seconds, loss


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data", type=Path, help="the CelebA directory (our trainer's --data for --dataset celeba)")
    parser.add_argument("--cache", type=Path, default=None,
                        help="our trainer's CelebA cache directory (default as ours: $JMVAE_CACHE, "
                             "$XDG_CACHE_HOME/jmvae or ~/.cache/jmvae)")
    parser.add_argument("--examples", type=int, default=10_000, help="training faces per epoch (the first N, as our --limit)")
    parser.add_argument("--epochs", type=int, default=1)
    parser.add_argument("--threads", type=int, default=2, help="torch.set_num_threads")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--lr", type=float, default=LEARNING_RATE, help="Adam's learning rate (as our --lr)")
    parser.add_argument("--batch", type=int, default=BATCH, help="examples per step (as our --batch)")
    parser.add_argument("--params", action="store_true", help="print the parameter count and exit")
    args = parser.parse_args()
    if not args.params and args.data is None:
        parser.error("--data is required")
    if args.examples < 1 or args.epochs < 1 or args.batch < 1:
        parser.error("--examples, --epochs and --batch must be at least 1")
    return args


def print_parameters():
    model = FacesJmvae()
    total = count(model)
    if total != expected_parameters(ATTRIBUTES):
        raise AssertionError(f"{total} parameters, the Rust config gives {expected_parameters(ATTRIBUTES)}")
    networks = {name: count(module) for name, module in model.named_children()}
    print(json.dumps({"parameters": total, "networks": networks}))


def main():
    args = parse_args()
    if args.params:
        print_parameters()
        return
    torch.set_num_threads(args.threads)
    torch.manual_seed(args.seed)
    images, attributes = load_training_set(args.data, args.cache or default_cache_dir(), args.examples)
    seconds, loss = train(images, attributes, args.epochs, args.lr, args.batch)
    print_result(args.threads, args.examples, args.epochs, seconds, loss)


if __name__ == "__main__":
    sys.exit(main())
