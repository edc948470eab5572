import type { KnnGraph } from "./knn.js";

/** A sparse matrix in compressed sparse row form; columns within a row are unsorted. */
export interface SparseMatrix {
  n: number;
  rowPtr: Int32Array;
  colIdx: Int32Array;
  values: Float64Array;
}

export interface ConditionalAffinities {
  /** n × k conditional probabilities p_{j|i}, aligned with the kNN graph; each row sums to 1. */
  values: Float64Array;
  /** Precision β_i = 1 / (2σ_i²) found for each row. */
  betas: Float64Array;
}

/** Where P's arrays are made (shared memory when worker threads will read them). */
export interface ArrayAllocator {
  float64(length: number): Float64Array;
  int32(length: number): Int32Array;
}

const PLAIN_ARRAYS: ArrayAllocator = { float64: (length) => new Float64Array(length), int32: (length) => new Int32Array(length) };

const ENTROPY_TOLERANCE = 1e-10;
const MAX_BISECTION_STEPS = 200;

/**
 * Calibrates each row's Gaussian so its perplexity matches (van der Maaten & Hinton 2008, eq. 1 and
 * the perplexity definition): bisection on log β until H(P_i) = log(perplexity). Distances are
 * shifted by the row minimum so exp never underflows to an all-zero row.
 */
export function conditionalAffinities(graph: KnnGraph, perplexity: number): ConditionalAffinities {
  const { n, k, distances } = graph;
  const values = new Float64Array(n * k);
  const betas = new Float64Array(n);
  calibrateRows(distances, k, perplexity, 0, n, values, betas);
  return { values, betas };
}

/** `conditionalAffinities` for rows from … to − 1 only, into `values` (n × k) and `betas`; rows are independent. */
export function calibrateRows(
  distances: Float64Array,
  k: number,
  perplexity: number,
  from: number,
  to: number,
  values: Float64Array,
  betas: Float64Array,
): void {
  const target = Math.log(perplexity);
  const shifted = new Float64Array(k);
  for (let i = from; i < to; i++) {
    const base = i * k;
    let dMin = Infinity;
    let dMean = 0;
    for (let t = 0; t < k; t++) {
      const v = distances[base + t] as number;
      if (v < dMin) dMin = v;
    }
    for (let t = 0; t < k; t++) {
      const v = (distances[base + t] as number) - dMin;
      shifted[t] = v;
      dMean += v;
    }
    dMean /= k;
    let logBeta = dMean > 0 ? -Math.log(dMean) : 0;
    let lo = -Infinity;
    let hi = Infinity;
    for (let step = 0; step < MAX_BISECTION_STEPS; step++) {
      const beta = Math.exp(logBeta);
      const { entropy, variance } = rowEntropy(shifted, k, beta);
      const gap = entropy - target;
      if (Math.abs(gap) < ENTROPY_TOLERANCE) break;
      // Entropy falls as β grows: too flat → raise β.
      if (gap > 0) lo = logBeta;
      else hi = logBeta;
      // Newton's step in log β (dH/dlog β = −β² Var(d)) while it stays inside the bracket, else bisection: about 5
      // entropy evaluations per row instead of about 35.
      const newton = logBeta + gap / (beta * beta * variance);
      const next =
        newton > lo && newton < hi ? newton : Number.isFinite(lo) && Number.isFinite(hi) ? 0.5 * (lo + hi) : gap > 0 ? logBeta + 2 : logBeta - 2;
      // Degenerate rows (all distances equal) never reach the target; stop once β is beyond any effect.
      if (Math.abs(next) > 700 || next === logBeta) break;
      logBeta = next;
    }
    const beta = Math.exp(logBeta);
    betas[i] = beta;
    let z = 0;
    for (let t = 0; t < k; t++) {
      const p = Math.exp(-beta * (shifted[t] as number));
      values[base + t] = p;
      z += p;
    }
    for (let t = 0; t < k; t++) values[base + t] = (values[base + t] as number) / z;
  }
}

/** H = log Z + β Σ p d for p ∝ exp(−β d) (natural log), and the variance of d under p. */
function rowEntropy(shifted: Float64Array, k: number, beta: number): { entropy: number; variance: number } {
  let z = 0;
  let weighted = 0;
  let squares = 0;
  for (let t = 0; t < k; t++) {
    const d = shifted[t] as number;
    const e = Math.exp(-beta * d);
    z += e;
    weighted += e * d;
    squares += e * d * d;
  }
  const mean = weighted / z;
  return { entropy: Math.log(z) + beta * mean, variance: Math.max(squares / z - mean * mean, 0) };
}

/**
 * Symmetric joint affinities P_ij = (p_{j|i} + p_{i|j}) / 2N as CSR (van der Maaten 2014, eq. 4):
 * O(N·k) memory, never N×N.
 */
export function symmetrizeAffinities(graph: KnnGraph, conditional: Float64Array, allocate: ArrayAllocator = PLAIN_ARRAYS): SparseMatrix {
  const { n, k, indices } = graph;
  // Reverse adjacency: for each j, the rows i that list j as a neighbour.
  const revPtr = new Int32Array(n + 1);
  for (let e = 0; e < n * k; e++) revPtr[(indices[e] as number) + 1]!++;
  for (let j = 0; j < n; j++) revPtr[j + 1]! += revPtr[j] as number;
  const revSrc = new Int32Array(n * k);
  const fill = revPtr.slice(0, n);
  for (let i = 0; i < n; i++) {
    for (let t = 0; t < k; t++) {
      const j = indices[i * k + t] as number;
      revSrc[fill[j]!++] = i * k + t;
    }
  }
  const marker = new Int32Array(n).fill(-1);
  const slot = new Int32Array(n);
  const rowPtr = allocate.int32(n + 1);
  for (let i = 0; i < n; i++) {
    let count = 0;
    for (let t = 0; t < k; t++) {
      const j = indices[i * k + t] as number;
      if (marker[j] !== i) {
        marker[j] = i;
        count++;
      }
    }
    for (let r = revPtr[i] as number; r < (revPtr[i + 1] as number); r++) {
      const j = Math.floor((revSrc[r] as number) / k);
      if (marker[j] !== i) {
        marker[j] = i;
        count++;
      }
    }
    rowPtr[i + 1] = (rowPtr[i] as number) + count;
  }
  const nnz = rowPtr[n] as number;
  const colIdx = allocate.int32(nnz);
  const values = allocate.float64(nnz);
  marker.fill(-1);
  const scale = 1 / (2 * n);
  for (let i = 0; i < n; i++) {
    let pos = rowPtr[i] as number;
    const add = (j: number, v: number): void => {
      if (marker[j] !== i) {
        marker[j] = i;
        slot[j] = pos;
        colIdx[pos] = j;
        values[pos] = v;
        pos++;
      } else {
        values[slot[j] as number]! += v;
      }
    };
    for (let t = 0; t < k; t++) add(indices[i * k + t] as number, (conditional[i * k + t] as number) * scale);
    for (let r = revPtr[i] as number; r < (revPtr[i + 1] as number); r++) {
      const e = revSrc[r] as number;
      add(Math.floor(e / k), (conditional[e] as number) * scale);
    }
  }
  return { n, rowPtr, colIdx, values };
}
