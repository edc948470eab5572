"""numpy peer of bench/src/matmul.bench.ts: n×n float32 matmul, median GFLOP/s.

Prints one JSON line: {"gflops": …, "numpy": version, "threads": n}.
"""
import argparse

parser = argparse.ArgumentParser()
parser.add_argument("--n", type=int, default=1024)
parser.add_argument("--threads", type=int, default=2)
parser.add_argument("--iterations", type=int, default=15)
args = parser.parse_args()

from peer_blas import loaded_blas, pin_blas_threads  # noqa: E402

pin_blas_threads(args.threads)

import json  # noqa: E402
import statistics  # noqa: E402
import time  # noqa: E402

import numpy as np  # noqa: E402

rng = np.random.default_rng(0)
a = rng.uniform(-1, 1, (args.n, args.n)).astype(np.float32)
b = rng.uniform(-1, 1, (args.n, args.n)).astype(np.float32)
for _ in range(3):
    a @ b
times = []
for _ in range(args.iterations):
    start = time.perf_counter()
    a @ b
    times.append(time.perf_counter() - start)
flop = 2 * args.n ** 3
print(json.dumps({"gflops": flop / statistics.median(times) / 1e9, "numpy": np.__version__, "threads": args.threads, "blas": loaded_blas()}))
