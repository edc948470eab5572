import { DlError } from "@dl/tensor-core/host";

export const MIN_POINTS = 4;

/** Checks a row-major n × d matrix: sizes agree and every entry is finite (names the first bad row). */
export function assertMatrix(data: ArrayLike<number>, n: number, d: number, what = "data"): void {
  if (!Number.isInteger(n) || !Number.isInteger(d) || n < 0 || d < 1) {
    throw new DlError("INVALID_ARGUMENT", `${what}: N and d must be non-negative integers (d ≥ 1), got N = ${n}, d = ${d}.`);
  }
  if (data.length !== n * d) {
    throw new DlError(
      "SHAPE_MISMATCH",
      `${what} has ${data.length} values but N × d = ${n} × ${d} = ${n * d}; pass a row-major N × d array.`,
    );
  }
  for (let e = 0; e < data.length; e++) {
    const v = data[e] as number;
    if (!Number.isFinite(v)) {
      throw new DlError(
        "NON_FINITE",
        `${what} row ${Math.floor(e / d)} column ${e % d} is ${String(v)}; t-SNE needs finite values — drop or impute that row.`,
        { details: { row: Math.floor(e / d), column: e % d } },
      );
    }
  }
}

/** Perplexity must leave room for 3·perplexity neighbours among the other N − 1 points. */
export function maxPerplexity(n: number): number {
  return (n - 1) / 3;
}

export function assertPerplexity(perplexity: number, n: number): void {
  if (!Number.isFinite(perplexity) || perplexity < 1) {
    throw new DlError("INVALID_ARGUMENT", `perplexity must be a number ≥ 1, got ${perplexity}; typical values are 5–50 (default 30).`);
  }
  const largest = maxPerplexity(n);
  if (perplexity > largest) {
    throw new DlError(
      "INVALID_ARGUMENT",
      `perplexity ${perplexity} is too large for N = ${n} points: 3·perplexity neighbours are needed, so the largest allowed is (N − 1)/3 = ${largest.toFixed(2)}. Lower --perplexity or pass more points.`,
      { details: { maxPerplexity: largest } },
    );
  }
}

export function assertPointCount(n: number): void {
  if (n < MIN_POINTS) {
    throw new DlError("INVALID_ARGUMENT", `t-SNE needs at least ${MIN_POINTS} points, got N = ${n}.`);
  }
}

export function assertDims(dims: number): asserts dims is 2 | 3 {
  if (dims !== 2 && dims !== 3) {
    throw new DlError("INVALID_ARGUMENT", `dims must be 2 or 3, got ${dims}.`);
  }
}

export function assertLabels(labels: ArrayLike<number>, n: number): void {
  if (labels.length !== n) {
    throw new DlError("SHAPE_MISMATCH", `got ${labels.length} labels for N = ${n} points; pass exactly one label per point, in the same order.`);
  }
  for (let i = 0; i < labels.length; i++) {
    const v = labels[i] as number;
    if (!Number.isInteger(v)) throw new DlError("INVALID_ARGUMENT", `label ${i} is ${v}; labels must be integers (class indices).`);
  }
}

/** Unit-length rows for the cosine metric: ‖a − b‖² = 2(1 − cos) on the sphere, so euclidean code applies. */
export function normalizeRows(data: ArrayLike<number>, n: number, d: number): Float32Array {
  const out = new Float32Array(n * d);
  for (let i = 0; i < n; i++) {
    let s = 0;
    for (let t = 0; t < d; t++) s += (data[i * d + t] as number) ** 2;
    if (s === 0) {
      throw new DlError("INVALID_ARGUMENT", `row ${i} is all zeros, so its cosine distance is undefined; use --metric euclidean or drop the row.`);
    }
    const inv = 1 / Math.sqrt(s);
    for (let t = 0; t < d; t++) out[i * d + t] = (data[i * d + t] as number) * inv;
  }
  return out;
}
