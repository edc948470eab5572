import { Matrix, solve } from "ml-matrix";

import { DlError } from "@dl/tensor-core";

/** A fitted logistic regression: P(label = 1 | φ) = σ(wᵀφ). */
export interface LogisticFit {
  weights: Float64Array;
  iterations: number;
  converged: boolean;
}

/**
 * Logistic regression by Newton's method (IRLS) in float64: exact to convergence, no learning rate,
 * deterministic. `features` is n × p row-major; a tiny ridge keeps the Hessian invertible under separation.
 */
export function fitLogisticRegression(
  features: Float64Array,
  labels: Uint8Array,
  p: number,
  opts: { ridge?: number; maxIterations?: number; tolerance?: number } = {},
): LogisticFit {
  const n = labels.length;
  if (features.length !== n * p) {
    throw new DlError("SHAPE_MISMATCH", `Features have ${features.length} values; expected ${n} rows × ${p} columns.`);
  }
  const ridge = opts.ridge ?? 1e-8 * n;
  const maxIterations = opts.maxIterations ?? 50;
  const tolerance = opts.tolerance ?? 1e-10;
  const w = new Float64Array(p);
  let converged = false;
  let iterations = 0;
  for (; iterations < maxIterations && !converged; iterations++) {
    const gradient = new Float64Array(p);
    const hessian = new Float64Array(p * p);
    for (let i = 0; i < n; i++) {
      let eta = 0;
      const row = i * p;
      for (let j = 0; j < p; j++) eta += (w[j] as number) * (features[row + j] as number);
      const mu = sigmoid(eta);
      const residual = (labels[i] as number) - mu;
      const weight = Math.max(mu * (1 - mu), 1e-12);
      for (let j = 0; j < p; j++) {
        const fj = features[row + j] as number;
        gradient[j] = (gradient[j] as number) + residual * fj;
        const wf = weight * fj;
        for (let k = j; k < p; k++) hessian[j * p + k] = (hessian[j * p + k] as number) + wf * (features[row + k] as number);
      }
    }
    for (let j = 0; j < p; j++) {
      gradient[j] = (gradient[j] as number) - ridge * (w[j] as number);
      hessian[j * p + j] = (hessian[j * p + j] as number) + ridge;
      for (let k = 0; k < j; k++) hessian[j * p + k] = hessian[k * p + j] as number;
    }
    const rows: number[][] = [];
    for (let j = 0; j < p; j++) rows.push(Array.from(hessian.subarray(j * p, (j + 1) * p)));
    const step = solve(new Matrix(rows), Matrix.columnVector(Array.from(gradient))).to1DArray();
    let stepNorm = 0;
    for (let j = 0; j < p; j++) {
      const s = step[j] ?? 0;
      w[j] = (w[j] as number) + s;
      stepNorm = Math.max(stepNorm, Math.abs(s));
    }
    if (!Number.isFinite(stepNorm)) throw new DlError("NON_FINITE", "Logistic regression diverged (non-finite Newton step); standardise the data or add a ridge.");
    converged = stepNorm < tolerance * (1 + maxAbs(w));
  }
  return { weights: w, iterations, converged };
}

export function sigmoid(eta: number): number {
  return eta >= 0 ? 1 / (1 + Math.exp(-eta)) : Math.exp(eta) / (1 + Math.exp(eta));
}

function maxAbs(a: Float64Array): number {
  let m = 0;
  for (const v of a) m = Math.max(m, Math.abs(v));
  return m;
}
