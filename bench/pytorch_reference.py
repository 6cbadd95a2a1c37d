#!/usr/bin/env python3
"""Reference PyTorch trainer for the throughput comparison with the Rust/Burn trainer.

The same network and loss as ours: JMVAE-kl (alpha = 0.1, beta = 1) on MNIST with a
binarised image x (784) and a one-hot label w (10), z = 64, Adam (lr 1e-3, eps 1e-5 as
Burn's AdamConfig), batch 100, float32, one z sample per example. Each epoch re-binarises
the training images (pixel ~ Bernoulli(intensity)) and shuffles them, as ours does.

Timing covers each epoch's binarisation, shuffle and training steps (what our trainer
times as an epoch); reading the IDX files and building the model are outside it.

Prints one JSON line:
{"impl": "pytorch", "torch": ..., "threads": ..., "examples_per_epoch": ...,
 "epochs": ..., "seconds": ..., "samples_per_second": ..., "final_loss": ...}
where final_loss is the mean training loss over the last epoch.
"""

import argparse
import gzip
import math
import struct
import time
from pathlib import Path

import torch
import torch.nn.functional as F
from torch import nn

from twin_parts import (
    ALPHA, BATCH, BETA, LATENT, GaussianHead, adam, bernoulli_log_likelihood, kl_between,
    kl_to_prior, print_result, relu_stack,
)

IMAGE_SIZE = 784
LABELS = 10
HIDDEN = 512


# ---------------------------------------------------------------- data


def read_idx(path: Path) -> torch.Tensor:
    """A gzip IDX file (unsigned bytes) as a uint8 tensor of its shape."""
    with gzip.open(path, "rb") as f:
        raw = f.read()
    zero, kind, dims = struct.unpack(">HBB", raw[:4])
    if zero != 0 or kind != 0x08:
        raise ValueError(f"{path}: not an unsigned-byte IDX file")
    shape = struct.unpack(f">{dims}I", raw[4 : 4 + 4 * dims])
    data = torch.frombuffer(bytearray(raw[4 + 4 * dims :]), dtype=torch.uint8)
    return data.reshape(shape)


def load_training_set(data_dir: Path, examples: int) -> tuple[torch.Tensor, torch.Tensor]:
    """The first `examples` training images as intensities in [0, 1] and labels one-hot."""
    images = read_idx(data_dir / "train-images-idx3-ubyte.gz")[:examples]
    labels = read_idx(data_dir / "train-labels-idx1-ubyte.gz")[:examples]
    if len(images) < examples:
        raise ValueError(f"asked for {examples} examples, the training set has {len(images)}")
    intensities = images.reshape(-1, IMAGE_SIZE).to(torch.float32) / 255.0
    one_hot = F.one_hot(labels.long(), LABELS).to(torch.float32)
    return intensities, one_hot


def binarise(intensities: torch.Tensor) -> torch.Tensor:
    """Each pixel drawn anew from Bernoulli(intensity)."""
    return torch.bernoulli(intensities)


# ---------------------------------------------------------------- model


class JointEncoder(nn.Module):
    """q(z|x,w): one branch per modality, concatenated, a shared layer, a Gaussian head."""

    def __init__(self):
        super().__init__()
        self.x_branch = relu_stack(IMAGE_SIZE, HIDDEN)
        self.w_branch = relu_stack(LABELS, HIDDEN)
        self.trunk = relu_stack(2 * HIDDEN, HIDDEN)
        self.head = GaussianHead(HIDDEN, LATENT)

    def forward(self, x, w):
        return self.head(self.trunk(torch.cat([self.x_branch(x), self.w_branch(w)], dim=1)))


class UnimodalEncoder(nn.Module):
    """q(z|m) for one modality of `size` features."""

    def __init__(self, size: int):
        super().__init__()
        self.body = relu_stack(size, HIDDEN, HIDDEN)
        self.head = GaussianHead(HIDDEN, LATENT)

    def forward(self, m):
        return self.head(self.body(m))


def decoder(size: int) -> nn.Sequential:
    """p(m|z) as logits over `size` outputs."""
    return nn.Sequential(relu_stack(LATENT, HIDDEN, HIDDEN), nn.Linear(HIDDEN, size))


class Jmvae(nn.Module):
    def __init__(self):
        super().__init__()
        self.joint = JointEncoder()
        self.encode_x = UnimodalEncoder(IMAGE_SIZE)
        self.encode_w = UnimodalEncoder(LABELS)
        self.decode_x = decoder(IMAGE_SIZE)
        self.decode_w = decoder(LABELS)


# ---------------------------------------------------------------- loss


def categorical_log_likelihood(w, logits):
    return (F.log_softmax(logits, dim=1) * w).sum(dim=1)


def jmvae_kl_loss(model: Jmvae, x, w):
    """-mean over the batch of the JMVAE-kl bound, with one reparameterised z per example."""
    q = model.joint(x, w)
    mean, log_var = q
    z = mean + (0.5 * log_var).exp() * torch.randn_like(mean)
    bound = (
        bernoulli_log_likelihood(x, model.decode_x(z))
        + categorical_log_likelihood(w, model.decode_w(z))
        - BETA * kl_to_prior(mean, log_var)
        - ALPHA * (kl_between(q, model.encode_x(x)) + kl_between(q, model.encode_w(w)))
    )
    return -bound.mean()


# ---------------------------------------------------------------- training


def train_epoch(model, optimizer, intensities, one_hot) -> float:
    """One pass: re-binarise, shuffle, step through batches; the mean batch loss."""
    images = binarise(intensities)
    order = torch.randperm(len(images))
    total, steps = 0.0, 0
    for indices in order.split(BATCH):
        loss = jmvae_kl_loss(model, images[indices], one_hot[indices])
        optimizer.zero_grad(set_to_none=True)
        loss.backward()
        optimizer.step()
        total += loss.item()  # ours reads the loss back every step too
        steps += 1
    if not math.isfinite(total):
        raise RuntimeError(f"the loss became {total}")
    return total / steps


def train(intensities, one_hot, epochs: int) -> tuple[float, float]:
    """Train a fresh model; the training seconds and the last epoch's mean loss."""
    model = Jmvae()
    optimizer = adam(model.parameters())
    seconds, loss = 0.0, float("nan")
    for _ in range(epochs):
        started = time.perf_counter()
        loss = train_epoch(model, optimizer, intensities, one_hot)
        seconds += time.perf_counter() - started
    return seconds, loss


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data", type=Path, required=True, help="directory with the MNIST gzip IDX files")
    parser.add_argument("--examples", type=int, default=10_000, help="training examples per epoch (the first N)")
    parser.add_argument("--epochs", type=int, default=1)
    parser.add_argument("--threads", type=int, default=2, help="torch.set_num_threads")
    parser.add_argument("--seed", type=int, default=1)
    return parser.parse_args()


def main():
    args = parse_args()
    torch.set_num_threads(args.threads)
    torch.manual_seed(args.seed)
    intensities, one_hot = load_training_set(args.data, args.examples)
    seconds, loss = train(intensities, one_hot, args.epochs)
    print_result(args.threads, args.examples, args.epochs, seconds, loss)


if __name__ == "__main__":
    main()
