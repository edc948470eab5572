import type { SparseMatrix } from "./affinities.js";

/**
 * Repulsive sums for every point: `forces[i] = Σ_{j≠i} w_ij² (y_i − y_j)` with the Student-t kernel
 * w_ij = 1 / (1 + ‖y_i − y_j‖²), and their normaliser Z = Σ_{i≠j} w_ij.
 */
export type RepulsionFn = (y: Float64Array, n: number, dims: number, forces: Float64Array) => number;

/** The strict upper triangle (j > i) of a symmetric sparse P, so each attractive pair is visited once. */
interface UpperTriangle {
  rowPtr: Int32Array;
  colIdx: Int32Array;
  values: Float64Array;
}

// Built once per P (P is fixed for a whole optimisation); keyed weakly so it goes with P.
const upperCache = new WeakMap<SparseMatrix, UpperTriangle>();

function upperTriangle(p: SparseMatrix): UpperTriangle {
  const cached = upperCache.get(p);
  if (cached !== undefined) return cached;
  const { n, rowPtr, colIdx, values } = p;
  const ptr = new Int32Array(n + 1);
  for (let i = 0; i < n; i++) {
    let count = 0;
    for (let e = rowPtr[i] as number; e < (rowPtr[i + 1] as number); e++) if ((colIdx[e] as number) > i) count++;
    ptr[i + 1] = (ptr[i] as number) + count;
  }
  const col = new Int32Array(ptr[n] as number);
  const val = new Float64Array(ptr[n] as number);
  for (let i = 0; i < n; i++) {
    let at = ptr[i] as number;
    for (let e = rowPtr[i] as number; e < (rowPtr[i + 1] as number); e++) {
      const j = colIdx[e] as number;
      if (j > i) {
        col[at] = j;
        val[at] = values[e] as number;
        at++;
      }
    }
  }
  const upper = { rowPtr: ptr, colIdx: col, values: val };
  upperCache.set(p, upper);
  return upper;
}

/**
 * Σ_j p_ij w_ij (y_i − y_j) for every i into `out`, each pair once (P symmetric). Returns Σ_ij p_ij log w_ij
 * when `withKl` (one log per pair costs as much as the rest of the attraction, so only on report iterations).
 */
function attraction(y: Float64Array, n: number, dims: number, p: SparseMatrix, out: Float64Array, withKl: boolean): number {
  const { rowPtr, colIdx, values } = upperTriangle(p);
  out.fill(0, 0, n * dims);
  let sumPLogW = 0;
  if (dims === 2) {
    for (let i = 0; i < n; i++) {
      const y0 = y[2 * i] as number;
      const y1 = y[2 * i + 1] as number;
      let a0 = 0;
      let a1 = 0;
      const stop = rowPtr[i + 1] as number;
      for (let e = rowPtr[i] as number; e < stop; e++) {
        const j2 = 2 * (colIdx[e] as number);
        const d0 = y0 - (y[j2] as number);
        const d1 = y1 - (y[j2 + 1] as number);
        const w = 1 / (1 + d0 * d0 + d1 * d1);
        const v = values[e] as number;
        if (withKl) sumPLogW += v * Math.log(w);
        const pw = v * w;
        a0 += pw * d0;
        a1 += pw * d1;
        out[j2]! -= pw * d0;
        out[j2 + 1]! -= pw * d1;
      }
      out[2 * i]! += a0;
      out[2 * i + 1]! += a1;
    }
  } else {
    for (let i = 0; i < n; i++) {
      const o = 3 * i;
      const y0 = y[o] as number;
      const y1 = y[o + 1] as number;
      const y2 = y[o + 2] as number;
      let a0 = 0;
      let a1 = 0;
      let a2 = 0;
      const stop = rowPtr[i + 1] as number;
      for (let e = rowPtr[i] as number; e < stop; e++) {
        const j3 = 3 * (colIdx[e] as number);
        const d0 = y0 - (y[j3] as number);
        const d1 = y1 - (y[j3 + 1] as number);
        const d2 = y2 - (y[j3 + 2] as number);
        const w = 1 / (1 + d0 * d0 + d1 * d1 + d2 * d2);
        const v = values[e] as number;
        if (withKl) sumPLogW += v * Math.log(w);
        const pw = v * w;
        a0 += pw * d0;
        a1 += pw * d1;
        a2 += pw * d2;
        out[j3]! -= pw * d0;
        out[j3 + 1]! -= pw * d1;
        out[j3 + 2]! -= pw * d2;
      }
      out[o]! += a0;
      out[o + 1]! += a1;
      out[o + 2]! += a2;
    }
  }
  // Each unordered pair stands for p_ij and p_ji.
  return 2 * sumPLogW;
}

/**
 * The t-SNE gradient (van der Maaten & Hinton 2008, eq. 5) split as in van der Maaten 2014, eq. 5:
 * ∂C/∂y_i = 4 [α Σ_j p_ij w_ij (y_i − y_j) − (1/Z) Σ_j w_ij² (y_i − y_j)], α the exaggeration.
 * P must be symmetric (as `computeAffinities` returns it); the attraction visits each pair once. P is treated as
 * immutable: its upper triangle (and, in `klFromParts`, Σ p log p) is cached per P object.
 * Returns Z and, when `withKl`, Σ_ij p_ij log w_ij (for the KL divergence); NaN otherwise.
 */
export function tsneGradient(
  y: Float64Array,
  n: number,
  dims: number,
  p: SparseMatrix,
  exaggeration: number,
  repulsion: RepulsionFn,
  grad: Float64Array,
  forces: Float64Array,
  withKl = true,
): { z: number; sumPLogW: number } {
  const z = repulsion(y, n, dims, forces);
  const sumPLogW = attraction(y, n, dims, p, grad, withKl);
  const invZ = 1 / z;
  for (let e = 0; e < n * dims; e++) grad[e] = 4 * (exaggeration * (grad[e] as number) - (forces[e] as number) * invZ);
  return { z, sumPLogW: withKl ? sumPLogW : Number.NaN };
}

// Σ p log p is fixed for a P; one log per non-zero (9M at 70k points) is worth computing once.
const sumPLogPCache = new WeakMap<SparseMatrix, number>();

/** KL(P‖Q) = Σ p log p − Σ p log w + log Z (Σ p = 1), from the pieces the gradient already has. */
export function klFromParts(p: SparseMatrix, sumPLogW: number, z: number): number {
  let sumPLogP = sumPLogPCache.get(p);
  if (sumPLogP === undefined) {
    sumPLogP = 0;
    for (const v of p.values) if (v > 0) sumPLogP += v * Math.log(v);
    sumPLogPCache.set(p, sumPLogP);
  }
  return sumPLogP - sumPLogW + Math.log(z);
}

/** Exact O(N²) repulsion: each pair once. */
export const exactRepulsion: RepulsionFn = (y, n, dims, forces) => {
  forces.fill(0);
  let z = 0;
  for (let i = 0; i < n; i++) {
    const oi = i * dims;
    for (let j = i + 1; j < n; j++) {
      const oj = j * dims;
      const d0 = (y[oi] as number) - (y[oj] as number);
      const d1 = (y[oi + 1] as number) - (y[oj + 1] as number);
      const d2 = dims === 3 ? (y[oi + 2] as number) - (y[oj + 2] as number) : 0;
      const w = 1 / (1 + d0 * d0 + d1 * d1 + d2 * d2);
      z += 2 * w;
      const w2 = w * w;
      forces[oi]! += w2 * d0;
      forces[oj]! -= w2 * d0;
      forces[oi + 1]! += w2 * d1;
      forces[oj + 1]! -= w2 * d1;
      if (dims === 3) {
        forces[oi + 2]! += w2 * d2;
        forces[oj + 2]! -= w2 * d2;
      }
    }
  }
  return z;
};
