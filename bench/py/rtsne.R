# Peer for bench/src/tsne.bench.ts: Rtsne (van der Maaten's Barnes–Hut C++, Debian r-cran-rtsne) on the same
# PCA-50 points, as a whole process. Input: N × d float32 little-endian raw file; output: N × 2 float32 raw file.
# Usage: Rscript rtsne.R INPUT N D OUTPUT [THREADS]
args <- commandArgs(trailingOnly = TRUE)
n <- as.integer(args[2])
d <- as.integer(args[3])
threads <- if (length(args) >= 5) as.integer(args[5]) else 2L
start <- proc.time()
suppressPackageStartupMessages(library(Rtsne))
con <- file(args[1], "rb")
x <- matrix(readBin(con, "numeric", n = n * d, size = 4, endian = "little"), nrow = n, ncol = d, byrow = TRUE)
close(con)
set.seed(1)
# Rtsne's defaults (perplexity 30, theta 0.5, 1000 iterations, early exaggeration 12 for 250) on the given points:
# pca = FALSE since they are PCA-50 already (as for every side of the bench).
fit_start <- proc.time()
fit <- Rtsne(x, dims = 2, pca = FALSE, perplexity = 30, theta = 0.5, max_iter = 1000, num_threads = threads, check_duplicates = FALSE)
fit_seconds <- (proc.time() - fit_start)[["elapsed"]]
con <- file(args[4], "wb")
writeBin(as.vector(t(fit$Y)), con, size = 4, endian = "little")
close(con)
kl <- tail(fit$itercosts, 1)
cat(sprintf('{"seconds": %.4f, "process_seconds": %.4f, "kl": %.6f, "rtsne": "%s", "n": %d, "threads": %d}\n',
  fit_seconds, (proc.time() - start)[["elapsed"]], kl, as.character(packageVersion("Rtsne")), n, threads))
