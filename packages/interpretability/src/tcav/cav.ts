// Concept activation vectors: seeded L2-regularised logistic regression on layer activations.
import { DlError, assertArgument, createRng } from "@dl/tensor-core";

export interface CavOptions {
  /** L2 penalty λ on the weights (not the bias), applied to activations scaled to unit mean row norm. */
  l2?: number;
  /** Share of each class held out to measure accuracy (stratified). */
  heldOutFraction?: number;
  /** Seed of the train / held-out split. */
  seed?: number;
  maxIterations?: number;
  /** Stop when the gradient's largest entry falls below this. */
  gradientTolerance?: number;
}

export interface Cav {
  /** Unit normal of the decision boundary, pointing from the counterexamples toward the concept. */
  direction: Float32Array;
  /** Accuracy on the held-out part of both sets. */
  accuracy: number;
  trainAccuracy: number;
  iterations: number;
}

/** A row-major matrix of activations: `rows` examples × `dim` features. */
export interface ActivationMatrix {
  data: Float32Array;
  rows: number;
  dim: number;
}

/**
 * Trains a CAV separating `positiveRows` (the concept) from `negativeRows` (a random counterexample
 * set), both indices into `matrix`. The problem is solved to convergence with L-BFGS from zero, so
 * the only randomness is the held-out split.
 */
export function trainCav(matrix: ActivationMatrix, positiveRows: ArrayLike<number>, negativeRows: ArrayLike<number>, options: CavOptions = {}): Cav {
  const l2 = options.l2 ?? 1e-2;
  const heldOut = options.heldOutFraction ?? 0.33;
  assertArgument(l2 > 0, () => `The L2 penalty must be positive, got ${l2}.`);
  assertArgument(heldOut >= 0 && heldOut < 1, () => `heldOutFraction must lie in [0, 1), got ${heldOut}.`);
  assertArgument(positiveRows.length >= 2 && negativeRows.length >= 2, () => `A CAV needs at least 2 examples per side, got ${positiveRows.length} concept and ${negativeRows.length} counterexamples.`);
  const { dim } = matrix;
  const rng = createRng(options.seed);
  const split = (rows: ArrayLike<number>): { train: number[]; test: number[] } => {
    const order = rng.permutation(rows.length);
    const nTest = heldOut === 0 ? 0 : Math.min(rows.length - 1, Math.max(1, Math.round(rows.length * heldOut)));
    const test: number[] = [];
    const train: number[] = [];
    order.forEach((o, i) => (i < nTest ? test : train).push(rows[o] as number));
    return { train, test };
  };
  const pos = split(positiveRows);
  const neg = split(negativeRows);
  const trainRows = [...pos.train, ...neg.train];
  const trainLabels = new Float64Array(trainRows.length);
  trainLabels.fill(1, 0, pos.train.length);
  trainLabels.fill(-1, pos.train.length);

  // Centre on the training mean and scale to unit mean row norm: the direction is unchanged (the
  // bias absorbs the shift), while λ and the optimiser become independent of the activation scale.
  const centre = new Float64Array(dim);
  for (const r of trainRows) {
    const off = r * dim;
    for (let j = 0; j < dim; j++) centre[j] = (centre[j] as number) + (matrix.data[off + j] as number);
  }
  for (let j = 0; j < dim; j++) centre[j] = (centre[j] as number) / trainRows.length;
  const n = trainRows.length;
  const x = new Float64Array(n * dim);
  let normSum = 0;
  trainRows.forEach((r, i) => {
    let sq = 0;
    for (let j = 0; j < dim; j++) {
      const v = (matrix.data[r * dim + j] as number) - (centre[j] as number);
      x[i * dim + j] = v;
      sq += v * v;
    }
    normSum += Math.sqrt(sq);
  });
  const scale = normSum > 0 ? n / normSum : 1;
  for (let i = 0; i < x.length; i++) x[i] = (x[i] as number) * scale;

  const { theta, iterations } = minimizeLbfgs(
    (params, grad) => logisticLoss(x, trainLabels, n, dim, l2, params, grad),
    new Float64Array(dim + 1),
    { maxIterations: options.maxIterations ?? 200, gradientTolerance: options.gradientTolerance ?? 1e-6 },
  );
  let norm = 0;
  for (let j = 0; j < dim; j++) norm += (theta[j] as number) ** 2;
  norm = Math.sqrt(norm);
  if (!(norm > 0) || !Number.isFinite(norm)) {
    throw new DlError("NON_FINITE", "The CAV has zero or non-finite length: the concept and counterexample activations are indistinguishable at this layer. Pick another layer or concept.");
  }
  const direction = new Float32Array(dim);
  for (let j = 0; j < dim; j++) direction[j] = (theta[j] as number) / norm;
  const bias = theta[dim] as number;

  const accuracyOn = (rows: readonly number[], label: 1 | -1): [number, number] => {
    let correct = 0;
    for (const r of rows) {
      let z = bias;
      for (let j = 0; j < dim; j++) z += (theta[j] as number) * scale * ((matrix.data[r * dim + j] as number) - (centre[j] as number));
      if ((z > 0 ? 1 : -1) === label) correct++;
    }
    return [correct, rows.length];
  };
  const ratio = (...parts: [number, number][]): number => {
    const total = parts.reduce((s, p) => s + p[1], 0);
    return total === 0 ? Number.NaN : parts.reduce((s, p) => s + p[0], 0) / total;
  };
  return {
    direction,
    accuracy: ratio(accuracyOn(pos.test, 1), accuracyOn(neg.test, -1)),
    trainAccuracy: ratio(accuracyOn(pos.train, 1), accuracyOn(neg.train, -1)),
    iterations,
  };
}

/**
 * Mean logistic loss (1/n) Σ log(1 + exp(−y_i (w·x_i + b))) + (λ/2)‖w‖² and its gradient; params
 * holds w then b. The softplus is evaluated stably in log space.
 */
export function logisticLoss(x: Float64Array, y: Float64Array, n: number, dim: number, l2: number, params: Float64Array, grad: Float64Array): number {
  grad.fill(0);
  const b = params[dim] as number;
  let loss = 0;
  for (let i = 0; i < n; i++) {
    const off = i * dim;
    let z = b;
    for (let j = 0; j < dim; j++) z += (params[j] as number) * (x[off + j] as number);
    const m = -(y[i] as number) * z;
    loss += m > 0 ? m + Math.log1p(Math.exp(-m)) : Math.log1p(Math.exp(m));
    // d/dz softplus(−y z) = −y σ(−y z)
    const coef = (-(y[i] as number) * (m > 0 ? 1 / (1 + Math.exp(-m)) : Math.exp(m) / (1 + Math.exp(m)))) / n;
    for (let j = 0; j < dim; j++) grad[j] = (grad[j] as number) + coef * (x[off + j] as number);
    grad[dim] = (grad[dim] as number) + coef;
  }
  loss /= n;
  let reg = 0;
  for (let j = 0; j < dim; j++) {
    const w = params[j] as number;
    reg += w * w;
    grad[j] = (grad[j] as number) + l2 * w;
  }
  return loss + 0.5 * l2 * reg;
}

/** Limited-memory BFGS (Nocedal & Wright, Alg. 7.4/7.5) with an Armijo backtracking line search. */
export function minimizeLbfgs(
  objective: (params: Float64Array, grad: Float64Array) => number,
  start: Float64Array,
  options: { maxIterations: number; gradientTolerance: number; memory?: number },
): { theta: Float64Array; value: number; iterations: number } {
  const p = start.length;
  const memory = options.memory ?? 10;
  const theta = Float64Array.from(start);
  let grad = new Float64Array(p);
  let value = objective(theta, grad);
  const sList: Float64Array[] = [];
  const yList: Float64Array[] = [];
  const rhoList: number[] = [];
  const direction = new Float64Array(p);
  const alphas = new Float64Array(memory);
  const trial = new Float64Array(p);
  let trialGrad = new Float64Array(p);
  let iterations = 0;
  for (; iterations < options.maxIterations; iterations++) {
    if (maxAbs(grad) < options.gradientTolerance) break;
    // Two-loop recursion: direction = −H·grad.
    for (let j = 0; j < p; j++) direction[j] = -(grad[j] as number);
    for (let k = sList.length - 1; k >= 0; k--) {
      const a = (rhoList[k] as number) * dot(sList[k] as Float64Array, direction);
      alphas[k] = a;
      axpy(-a, yList[k] as Float64Array, direction);
    }
    if (sList.length > 0) {
      const last = sList.length - 1;
      const yy = dot(yList[last] as Float64Array, yList[last] as Float64Array);
      const gamma = 1 / ((rhoList[last] as number) * yy);
      for (let j = 0; j < p; j++) direction[j] = (direction[j] as number) * gamma;
    } else {
      const g = Math.sqrt(dot(grad, grad));
      for (let j = 0; j < p; j++) direction[j] = (direction[j] as number) / Math.max(1, g);
    }
    for (let k = 0; k < sList.length; k++) {
      const b = (rhoList[k] as number) * dot(yList[k] as Float64Array, direction);
      axpy((alphas[k] as number) - b, sList[k] as Float64Array, direction);
    }
    let slope = dot(grad, direction);
    if (!(slope < 0)) {
      // Not a descent direction (curvature lost): restart from steepest descent.
      sList.length = 0;
      yList.length = 0;
      rhoList.length = 0;
      for (let j = 0; j < p; j++) direction[j] = -(grad[j] as number);
      slope = dot(grad, direction);
    }
    let step = 1;
    let trialValue = Number.POSITIVE_INFINITY;
    for (let ls = 0; ls < 40; ls++) {
      for (let j = 0; j < p; j++) trial[j] = (theta[j] as number) + step * (direction[j] as number);
      trialValue = objective(trial, trialGrad);
      if (trialValue <= value + 1e-4 * step * slope) break;
      step *= 0.5;
    }
    if (!(trialValue <= value)) break;
    const s = new Float64Array(p);
    const y = new Float64Array(p);
    for (let j = 0; j < p; j++) {
      s[j] = (trial[j] as number) - (theta[j] as number);
      y[j] = (trialGrad[j] as number) - (grad[j] as number);
    }
    const sy = dot(s, y);
    theta.set(trial);
    const previous = value;
    value = trialValue;
    [grad, trialGrad] = [trialGrad, grad];
    if (sy > 1e-12) {
      sList.push(s);
      yList.push(y);
      rhoList.push(1 / sy);
      if (sList.length > memory) {
        sList.shift();
        yList.shift();
        rhoList.shift();
      }
    }
    if (previous - value <= 1e-12 * Math.max(1, Math.abs(value))) {
      iterations++;
      break;
    }
  }
  return { theta, value, iterations };
}

function dot(a: Float64Array, b: Float64Array): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += (a[i] as number) * (b[i] as number);
  return s;
}

function axpy(a: number, x: Float64Array, y: Float64Array): void {
  for (let i = 0; i < y.length; i++) y[i] = (y[i] as number) + a * (x[i] as number);
}

function maxAbs(a: Float64Array): number {
  let m = 0;
  for (const v of a) m = Math.max(m, Math.abs(v));
  return m;
}
