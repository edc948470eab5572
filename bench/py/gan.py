"""PyTorch-CPU peer of bench/src/gan.bench.ts: the same conditional-GAN step (D step + G step, Adam,
batch 64, label embedding concatenated into the first layers, projection term in D), mean ms/step.

Prints one JSON line: {"ms_per_step": …, "torch": version, "threads": n}.
"""
import argparse
import json
import time

parser = argparse.ArgumentParser()
parser.add_argument("--steps", type=int, default=30)
parser.add_argument("--warmup", type=int, default=3)
parser.add_argument("--threads", type=int, default=2)
args = parser.parse_args()

from peer_blas import loaded_blas, pin_blas_threads  # noqa: E402

pin_blas_threads(args.threads)

import torch  # noqa: E402
import torch.nn as nn  # noqa: E402
import torch.nn.functional as F  # noqa: E402

torch.set_num_threads(args.threads)
torch.manual_seed(0)

LATENT, EMB, CLASSES, BATCH = 64, 16, 10, 64


class Generator(nn.Module):
    def __init__(self):
        super().__init__()
        self.embed = nn.Embedding(CLASSES, EMB)
        self.net = nn.Sequential(
            nn.Linear(LATENT + EMB, 256), nn.LeakyReLU(0.2),
            nn.Linear(256, 512), nn.LeakyReLU(0.2),
            nn.Linear(512, 784), nn.Tanh(),
        )

    def forward(self, z, y):
        return self.net(torch.cat([z, self.embed(y)], 1))


class Discriminator(nn.Module):
    def __init__(self):
        super().__init__()
        self.embed = nn.Embedding(CLASSES, EMB)
        self.features = nn.Sequential(nn.Linear(784 + EMB, 512), nn.LeakyReLU(0.2), nn.Linear(512, 256), nn.LeakyReLU(0.2))
        self.logit = nn.Linear(256, 1)
        self.projection = nn.Embedding(CLASSES, 256)

    def forward(self, x, y):
        h = self.features(torch.cat([x, self.embed(y)], 1))
        return self.logit(h) + (h * self.projection(y)).sum(1, keepdim=True)


G, D = Generator(), Discriminator()
opt_g = torch.optim.Adam(G.parameters(), lr=2e-4, betas=(0.5, 0.999))
opt_d = torch.optim.Adam(D.parameters(), lr=2e-4, betas=(0.5, 0.999))
x = torch.rand(BATCH, 784) * 2 - 1
y = torch.randint(0, CLASSES, (BATCH,))


def step():
    y_fake = torch.randint(0, CLASSES, (BATCH,))
    fake = G(torch.randn(BATCH, LATENT), y_fake).detach()
    opt_d.zero_grad(set_to_none=True)
    real_logits, fake_logits = D(x, y), D(fake, y_fake)
    loss_d = F.binary_cross_entropy_with_logits(real_logits, torch.full_like(real_logits, 0.9)) + F.binary_cross_entropy_with_logits(fake_logits, torch.zeros_like(fake_logits))
    loss_d.backward()
    opt_d.step()
    opt_g.zero_grad(set_to_none=True)
    logits = D(G(torch.randn(BATCH, LATENT), y_fake), y_fake)
    loss_g = F.binary_cross_entropy_with_logits(logits, torch.ones_like(logits))
    loss_g.backward()
    opt_g.step()


for _ in range(args.warmup):
    step()
start, cpu_start = time.perf_counter(), time.process_time()
for _ in range(args.steps):
    step()
print(json.dumps({
    "ms_per_step": (time.perf_counter() - start) * 1000 / args.steps,
    "cpu_ms_per_step": (time.process_time() - cpu_start) * 1000 / args.steps,  # summed over threads
    "torch": torch.__version__,
    "threads": torch.get_num_threads(),
    "blas": loaded_blas(),
}))
