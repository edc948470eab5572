import { createTeam } from "#team";
import { DEFAULT_SEED, DlError, createRng, throwIfAborted } from "@dl/tensor-core/host";

import { conditionalAffinities, symmetrizeAffinities } from "./affinities.js";
import type { SparseMatrix } from "./affinities.js";
import { klFromParts } from "./kl.js";
import { knnGraph, queryKnn } from "./knn.js";
import type { KnnGraph, KnnMethod } from "./knn.js";
import { INIT_STD, LOCALITY_MIN_POINTS, MIN_GAIN, MOMENTUM_EARLY, MOMENTUM_LATE, RENUMBER_AT, hybridPrefersFft, resolveOptions } from "./options.js";
import type { GradientMethod, TransformOptions, TsneMetric, TsneOptions } from "./options.js";
import { YIELD_EVERY_MS, yieldToEventLoop } from "./cooperative.js";
import { pcaYielding } from "./pca.js";
import { affinitiesOnTeam } from "./parallel/teamAffinities.js";
import { TeamGradient } from "./parallel/teamGradient.js";
import type { KernelArena } from "./wasm/wasmKernels.js";
import { SerialTeam } from "./parallel/team.js";
import type { Team } from "./parallel/team.js";
import { SpaceTree } from "./spaceTree.js";
import { normalizeRows, assertMatrix, assertPerplexity, assertPointCount } from "./validate.js";

export { DEFAULT_ITERATIONS, TSNE_METHODS, TSNE_METRICS } from "./options.js";
export type { GradientMethod, TransformOptions, TsneMethod, TsneMetric, TsneOptions } from "./options.js";

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

/** Sparse symmetric input affinities P for `data` (after metric handling), the first stage of t-SNE. */
export function computeAffinities(
  data: Float32Array | Float64Array,
  n: number,
  d: number,
  perplexity: number,
  options: { knn?: KnnMethod; seed?: number; signal?: AbortSignal } = {},
): SparseMatrix {
  assertPointCount(n);
  assertPerplexity(perplexity, n);
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
  return tsneThen(data, n, d, options, undefined, (result) => Promise.resolve(result));
}

/** What `tsneThen`'s continuation gets beside the result. */
export interface TsneAftermath {
  /** The threads the optimisation ran on, still open (closed when the continuation settles). */
  team: Team;
  /** The first `keep.first` of each point's input-space neighbours from the affinities' kNN search (n × keep, input order, nearest first), when asked for and available. */
  inputNeighbours?: Int32Array;
  /**
   * All the search's neighbours (3·perplexity) of every `keep.listsEvery`-th point (count × listK, input numbering,
   * nearest first), when asked for and the search was exact on float32 points in the euclidean metric (the
   * brute-force or scan search: the listK smallest float32- or float64-measured distances, as `listPenalty` needs).
   */
  inputLists?: { lists: Int32Array; listK: number };
  /** Seconds to the affinities (PCA start layout, kNN search, calibration, symmetrisation) and of the optimisation. */
  affinitySeconds: number;
  optimisationSeconds: number;
}

/** What `tsneThen` keeps of the affinities' kNN search for its continuation. */
export interface KeepNeighbours {
  /** The first this many neighbours of every point (`inputNeighbours`). */
  first?: number;
  /** Every neighbour of every this-many-th point (`inputLists`), when the search was exact. */
  listsEvery?: number;
}

/**
 * `tsne`, then `then(result, aftermath)` on the same threads before they close: the quality metrics run on the
 * team without starting workers again, and read t-SNE's own neighbour lists where they suffice.
 */
export async function tsneThen<T>(
  data: Float32Array | Float64Array,
  n: number,
  d: number,
  options: TsneOptions,
  keep: KeepNeighbours | undefined,
  then: (result: TsneResult, aftermath: TsneAftermath) => Promise<T>,
): Promise<T> {
  assertMatrix(data, n, d);
  const opts = resolveOptions(n, options);
  const { dims } = opts;
  if (options.init instanceof Float32Array || options.init instanceof Float64Array) assertMatrix(options.init, n, dims, "init");
  const started = performance.now();
  const signal = options.signal;
  const onProgress = options.onProgress;
  const rng = createRng(options.seed ?? DEFAULT_SEED);
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
    let inputNeighbours: Int32Array | undefined;
    let inputLists: TsneAftermath["inputLists"];
    const wantsArena = opts.method !== "exact" && dims === 2 && opts.wasm;
    let p = await affinitiesOnTeam(
      teamReady,
      work,
      n,
      d,
      opts.perplexity,
      { method: options.knn ?? "auto", seed: knnSeed, signal, wasm: opts.wasm },
      wantsArena ? (t, entries) => (arena = t.kernelArena(TeamGradient.arenaBytes(n, dims, entries))) : undefined,
      (graph, search) => {
        if (keep?.first !== undefined) inputNeighbours = firstNeighbours(graph, keep.first, order);
        // Exact searches only, and in the space the metrics measure (float32, so the scan's candidates are the points' own distances).
        const exact = (search === "scan" || search === "exact") && opts.metric === "euclidean" && data instanceof Float32Array;
        if (keep?.listsEvery !== undefined && exact) inputLists = everyListOf(graph, keep.listsEvery, order);
      },
    );
    team = await teamReady;
    const affinitySeconds = (performance.now() - started) / 1000;
    onProgress?.({ phase: "affinities", step: 1, total: 1 });
    throwIfAborted(signal);

    const grad = new Float64Array(n * dims);
    // One engine for every method: the exact one runs its O(N²) task on the serial team.
    const engine = new TeamGradient(team, y, n, dims, p, {
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
    const gradient = (exaggeration: number, withKl: boolean): { z: number; sumPLogW: number } => engine.gradient(exaggeration, withKl, grad);
    const update = new Float64Array(n * dims);
    const gains = new Float64Array(n * dims).fill(1);
    const klHistory: { iteration: number; kl: number }[] = [];
    const stepScale = opts.learningRate / 4;
    let lastYield = performance.now();

    for (let it = 0; it < opts.iterations; it++) {
      throwIfAborted(signal);
      if (order !== undefined && RENUMBER_AT.includes(it - opts.exaggerationIterations)) {
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
    const seconds = (performance.now() - started) / 1000;
    const result: TsneResult = {
      embedding,
      kl,
      iterations: opts.iterations,
      seconds,
      method: opts.method,
      learningRate: opts.learningRate,
      threads: team.threads,
      klHistory,
      model: { n, d, dims, metric: opts.metric, perplexity: opts.perplexity, data: points, embedding: inOrder },
    };
    return await then(result, { team, affinitySeconds, optimisationSeconds: seconds - affinitySeconds, ...(inputNeighbours === undefined ? {} : { inputNeighbours }), ...(inputLists === undefined ? {} : { inputLists }) });
  } finally {
    // Close the workers on success, error and cancel alike (the team may still be starting).
    await (team ?? (await teamReady.catch(() => undefined)))?.close();
  }
}

/** The first `keep` neighbours of each row of `graph` (made on rows renumbered by `order`), in input numbering; undefined when the graph holds fewer. */
function firstNeighbours(graph: KnnGraph, keep: number, order: Int32Array | undefined): Int32Array | undefined {
  if (keep > graph.k) return undefined;
  const { n, k } = graph;
  const out = new Int32Array(n * keep);
  for (let q = 0; q < n; q++) {
    const row = order === undefined ? q : (order[q] as number);
    for (let t = 0; t < keep; t++) {
      const j = graph.indices[q * k + t] as number;
      out[row * keep + t] = order === undefined ? j : (order[j] as number);
    }
  }
  return out;
}

/** The whole rows of points 0, every, 2·every … of `graph` (made on rows renumbered by `order`), in input numbering. */
function everyListOf(graph: KnnGraph, every: number, order: Int32Array | undefined): { lists: Int32Array; listK: number } {
  const { n, k } = graph;
  const rowOf = new Int32Array(n);
  for (let q = 0; q < n; q++) rowOf[order === undefined ? q : (order[q] as number)] = q;
  const count = Math.ceil(n / every);
  const lists = new Int32Array(count * k);
  for (let c = 0; c < count; c++) {
    const q = rowOf[c * every] as number;
    for (let t = 0; t < k; t++) {
      const j = graph.indices[q * k + t] as number;
      lists[c * k + t] = order === undefined ? j : (order[j] as number);
    }
  }
  return { lists, listK: k };
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

/**
 * Places new points into an existing embedding (as openTSNE's `transform`, Poličar et al. 2019): each new
 * point gets conditional affinities to its 3·perplexity nearest reference points, starts at their
 * affinity-weighted mean, and descends its own KL(p_{·|i} ‖ q_{·|i}) against the fixed reference
 * embedding. New points do not interact, so a point's placement does not depend on the batch.
 */
export async function tsneTransform(model: TsneModel, points: Float32Array | Float64Array, m: number, options: TransformOptions = {}): Promise<Float32Array> {
  assertMatrix(points, m, model.d, "new points");
  const perplexity = options.perplexity ?? model.perplexity;
  assertPerplexity(perplexity, model.n);
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
