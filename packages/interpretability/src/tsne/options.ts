import { defaultThreads } from "#team";
import { DlError } from "@dl/tensor-core/host";
import type { RunOptions } from "@dl/tensor-core/host";

import type { FftInterpolationOptions } from "./fftGrid.js";
import type { KnnMethod } from "./knn.js";
import { assertDims, assertPerplexity, assertPointCount } from "./validate.js";

// t-SNE's options, their defaults and the tuning constants behind them (tsne.ts runs the optimisation).
export type TsneMethod = "auto" | "exact" | "bh" | "fft" | "hybrid";
export type GradientMethod = Exclude<TsneMethod, "auto">;
export type TsneMetric = "euclidean" | "cosine";
export const TSNE_METHODS: readonly TsneMethod[] = ["auto", "exact", "bh", "fft", "hybrid"];
export const TSNE_METRICS: readonly TsneMetric[] = ["euclidean", "cosine"];

export interface TsneOptions extends RunOptions {
  /** Embedding dimension, 2 or 3 (default 2). */
  dims?: number;
  /** Effective number of neighbours (default 30); at most (N − 1)/3. */
  perplexity?: number;
  /**
   * Gradient method; `hybrid` (2-D): each iteration FFT interpolation or Barnes–Hut, whichever costs less for the
   * embedding's current spread; `auto`: exact for N ≤ 500, else hybrid in 2-D and Barnes–Hut in 3-D.
   */
  method?: TsneMethod;
  metric?: TsneMetric;
  /** Total gradient-descent iterations including early exaggeration (default 750, openTSNE's 250 + 500). */
  iterations?: number;
  /** Step size on ∂C/∂y / 4 (bhtsne/FIt-SNE/openTSNE convention); `auto` = max(N / earlyExaggeration, 200) (Belkina et al. 2019), i.e. N/12 by default. */
  learningRate?: number | "auto";
  earlyExaggeration?: number;
  exaggerationIterations?: number;
  /** Barnes–Hut opening angle (default 0.5). */
  theta?: number;
  /** `pca` (default): first principal components scaled to std 1e-4; `random`: N(0, 1e-4²); or an N × dims start. */
  init?: "pca" | "random" | Float32Array | Float64Array;
  knn?: KnnMethod;
  fft?: FftInterpolationOptions;
  /** Report KL through onProgress every this many iterations (default 50). */
  progressEvery?: number;
  /**
   * Threads for the optimisation (Node: worker threads; the browser build always uses 1). Default: the cores Node
   * may use, at most 8, and 1 below PARALLEL_MIN_POINTS points. The embedding is the same for any thread count.
   */
  threads?: number;
  /**
   * Run the 2-D attraction, the Barnes–Hut sums and the forest k-NN's distances in WebAssembly SIMD where the
   * runtime has it (default true). They give the same numbers as the TypeScript loops, 2–5× faster; false runs
   * those loops instead.
   */
  wasm?: boolean;
}

export const AUTO_EXACT_MAX_POINTS = 500;
/**
 * `hybrid` uses the FFT while m²·log₂m (m the FFT side) < this × N·log₂N, else Barnes–Hut. Measured with group walks
 * (wall ms per iteration on 2 threads, this shared 2-core box, ±20 % run to run): 10k MNIST, BH ≈ 14 against FFT
 * 12–15 at m = 256 (ratio 3.9) and 25–30 at m = 384 (9.5); 70k Fashion-MNIST, BH 110–170 against FFT 60–120 at
 * m = 512 (2.1) and 170–200 at m = 768 (5.0). So the FFT runs through early exaggeration at any N, and Barnes–Hut
 * takes over once the embedding has spread (70k: from about iteration 450, 129 → 106 s, KL 2.70 → 2.63).
 */
export const HYBRID_BH_COST_RATIO = 4.5;
/** Default iterations: openTSNE's 250 exaggerated + 500; at 10k MNIST the 10-NN accuracy and trustworthiness equal scikit-learn's 1000. */
export const DEFAULT_ITERATIONS = 750;
/** From this many points the optimisation runs on Z-ordered points (measured at 70k: attraction 36 → 26 ms CPU per iteration). */
export const LOCALITY_MIN_POINTS = 20000;
/** Iterations after early exaggeration at which large runs renumber their points along the current layout (see `tsne`). */
export const RENUMBER_AT: readonly number[] = [0, 250];
/** Below this many points `threads` defaults to 1: starting workers costs more than they save. */
export const PARALLEL_MIN_POINTS = 4000;
/** Most threads `threads` accepts. */
export const MAX_THREADS = 64;
/** Momentum during early exaggeration and after it (bhtsne). */
export const MOMENTUM_EARLY = 0.5;
export const MOMENTUM_LATE = 0.8;
/** Floor of the delta-bar-delta gains. */
export const MIN_GAIN = 0.01;
/** Standard deviation of the start layout's first coordinate. */
export const INIT_STD = 1e-4;

/** Options with every default filled in and checked. */
export interface Resolved {
  dims: 2 | 3;
  perplexity: number;
  method: GradientMethod;
  metric: TsneMetric;
  iterations: number;
  learningRate: number;
  earlyExaggeration: number;
  exaggerationIterations: number;
  theta: number;
  progressEvery: number;
  threads: number;
  wasm: boolean;
}

export function resolveOptions(n: number, options: TsneOptions): Resolved {
  const dims = options.dims ?? 2;
  assertDims(dims);
  assertPointCount(n);
  const perplexity = options.perplexity ?? 30;
  assertPerplexity(perplexity, n);
  const method = options.method ?? "auto";
  if (!TSNE_METHODS.includes(method)) {
    throw new DlError("INVALID_ARGUMENT", `unknown t-SNE method "${String(method)}"; use auto, exact, bh, fft or hybrid.`);
  }
  if ((method === "fft" || method === "hybrid") && dims !== 2) {
    throw new DlError("NOT_SUPPORTED", `the ${method} gradient is implemented for 2-D embeddings; use method bh (or auto) for 3-D.`);
  }
  const metric = options.metric ?? "euclidean";
  if (!TSNE_METRICS.includes(metric)) {
    throw new DlError("INVALID_ARGUMENT", `unknown metric "${String(metric)}"; use euclidean or cosine.`);
  }
  const iterations = options.iterations ?? DEFAULT_ITERATIONS;
  if (!Number.isInteger(iterations) || iterations < 1) {
    throw new DlError("INVALID_ARGUMENT", `iterations must be a positive integer, got ${iterations}.`);
  }
  const earlyExaggeration = options.earlyExaggeration ?? 12;
  const exaggerationIterations = options.exaggerationIterations ?? 250;
  const lr = options.learningRate ?? "auto";
  const learningRate = lr === "auto" ? Math.max(n / earlyExaggeration, 200) : lr;
  if (!(learningRate > 0) || !Number.isFinite(learningRate)) {
    throw new DlError("INVALID_ARGUMENT", `learningRate must be a positive number or "auto", got ${String(lr)}.`);
  }
  const theta = options.theta ?? 0.5;
  if (!(theta >= 0) || !Number.isFinite(theta)) {
    throw new DlError("INVALID_ARGUMENT", `theta must be ≥ 0 (0 = exact, 0.5 typical), got ${theta}.`);
  }
  const threads = options.threads ?? (n < PARALLEL_MIN_POINTS ? 1 : defaultThreads());
  if (!Number.isInteger(threads) || threads < 1 || threads > MAX_THREADS) {
    throw new DlError("INVALID_ARGUMENT", `threads must be an integer from 1 to ${MAX_THREADS}, got ${String(threads)}; omit it for the default (${defaultThreads()} here).`);
  }
  const resolvedMethod: GradientMethod =
    method !== "auto" ? method : n <= AUTO_EXACT_MAX_POINTS ? "exact" : dims === 2 ? "hybrid" : "bh";
  return {
    dims,
    perplexity,
    method: resolvedMethod,
    metric,
    iterations,
    learningRate,
    earlyExaggeration,
    exaggerationIterations,
    theta,
    progressEvery: Math.max(1, options.progressEvery ?? 50),
    threads,
    wasm: options.wasm ?? true,
  };
}

/** The hybrid rule: the FFT for side m while it costs less than a Barnes–Hut pass over n points (HYBRID_BH_COST_RATIO). */
export function hybridPrefersFft(m: number, n: number): boolean {
  return m * m * Math.log2(m) < HYBRID_BH_COST_RATIO * n * Math.log2(Math.max(n, 2));
}

export interface TransformOptions extends RunOptions {
  /** Gradient-descent iterations for the new points (default 250). */
  iterations?: number;
  learningRate?: number;
  /** Barnes–Hut θ over the fixed reference embedding (default 0.5; 0 = exact). */
  theta?: number;
  perplexity?: number;
}
