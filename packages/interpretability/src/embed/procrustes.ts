import { DlError } from "@dl/tensor-core";

import { symmetricEigen } from "../tsne/pca.js";

export interface ProcrustesResult {
  /** dims × dims orthogonal matrix R (row-major) minimising ‖(A − ā) R − (B − b̄)‖_F. */
  rotation: Float64Array;
  /** A centred, rotated and moved onto B's centroid: n × dims. */
  aligned: Float64Array;
  /** Root-mean-square distance between the aligned points and B. */
  rmsd: number;
}

/**
 * Orthogonal Procrustes (Schönemann 1966): R = U Vᵀ for the SVD M = AᵀB = U S Vᵀ, computed as the polar
 * factor R = M (MᵀM)^{-1/2} through the eigen-decomposition of the small dims × dims matrix MᵀM.
 * t-SNE is invariant to rotation, reflection and translation, so aligning with R loses nothing.
 */
export function procrustes(a: ArrayLike<number>, b: ArrayLike<number>, n: number, dims: number): ProcrustesResult {
  if (a.length !== n * dims || b.length !== n * dims) {
    throw new DlError("SHAPE_MISMATCH", `procrustes needs two n × dims = ${n} × ${dims} arrays, got ${a.length} and ${b.length} values.`);
  }
  const meanA = new Float64Array(dims);
  const meanB = new Float64Array(dims);
  for (let i = 0; i < n; i++) {
    for (let c = 0; c < dims; c++) {
      meanA[c]! += (a[i * dims + c] as number) / n;
      meanB[c]! += (b[i * dims + c] as number) / n;
    }
  }
  const m = new Float64Array(dims * dims);
  for (let i = 0; i < n; i++) {
    for (let r = 0; r < dims; r++) {
      const ar = (a[i * dims + r] as number) - (meanA[r] as number);
      for (let c = 0; c < dims; c++) m[r * dims + c]! += ar * ((b[i * dims + c] as number) - (meanB[c] as number));
    }
  }
  const mtm = new Float64Array(dims * dims);
  for (let r = 0; r < dims; r++) for (let c = 0; c < dims; c++) for (let k = 0; k < dims; k++) mtm[r * dims + c]! += (m[k * dims + r] as number) * (m[k * dims + c] as number);
  const { values, vectors } = symmetricEigen(mtm, dims);
  const largest = Math.max(...values);
  // (MᵀM)^{-1/2} = V S⁻¹ Vᵀ; singular directions (collinear data) are left out.
  const invSqrt = new Float64Array(dims * dims);
  for (let k = 0; k < dims; k++) {
    const s2 = values[k] as number;
    if (!(s2 > 1e-12 * largest)) continue;
    const inv = 1 / Math.sqrt(s2);
    for (let r = 0; r < dims; r++) for (let c = 0; c < dims; c++) invSqrt[r * dims + c]! += (vectors[r * dims + k] as number) * inv * (vectors[c * dims + k] as number);
  }
  const rotation = new Float64Array(dims * dims);
  for (let r = 0; r < dims; r++) for (let c = 0; c < dims; c++) for (let k = 0; k < dims; k++) rotation[r * dims + c]! += (m[r * dims + k] as number) * (invSqrt[k * dims + c] as number);
  const aligned = new Float64Array(n * dims);
  let sq = 0;
  for (let i = 0; i < n; i++) {
    for (let c = 0; c < dims; c++) {
      let v = meanB[c] as number;
      for (let k = 0; k < dims; k++) v += ((a[i * dims + k] as number) - (meanA[k] as number)) * (rotation[k * dims + c] as number);
      aligned[i * dims + c] = v;
      sq += (v - (b[i * dims + c] as number)) ** 2;
    }
  }
  return { rotation, aligned, rmsd: Math.sqrt(sq / n) };
}
