"""Peer for bench/src/tsne.bench.ts: scikit-learn's Barnes–Hut TSNE on the same PCA-50 points, as a whole process.

Everything a user of this script waits for is inside the process the bench times (interpreter start, imports,
reading, t-SNE, writing); `seconds` is the fit alone.
"""
import argparse
import inspect
import json
import os
import time

os.environ.setdefault("OMP_NUM_THREADS", "2")
import numpy as np  # noqa: E402
import sklearn  # noqa: E402
from sklearn.manifold import TSNE  # noqa: E402
from peer_blas import loaded_blas  # noqa: E402

parser = argparse.ArgumentParser()
parser.add_argument("--input", required=True)
parser.add_argument("--output", required=True)
parser.add_argument("--perplexity", type=float, default=30)
parser.add_argument("--iterations", type=int, default=1000)
args = parser.parse_args()

x = np.load(args.input).astype(np.float32)
params = dict(n_components=2, perplexity=args.perplexity, init="pca", learning_rate="auto", random_state=0, method="barnes_hut", angle=0.5)
# max_iter replaced n_iter in scikit-learn 1.5.
params["max_iter" if "max_iter" in inspect.signature(TSNE).parameters else "n_iter"] = args.iterations
if "n_jobs" in inspect.signature(TSNE).parameters:
    params["n_jobs"] = 2
start = time.perf_counter()
cpu_start = time.process_time()
tsne = TSNE(**params)
y = tsne.fit_transform(x)
seconds = time.perf_counter() - start
cpu_seconds = time.process_time() - cpu_start
np.save(args.output, y.astype(np.float32))
print(json.dumps({"seconds": seconds, "cpu_seconds": cpu_seconds, "kl": float(tsne.kl_divergence_), "sklearn": sklearn.__version__, "n": int(x.shape[0]), "blas": loaded_blas()}))
