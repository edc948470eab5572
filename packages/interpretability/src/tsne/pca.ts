import type * as Tfjs from "@tensorflow/tfjs-core";

import { DEFAULT_SEED, DlError, createRng } from "@dl/tensor-core/host";

import { runSteps, runStepsYielding } from "./cooperative.js";
import { readyTfjs, requireTfjs } from "./tfjs.js";
import type { Steps } from "./cooperative.js";

export interface PcaResult {
  /** n × components projections of the centred data. */
  projections: Float64Array;
  /** components × d orthonormal directions, largest variance first. */
  components: Float64Array;
  /** Variance along each direction. */
  variances: Float64Array;
  mean: Float64Array;
}

const DEFAULT_SUBSPACE_ITERATIONS = 8;
/**
 * Up to this many features (and without `useBackend`) PCA is exact: the d × d covariance in float64 (N·d²/2
 * multiply-adds) and its Jacobi eigen-decomposition. Measured for t-SNE's PCA initialisation of 70k × 50 points:
 * 0.7 s against 5.7–6.5 s for randomized subspace iteration in JS.
 */
export const EXACT_PCA_MAX_DIMS = 64;
const OVERSAMPLING = 8;

/**
 * Top principal components by randomized subspace iteration (Halko, Martinsson & Tropp 2011, alg. 4.4):
 * O(N·d·k) per pass, never d×d, then Rayleigh–Ritz on the small k×k problem (Jacobi eigen-solver).
 */
export interface PcaOptions {
  seed?: number;
  iterations?: number;
  useBackend?: boolean;
}

export function pca(data: Float32Array | Float64Array, n: number, d: number, components: number, options: PcaOptions = {}): PcaResult {
  return runSteps(pcaSteps(data, n, d, components, options));
}

/** `pca` returning to the event loop between blocks, so `signal` (checked there) stops it within tens of milliseconds. */
export function pcaYielding(data: Float32Array | Float64Array, n: number, d: number, components: number, options: PcaOptions & { signal?: AbortSignal | undefined } = {}): Promise<PcaResult> {
  return runStepsYielding(pcaSteps(data, n, d, components, options), options.signal);
}

/** Rows between the PCA's returns to its driver. */
const YIELD_ROWS = 1024;

function* pcaSteps(data: Float32Array | Float64Array, n: number, d: number, components: number, options: PcaOptions): Steps<PcaResult> {
  if (components < 1 || components > Math.min(n, d)) {
    throw new DlError("INVALID_ARGUMENT", `PCA needs 1 ≤ components ≤ min(N, d) = ${Math.min(n, d)}, got ${components}.`);
  }
  if (options.useBackend === undefined && d <= EXACT_PCA_MAX_DIMS) return yield* exactCovariancePca(data, n, d, components);
  if (options.useBackend ?? (n * d * components > 2e7 && d <= 8192 && readyTfjs() !== undefined)) {
    return yield* covariancePca(data, n, d, components, options.seed ?? DEFAULT_SEED);
  }
  const mean = columnMeans(data, n, d);
  const k = Math.min(d, n, components + OVERSAMPLING);
  const rng = createRng(options.seed ?? DEFAULT_SEED);
  let basis = new Float64Array(k * d); // k × d, rows orthonormal
  for (let e = 0; e < k * d; e++) basis[e] = rng.normal();
  orthonormalizeRows(basis, k, d);
  const proj = new Float64Array(n * k);
  const project = function* (b: Float64Array): Steps<void> {
    for (let i = 0; i < n; i++) {
      if (i % YIELD_ROWS === 0) yield;
      for (let c = 0; c < k; c++) {
        let s = 0;
        for (let t = 0; t < d; t++) s += ((data[i * d + t] as number) - (mean[t] as number)) * (b[c * d + t] as number);
        proj[i * k + c] = s;
      }
    }
  };
  for (let it = 0; it < (options.iterations ?? DEFAULT_SUBSPACE_ITERATIONS); it++) {
    yield* project(basis);
    // basis ← Xᵀ (X basis), then re-orthonormalise.
    const next = new Float64Array(k * d);
    for (let i = 0; i < n; i++) {
      if (i % YIELD_ROWS === 0) yield;
      for (let c = 0; c < k; c++) {
        const v = proj[i * k + c] as number;
        if (v === 0) continue;
        for (let t = 0; t < d; t++) next[c * d + t]! += v * ((data[i * d + t] as number) - (mean[t] as number));
      }
    }
    orthonormalizeRows(next, k, d);
    basis = next;
  }
  yield* project(basis);
  // Rayleigh–Ritz: eigen-decompose the k×k covariance of the projections.
  const cov = new Float64Array(k * k);
  for (let i = 0; i < n; i++) {
    for (let a = 0; a < k; a++) {
      const va = proj[i * k + a] as number;
      for (let b = a; b < k; b++) cov[a * k + b]! += va * (proj[i * k + b] as number);
    }
  }
  for (let a = 0; a < k; a++) for (let b = a; b < k; b++) cov[b * k + a] = cov[a * k + b]! /= Math.max(n - 1, 1);
  const { comps, variances } = componentsFromSubspace(cov, k, basis, d, components);
  return { projections: yield* projectCentred(data, n, d, mean, comps, components), components: comps, variances, mean };
}

function columnMeans(data: Float32Array | Float64Array, n: number, d: number): Float64Array {
  const mean = new Float64Array(d);
  for (let i = 0; i < n; i++) for (let t = 0; t < d; t++) mean[t]! += data[i * d + t] as number;
  for (let t = 0; t < d; t++) mean[t]! /= n;
  return mean;
}

/** n × components projections of the centred rows on the `components` × d directions `comps`. */
function* projectCentred(data: Float32Array | Float64Array, n: number, d: number, mean: Float64Array, comps: Float64Array, components: number): Steps<Float64Array> {
  const projections = new Float64Array(n * components);
  for (let i = 0; i < n; i++) {
    if (i % YIELD_ROWS === 0) yield;
    for (let c = 0; c < components; c++) {
      let s = 0;
      for (let t = 0; t < d; t++) s += ((data[i * d + t] as number) - (mean[t] as number)) * (comps[c * d + t] as number);
      projections[i * components + c] = s;
    }
  }
  return projections;
}

/** Exact PCA for few features: covariance in float64, all its eigenvectors (Jacobi), the top `components` kept. */
function* exactCovariancePca(data: Float32Array | Float64Array, n: number, d: number, components: number): Steps<PcaResult> {
  const mean = columnMeans(data, n, d);
  const cov = new Float64Array(d * d);
  const row = new Float64Array(d);
  for (let i = 0; i < n; i++) {
    if (i % YIELD_ROWS === 0) yield;
    for (let t = 0; t < d; t++) row[t] = (data[i * d + t] as number) - (mean[t] as number);
    for (let a = 0; a < d; a++) {
      const ra = row[a] as number;
      const at = a * d;
      for (let b = a; b < d; b++) cov[at + b]! += ra * (row[b] as number);
    }
  }
  for (let a = 0; a < d; a++) for (let b = a; b < d; b++) cov[b * d + a] = cov[a * d + b]! /= Math.max(n - 1, 1);
  // The identity as the basis: the subspace is the whole space, so the components are the covariance's eigenvectors.
  const identity = new Float64Array(d * d);
  for (let t = 0; t < d; t++) identity[t * d + t] = 1;
  const { comps, variances } = componentsFromSubspace(cov, d, identity, d, components);
  return { projections: yield* projectCentred(data, n, d, mean, comps, components), components: comps, variances, mean };
}

function orthonormalizeRows(m: Float64Array, rows: number, cols: number): void {
  for (let a = 0; a < rows; a++) {
    for (let pass = 0; pass < 2; pass++) {
      for (let b = 0; b < a; b++) {
        let dot = 0;
        for (let t = 0; t < cols; t++) dot += (m[a * cols + t] as number) * (m[b * cols + t] as number);
        for (let t = 0; t < cols; t++) m[a * cols + t]! -= dot * (m[b * cols + t] as number);
      }
    }
    let norm = 0;
    for (let t = 0; t < cols; t++) norm += (m[a * cols + t] as number) ** 2;
    norm = Math.sqrt(norm);
    if (norm < 1e-300) {
      // A rank-deficient direction: replace with a unit vector orthogonal enough for our purposes.
      m.fill(0, a * cols, (a + 1) * cols);
      m[a * cols + (a % cols)] = 1;
      continue;
    }
    for (let t = 0; t < cols; t++) m[a * cols + t]! /= norm;
  }
}

/** Cyclic Jacobi eigen-decomposition of a small symmetric matrix; eigenvectors are columns. */
export function symmetricEigen(matrix: Float64Array, k: number): { values: Float64Array; vectors: Float64Array } {
  const a = Float64Array.from(matrix);
  const v = new Float64Array(k * k);
  for (let i = 0; i < k; i++) v[i * k + i] = 1;
  for (let sweep = 0; sweep < 100; sweep++) {
    let off = 0;
    for (let p = 0; p < k; p++) for (let q = p + 1; q < k; q++) off += (a[p * k + q] as number) ** 2;
    if (off < 1e-30) break;
    for (let p = 0; p < k; p++) {
      for (let q = p + 1; q < k; q++) {
        const apq = a[p * k + q] as number;
        if (Math.abs(apq) < 1e-300) continue;
        const app = a[p * k + p] as number;
        const aqq = a[q * k + q] as number;
        const theta = (aqq - app) / (2 * apq);
        const t = Math.sign(theta || 1) / (Math.abs(theta) + Math.sqrt(theta * theta + 1));
        const c = 1 / Math.sqrt(t * t + 1);
        const s = t * c;
        for (let r = 0; r < k; r++) {
          const arp = a[r * k + p] as number;
          const arq = a[r * k + q] as number;
          a[r * k + p] = c * arp - s * arq;
          a[r * k + q] = s * arp + c * arq;
        }
        for (let r = 0; r < k; r++) {
          const apr = a[p * k + r] as number;
          const aqr = a[q * k + r] as number;
          a[p * k + r] = c * apr - s * aqr;
          a[q * k + r] = s * apr + c * aqr;
        }
        for (let r = 0; r < k; r++) {
          const vrp = v[r * k + p] as number;
          const vrq = v[r * k + q] as number;
          v[r * k + p] = c * vrp - s * vrq;
          v[r * k + q] = s * vrp + c * vrq;
        }
      }
    }
  }
  const values = new Float64Array(k);
  for (let i = 0; i < k; i++) values[i] = a[i * k + i] as number;
  return { values, vectors: v };
}


const ROW_BLOCK = 4096;
const COVARIANCE_ITERATIONS = 40;

/**
 * PCA through the d × d covariance, with the heavy products (XᵀX in row blocks, C·B, X·V) on the
 * TensorFlow.js backend and the small orthonormalisation and k × k eigenproblem in JS. Memory is
 * O(d² + block·d); used for large N·d where the JS loops would take minutes.
 */
function* covariancePca(data: Float32Array | Float64Array, n: number, d: number, components: number, seed: number): Steps<PcaResult> {
  const tf = requireTfjs("PCA with useBackend");
  const mean = columnMeans(data, n, d);
  const mean32 = Float32Array.from(mean);
  const rowsOf = (start: number, rows: number): Tfjs.Tensor2D => {
    const slice = data.subarray(start * d, (start + rows) * d);
    return tf.tidy(() => tf.sub(tf.tensor2d(slice instanceof Float32Array ? slice : Float32Array.from(slice), [rows, d]), tf.tensor1d(mean32)));
  };
  let cov = tf.zeros([d, d]);
  try {
    for (let start = 0; start < n; start += ROW_BLOCK) {
      yield;
      const rows = Math.min(ROW_BLOCK, n - start);
      const next = tf.tidy(() => {
        const xb = rowsOf(start, rows);
        return tf.add(cov, tf.matMul(tf.transpose(xb), xb));
      });
      cov.dispose();
      cov = next;
    }
    const k = Math.min(d, components + OVERSAMPLING);
    const rng = createRng(seed);
    let basis = new Float64Array(k * d);
    for (let e = 0; e < k * d; e++) basis[e] = rng.normal();
    orthonormalizeRows(basis, k, d);
    for (let it = 0; it < COVARIANCE_ITERATIONS; it++) {
      yield;
      // Rows of B·C (C symmetric) span the next subspace.
      const product = tf.tidy(() => tf.matMul(tf.tensor2d(Float32Array.from(basis), [k, d]), cov));
      basis = Float64Array.from(product.dataSync());
      product.dispose();
      orthonormalizeRows(basis, k, d);
    }
    const projected = tf.tidy(() => tf.matMul(tf.matMul(tf.tensor2d(Float32Array.from(basis), [k, d]), cov), tf.transpose(tf.tensor2d(Float32Array.from(basis), [k, d]))));
    const small = Float64Array.from(projected.dataSync());
    projected.dispose();
    for (let e = 0; e < k * k; e++) small[e]! /= Math.max(n - 1, 1);
    for (let a = 0; a < k; a++) for (let b = 0; b < a; b++) small[a * k + b] = small[b * k + a] = 0.5 * ((small[a * k + b] as number) + (small[b * k + a] as number));
    const { comps, variances } = componentsFromSubspace(small, k, basis, d, components);
    const projections = new Float64Array(n * components);
    const compsT = tf.tidy(() => tf.transpose(tf.tensor2d(Float32Array.from(comps), [components, d])));
    try {
      for (let start = 0; start < n; start += ROW_BLOCK) {
        yield;
        const rows = Math.min(ROW_BLOCK, n - start);
        const block = tf.tidy(() => tf.matMul(rowsOf(start, rows), compsT));
        projections.set(block.dataSync(), start * components);
        block.dispose();
      }
    } finally {
      compsT.dispose();
    }
    return { projections, components: comps, variances, mean };
  } finally {
    cov.dispose();
  }
}

/**
 * Principal components from the covariance `small` (k × k) of the data projected on the rows of
 * `basis` (k × d): eigenvectors sorted by variance, mapped back to d dimensions, each sign fixed so the
 * largest |entry| is positive (results then do not depend on the random start).
 */
function componentsFromSubspace(
  small: Float64Array,
  k: number,
  basis: ArrayLike<number>,
  d: number,
  components: number,
): { comps: Float64Array; variances: Float64Array } {
  const { values, vectors } = symmetricEigen(small, k);
  const order = Array.from({ length: k }, (_, i) => i).sort((a, b) => (values[b] as number) - (values[a] as number));
  const comps = new Float64Array(components * d);
  const variances = new Float64Array(components);
  for (let c = 0; c < components; c++) {
    const o = order[c] as number;
    variances[c] = values[o] as number;
    for (let a = 0; a < k; a++) {
      const coef = vectors[a * k + o] as number;
      for (let t = 0; t < d; t++) comps[c * d + t]! += coef * (basis[a * d + t] as number);
    }
    let big = 0;
    for (let t = 0; t < d; t++) if (Math.abs(comps[c * d + t] as number) > Math.abs(big)) big = comps[c * d + t] as number;
    if (big < 0) for (let t = 0; t < d; t++) comps[c * d + t] = -(comps[c * d + t] as number);
  }
  return { comps, variances };
}
