/**
 * The optimisation's hot loops cut into fixed chunks, run the same way by the main thread and by workers.
 * A chunk writes only its own slice of the outputs, and every sum over points is kept per chunk and added
 * in chunk order by the caller, so the result does not depend on how many threads ran the chunks or which
 * one took which. Nothing here imports node-only or tfjs modules: workers load this file alone.
 */
import { calibrateRows } from "../affinities.js";
import { RowHeaps, exactRowDistances, offerDotProductRows, offerLeafPairs, offerNeighboursOfNeighbours } from "../knnRows.js";
import type { ForestRows } from "../knnRows.js";
import { MixedRadixFft } from "../mixedRadixFft.js";
import { SpaceTree } from "../spaceTree.js";
import { distancesOfThisThread, instantiateKernels, listSumsOfThisThread } from "../wasm/wasmKernels.js";
import type { WasmKernels } from "../wasm/wasmKernels.js";

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
  count: 30,
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

/** Σ_j p_ij w_ij (y_i − y_j) over full rows of P (each pair from both ends: no scatter, so rows are independent). */
const attractionRows: Task = (s, scratch, chunk) => {
  const n = s.params[PARAM.n] as number;
  const dims = s.params[PARAM.dims] as number;
  const from = chunk * POINT_CHUNK;
  const to = Math.min(n, from + POINT_CHUNK);
  // Σ p log w costs one log per entry, as much as the rest: only on report iterations, in a loop of its own.
  if (s.params[PARAM.withKl] === 1) s.klPartials[chunk] = sumPLogW(s, from, to, dims);
  const { y, rowPtr, colIdx, pValues, attraction: out } = s;
  if (dims === 2 && s.params[PARAM.wasm] === 1 && s.wasmMemory !== undefined) {
    // The same sums in WebAssembly SIMD (2.4× faster); the arrays live in wasmMemory, so their offsets are its addresses.
    scratch.kernelsOver(s.wasmMemory).attraction2(y.byteOffset, rowPtr.byteOffset, colIdx.byteOffset, pValues.byteOffset, out.byteOffset, from, to);
  } else if (dims === 2) {
    for (let i = from; i < to; i++) {
      const y0 = y[2 * i] as number;
      const y1 = y[2 * i + 1] as number;
      let a0 = 0;
      let a1 = 0;
      const stop = rowPtr[i + 1] as number;
      for (let e = rowPtr[i] as number; e < stop; e++) {
        const j2 = 2 * (colIdx[e] as number);
        const d0 = y0 - (y[j2] as number);
        const d1 = y1 - (y[j2 + 1] as number);
        const pw = (pValues[e] as number) / (1 + d0 * d0 + d1 * d1);
        a0 += pw * d0;
        a1 += pw * d1;
      }
      out[2 * i] = a0;
      out[2 * i + 1] = a1;
    }
  } else {
    for (let i = from; i < to; i++) {
      const y0 = y[3 * i] as number;
      const y1 = y[3 * i + 1] as number;
      const y2 = y[3 * i + 2] as number;
      let a0 = 0;
      let a1 = 0;
      let a2 = 0;
      const stop = rowPtr[i + 1] as number;
      for (let e = rowPtr[i] as number; e < stop; e++) {
        const j3 = 3 * (colIdx[e] as number);
        const d0 = y0 - (y[j3] as number);
        const d1 = y1 - (y[j3 + 1] as number);
        const d2 = y2 - (y[j3 + 2] as number);
        const pw = (pValues[e] as number) / (1 + d0 * d0 + d1 * d1 + d2 * d2);
        a0 += pw * d0;
        a1 += pw * d1;
        a2 += pw * d2;
      }
      out[3 * i] = a0;
      out[3 * i + 1] = a1;
      out[3 * i + 2] = a2;
    }
  }
};

/** Σ_{i in rows, j} p_ij log w_ij, for the KL divergence. */
function sumPLogW(s: KernelState, from: number, to: number, dims: number): number {
  const { y, rowPtr, colIdx, pValues } = s;
  let sum = 0;
  for (let i = from; i < to; i++) {
    const stop = rowPtr[i + 1] as number;
    for (let e = rowPtr[i] as number; e < stop; e++) {
      const j = colIdx[e] as number;
      let dist2 = 0;
      for (let t = 0; t < dims; t++) dist2 += ((y[i * dims + t] as number) - (y[j * dims + t] as number)) ** 2;
      sum -= (pValues[e] as number) * Math.log1p(dist2);
    }
  }
  return sum;
}

/**
 * Barnes–Hut repulsion for the point groups (SpaceTree.groups) that start in a chunk of tree-order positions, one
 * walk per group. Each thread rebuilds its own copy of the tree once per iteration, in the same memory; the
 * chunks, like the groups, do not depend on the team size.
 */
const barnesHutWalks: Task = (s, scratch, chunk) => {
  const n = s.params[PARAM.n] as number;
  const dims = s.params[PARAM.dims] as number;
  const theta = s.params[PARAM.theta] as number;
  const version = s.params[PARAM.treeVersion] as number;
  let tree = scratch.tree;
  if (tree?.dims !== dims || tree.order.length !== n) {
    tree = new SpaceTree(s.y, n, dims);
    scratch.tree = tree;
  } else if (scratch.treeVersion !== version) {
    tree.rebuild(s.y);
  }
  scratch.treeVersion = version;
  const from = tree.firstGroupFrom(chunk * POINT_CHUNK);
  const to = tree.firstGroupFrom((chunk + 1) * POINT_CHUNK);
  s.zPartials[chunk] = tree.groupRepulsion(from, to, theta, s.forces, s.params[PARAM.wasm] === 1 ? listSumsOfThisThread() : undefined);
};

/** Lagrange weights of each point's box nodes, per axis (FIt-SNE, Linderman et al. 2019, algorithm 1). */
const fftWeights: Task = (s, _scratch, chunk) => {
  const n = s.params[PARAM.n] as number;
  const p = s.params[PARAM.nodes] as number;
  const nBoxes = s.params[PARAM.nBoxes] as number;
  const origin = s.params[PARAM.origin] as number;
  const box = s.params[PARAM.box] as number;
  const { y, base0, base1, weights0, weights1 } = s;
  const from = chunk * POINT_CHUNK;
  const to = Math.min(n, from + POINT_CHUNK);
  for (let i = from; i < to; i++) {
    for (let axis = 0; axis < 2; axis++) {
      const u = ((y[2 * i + axis] as number) - origin) / box;
      const b = Math.max(0, Math.min(nBoxes - 1, Math.floor(u)));
      const t = u - b;
      (axis === 0 ? base0 : base1)[i] = b * p;
      const w = axis === 0 ? weights0 : weights1;
      for (let k = 0; k < p; k++) {
        // Node k of a box sits at (k + ½)/p; ℓ_k(t) = Π_{m≠k} (t − t_m) / (t_k − t_m).
        let num = 1;
        let den = 1;
        for (let mm = 0; mm < p; mm++) {
          if (mm === k) continue;
          num *= t - (mm + 0.5) / p;
          den *= (k + 0.5) / p - (mm + 0.5) / p;
        }
        w[i * p + k] = num / den;
      }
    }
  }
};

/**
 * Charges of the points in one box row onto its p grid rows (zeroed here first, full width). A box row's
 * points touch only its own grid rows, so box rows are independent; within one, points are added in index order.
 */
const fftSpread: Task = (s, _scratch, boxRow) => {
  const m = s.params[PARAM.m] as number;
  const p = s.params[PARAM.nodes] as number;
  const { y, g1, g2, base0, base1, weights0, weights1, bucketStart, bucketPoints } = s;
  g1.fill(0, 2 * boxRow * p * m, 2 * (boxRow + 1) * p * m);
  g2.fill(0, 2 * boxRow * p * m, 2 * (boxRow + 1) * p * m);
  const stop = bucketStart[boxRow + 1] as number;
  for (let q = bucketStart[boxRow] as number; q < stop; q++) {
    const i = bucketPoints[q] as number;
    const b0 = base0[i] as number;
    const b1 = base1[i] as number;
    const y0 = y[2 * i] as number;
    const y1 = y[2 * i + 1] as number;
    for (let r = 0; r < p; r++) {
      const wr = weights1[i * p + r] as number;
      const row = (b1 + r) * m;
      for (let c = 0; c < p; c++) {
        const w = wr * (weights0[i * p + c] as number);
        const at = 2 * (row + b0 + c);
        g1[at]! += w;
        g1[at + 1]! += w * y0;
        g2[at]! += w * y1;
        g2[at + 1]! += w;
      }
    }
  }
};

function gridsOf(s: KernelState, mask: number): Float64Array[] {
  const out: Float64Array[] = [];
  if (mask & GRID.g1) out.push(s.g1);
  if (mask & GRID.g2) out.push(s.g2);
  if (mask & GRID.prod) out.push(s.prod);
  if (mask & GRID.kernel) out.push(s.kernel);
  return out;
}

/** 1-D transforms of ROW_CHUNK grid rows (only rows below readRows: the others are zero on input or unused on output). */
const fftRows: Task = (s, scratch, chunk) => {
  const m = s.params[PARAM.m] as number;
  const usedRows = s.params[PARAM.readRows] as number;
  const inverse = s.params[PARAM.inverse] === 1;
  const { fft, inBuf, outBuf } = scratch.fftOf(m);
  const stop = Math.min(usedRows, (chunk + 1) * ROW_CHUNK);
  for (const grid of gridsOf(s, s.params[PARAM.grids] as number)) {
    for (let r = chunk * ROW_CHUNK; r < stop; r++) {
      const row = grid.subarray(2 * r * m, 2 * (r + 1) * m);
      inBuf.set(row);
      if (inverse) fft.inverseTransform(outBuf, inBuf);
      else fft.transform(outBuf, inBuf);
      row.set(outBuf);
    }
  }
};

/** 1-D transforms of COLUMN_BLOCK columns: rows ≥ readRows count as zero, and only rows < writeRows are written back. */
const fftColumns: Task = (s, scratch, chunk) => {
  const m = s.params[PARAM.m] as number;
  const readRows = s.params[PARAM.readRows] as number;
  const writeRows = s.params[PARAM.writeRows] as number;
  const inverse = s.params[PARAM.inverse] === 1;
  const multiply = s.params[PARAM.multiplyKernel] === 1;
  const mask = s.params[PARAM.grids] as number;
  const kernel = s.kernel;
  const { fft, inBuf, outBuf, block } = scratch.fftOf(m);
  const c0 = chunk * COLUMN_BLOCK;
  const width = Math.min(COLUMN_BLOCK, m - c0);
  for (const grid of gridsOf(s, mask)) {
    const withKernel = multiply && grid === s.g1;
    // block[b] holds column c0 + b.
    for (let r = 0; r < readRows; r++) {
      const from = 2 * (r * m + c0);
      for (let b = 0; b < width; b++) {
        block[2 * (b * m + r)] = grid[from + 2 * b] as number;
        block[2 * (b * m + r) + 1] = grid[from + 2 * b + 1] as number;
      }
    }
    for (let b = 0; b < width; b++) {
      const column = block.subarray(2 * b * m, 2 * (b + 1) * m);
      if (readRows < m) column.fill(0, 2 * readRows);
      inBuf.set(column);
      if (inverse) fft.inverseTransform(outBuf, inBuf);
      else fft.transform(outBuf, inBuf);
      column.set(outBuf);
    }
    for (let r = 0; r < writeRows; r++) {
      const to = 2 * (r * m + c0);
      for (let b = 0; b < width; b++) {
        if (withKernel) {
          const k = kernel[2 * (r * m + c0 + b)] as number;
          grid[to + 2 * b] = (block[2 * (b * m + r)] as number) * k;
          grid[to + 2 * b + 1] = (block[2 * (b * m + r) + 1] as number) * k;
        } else {
          grid[to + 2 * b] = block[2 * (b * m + r)] as number;
          grid[to + 2 * b + 1] = block[2 * (b * m + r) + 1] as number;
        }
      }
    }
  }
};

/**
 * prod = spectrum of [y₁-charges ⊛ w²] + i·[1-charges ⊛ w]: g2 packs the two real charge grids (y₁ and 1) as one
 * complex grid; they are split through Hermitian symmetry and multiplied by the real kernel spectra w² and w.
 */
const fftSpectrumProduct: Task = (s, _scratch, chunk) => {
  const m = s.params[PARAM.m] as number;
  const { g2, prod, kernel } = s;
  const stop = Math.min(m, (chunk + 1) * ROW_CHUNK);
  for (let r = chunk * ROW_CHUNK; r < stop; r++) {
    const nr = (m - r) % m;
    for (let c = 0; c < m; c++) {
      const nc = (m - c) % m;
      const e = r * m + c;
      const ne = nr * m + nc;
      const aRe = g2[2 * e] as number;
      const aIm = g2[2 * e + 1] as number;
      const bRe = g2[2 * ne] as number;
      const bIm = g2[2 * ne + 1] as number;
      const sRe = 0.5 * (aRe + bRe);
      const sIm = 0.5 * (aIm - bIm);
      const tRe = 0.5 * (aIm + bIm);
      const tIm = 0.5 * (bRe - aRe);
      const k1 = kernel[2 * e] as number;
      const k2 = kernel[2 * e + 1] as number;
      prod[2 * e] = sRe * k1 - tIm * k2;
      prod[2 * e + 1] = sIm * k1 + tRe * k2;
    }
  }
};

/** Potentials interpolated back to the points: repulsive forces and the chunk's share of Z. */
const fftInterpolate: Task = (s, _scratch, chunk) => {
  const n = s.params[PARAM.n] as number;
  const m = s.params[PARAM.m] as number;
  const p = s.params[PARAM.nodes] as number;
  const { y, g1, prod, base0, base1, weights0, weights1, forces } = s;
  const from = chunk * POINT_CHUNK;
  const to = Math.min(n, from + POINT_CHUNK);
  let z = 0;
  for (let i = from; i < to; i++) {
    const b0 = base0[i] as number;
    const b1 = base1[i] as number;
    let phi1 = 0;
    let phi0y = 0;
    let phi1y = 0;
    let phiW = 0;
    for (let r = 0; r < p; r++) {
      const wr = weights1[i * p + r] as number;
      const row = (b1 + r) * m;
      for (let c = 0; c < p; c++) {
        const w = wr * (weights0[i * p + c] as number);
        const at = 2 * (row + b0 + c);
        phi1 += w * (g1[at] as number);
        phi0y += w * (g1[at + 1] as number);
        phi1y += w * (prod[at] as number);
        phiW += w * (prod[at + 1] as number);
      }
    }
    // Σ_j w²(y_i − y_j) = y_i Σ w² − Σ w² y_j; the self term cancels. Σ_{j≠i} w = Σ_j w − 1.
    forces[2 * i] = (y[2 * i] as number) * phi1 - phi0y;
    forces[2 * i + 1] = (y[2 * i + 1] as number) * phi1 - phi1y;
    z += phiW - 1;
  }
  s.zPartials[chunk] = z;
};

/** Perplexity calibration (bisection on β) of a chunk of rows (chunk firstChunk + chunk). */
const calibrate: Task = (s, _scratch, chunk) => {
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
const knnLeaves: Task = (s, scratch, chunk) => {
  const [from, to] = rowsOf(s, chunk);
  const forest = forestOf(s);
  const wasm = s.params[PARAM.wasm] === 1 ? distancesOfThisThread() : undefined;
  offerLeafPairs(forest, s.params[PARAM.tree] as number, from, to, scratch.leafBlock(forest.leafSize * forest.d), wasm);
};

/** Forest search: a chunk of heap rows sorted into knnIndices (the frozen lists of a refinement step). */
const knnFreeze: Task = (s, _scratch, chunk) => {
  const [from, to] = rowsOf(s, chunk);
  forestOf(s).heaps.sortRows(from, to, s.knnIndices);
};

/** Forest search: one NN-descent step for the rows at a chunk of visiting positions. */
const knnRefine: Task = (s, scratch, chunk) => {
  const [from, to] = rowsOf(s, chunk);
  const k = s.params[PARAM.k] as number;
  const seen = scratch.seen(s.params[PARAM.n] as number, s.params[PARAM.searchId] as number);
  const wasm = s.params[PARAM.wasm] === 1 ? distancesOfThisThread() : undefined;
  offerNeighboursOfNeighbours(forestOf(s), s.knnIndices, k, s.params[PARAM.hops] as number, from, to, seen, s.params[PARAM.stamp] as number, wasm);
};

/** Forest search: a chunk of rows sorted into knnIndices / knnDistances, distances recomputed at the input's precision. */
const knnFinish: Task = (s, _scratch, chunk) => {
  const [from, to] = rowsOf(s, chunk);
  const k = s.params[PARAM.k] as number;
  forestOf(s).heaps.sortRows(from, to, s.knnIndices, s.knnDistances);
  if (s.params[PARAM.remeasure] === 1) exactRowDistances(s.knnData64.length > 0 ? s.knnData64 : s.knnX, s.params[PARAM.d] as number, k, from, to, s.knnIndices, s.knnDistances);
};

/** Rows of a block of x·xᵀ per chunk of the matrix-product search's selection (a block is a few hundred rows). */
export const SELECT_CHUNK = 32;

/** Matrix-product search: a chunk of the current block's rows offered to their heaps. */
const knnSelect: Task = (s, _scratch, chunk) => {
  const n = s.params[PARAM.n] as number;
  const rows = s.params[PARAM.blockRows] as number;
  const from = chunk * SELECT_CHUNK;
  const heaps = new RowHeaps(n, s.params[PARAM.k] as number, { dist: s.heapDist, idx: s.heapIdx, size: s.heapSize });
  offerDotProductRows(heaps, s.knnDot, s.params[PARAM.blockStart] as number, from, Math.min(rows, from + SELECT_CHUNK), s.knnNorms, n);
};

/** Task ids, as sent to workers. */
export const TASK = {
  attraction: 0,
  barnesHut: 1,
  fftWeights: 2,
  fftSpread: 3,
  fftRows: 4,
  fftColumns: 5,
  fftSpectrumProduct: 6,
  fftInterpolate: 7,
  calibrate: 8,
  knnLeaves: 9,
  knnFreeze: 10,
  knnRefine: 11,
  knnFinish: 12,
  knnSelect: 13,
} as const;
export type TaskId = (typeof TASK)[keyof typeof TASK];

export const TASKS: readonly Task[] = [
  attractionRows,
  barnesHutWalks,
  fftWeights,
  fftSpread,
  fftRows,
  fftColumns,
  fftSpectrumProduct,
  fftInterpolate,
  calibrate,
  knnLeaves,
  knnFreeze,
  knnRefine,
  knnFinish,
  knnSelect,
];
