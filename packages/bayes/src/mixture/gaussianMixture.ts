import { DlError, createRng, throwIfAborted } from "@dl/tensor-core";
import type { RunOptions } from "@dl/tensor-core";

import { logSumExp } from "../special/logSumExp.js";
import { cholesky, logDetFromCholesky, mahalanobisSquared } from "./linalg.js";

/**
 * A Gaussian mixture with full covariances. In one dimension a mean may be a number and a
 * covariance a variance.
 */
export interface GaussianMixture {
  weights: readonly number[];
  means: readonly (number | readonly number[])[];
  covariances: readonly (number | readonly (readonly number[])[])[];
}

/** Points as rows, or a flat row-major buffer with its [N, D] shape (what `.npy` files give). */
export type Points = readonly (number | readonly number[])[] | { data: ArrayLike<number>; shape: readonly number[] };

export interface MixturePosterior {
  /** φ(x)ₖ = p(z = k | x), one row of K per point. */
  responsibilities: number[][];
  /** log p(x) under the mixture, per point. */
  logMarginal: number[];
  /** Per point, log wₖ + log N(x; μₖ, Σₖ) for each k. */
  logJoint: number[][];
}

interface PreparedComponent {
  logWeight: number;
  mean: Float64Array;
  cholesky: Float64Array;
  logNormaliser: number;
}

interface PreparedMixture {
  dimension: number;
  components: PreparedComponent[];
}

const WEIGHT_TOLERANCE = 1e-6;
const LOG_TWO_PI = Math.log(2 * Math.PI);

function asVector(value: number | readonly number[]): number[] {
  return typeof value === "number" ? [value] : [...value];
}

function asMatrix(value: number | readonly (readonly number[])[]): number[][] {
  return typeof value === "number" ? [[value]] : value.map((row) => [...row]);
}

/** Validates a mixture and factors its covariances once (throws DlError naming what is wrong). */
export function prepareMixture(mixture: GaussianMixture): PreparedMixture {
  const { weights, means, covariances } = mixture;
  const k = weights.length;
  if (k === 0) throw new DlError("INVALID_ARGUMENT", "A mixture needs at least one component; weights is empty.");
  if (means.length !== k || covariances.length !== k) {
    throw new DlError(
      "SHAPE_MISMATCH",
      `A mixture needs one mean and one covariance per weight: got ${k} weights, ${means.length} means, ${covariances.length} covariances.`,
    );
  }
  weights.forEach((w, i) => {
    if (!Number.isFinite(w) || w < 0) throw new DlError("INVALID_ARGUMENT", `Mixture weight ${i} is ${w}; weights must be finite and ≥ 0.`);
  });
  const total = weights.reduce((a, b) => a + b, 0);
  if (Math.abs(total - 1) > WEIGHT_TOLERANCE) {
    throw new DlError("INVALID_ARGUMENT", `Mixture weights must sum to 1, they sum to ${total}. Divide each weight by ${total}.`, {
      details: { sum: total },
    });
  }
  const firstMean = means[0];
  const d = firstMean === undefined ? 0 : asVector(firstMean).length;
  if (d === 0) throw new DlError("SHAPE_MISMATCH", "Mixture means must have at least one dimension.");
  const components = means.map((m, i): PreparedComponent => {
    const mean = asVector(m);
    if (mean.length !== d) {
      throw new DlError("SHAPE_MISMATCH", `Component ${i}: mean has dimension ${mean.length}, component 0 has ${d}; all means need the same dimension.`);
    }
    if (mean.some((v) => !Number.isFinite(v))) throw new DlError("NON_FINITE", `Component ${i}: the mean holds a non-finite value.`);
    const cov = asMatrix(covariances[i] ?? []);
    if (cov.length !== d || cov.some((row) => row.length !== d)) {
      throw new DlError("SHAPE_MISMATCH", `Component ${i}: covariance must be ${d}×${d} to match the means.`);
    }
    const flat = new Float64Array(d * d);
    for (let r = 0; r < d; r++) {
      for (let c = 0; c < d; c++) {
        const v = cov[r]?.[c] ?? NaN;
        const vt = cov[c]?.[r] ?? NaN;
        if (!Number.isFinite(v)) throw new DlError("NON_FINITE", `Component ${i}: covariance entry (${r}, ${c}) is ${v}.`);
        if (Math.abs(v - vt) > 1e-9 * (1 + Math.abs(v))) {
          throw new DlError("NOT_POSITIVE_DEFINITE", `Component ${i}: covariance is not symmetric at (${r}, ${c}): ${v} vs ${vt}.`, {
            details: { component: i },
          });
        }
        // Symmetrised (within the 1e-9 tolerance above) so the decomposition sees an exactly symmetric matrix.
        flat[r * d + c] = 0.5 * (v + vt);
      }
    }
    const l = cholesky(flat, d);
    if (l === undefined) {
      throw new DlError(
        "NOT_POSITIVE_DEFINITE",
        `Component ${i}: covariance is not positive definite (Cholesky failed). Use a symmetric matrix with positive eigenvalues, e.g. add a small multiple of the identity.`,
        { details: { component: i } },
      );
    }
    return {
      logWeight: Math.log(weights[i] ?? 0),
      mean: Float64Array.from(mean),
      cholesky: l,
      logNormaliser: -0.5 * (d * LOG_TWO_PI + logDetFromCholesky(l, d)),
    };
  });
  return { dimension: d, components };
}

function isFlatPoints(points: Points): points is { data: ArrayLike<number>; shape: readonly number[] } {
  return !Array.isArray(points) && "shape" in points;
}

function pointsDimension(points: Points): number {
  if (isFlatPoints(points)) return points.shape.length === 1 ? 1 : (points.shape[1] ?? 0);
  const first = (points)[0];
  return first === undefined ? 0 : asVector(first).length;
}

/** Rows of `points` as Float64Arrays of the mixture's dimension. */
export function pointRows(points: Points, dimension: number): Float64Array[] {
  let rows: Float64Array[];
  if (isFlatPoints(points)) {
    const { data, shape } = points;
    const n = shape[0] ?? 0;
    const d = shape.length === 1 ? 1 : (shape[1] ?? 0);
    if (shape.length > 2 || n * d !== data.length) {
      throw new DlError("SHAPE_MISMATCH", `Points need shape [N, D] (or [N] in one dimension), got [${shape.join(", ")}].`);
    }
    if (d !== dimension) {
      throw new DlError("SHAPE_MISMATCH", `Points have dimension ${d}, the mixture has ${dimension}; give x as [N, ${dimension}].`);
    }
    rows = [];
    for (let i = 0; i < n; i++) rows.push(Float64Array.from({ length: d }, (_, j) => data[i * d + j] ?? NaN));
  } else {
    rows = (points).map((p, i) => {
      const v = asVector(p);
      if (v.length !== dimension) {
        throw new DlError("SHAPE_MISMATCH", `Point ${i} has dimension ${v.length}, the mixture has ${dimension}.`);
      }
      return Float64Array.from(v);
    });
  }
  rows.forEach((r, i) => {
    if (r.some((v) => !Number.isFinite(v))) throw new DlError("NON_FINITE", `Point ${i} holds a non-finite value; remove or fix it.`);
  });
  return rows;
}

function logJointRow(prepared: PreparedMixture, x: Float64Array): number[] {
  const d = prepared.dimension;
  const r = new Float64Array(d);
  return prepared.components.map((c) => {
    for (let j = 0; j < d; j++) r[j] = (x[j] ?? 0) - (c.mean[j] ?? 0);
    return c.logWeight + c.logNormaliser - 0.5 * mahalanobisSquared(c.cholesky, d, r);
  });
}

/**
 * Posterior responsibilities φ(x)ₖ = wₖ N(x; μₖ, Σₖ) / Σⱼ wⱼ N(x; μⱼ, Σⱼ), computed in log space
 * through Cholesky factors so points far from every mean stay finite.
 */
export function mixtureResponsibilities(mixture: GaussianMixture, points: Points): MixturePosterior {
  const prepared = prepareMixture(mixture);
  const rows = pointRows(points, prepared.dimension);
  const responsibilities: number[][] = [];
  const logMarginal: number[] = [];
  const logJoint: number[][] = [];
  for (const x of rows) {
    const joint = logJointRow(prepared, x);
    const marginal = logSumExp(joint);
    logJoint.push(joint);
    logMarginal.push(marginal);
    responsibilities.push(joint.map((v) => Math.exp(v - marginal)));
  }
  return { responsibilities, logMarginal, logJoint };
}

export interface FitGaussianMixtureOptions extends RunOptions {
  maxIterations?: number;
  /** Stop when the mean log-likelihood improves by less than this (default 1e-6). */
  tolerance?: number;
  /** Added to each covariance diagonal so components cannot collapse (default 1e-6). */
  regularization?: number;
}

export interface FitGaussianMixtureResult {
  mixture: { weights: number[]; means: number[][]; covariances: number[][][] };
  /** Mean log-likelihood per point after each EM iteration (non-decreasing). */
  logLikelihoodHistory: number[];
  iterations: number;
  converged: boolean;
}

/** Fits a K-component full-covariance Gaussian mixture by EM (Dempster, Laird & Rubin 1977). */
export function fitGaussianMixture(points: Points, k: number, options: FitGaussianMixtureOptions = {}): FitGaussianMixtureResult {
  if (!Number.isInteger(k) || k < 1) throw new DlError("INVALID_ARGUMENT", `fitGaussianMixture needs k ≥ 1 components, got ${k}.`);
  const dimension = pointsDimension(points);
  const rows = pointRows(points, dimension);
  const n = rows.length;
  if (n < k) throw new DlError("INVALID_ARGUMENT", `fitGaussianMixture needs at least k = ${k} points, got ${n}.`);
  const d = dimension;
  const rng = createRng(options.seed);
  const regularization = options.regularization ?? 1e-6;
  const maxIterations = options.maxIterations ?? 200;
  const tolerance = options.tolerance ?? 1e-6;

  // Start from k distinct random points as means, the pooled covariance, equal weights.
  const pooledMean = new Float64Array(d);
  for (const x of rows) for (let j = 0; j < d; j++) pooledMean[j] = (pooledMean[j] ?? 0) + (x[j] ?? 0) / n;
  const pooled: number[][] = Array.from({ length: d }, () => new Array<number>(d).fill(0));
  for (const x of rows) {
    for (let a = 0; a < d; a++) {
      for (let b = 0; b < d; b++) {
        const row = pooled[a] as number[];
        row[b] = (row[b] ?? 0) + ((x[a] ?? 0) - (pooledMean[a] ?? 0)) * ((x[b] ?? 0) - (pooledMean[b] ?? 0)) / n;
      }
    }
  }
  for (let a = 0; a < d; a++) (pooled[a] as number[])[a] = (pooled[a]?.[a] ?? 0) + regularization;
  let mixture = {
    weights: new Array<number>(k).fill(1 / k),
    means: Array.from(rng.sample(n, k), (i) => Array.from(rows[i] ?? [])),
    covariances: Array.from({ length: k }, () => pooled.map((r) => [...r])),
  };
  const history: number[] = [];
  let converged = false;
  let iteration = 0;
  for (; iteration < maxIterations; iteration++) {
    throwIfAborted(options.signal);
    const posterior = mixtureResponsibilities(mixture, rows.map((r) => Array.from(r)));
    const meanLogLikelihood = posterior.logMarginal.reduce((a, b) => a + b, 0) / n;
    history.push(meanLogLikelihood);
    options.onProgress?.({ phase: "em", step: iteration + 1, total: maxIterations, metrics: { logLikelihood: meanLogLikelihood } });
    const previous = history[history.length - 2];
    if (previous !== undefined && Math.abs(meanLogLikelihood - previous) < tolerance) {
      converged = true;
      options.onProgress?.({ phase: "em", step: iteration + 1, total: maxIterations, metrics: { logLikelihood: meanLogLikelihood }, stopped: `convergence (log-likelihood changed by less than ${tolerance})` });
      break;
    }
    // M-step: responsibility-weighted counts, means and covariances.
    const counts = new Array<number>(k).fill(0);
    const means = Array.from({ length: k }, () => new Array<number>(d).fill(0));
    posterior.responsibilities.forEach((r, i) => {
      const x = rows[i] as Float64Array;
      r.forEach((g, c) => {
        counts[c] = (counts[c] ?? 0) + g;
        const m = means[c] as number[];
        for (let j = 0; j < d; j++) m[j] = (m[j] ?? 0) + g * (x[j] ?? 0);
      });
    });
    means.forEach((m, c) => m.forEach((_, j) => (m[j] = (m[j] ?? 0) / Math.max(counts[c] ?? 0, 1e-300))));
    const covariances = Array.from({ length: k }, () => Array.from({ length: d }, () => new Array<number>(d).fill(0)));
    posterior.responsibilities.forEach((r, i) => {
      const x = rows[i] as Float64Array;
      r.forEach((g, c) => {
        const m = means[c] as number[];
        const cov = covariances[c] as number[][];
        for (let a = 0; a < d; a++) {
          const da = (x[a] ?? 0) - (m[a] ?? 0);
          for (let b = 0; b < d; b++) (cov[a] as number[])[b] = (cov[a]?.[b] ?? 0) + g * da * ((x[b] ?? 0) - (m[b] ?? 0));
        }
      });
    });
    covariances.forEach((cov, c) => {
      for (let a = 0; a < d; a++) {
        for (let b = 0; b < d; b++) (cov[a] as number[])[b] = (cov[a]?.[b] ?? 0) / Math.max(counts[c] ?? 0, 1e-300);
        (cov[a] as number[])[a] = (cov[a]?.[a] ?? 0) + regularization;
      }
    });
    const weightTotal = counts.reduce((a, b) => a + b, 0);
    mixture = { weights: counts.map((c) => c / weightTotal), means, covariances };
  }
  return { mixture, logLikelihoodHistory: history, iterations: iteration, converged };
}
