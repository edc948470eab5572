import { DEFAULT_SEED, DlError, createRng, throwIfAborted } from "@dl/tensor-core/host";

import { runSteps } from "./cooperative.js";
import { readyTfjs, requireTfjs } from "./tfjs.js";
import type { Steps } from "./cooperative.js";
import { distancesOfThisThread } from "./wasm/wasmKernels.js";
import { RowHeaps, exactRowDistances, offerDotProductRows, offerLeafPairs, offerNeighboursOfNeighbours, squaredDistance } from "./knnRows.js";
import type { ForestRows, KnnData, KnnGraph } from "./knnRows.js";

export type { KnnGraph } from "./knnRows.js";

export type KnnMethod = "auto" | "exact" | "vptree" | "matmul" | "rpforest";

export interface KnnOptions {
  method?: KnnMethod;
  seed?: number;
  signal?: AbortSignal;
  /** Measure the forest's candidates in WebAssembly SIMD where available (default true; the same neighbours either way). */
  wasm?: boolean;
}

/** Above this many points `auto` switches from JS brute force to the matrix-product method (measured in bench/). */
export const EXACT_KNN_MAX_POINTS = 2500;
/**
 * From this many points `auto` uses the approximate random-projection forest. Measured (shared 2-core box): 70k
 * Fashion-MNIST PCA-50, k = 90: matrix product 106 s wall (~50 s CPU), forest 14 s CPU at recall 0.955; 10k MNIST:
 * 2.4 s against 1.3 s, so below this the exact method is kept.
 */
export const APPROXIMATE_KNN_MIN_POINTS = 20000;

type Data = KnnData;

/**
 * All methods but `rpforest` are exact. `auto`: brute force in JS for small N; above EXACT_KNN_MAX_POINTS the
 * blocked matrix-product method when a TensorFlow.js backend is ready (measured ~10× faster than the JS loops
 * and than the VP tree on PCA-50 MNIST, where the tree prunes little), else the VP tree; from
 * APPROXIMATE_KNN_MIN_POINTS the random-projection forest with NN-descent (recall ≈ 0.95).
 */
export function knnGraph(data: Data, n: number, d: number, k: number, options: KnnOptions = {}): KnnGraph {
  if (!Number.isInteger(k) || k < 1 || k > n - 1) {
    throw new DlError("INVALID_ARGUMENT", `k nearest neighbours needs 1 ≤ k ≤ N − 1 = ${n - 1}, got k = ${k}.`);
  }
  switch (knnMethodFor(n, options.method)) {
    case "exact":
      return exactKnn(data, n, d, k, options.signal);
    case "vptree":
      return vpTreeKnn(data, n, d, k, options.seed ?? DEFAULT_SEED, options.signal);
    case "matmul":
      return matmulKnn(data, n, d, k, options.signal);
    case "rpforest":
      return rpForestKnn(data, n, d, k, { seed: options.seed ?? DEFAULT_SEED, signal: options.signal, wasm: options.wasm ?? true });
  }
}

/** The search `knnGraph` runs for n points under `method` ("auto" resolved). */
export function knnMethodFor(n: number, method: KnnMethod = "auto"): Exclude<KnnMethod, "auto"> {
  if (method !== "auto") return method;
  if (n <= EXACT_KNN_MAX_POINTS) return "exact";
  if (n >= APPROXIMATE_KNN_MIN_POINTS) return "rpforest";
  return readyTfjs() === undefined ? "vptree" : "matmul";
}

const MATMUL_BLOCK_ELEMENTS = 1 << 23;

/**
 * Brute force through the tfjs backend's matrix product: ‖a − b‖² = ‖a‖² + ‖b‖² − 2 a·b in float32 for
 * blocks of rows, candidate selection in JS, then the kept distances recomputed in float64 and re-sorted
 * (float32 rounding can only reorder near-ties at the k-th neighbour).
 */
export function matmulKnn(data: Data, n: number, d: number, k: number, signal?: AbortSignal): KnnGraph {
  const x32 = data instanceof Float32Array ? data : Float32Array.from(data);
  const norms = squaredNorms32(x32, n, d);
  const heaps = new RowHeaps(n, k);
  dotProductBlocks(x32, n, d, signal, (dot, start, rows) => offerDotProductRows(heaps, dot, start, 0, rows, norms, n));
  const graph = heaps.toGraph(n);
  exactRowDistances(data, d, k, 0, n, graph.indices, graph.distances);
  return graph;
}

/** ‖x_i‖² in float32, the row constants of `matmulKnn`'s distances. */
export function squaredNorms32(x32: Float32Array, n: number, d: number): Float32Array {
  const norms = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    let s = 0;
    for (let t = 0; t < d; t++) s += (x32[i * d + t] as number) ** 2;
    norms[i] = s;
  }
  return norms;
}

/** x·xᵀ through the tfjs backend in blocks of rows: `visit(dot, start, rows)` gets rows start … start + rows − 1 (rows × n, row-major). */
export function dotProductBlocks(
  x32: Float32Array,
  n: number,
  d: number,
  signal: AbortSignal | undefined,
  visit: (dot: Float32Array, start: number, rows: number) => void,
): void {
  runSteps(dotProductBlockSteps(x32, n, d, signal, visit));
}

/** `dotProductBlocks` returning to its driver after each block (the team's search runs it cooperatively). */
export function* dotProductBlockSteps(
  x32: Float32Array,
  n: number,
  d: number,
  signal: AbortSignal | undefined,
  visit: (dot: Float32Array, start: number, rows: number) => void,
): Steps<void> {
  const tf = requireTfjs("The matrix-product k-nearest-neighbour search");
  const block = Math.max(1, Math.min(n, Math.floor(MATMUL_BLOCK_ELEMENTS / n)));
  const xt = tf.tidy(() => tf.transpose(tf.tensor2d(x32, [n, d])));
  try {
    for (let start = 0; start < n; start += block) {
      throwIfAborted(signal);
      const rows = Math.min(block, n - start);
      const products = tf.tidy(() => tf.matMul(tf.tensor2d(x32.subarray(start * d, (start + rows) * d), [rows, d]), xt));
      const dot = products.dataSync() as Float32Array;
      products.dispose();
      visit(dot, start, rows);
      yield;
    }
  } finally {
    xt.dispose();
  }
}

/** Brute force over all pairs, each pair computed once and offered to both rows: O(N²·d). */
export function exactKnn(data: Data, n: number, d: number, k: number, signal?: AbortSignal): KnnGraph {
  const heaps = new RowHeaps(n, k);
  for (let i = 0; i < n; i++) {
    if ((i & 255) === 0) throwIfAborted(signal);
    for (let j = i + 1; j < n; j++) {
      const dist = squaredDistance(data, i, j, d);
      if (dist <= heaps.bound(i)) heaps.push(i, dist, j);
      if (dist <= heaps.bound(j)) heaps.push(j, dist, i);
    }
  }
  return heaps.toGraph(n);
}

const VP_LEAF_SIZE = 12;

/**
 * Exact k-NN with a vantage-point tree (Yianilos 1993), the structure bhtsne uses. The tree is implicit:
 * a node is a range [lo, hi) of `perm` whose first entry is the vantage point; the inside half is
 * [lo+1, mid) and the outside half [mid, hi), split at the median distance `radius[lo]`.
 */
export function vpTreeKnn(data: Data, n: number, d: number, k: number, seed: number, signal?: AbortSignal): KnnGraph {
  const rng = createRng(seed);
  const perm = new Int32Array(n);
  for (let i = 0; i < n; i++) perm[i] = i;
  const radius = new Float64Array(n);
  const scratch = new Float64Array(n);

  const build = (lo: number, hi: number): void => {
    if (hi - lo <= VP_LEAF_SIZE) return;
    const pick = lo + rng.int(hi - lo);
    const tmp = perm[lo] as number;
    perm[lo] = perm[pick] as number;
    perm[pick] = tmp;
    const vp = perm[lo];
    for (let p = lo + 1; p < hi; p++) scratch[p] = Math.sqrt(squaredDistance(data, vp, perm[p] as number, d));
    const mid = lo + 1 + ((hi - lo - 1) >> 1);
    quickselect(perm, scratch, lo + 1, hi - 1, mid);
    radius[lo] = scratch[mid] as number;
    build(lo + 1, mid);
    build(mid, hi);
  };
  build(0, n);

  const heaps = new RowHeaps(n, k);
  let query = 0;
  let tau = Infinity;
  const offer = (j: number): number => {
    const dist = Math.sqrt(squaredDistance(data, query, j, d));
    if (j !== query && dist * dist <= heaps.bound(query)) {
      heaps.push(query, dist * dist, j);
      const b = heaps.bound(query);
      tau = b === Infinity ? Infinity : Math.sqrt(b);
    }
    return dist;
  };
  const search = (lo: number, hi: number): void => {
    if (hi - lo <= VP_LEAF_SIZE) {
      for (let p = lo; p < hi; p++) offer(perm[p] as number);
      return;
    }
    const dist = offer(perm[lo] as number);
    const mid = lo + 1 + ((hi - lo - 1) >> 1);
    const r = radius[lo] as number;
    // Inclusive bounds keep ties at tau reachable, so results match brute force exactly.
    if (dist < r) {
      if (dist - tau <= r) search(lo + 1, mid);
      if (dist + tau >= r) search(mid, hi);
    } else {
      if (dist + tau >= r) search(mid, hi);
      if (dist - tau <= r) search(lo + 1, mid);
    }
  };
  for (let i = 0; i < n; i++) {
    if ((i & 255) === 0) throwIfAborted(signal);
    query = i;
    tau = Infinity;
    search(0, n);
  }
  return heaps.toGraph(n);
}

/** Reorders perm[lo..hi] (inclusive) so position `target` holds the element of its rank by `key`. */
function quickselect(perm: Int32Array, key: Float64Array, lo: number, hi: number, target: number): void {
  while (hi > lo) {
    const pivot = key[(lo + hi) >> 1] as number;
    let i = lo;
    let j = hi;
    while (i <= j) {
      while ((key[i] as number) < pivot) i++;
      while ((key[j] as number) > pivot) j--;
      if (i <= j) {
        const kt = key[i] as number;
        key[i] = key[j] as number;
        key[j] = kt;
        const pt = perm[i] as number;
        perm[i] = perm[j] as number;
        perm[j] = pt;
        i++;
        j--;
      }
    }
    if (target <= j) hi = j;
    else if (target >= i) lo = i;
    else return;
  }
}

export interface RpForestOptions {
  /** Random-projection trees (default 8). */
  trees?: number;
  /** Most points per leaf (default 128, at least k + 1). */
  leafSize?: number;
  /** Neighbour-of-neighbour refinement rounds after the forest (default 1). */
  refinements?: number;
  /** How many of a point's nearest neighbours lend it their neighbour lists in a refinement round (default 8). */
  refineNeighbours?: number;
  seed?: number;
  signal?: AbortSignal | undefined;
  /** Measure candidates in WebAssembly SIMD where available (default true; the same neighbours either way). */
  wasm?: boolean;
}

/**
 * Approximate k-NN for large N: a forest of random-projection trees (Dasgupta & Freund 2008; the Annoy
 * scheme openTSNE uses) splits at the median of the projection on the difference of two random points, so
 * leaves are balanced; each point's candidates are the union of its leaves. Then rounds of NN-descent
 * (Dong et al. 2011) offer every point its neighbours' neighbours. Seeded, so deterministic.
 */
/** Rows between cancellation checks in the forest's phases. */
const ABORT_CHECK_ROWS = 1024;

export function rpForestKnn(data: Data, n: number, d: number, k: number, options: RpForestOptions = {}): KnnGraph {
  const forest = buildRpForest(data, n, d, k, options);
  const seen = new Int32Array(n).fill(-1);
  const block = new Float32Array(forest.leafSize * d);
  const wasm = options.wasm === false ? undefined : distancesOfThisThread();
  for (let t = 0; t < forest.trees; t++) {
    for (let from = 0; from < n; from += ABORT_CHECK_ROWS) {
      throwIfAborted(options.signal);
      offerLeafPairs(forest, t, from, Math.min(n, from + ABORT_CHECK_ROWS), block, wasm);
    }
  }
  const rounds = options.refinements ?? 1;
  const hops = Math.min(k, options.refineNeighbours ?? 8);
  const frozen = new Int32Array(n * k);
  for (let round = 0; round < rounds; round++) {
    throwIfAborted(options.signal);
    forest.heaps.sortRows(0, n, frozen);
    for (let from = 0; from < n; from += ABORT_CHECK_ROWS) {
      throwIfAborted(options.signal);
      offerNeighboursOfNeighbours(forest, frozen, k, hops, from, Math.min(n, from + ABORT_CHECK_ROWS), seen, (round + 1) * n, wasm);
    }
  }
  const graph = forest.heaps.toGraph(n);
  // Float32 input was measured exactly already (float64 sums of float32 rows); float64 input was measured in a float32 copy.
  if (data instanceof Float64Array) exactRowDistances(data, d, k, 0, n, graph.indices, graph.distances);
  return graph;
}

/**
 * The forest's trees and empty heaps for `rpForestKnn` (the serial search, and the team's in
 * parallel/teamAffinities.ts, which hands in the points, heaps and an allocator in shared memory).
 */
export function buildRpForest(
  data: Data,
  n: number,
  d: number,
  k: number,
  options: RpForestOptions = {},
  shared?: { x: Float32Array; heaps: RowHeaps; int32: (length: number) => Int32Array },
): ForestRows {
  return runSteps(rpForestSteps(data, n, d, k, options, shared));
}

/** `buildRpForest` returning to its driver after each tree (the team's search runs it cooperatively). */
export function* rpForestSteps(
  data: Data,
  n: number,
  d: number,
  k: number,
  options: RpForestOptions = {},
  shared?: { x: Float32Array; heaps: RowHeaps; int32: (length: number) => Int32Array },
): Steps<ForestRows> {
  const trees = options.trees ?? 8;
  const leafSize = Math.max(options.leafSize ?? 128, k + 1);
  const signal = options.signal;
  const rng = createRng(options.seed ?? DEFAULT_SEED);
  const x = shared?.x ?? (data instanceof Float32Array ? data : Float32Array.from(data));
  const int32 = shared?.int32 ?? ((length: number) => new Int32Array(length));
  const leafPerm = int32(trees * n);
  const leafStartOf = int32(trees * n);
  const leafEndOf = int32(trees * n);
  const margin = new Float64Array(n);
  const normal = new Float64Array(d);
  for (let t = 0; t < trees; t++) {
    yield;
    throwIfAborted(signal);
    const base = t * n;
    const perm = leafPerm.subarray(base, base + n);
    for (let i = 0; i < n; i++) perm[i] = i;
    const stack: number[] = [0, n];
    while (stack.length > 0) {
      const hi = stack.pop() as number;
      const lo = stack.pop() as number;
      if (hi - lo <= leafSize) {
        for (let q = lo; q < hi; q++) {
          leafStartOf[base + (perm[q] as number)] = base + lo;
          leafEndOf[base + (perm[q] as number)] = base + hi;
        }
        continue;
      }
      const a = perm[lo + rng.int(hi - lo)] as number;
      let b = perm[lo + rng.int(hi - lo)] as number;
      if (b === a) b = perm[a === perm[lo] ? hi - 1 : lo] as number;
      for (let c = 0; c < d; c++) normal[c] = (x[a * d + c] as number) - (x[b * d + c] as number);
      for (let q = lo; q < hi; q++) {
        const o = (perm[q] as number) * d;
        let s = 0;
        for (let c = 0; c < d; c++) s += (normal[c] as number) * (x[o + c] as number);
        margin[q] = s;
      }
      const mid = (lo + hi) >> 1;
      quickselect(perm, margin, lo, hi - 1, mid);
      stack.push(lo, mid, mid, hi);
    }
  }
  return { x, n, d, trees, leafSize, leafPerm, leafStartOf, leafEndOf, heaps: shared?.heaps ?? new RowHeaps(n, k) };
}

/** Neighbours of new query points among the reference set (for transform): m × k, sorted. */
export function queryKnn(reference: Data, n: number, queries: Data, m: number, d: number, k: number, signal?: AbortSignal): KnnGraph {
  const heaps = new RowHeaps(m, k);
  for (let q = 0; q < m; q++) {
    if ((q & 63) === 0) throwIfAborted(signal);
    const oq = q * d;
    for (let j = 0; j < n; j++) {
      const oj = j * d;
      let s = 0;
      for (let t = 0; t < d; t++) {
        const diff = (queries[oq + t] as number) - (reference[oj + t] as number);
        s += diff * diff;
      }
      if (s <= heaps.bound(q)) heaps.push(q, s, j);
    }
  }
  return heaps.toGraph(m);
}
