"""Which BLAS a Python peer really ran on: the BLAS libraries mapped into its process (Linux /proc), read after its work.

Debian's numpy and torch call whatever `libblas.so.3` points to; without `libopenblas0-pthread` that is the reference
BLAS, 30x slower on a 1024^2 matmul, and every ratio against such a peer would flatter dl-lab. The harness
(bench/src/harness.ts, `runPython`) refuses a peer whose list names only the reference library.
"""
import os
import re


def pin_blas_threads(threads):
    """Caps the BLAS and OpenMP pools at `threads`; call before importing numpy or torch, which read these at load time.

    `torch.set_num_threads` sizes PyTorch's own pool only: Debian's torch calls OpenBLAS for its matrix products, and
    OpenBLAS's pthread build starts one thread per core unless told otherwise, so a "1-thread" peer used two cores.
    """
    for var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
        os.environ[var] = str(threads)


def loaded_blas():
    """Sorted paths of the BLAS libraries mapped into this process; empty where /proc/self/maps cannot be read."""
    try:
        with open("/proc/self/maps") as maps:
            paths = {fields[-1] for fields in (line.split() for line in maps) if len(fields) >= 6}
    except OSError:
        return []
    return sorted(p for p in paths if re.search(r"blas|mkl|blis|atlas", p.rsplit("/", 1)[-1]))
