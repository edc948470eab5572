// Affinity phase on the team: perplexity calibration and the k-NN searches' row tasks (forest and matrix product).
import { calibrateRows } from "../../affinities.js";
import { RowHeaps, exactRowDistances, offerAllPoints, offerDotProductRows, offerLeafPairs, offerNeighboursOfNeighbours } from "../../knnRows.js";
import type { ForestRows } from "../../knnRows.js";
import { distancesOfThisThread } from "../../wasm/wasmKernels.js";
import { PARAM, POINT_CHUNK } from "./state.js";
import type { KernelState, Task } from "./state.js";

/** Perplexity calibration (bisection on β) of a chunk of rows (chunk firstChunk + chunk). */
export const calibrate: Task = (s, _scratch, chunk) => {
  const [from, to] = rowsOf(s, chunk);
  calibrateRows(s.knnDistances, s.params[PARAM.k] as number, s.params[PARAM.perplexity] as number, from, to, s.conditional, s.betas);
};

function forestOf(s: KernelState): ForestRows {
  const n = s.params[PARAM.n] as number;
  const k = s.params[PARAM.k] as number;
  return {
    x: s.knnX,
    n,
    d: s.params[PARAM.d] as number,
    trees: s.params[PARAM.trees] as number,
    leafSize: s.params[PARAM.leafSize] as number,
    leafPerm: s.leafPerm,
    leafStartOf: s.leafStartOf,
    leafEndOf: s.leafEndOf,
    heaps: new RowHeaps(n, k, { dist: s.heapDist, idx: s.heapIdx, size: s.heapSize }),
  };
}

/** Rows of chunk (firstChunk + chunk), clipped to n. */
function rowsOf(s: KernelState, chunk: number): [number, number] {
  const n = s.params[PARAM.n] as number;
  const from = ((s.params[PARAM.firstChunk] as number) + chunk) * POINT_CHUNK;
  return [Math.min(n, from), Math.min(n, from + POINT_CHUNK)];
}

/** Forest search: the pairs within the leaves of tree PARAM.tree that start in a chunk of its leaf order (leaves of one tree share no rows). */
export const knnLeaves: Task = (s, scratch, chunk) => {
  const [from, to] = rowsOf(s, chunk);
  const forest = forestOf(s);
  const wasm = s.params[PARAM.wasm] === 1 ? distancesOfThisThread() : undefined;
  offerLeafPairs(forest, s.params[PARAM.tree] as number, from, to, scratch.leafBlock(forest.leafSize * forest.d), wasm);
};

/** Forest search: a chunk of heap rows sorted into knnIndices (the frozen lists of a refinement step). */
export const knnFreeze: Task = (s, _scratch, chunk) => {
  const [from, to] = rowsOf(s, chunk);
  forestOf(s).heaps.sortRows(from, to, s.knnIndices);
};

/** Forest search: one NN-descent step for the rows at a chunk of visiting positions. */
export const knnRefine: Task = (s, scratch, chunk) => {
  const [from, to] = rowsOf(s, chunk);
  const k = s.params[PARAM.k] as number;
  const seen = scratch.seen(s.params[PARAM.n] as number, s.params[PARAM.searchId] as number);
  const wasm = s.params[PARAM.wasm] === 1 ? distancesOfThisThread() : undefined;
  offerNeighboursOfNeighbours(forestOf(s), s.knnIndices, k, s.params[PARAM.hops] as number, from, to, seen, s.params[PARAM.stamp] as number, wasm);
};

/** Forest search: a chunk of rows sorted into knnIndices / knnDistances, distances recomputed at the input's precision. */
export const knnFinish: Task = (s, _scratch, chunk) => {
  const [from, to] = rowsOf(s, chunk);
  const k = s.params[PARAM.k] as number;
  forestOf(s).heaps.sortRows(from, to, s.knnIndices, s.knnDistances);
  if (s.params[PARAM.remeasure] === 1) exactRowDistances(s.knnData64.length > 0 ? s.knnData64 : s.knnX, s.params[PARAM.d] as number, k, from, to, s.knnIndices, s.knnDistances);
};

/** Rows of a block of x·xᵀ per chunk of the matrix-product search's selection (a block is a few hundred rows). */
export const SELECT_CHUNK = 32;

/** Matrix-product search: a chunk of the current block's rows offered to their heaps. */
export const knnSelect: Task = (s, _scratch, chunk) => {
  const n = s.params[PARAM.n] as number;
  const rows = s.params[PARAM.blockRows] as number;
  const from = chunk * SELECT_CHUNK;
  const heaps = new RowHeaps(n, s.params[PARAM.k] as number, { dist: s.heapDist, idx: s.heapIdx, size: s.heapSize });
  offerDotProductRows(heaps, s.knnDot, s.params[PARAM.blockStart] as number, from, Math.min(rows, from + SELECT_CHUNK), s.knnNorms, n);
};

/** Rows per chunk of the scan search (a row is n distances in d dimensions: ~0.1 ms at 5k PCA-50 points). */
export const SCAN_CHUNK = 64;

/** The search whose points this thread's WebAssembly distances hold behind the query slot (0: none). */
let scanLoaded = 0;

/** Scan search: a chunk (firstChunk + chunk) of SCAN_CHUNK rows measured against every point, offered to their heaps. */
export const knnScan: Task = (s, _scratch, chunk) => {
  const n = s.params[PARAM.n] as number;
  const search = s.params[PARAM.searchId] as number;
  const from = Math.min(n, ((s.params[PARAM.firstChunk] as number) + chunk) * SCAN_CHUNK);
  const to = Math.min(n, from + SCAN_CHUNK);
  const heaps = new RowHeaps(n, s.params[PARAM.k] as number, { dist: s.heapDist, idx: s.heapIdx, size: s.heapSize });
  const wasm = s.params[PARAM.wasm] === 1 ? distancesOfThisThread() : undefined;
  const loaded = offerAllPoints(heaps, s.knnX, n, s.params[PARAM.d] as number, from, to, wasm, scanLoaded === search);
  scanLoaded = loaded ? search : 0;
};
