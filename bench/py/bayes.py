"""PyTorch-CPU peer of bench/src/bayes.bench.ts: one epoch of the same diagonal-Gaussian VAE
(encoder 784-200-200-2·8 tanh, decoder 8-200-200-784 tanh, Bernoulli likelihood, Adam 1e-3, batch 100,
dynamic binarization, one reparameterized sample) over the same number of images.

Prints one JSON line: {"seconds_per_epoch": …, "torch": version, "threads": n}.
"""
import argparse
import json
import time

import torch
import torch.nn as nn
import torch.nn.functional as F
from peer_blas import loaded_blas

parser = argparse.ArgumentParser()
parser.add_argument("--images", type=int, default=2000)
parser.add_argument("--epochs", type=int, default=2)
parser.add_argument("--threads", type=int, default=2)
args = parser.parse_args()
torch.set_num_threads(args.threads)
torch.manual_seed(0)

D, H, Z, B = 784, 200, 8, 100
encoder = nn.Sequential(nn.Linear(D, H), nn.Tanh(), nn.Linear(H, H), nn.Tanh(), nn.Linear(H, 2 * Z))
decoder = nn.Sequential(nn.Linear(Z, H), nn.Tanh(), nn.Linear(H, H), nn.Tanh(), nn.Linear(H, D))
opt = torch.optim.Adam(list(encoder.parameters()) + list(decoder.parameters()), lr=1e-3)
images = torch.rand(args.images, D)


def epoch():
    perm = torch.randperm(args.images)
    for i in range(args.images // B):
        x = (torch.rand(B, D) < images[perm[i * B:(i + 1) * B]]).float()
        mu, log_sigma = encoder(x).chunk(2, dim=1)
        eps = torch.randn_like(mu)
        z = mu + log_sigma.exp() * eps
        logits = decoder(z)
        log_lik = -F.binary_cross_entropy_with_logits(logits, x, reduction="none").sum(1)
        log_prior = -0.5 * (z ** 2).sum(1)
        log_q = -0.5 * (eps ** 2).sum(1) - log_sigma.sum(1)
        loss = -(log_lik + log_prior - log_q).mean()
        opt.zero_grad()
        loss.backward()
        opt.step()


epoch()  # warm-up
start = time.perf_counter()
for _ in range(args.epochs):
    epoch()
print(json.dumps({"seconds_per_epoch": (time.perf_counter() - start) / args.epochs, "torch": torch.__version__, "threads": args.threads, "blas": loaded_blas()}))
