"""Peer for bench/src/tcav.bench.ts: L2 logistic-regression CAV fits with scikit-learn (lbfgs)."""
import argparse
import json
import time

import numpy as np
from sklearn.linear_model import LogisticRegression
from peer_blas import loaded_blas

parser = argparse.ArgumentParser()
parser.add_argument("--dim", type=int, default=512)
parser.add_argument("--rows", type=int, default=50)
parser.add_argument("--fits", type=int, default=40)
args = parser.parse_args()

rng = np.random.default_rng(1)
n = 2 * args.rows
x = np.maximum(0, rng.normal(size=(n, args.dim)) + np.r_[np.full(args.rows, 0.2), np.zeros(args.rows)][:, None]).astype(np.float32)
y = np.r_[np.ones(args.rows), np.zeros(args.rows)]
n_train = n - 2 * round(args.rows * 0.33)
lam = 1e-2
# Same objective as ours: mean log-loss + (λ/2)‖w‖² ⇔ C = 1 / (λ n_train).
model = LogisticRegression(C=1 / (lam * n_train), solver="lbfgs", max_iter=200)
model.fit(x, y)
start = time.perf_counter()
for k in range(args.fits):
    idx = np.random.default_rng(k).permutation(n)[:n_train]
    model.fit(x[idx], y[idx])
elapsed = time.perf_counter() - start
print(json.dumps({"ms_per_fit": 1000 * elapsed / args.fits, "sklearn": __import__("sklearn").__version__, "blas": loaded_blas()}))
