/**
 * What the optimisation's tasks share: chunk sizes, the scalar parameters, the arrays (KernelState) and each
 * thread's scratch. A chunk writes only its own slice of the outputs, and every sum over points is kept per
 * chunk and added in chunk order by the caller, so results do not depend on how many threads ran the chunks.
 * Nothing here imports node-only or tfjs modules: workers load these files alone.
 */
import { MixedRadixFft } from "../../mixedRadixFft.js";
import type { SpaceTree } from "../../spaceTree.js";
import { instantiateKernels } from "../../wasm/wasmKernels.js";
import type { WasmKernels } from "../../wasm/wasmKernels.js";

/** Points (or P rows) per chunk: small enough for two threads to balance, large enough that a chunk costs far more than claiming it. */
export const POINT_CHUNK = 512;
/** Grid rows per chunk of the row transforms and of the spectrum product. */
export const ROW_CHUNK = 8;
/** Columns gathered per chunk of the column transforms, so each grid row is read in runs of contiguous memory (measured at m = 1024: 8 → 163 ms, 32 → 145 ms per 2-D FFT). */
export const COLUMN_BLOCK = 32;

/** Scalars the tasks read, in one shared Float64Array (indices below). */
export const PARAM = {
  n: 0,
  dims: 1,
  withKl: 2,
  theta: 3,
  /** FFT side m. */
  m: 4,
  /** Grid rows (and columns) in use: boxes × nodes per box. */
  gridSize: 5,
  nBoxes: 6,
  nodes: 7,
  origin: 8,
  box: 9,
  inverse: 10,
  /** Bit mask of the grids a transform task works on (GRID below). */
  grids: 11,
  /** Rows a column transform reads (the rest are zero) and rows it writes back. */
  readRows: 12,
  writeRows: 13,
  /** Multiply grid g1 by the real kernel spectrum after its forward column transform. */
  multiplyKernel: 14,
  /** Bumped whenever y changed, so each thread rebuilds its Barnes–Hut tree once per iteration. */
  treeVersion: 15,
  /** Neighbours per row and perplexity, for the calibration task. */
  k: 16,
  perplexity: 17,
  /** Random-projection forest search: input dimension, trees, neighbours lending their lists, `seen` stamp, and the first chunk of a block of chunks. */
  d: 18,
  trees: 19,
  hops: 20,
  stamp: 21,
  firstChunk: 22,
  /** Bumped per forest search, so each thread clears its `seen` marks once at the start. */
  searchId: 23,
  /** Matrix-product search: first row and row count of the current block of x·xᵀ. */
  blockStart: 24,
  blockRows: 25,
  /** 1: the attraction reads y, P and its output from `wasmMemory`; Barnes–Hut list sums and k-NN distances run in WebAssembly. */
  wasm: 26,
  /** Forest search: the tree whose leaves the leaf task pairs up, and the most points in a leaf. */
  tree: 27,
  leafSize: 28,
  /** Forest / matrix-product search: 1 to measure the kept neighbours again at the input's precision when sorting them. */
  remeasure: 29,
  /** Trustworthiness: every queryStep-th point is a query. */
  queryStep: 30,
  count: 31,
} as const;

export const GRID = { g1: 1, g2: 2, prod: 4, kernel: 8 } as const;

/** Everything the tasks read and write; arrays are shared (SharedArrayBuffer) when workers run. */
export interface KernelState {
  params: Float64Array;
  y: Float64Array;
  /** Σ_j w² (y_i − y_j) per point (repulsion). */
  forces: Float64Array;
  /** Σ_j p_ij w_ij (y_i − y_j) per point (attraction). */
  attraction: Float64Array;
  /** Full symmetric P in CSR form. */
  rowPtr: Int32Array;
  colIdx: Int32Array;
  pValues: Float64Array;
  /** Per point chunk: Σ w (repulsion normaliser Z) and Σ p log w. */
  zPartials: Float64Array;
  klPartials: Float64Array;
  base0: Int32Array;
  base1: Int32Array;
  weights0: Float64Array;
  weights1: Float64Array;
  /** Points grouped by box row (counting sort, index order within a row): points of box row R are bucketPoints[bucketStart[R] … bucketStart[R + 1]). */
  bucketStart: Int32Array;
  bucketPoints: Int32Array;
  g1: Float64Array;
  g2: Float64Array;
  prod: Float64Array;
  /** Interleaved spectrum of the kernels: w² (real part) and w (imaginary part). */
  kernel: Float64Array;
  /** n × k squared distances to the nearest neighbours, and the calibration's outputs p_{j|i} and β_i. */
  knnDistances: Float64Array;
  conditional: Float64Array;
  betas: Float64Array;
  /** Random-projection forest search (knnRows.ts): float32 points, the leaves, the heaps, sorted neighbour rows, and the exact-precision points when the input was float64 (else empty). */
  knnX: Float32Array;
  leafPerm: Int32Array;
  leafStartOf: Int32Array;
  leafEndOf: Int32Array;
  heapDist: Float64Array;
  heapIdx: Int32Array;
  heapSize: Int32Array;
  knnIndices: Int32Array;
  knnData64: Float64Array;
  /** Matrix-product search: the current block of x·xᵀ (rows × n) and ‖x_i‖². */
  knnDot: Float32Array;
  knnNorms: Float32Array;
  /** Trustworthiness: each query's rank penalty (the points are knnX or knnData64, the embedding neighbours knnIndices). */
  queryPenalties: Float64Array;
  /** Trustworthiness: each query's nearest input points from an exact search (queries × listK, nearest first; empty when none). */
  queryLists: Int32Array;
  /** The WebAssembly memory holding y, attraction, rowPtr, colIdx and pValues when PARAM.wasm is 1. */
  wasmMemory: WebAssembly.Memory | undefined;
}

export function emptyKernelState(): KernelState {
  return {
    params: new Float64Array(PARAM.count),
    y: new Float64Array(0),
    forces: new Float64Array(0),
    attraction: new Float64Array(0),
    rowPtr: new Int32Array(1),
    colIdx: new Int32Array(0),
    pValues: new Float64Array(0),
    zPartials: new Float64Array(0),
    klPartials: new Float64Array(0),
    base0: new Int32Array(0),
    base1: new Int32Array(0),
    weights0: new Float64Array(0),
    weights1: new Float64Array(0),
    bucketStart: new Int32Array(0),
    bucketPoints: new Int32Array(0),
    g1: new Float64Array(0),
    g2: new Float64Array(0),
    prod: new Float64Array(0),
    kernel: new Float64Array(0),
    knnDistances: new Float64Array(0),
    conditional: new Float64Array(0),
    betas: new Float64Array(0),
    knnX: new Float32Array(0),
    leafPerm: new Int32Array(0),
    leafStartOf: new Int32Array(0),
    leafEndOf: new Int32Array(0),
    heapDist: new Float64Array(0),
    heapIdx: new Int32Array(0),
    heapSize: new Int32Array(0),
    knnIndices: new Int32Array(0),
    knnData64: new Float64Array(0),
    knnDot: new Float32Array(0),
    knnNorms: new Float32Array(0),
    queryPenalties: new Float64Array(0),
    queryLists: new Int32Array(0),
    wasmMemory: undefined,
  };
}

/** Per-thread scratch: FFT plans and buffers, and this thread's copy of the Barnes–Hut tree. */
export class ThreadScratch {
  private readonly ffts = new Map<number, { fft: MixedRadixFft; inBuf: Float64Array; outBuf: Float64Array; block: Float64Array }>();
  tree: SpaceTree | undefined;
  treeVersion = -1;
  private seenMarks: Int32Array | undefined;
  private seenSearch = -1;
  private kernels: { memory: WebAssembly.Memory; exports: WasmKernels } | undefined;
  private block = new Float32Array(0);
  private twDist = new Float64Array(0);
  private twQuery = new Float64Array(0);

  /** Distances from one trustworthiness query to every point, and room for the query row and its counts. */
  trustworthinessBuffers(n: number, width: number): { dist: Float64Array; query: Float64Array } {
    if (this.twDist.length < n) this.twDist = new Float64Array(n);
    if (this.twQuery.length < width) this.twQuery = new Float64Array(width);
    return { dist: this.twDist, query: this.twQuery };
  }

  /** Room for a forest leaf's rows (offerLeafPairs). */
  leafBlock(length: number): Float32Array {
    if (this.block.length < length) this.block = new Float32Array(length);
    return this.block;
  }

  /** The WebAssembly kernels over `memory` (instantiated on this thread once per memory). */
  kernelsOver(memory: WebAssembly.Memory): WasmKernels {
    if (this.kernels?.memory !== memory) this.kernels = { memory, exports: instantiateKernels(memory) };
    return this.kernels.exports;
  }

  /** n marks for the forest search's `seen` test, cleared (−1) at the first use in each search; stamps keep its phases apart. */
  seen(n: number, search: number): Int32Array {
    if (this.seenMarks?.length !== n) this.seenMarks = new Int32Array(n);
    if (this.seenSearch !== search) {
      this.seenMarks.fill(-1);
      this.seenSearch = search;
    }
    return this.seenMarks;
  }

  fftOf(m: number): { fft: MixedRadixFft; inBuf: Float64Array; outBuf: Float64Array; block: Float64Array } {
    let f = this.ffts.get(m);
    if (f === undefined) {
      if (this.ffts.size > 4) this.ffts.clear();
      f = { fft: new MixedRadixFft(m), inBuf: new Float64Array(2 * m), outBuf: new Float64Array(2 * m), block: new Float64Array(2 * m * COLUMN_BLOCK) };
      this.ffts.set(m, f);
    }
    return f;
  }
}

export type Task = (state: KernelState, scratch: ThreadScratch, chunk: number) => void;
