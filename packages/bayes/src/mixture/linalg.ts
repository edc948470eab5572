// Small dense float64 linear algebra on row-major arrays: what mixtures need, nothing more.

/** Lower Cholesky factor L (L Lᵀ = A) of a symmetric d×d matrix, or undefined if A is not positive definite. */
export function cholesky(a: Float64Array, d: number): Float64Array | undefined {
  const l = new Float64Array(d * d);
  for (let i = 0; i < d; i++) {
    for (let j = 0; j <= i; j++) {
      let sum = a[i * d + j] ?? 0;
      for (let k = 0; k < j; k++) sum -= (l[i * d + k] ?? 0) * (l[j * d + k] ?? 0);
      if (i === j) {
        if (!(sum > 0) || !Number.isFinite(sum)) return undefined;
        l[i * d + i] = Math.sqrt(sum);
      } else {
        l[i * d + j] = sum / (l[j * d + j] ?? 1);
      }
    }
  }
  return l;
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

/** log Σ exp(vᵢ), stable for any magnitudes. */
export function logSumExp(values: ArrayLike<number>): number {
  let max = -Infinity;
  for (let i = 0; i < values.length; i++) max = Math.max(max, values[i] ?? -Infinity);
  if (max === -Infinity) return -Infinity;
  let s = 0;
  for (let i = 0; i < values.length; i++) s += Math.exp((values[i] ?? -Infinity) - max);
  return max + Math.log(s);
}
