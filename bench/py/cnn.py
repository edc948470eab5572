"""PyTorch-CPU peer of bench/src/cnn.bench.ts: the same CNN train step, batch 64, median ms/step.

Prints one JSON line: {"ms_per_step": …, "torch": version, "threads": n}.
"""
import argparse
import json
import statistics
import time

parser = argparse.ArgumentParser()
parser.add_argument("--steps", type=int, default=20)
parser.add_argument("--warmup", type=int, default=5)
parser.add_argument("--threads", type=int, default=2)
args = parser.parse_args()

from peer_blas import loaded_blas, pin_blas_threads  # noqa: E402

pin_blas_threads(args.threads)

import torch  # noqa: E402
import torch.nn as nn  # noqa: E402

torch.set_num_threads(args.threads)
torch.manual_seed(0)

model = nn.Sequential(
    nn.Conv2d(1, 32, 3), nn.ReLU(), nn.MaxPool2d(2),
    nn.Conv2d(32, 64, 3), nn.ReLU(), nn.MaxPool2d(2),
    nn.Flatten(),
    nn.Linear(5 * 5 * 64, 128), nn.ReLU(),
    nn.Linear(128, 10),
)
optimizer = torch.optim.SGD(model.parameters(), lr=0.01)
loss_fn = nn.CrossEntropyLoss()
x = torch.rand(64, 1, 28, 28)
y = torch.randint(0, 10, (64,))


def step():
    optimizer.zero_grad(set_to_none=True)
    loss = loss_fn(model(x), y)
    loss.backward()
    optimizer.step()


for _ in range(args.warmup):
    step()
times = []
cpu_times = []
for _ in range(args.steps):
    start, cpu_start = time.perf_counter(), time.process_time()
    step()
    times.append((time.perf_counter() - start) * 1000)
    cpu_times.append((time.process_time() - cpu_start) * 1000)

print(json.dumps({
    "ms_per_step": statistics.median(times),
    "cpu_ms_per_step": statistics.median(cpu_times),  # summed over threads
    "torch": torch.__version__,
    "threads": torch.get_num_threads(),
    "blas": loaded_blas(),
}))
