import { EigenvalueDecomposition, Matrix } from "ml-matrix";

import { DlError } from "@dl/tensor-core";

export interface GaussianMoments {
  mean: Float64Array;
  /** d × d row-major. */
  covariance: Float64Array;
  dim: number;
}

/** Sample mean and (n − 1)-normalised covariance of n × d row-major features. */
export function featureMoments(features: ArrayLike<number>, dim: number): GaussianMoments {
  const n = Math.floor(features.length / dim);
  if (n < 2 || n * dim !== features.length) throw new DlError("SHAPE_MISMATCH", `Need at least 2 whole rows of ${dim} features; got ${features.length} values.`);
  const mean = new Float64Array(dim);
  for (let i = 0; i < n; i++) for (let d = 0; d < dim; d++) mean[d] = (mean[d] as number) + (features[i * dim + d] as number) / n;
  const covariance = new Float64Array(dim * dim);
  const centred = new Float64Array(dim);
  for (let i = 0; i < n; i++) {
    for (let d = 0; d < dim; d++) centred[d] = (features[i * dim + d] as number) - (mean[d] as number);
    for (let a = 0; a < dim; a++) {
      const ca = centred[a] as number;
      if (ca === 0) continue;
      for (let b = a; b < dim; b++) covariance[a * dim + b] = (covariance[a * dim + b] as number) + ca * (centred[b] as number);
    }
  }
  for (let a = 0; a < dim; a++) {
    for (let b = a; b < dim; b++) {
      const v = (covariance[a * dim + b] as number) / (n - 1);
      covariance[a * dim + b] = v;
      covariance[b * dim + a] = v;
    }
  }
  return { mean, covariance, dim };
}

function toMatrix(a: Float64Array, dim: number): Matrix {
  const rows: number[][] = [];
  for (let i = 0; i < dim; i++) rows.push(Array.from(a.subarray(i * dim, (i + 1) * dim)));
  return new Matrix(rows);
}

/** Symmetric PSD square root by eigen-decomposition (negative round-off eigenvalues clipped to 0). */
export function sqrtmPsd(m: Matrix): Matrix {
  // ml-matrix's add/mul/mulRowVector work in place, hence the clones.
  const sym = Matrix.add(m, m.transpose()).mul(0.5);
  const eig = new EigenvalueDecomposition(sym, { assumeSymmetric: true });
  const v = eig.eigenvectorMatrix;
  const roots = eig.realEigenvalues.map((l) => Math.sqrt(Math.max(l, 0)));
  return v.clone().mulRowVector(roots).mmul(v.transpose());
}

/**
 * Fréchet distance between Gaussians (Dowson & Landau 1982; FID, Heusel et al. 2017):
 * ‖μ₁ − μ₂‖² + tr(Σ₁ + Σ₂ − 2 (Σ₁^½ Σ₂ Σ₁^½)^½). The symmetric form keeps every square root PSD.
 */
export function frechetDistance(a: GaussianMoments, b: GaussianMoments): number {
  if (a.dim !== b.dim) throw new DlError("SHAPE_MISMATCH", `Feature dimensions differ: ${a.dim} vs ${b.dim}.`);
  const dim = a.dim;
  let meanTerm = 0;
  for (let d = 0; d < dim; d++) meanTerm += ((a.mean[d] as number) - (b.mean[d] as number)) ** 2;
  const s1 = toMatrix(a.covariance, dim);
  const s2 = toMatrix(b.covariance, dim);
  const root1 = sqrtmPsd(s1);
  const cross = sqrtmPsd(root1.mmul(s2).mmul(root1));
  return Math.max(0, meanTerm + s1.trace() + s2.trace() - 2 * cross.trace());
}

export function frechetDistanceFromFeatures(a: ArrayLike<number>, b: ArrayLike<number>, dim: number): number {
  return frechetDistance(featureMoments(a, dim), featureMoments(b, dim));
}
