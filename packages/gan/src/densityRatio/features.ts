/**
 * Features under which a log-ratio is linear. For two Gaussians log p*(x) − log q(x) is a quadratic
 * form, so [1, x, upper triangle of x xᵀ] represents it exactly.
 */
export type RatioFeatures = "linear" | "quadratic";

export function featureCount(kind: RatioFeatures, dim: number): number {
  return kind === "linear" ? 1 + dim : 1 + dim + (dim * (dim + 1)) / 2;
}

/** Builds the n × p design matrix (float64) from n × dim points, after centring/scaling by `shift`/`scale`. */
export function buildFeatures(
  kind: RatioFeatures,
  points: ArrayLike<number>,
  dim: number,
  shift: Float64Array,
  scale: Float64Array,
): Float64Array {
  const n = Math.floor(points.length / dim);
  const p = featureCount(kind, dim);
  const out = new Float64Array(n * p);
  const z = new Float64Array(dim);
  for (let i = 0; i < n; i++) {
    for (let d = 0; d < dim; d++) z[d] = ((points[i * dim + d] as number) - (shift[d] as number)) / (scale[d] as number);
    let c = i * p;
    out[c++] = 1;
    for (let d = 0; d < dim; d++) out[c++] = z[d] as number;
    if (kind === "quadratic") {
      for (let a = 0; a < dim; a++) for (let b = a; b < dim; b++) out[c++] = (z[a] as number) * (z[b] as number);
    }
  }
  return out;
}
