"""The pieces both PyTorch twins (pytorch_reference.py for MNIST, pytorch_faces.py for faces)
share with our model code: ReLU stacks, the Gaussian head over z, the closed-form KLs as
src/gaussian.rs computes them, the Bernoulli log-likelihood of src/likelihood.rs, the
training settings our trainer's defaults give both datasets, Adam as Burn configures it, and
the result line."""

import json

import torch
import torch.nn.functional as F
from torch import nn

LATENT = 64
ALPHA = 0.1
BETA = 1.0  # no warm-up: our --warmup defaults to 0
LEARNING_RATE = 1e-3
BATCH = 100
ADAM_EPSILON = 1e-5  # Burn's AdamConfig default, which our trainer uses (PyTorch's is 1e-8)


def relu_stack(*widths: int) -> nn.Sequential:
    """Linear layers through `widths`, each followed by a ReLU."""
    layers = []
    for into, out in zip(widths, widths[1:]):
        layers += [nn.Linear(into, out), nn.ReLU()]
    return nn.Sequential(*layers)


class GaussianHead(nn.Module):
    """Mean and log-variance of a diagonal Gaussian over a `latent`-dimensional z."""

    def __init__(self, width: int, latent: int):
        super().__init__()
        self.mean = nn.Linear(width, latent)
        self.log_var = nn.Linear(width, latent)

    def forward(self, h):
        return self.mean(h), self.log_var(h)


def adam(parameters, lr: float = LEARNING_RATE) -> torch.optim.Adam:
    """Adam with Burn's defaults: PyTorch's betas, Burn's epsilon."""
    return torch.optim.Adam(parameters, lr=lr, eps=ADAM_EPSILON)


def kl_to_prior(mean, log_var):
    """KL(N(mean, exp(log_var)) || N(0, I)) per example."""
    return 0.5 * (log_var.exp() + mean.pow(2) - log_var - 1.0).sum(dim=1)


def kl_between(q, p):
    """KL(q || p) per example for diagonal Gaussians given as (mean, log_var)."""
    (mean_q, log_var_q), (mean_p, log_var_p) = q, p
    var_ratio = (log_var_q - log_var_p).exp()
    mean_term = (mean_q - mean_p).pow(2) * (-log_var_p).exp()
    return 0.5 * (var_ratio + mean_term - 1.0 + log_var_p - log_var_q).sum(dim=1)


def bernoulli_log_likelihood(x, logits):
    """log p(x | logits) of independent Bernoullis, summed over the features."""
    return (x * logits + F.logsigmoid(-logits)).sum(dim=1)


def print_result(threads: int, examples: int, epochs: int, seconds: float, loss: float) -> None:
    """The one JSON line bench/throughput.sh reads: samples/s over the timed epochs."""
    print(json.dumps({
        "impl": "pytorch",
        "torch": torch.__version__,
        "threads": threads,
        "examples_per_epoch": examples,
        "epochs": epochs,
        "seconds": round(seconds, 3),
        "samples_per_second": round(examples * epochs / seconds, 1),
        "final_loss": round(loss, 4),
    }))
