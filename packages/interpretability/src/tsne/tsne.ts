import { createTeam, defaultThreads } from "#team";
import { DlError, createRng, throwIfAborted } from "@dl/tensor-core";
import type { RunOptions } from "@dl/tensor-core";

import { conditionalAffinities, symmetrizeAffinities } from "./affinities.js";
import type { SparseMatrix } from "./affinities.js";
import { embeddingRange, fftRepulsion, fftSideFor } from "./fftRepulsion.js";
import type { FftInterpolationOptions } from "./fftRepulsion.js";
import { exactRepulsion, klFromParts, tsneGradient } from "./gradient.js";
import type { RepulsionFn } from "./gradient.js";
import { knnGraph, queryKnn } from "./knn.js";
import type { KnnMethod } from "./knn.js";
import { YIELD_EVERY_MS, yieldToEventLoop } from "./cooperative.js";
import { pcaYielding } from "./pca.js";
import { affinitiesOnTeam } from "./parallel/teamAffinities.js";
import { TeamGradient } from "./parallel/teamGradient.js";
import type { KernelArena } from "./wasm/wasmKernels.js";
import { SerialTeam } from "./parallel/team.js";
import type { Team } from "./parallel/team.js";
import { SpaceTree, barnesHutRepulsion } from "./spaceTree.js";
import { normalizeRows, validateDims, validateMatrix, validatePerplexity, validatePointCount } from "./validate.js";

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

/** What `transform` needs: the reference points (as used for the metric) and their fixed embedding. */
export interface TsneModel {
  n: number;
  d: number;
  dims: 2 | 3;
  metric: TsneMetric;
  perplexity: number;
  /** Reference data as used for distances (unit rows for cosine). Not copied for euclidean: do not mutate. */
  data: Float32Array | Float64Array;
  embedding: Float64Array;
}

export interface TsneResult {
  /** N × dims coordinates in input order. */
  embedding: Float32Array;
  /** KL(P‖Q) at the end (Z from the gradient method's approximation). */
  kl: number;
  iterations: number;
  seconds: number;
  method: GradientMethod;
  learningRate: number;
  /** Threads the optimisation ran on (1 for the exact method and in the browser build). */
  threads: number;
  klHistory: { iteration: number; kl: number }[];
  model: TsneModel;
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
const MOMENTUM_EARLY = 0.5;
const MOMENTUM_LATE = 0.8;
const MIN_GAIN = 0.01;
const INIT_STD = 1e-4;

interface Resolved {
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

function resolveOptions(n: number, options: TsneOptions): Resolved {
  const dims = options.dims ?? 2;
  validateDims(dims);
  validatePointCount(n);
  const perplexity = options.perplexity ?? 30;
  validatePerplexity(perplexity, n);
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

/** The repulsion routine for a gradient method. */
export function repulsionFor(method: GradientMethod, theta = 0.5, fft: FftInterpolationOptions = {}): RepulsionFn {
  switch (method) {
    case "exact":
      return exactRepulsion;
    case "bh":
      return barnesHutRepulsion(theta);
    case "fft":
      return fftRepulsion(fft);
    case "hybrid":
      return hybridRepulsion(theta, fft);
  }
}

/** Per call, FFT interpolation while its grid costs less than the Barnes–Hut walk for this spread (HYBRID_BH_COST_RATIO), else Barnes–Hut. */
export function hybridRepulsion(theta = 0.5, fft: FftInterpolationOptions = {}): RepulsionFn {
  const viaFft = fftRepulsion(fft);
  const viaTree = barnesHutRepulsion(theta);
  return (y, n, dims, forces) => {
    if (dims !== 2) return viaTree(y, n, dims, forces);
    const m = fftSideFor(embeddingRange(y, n).range, n, fft);
    return hybridPrefersFft(m, n) ? viaFft(y, n, dims, forces) : viaTree(y, n, dims, forces);
  };
}

/** The hybrid rule: the FFT for side m while it costs less than a Barnes–Hut pass over n points (HYBRID_BH_COST_RATIO). */
export function hybridPrefersFft(m: number, n: number): boolean {
  return m * m * Math.log2(m) < HYBRID_BH_COST_RATIO * n * Math.log2(Math.max(n, 2));
}

/** Sparse symmetric input affinities P for `data` (after metric handling), the first stage of t-SNE. */
export function computeAffinities(
  data: Float32Array | Float64Array,
  n: number,
  d: number,
  perplexity: number,
  options: { knn?: KnnMethod; seed?: number; signal?: AbortSignal } = {},
): SparseMatrix {
  validatePointCount(n);
  validatePerplexity(perplexity, n);
  const k = Math.min(n - 1, Math.floor(3 * perplexity));
  const graph = knnGraph(data, n, d, k, { method: options.knn ?? "auto", seed: options.seed, signal: options.signal });
  const conditional = conditionalAffinities(graph, perplexity);
  return symmetrizeAffinities(graph, conditional.values);
}

/**
 * t-SNE (van der Maaten & Hinton 2008) with sparse kNN affinities and Barnes–Hut (van der Maaten 2014)
 * or FFT-interpolated (Linderman et al. 2019) gradients. `data` is row-major N × d.
 */
export async function tsne(data: Float32Array | Float64Array, n: number, d: number, options: TsneOptions = {}): Promise<TsneResult> {
  validateMatrix(data, n, d);
  const opts = resolveOptions(n, options);
  const { dims } = opts;
  if (options.init instanceof Float32Array || options.init instanceof Float64Array) validateMatrix(options.init, n, dims, "init");
  const started = performance.now();
  const signal = options.signal;
  const onProgress = options.onProgress;
  const rng = createRng(options.seed ?? 42);
  throwIfAborted(signal);

  const points = opts.metric === "cosine" ? normalizeRows(data, n, d) : data;
  const knnSeed = rng.nextUint32();
  const initSeed = rng.nextUint32();
  // Workers start while the affinities are computed; the exact method (small N) runs on this thread.
  const teamReady: Promise<Team> = opts.method === "exact" ? Promise.resolve(new SerialTeam()) : createTeam(opts.threads);
  let team: Team | undefined;
  try {
    onProgress?.({ phase: "affinities", step: 0, total: 1 });
    let y = await initialEmbedding(points, n, d, dims, options.init ?? "pca", initSeed, signal);
    // Large N: renumber points along a Z-order curve of the start layout, so a point's neighbours sit near it in memory.
    let order = n >= LOCALITY_MIN_POINTS ? zOrder(y, n, dims) : undefined;
    const work = order === undefined ? points : permuteRows(points, d, order);
    if (order !== undefined) y = permuteRows(y, dims, order);
    // 2-D on the team: P is made straight into the WebAssembly memory the optimisation's kernels read (no 110 MB copy at 70k).
    let arena: KernelArena | undefined;
    const wantsArena = opts.method !== "exact" && dims === 2 && opts.wasm;
    let p = await affinitiesOnTeam(
      teamReady,
      work,
      n,
      d,
      opts.perplexity,
      { method: options.knn ?? "auto", seed: knnSeed, signal, wasm: opts.wasm },
      wantsArena ? (t, entries) => (arena = t.kernelArena(TeamGradient.arenaBytes(n, dims, entries))) : undefined,
    );
    team = await teamReady;
    onProgress?.({ phase: "affinities", step: 1, total: 1 });
    throwIfAborted(signal);

    const grad = new Float64Array(n * dims);
    let gradient: (exaggeration: number, withKl: boolean) => { z: number; sumPLogW: number };
    let engine: TeamGradient | undefined;
    if (opts.method === "exact") {
      const forces = new Float64Array(n * dims);
      const yExact = y;
      gradient = (exaggeration, withKl) => tsneGradient(yExact, n, dims, p, exaggeration, exactRepulsion, grad, forces, withKl);
    } else {
      engine = new TeamGradient(team, y, n, dims, p, {
        method: opts.method === "hybrid" && dims !== 2 ? "bh" : opts.method,
        theta: opts.theta,
        fft: options.fft ?? {},
        useFft: hybridPrefersFft,
        wasm: opts.wasm,
        arena,
      });
      y = engine.y;
      // The engine's P (in WebAssembly memory) from here on, so a copied one can be collected.
      p = engine.p;
      const teamGradient = engine;
      gradient = (exaggeration, withKl) => teamGradient.gradient(exaggeration, withKl, grad);
    }
    const update = new Float64Array(n * dims);
    const gains = new Float64Array(n * dims).fill(1);
    const klHistory: { iteration: number; kl: number }[] = [];
    const stepScale = opts.learningRate / 4;
    let lastYield = performance.now();

    for (let it = 0; it < opts.iterations; it++) {
      throwIfAborted(signal);
      if (order !== undefined && engine !== undefined && RENUMBER_AT.includes(it - opts.exaggerationIterations)) {
        // The clusters have formed (or spread): renumber along a Z-order of the current layout, so P's neighbours sit near each other in memory again.
        const next = zOrder(y, n, dims);
        engine.renumber(next);
        permuteRowsInPlace(update, dims, next);
        permuteRowsInPlace(gains, dims, next);
        const previous = order;
        order = Int32Array.from(next, (q) => previous[q] as number);
      }
      const early = it < opts.exaggerationIterations;
      const exaggeration = early ? opts.earlyExaggeration : 1;
      const momentum = early ? MOMENTUM_EARLY : MOMENTUM_LATE;
      const report = (it + 1) % opts.progressEvery === 0;
      const { z, sumPLogW } = gradient(exaggeration, report);
      if (report) {
        const kl = klFromParts(p, sumPLogW, z);
        klHistory.push({ iteration: it + 1, kl });
        onProgress?.({ phase: "optimize", step: it + 1, total: opts.iterations, metrics: { kl } });
      }
      gainsStep(y, grad, update, gains, 0, n * dims, 0, momentum, stepScale);
      center(y, n, dims);
      if (performance.now() - lastYield > YIELD_EVERY_MS) {
        await yieldToEventLoop();
        lastYield = performance.now();
      }
    }
    throwIfAborted(signal);
    const final = gradient(1, true);
    const kl = klFromParts(p, final.sumPLogW, final.z);
    let inOrder = Float64Array.from(y);
    if (order !== undefined) {
      inOrder = new Float64Array(n * dims);
      for (let q = 0; q < n; q++) for (let t = 0; t < dims; t++) inOrder[(order[q] as number) * dims + t] = y[q * dims + t] as number;
    }
    const embedding = Float32Array.from(inOrder);
    return {
      embedding,
      kl,
      iterations: opts.iterations,
      seconds: (performance.now() - started) / 1000,
      method: opts.method,
      learningRate: opts.learningRate,
      threads: team.threads,
      klHistory,
      model: { n, d, dims, metric: opts.metric, perplexity: opts.perplexity, data: points, embedding: inOrder },
    };
  } finally {
    // Close the workers on success, error and cancel alike (the team may still be starting).
    await (team ?? (await teamReady.catch(() => undefined)))?.close();
  }
}

/** Point order along a Z-order (Morton) curve over the first two coordinates, 16 bits per axis; ties by index. */
function zOrder(y: Float64Array, n: number, dims: number): Int32Array {
  let lo0 = Infinity;
  let hi0 = -Infinity;
  let lo1 = Infinity;
  let hi1 = -Infinity;
  for (let i = 0; i < n; i++) {
    const a = y[i * dims] as number;
    const b = y[i * dims + 1] as number;
    if (a < lo0) lo0 = a;
    if (a > hi0) hi0 = a;
    if (b < lo1) lo1 = b;
    if (b > hi1) hi1 = b;
  }
  const cell = (v: number, lo: number, hi: number): number => (hi > lo ? Math.min(65535, Math.floor(((v - lo) / (hi - lo)) * 65536)) : 0);
  const keys = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const a = cell(y[i * dims] as number, lo0, hi0);
    const b = cell(y[i * dims + 1] as number, lo1, hi1);
    let key = 0;
    for (let bit = 15; bit >= 0; bit--) key = key * 4 + ((b >> bit) & 1) * 2 + ((a >> bit) & 1);
    keys[i] = key;
  }
  const order = Int32Array.from({ length: n }, (_, i) => i);
  order.sort((i, j) => (keys[i] as number) - (keys[j] as number) || i - j);
  return order;
}

/**
 * One step of delta-bar-delta gains (Jacobs 1988) with momentum, as in bhtsne, on coordinates from … from + count − 1
 * (their gradient at grad[gradFrom …]). A function of its own: inlined in the async `tsne`, whose locals live in its
 * generator across awaits, the loop ran slower (70k, one process: 4.6 → 2.7 ms per iteration).
 */
function gainsStep(
  y: Float64Array,
  grad: Float64Array,
  update: Float64Array,
  gains: Float64Array,
  from: number,
  count: number,
  gradFrom: number,
  momentum: number,
  stepScale: number,
): void {
  for (let c = 0; c < count; c++) {
    const e = from + c;
    const g = grad[gradFrom + c] as number;
    const u = update[e] as number;
    let gain = gains[e] as number;
    gain = g > 0 !== u > 0 ? gain + 0.2 : gain * 0.8;
    if (gain < MIN_GAIN) gain = MIN_GAIN;
    gains[e] = gain;
    const next = momentum * u - stepScale * gain * g;
    update[e] = next;
    y[e]! += next;
  }
}

function permuteRowsInPlace(x: Float64Array, width: number, order: Int32Array): void {
  x.set(permuteRows(x, width, order));
}

function permuteRows<T extends Float32Array | Float64Array>(x: T, width: number, order: Int32Array): T {
  const out = new (x.constructor as new (length: number) => T)(x.length);
  for (let q = 0; q < order.length; q++) out.set(x.subarray((order[q] as number) * width, ((order[q] as number) + 1) * width), q * width);
  return out;
}

function center(y: Float64Array, n: number, dims: number): void {
  for (let t = 0; t < dims; t++) {
    let s = 0;
    for (let i = 0; i < n; i++) s += y[i * dims + t] as number;
    s /= n;
    for (let i = 0; i < n; i++) y[i * dims + t]! -= s;
  }
}

async function initialEmbedding(
  data: Float32Array | Float64Array,
  n: number,
  d: number,
  dims: number,
  init: "pca" | "random" | Float32Array | Float64Array,
  seed: number,
  signal: AbortSignal | undefined,
): Promise<Float64Array> {
  if (typeof init !== "string") return Float64Array.from(init);
  if (init === "random") {
    const rng = createRng(seed);
    return Float64Array.from({ length: n * dims }, () => rng.normal() * INIT_STD);
  }
  if (init !== "pca") throw new DlError("INVALID_ARGUMENT", `unknown init "${String(init)}"; use pca, random or an N × dims array.`);
  if (d < dims) {
    // Fewer input features than output dimensions: pad PCA with small noise.
    const rng = createRng(seed);
    const y = new Float64Array(n * dims);
    for (let i = 0; i < n; i++) for (let t = 0; t < dims; t++) y[i * dims + t] = t < d ? (data[i * d + t] as number) : rng.normal() * 1e-3;
    return scaleToStd(y, n, dims);
  }
  // PCA initialisation (Kobak & Linderman 2021), scaled so PC1 has std 1e-4.
  return scaleToStd((await pcaYielding(data, n, d, dims, { seed, signal })).projections, n, dims);
}

function scaleToStd(y: Float64Array, n: number, dims: number): Float64Array {
  center(y, n, dims);
  let s = 0;
  for (let i = 0; i < n; i++) s += (y[i * dims] as number) ** 2;
  const std = Math.sqrt(s / n);
  const scale = std > 0 ? INIT_STD / std : 1;
  for (let e = 0; e < y.length; e++) y[e]! *= scale;
  return y;
}

export interface TransformOptions extends RunOptions {
  /** Gradient-descent iterations for the new points (default 250). */
  iterations?: number;
  learningRate?: number;
  /** Barnes–Hut θ over the fixed reference embedding (default 0.5; 0 = exact). */
  theta?: number;
  perplexity?: number;
}

/**
 * Places new points into an existing embedding (as openTSNE's `transform`, Poličar et al. 2019): each new
 * point gets conditional affinities to its 3·perplexity nearest reference points, starts at their
 * affinity-weighted mean, and descends its own KL(p_{·|i} ‖ q_{·|i}) against the fixed reference
 * embedding. New points do not interact, so a point's placement does not depend on the batch.
 */
export async function tsneTransform(model: TsneModel, points: Float32Array | Float64Array, m: number, options: TransformOptions = {}): Promise<Float32Array> {
  validateMatrix(points, m, model.d, "new points");
  const perplexity = options.perplexity ?? model.perplexity;
  validatePerplexity(perplexity, model.n);
  const iterations = options.iterations ?? 250;
  const lr = options.learningRate ?? 1;
  const theta = options.theta ?? 0.5;
  const { dims, n } = model;
  const signal = options.signal;
  throwIfAborted(signal);
  const queries = model.metric === "cosine" ? normalizeRows(points, m, model.d) : points;
  const k = Math.min(n, Math.floor(3 * perplexity));
  const graph = queryKnn(model.data, n, queries, m, model.d, k, signal);
  const cond = conditionalAffinities(graph, perplexity).values;
  const ref = model.embedding;
  const y = new Float64Array(m * dims);
  for (let i = 0; i < m; i++) {
    for (let t = 0; t < k; t++) {
      const j = graph.indices[i * k + t] as number;
      const w = cond[i * k + t] as number;
      for (let c = 0; c < dims; c++) y[i * dims + c]! += w * (ref[j * dims + c] as number);
    }
  }
  const tree = new SpaceTree(ref, n, dims);
  const force = new Float64Array(3);
  const update = new Float64Array(m * dims);
  const gains = new Float64Array(m * dims).fill(1);
  const g = new Float64Array(dims);
  let lastYield = performance.now();
  for (let it = 0; it < iterations; it++) {
    throwIfAborted(signal);
    const momentum = it < 100 ? MOMENTUM_EARLY : MOMENTUM_LATE;
    for (let i = 0; i < m; i++) {
      const o = i * dims;
      const zi = tree.query(y[o] as number, y[o + 1] as number, dims === 3 ? (y[o + 2] as number) : 0, -1, theta, force);
      for (let c = 0; c < dims; c++) g[c] = -(force[c] as number) / zi;
      for (let t = 0; t < k; t++) {
        const j = graph.indices[i * k + t] as number;
        let dist2 = 0;
        for (let c = 0; c < dims; c++) dist2 += ((y[o + c] as number) - (ref[j * dims + c] as number)) ** 2;
        const pw = (cond[i * k + t] as number) / (1 + dist2);
        for (let c = 0; c < dims; c++) g[c]! += pw * ((y[o + c] as number) - (ref[j * dims + c] as number));
      }
      // ∂KL_i/∂y_i = 2 [Σ p w (y_i − y_j) − Σ w² (y_i − y_j) / Z_i]; the 2 is folded into the step.
      gainsStep(y, g, update, gains, o, dims, 0, momentum, lr);
    }
    if ((it + 1) % 50 === 0) options.onProgress?.({ phase: "transform", step: it + 1, total: iterations });
    if (performance.now() - lastYield > YIELD_EVERY_MS) {
      await yieldToEventLoop();
      lastYield = performance.now();
    }
  }
  return Float32Array.from(y);
}
