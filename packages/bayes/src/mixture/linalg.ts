// Dense float64 linear algebra for mixtures: the decomposition comes from ml-matrix (the library gan and
// metalearn use too); the per-point triangular solve stays inline because it runs once per point and component.
import { CholeskyDecomposition, Matrix } from "ml-matrix";

/** Lower Cholesky factor L (L Lᵀ = A, row-major) of a symmetric d×d matrix, or undefined if A is not positive definite. */
export function cholesky(a: Float64Array, d: number): Float64Array | undefined {
  const decomposition = new CholeskyDecomposition(Matrix.from1DArray(d, d, a));
  if (!decomposition.isPositiveDefinite()) return undefined;
  return Float64Array.from(decomposition.lowerTriangularMatrix.to1DArray());
}

/** Squared Mahalanobis norm ‖L⁻¹ r‖² by forward substitution. */
export function mahalanobisSquared(l: Float64Array, d: number, r: Float64Array): number {
  const y = new Float64Array(d);
  let total = 0;
  for (let i = 0; i < d; i++) {
    let acc = r[i] ?? 0;
    for (let k = 0; k < i; k++) acc -= (l[i * d + k] ?? 0) * (y[k] ?? 0);
    const v = acc / (l[i * d + i] ?? 1);
    y[i] = v;
    total += v * v;
  }
  return total;
}

/** log det(L Lᵀ) = 2 Σ log Lᵢᵢ. */
export function logDetFromCholesky(l: Float64Array, d: number): number {
  let s = 0;
  for (let i = 0; i < d; i++) s += Math.log(l[i * d + i] ?? 1);
  return 2 * s;
}
