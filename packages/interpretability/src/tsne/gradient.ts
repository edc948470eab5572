import type { SparseMatrix } from "./affinities.js";

/**
 * Repulsive sums for every point: `forces[i] = Σ_{j≠i} w_ij² (y_i − y_j)` with the Student-t kernel
 * w_ij = 1 / (1 + ‖y_i − y_j‖²), and their normaliser Z = Σ_{i≠j} w_ij.
 */
export type RepulsionFn = (y: Float64Array, n: number, dims: number, forces: Float64Array) => number;

/**
 * The t-SNE gradient (van der Maaten & Hinton 2008, eq. 5) split as in van der Maaten 2014, eq. 5:
 * ∂C/∂y_i = 4 [α Σ_j p_ij w_ij (y_i − y_j) − (1/Z) Σ_j w_ij² (y_i − y_j)], α the exaggeration.
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
  const { rowPtr, colIdx, values } = p;
  let sumPLogW = 0;
  const invZ = 1 / z;
  for (let i = 0; i < n; i++) {
    const oi = i * dims;
    let a0 = 0;
    let a1 = 0;
    let a2 = 0;
    for (let e = rowPtr[i] as number; e < (rowPtr[i + 1] as number); e++) {
      const oj = (colIdx[e] as number) * dims;
      const d0 = (y[oi] as number) - (y[oj] as number);
      const d1 = (y[oi + 1] as number) - (y[oj + 1] as number);
      const d2 = dims === 3 ? (y[oi + 2] as number) - (y[oj + 2] as number) : 0;
      const w = 1 / (1 + d0 * d0 + d1 * d1 + d2 * d2);
      const pw = (values[e] as number) * w;
      // One log per non-zero costs as much as the rest of the attraction; only pay it when KL is wanted.
      if (withKl) sumPLogW += (values[e] as number) * Math.log(w);
      a0 += pw * d0;
      a1 += pw * d1;
      a2 += pw * d2;
    }
    grad[oi] = 4 * (exaggeration * a0 - (forces[oi] as number) * invZ);
    grad[oi + 1] = 4 * (exaggeration * a1 - (forces[oi + 1] as number) * invZ);
    if (dims === 3) grad[oi + 2] = 4 * (exaggeration * a2 - (forces[oi + 2] as number) * invZ);
  }
  return { z, sumPLogW: withKl ? sumPLogW : Number.NaN };
}

/** KL(P‖Q) = Σ p log p − Σ p log w + log Z (Σ p = 1), from the pieces the gradient already has. */
export function klFromParts(p: SparseMatrix, sumPLogW: number, z: number): number {
  let sumPLogP = 0;
  for (const v of p.values) if (v > 0) sumPLogP += v * Math.log(v);
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
