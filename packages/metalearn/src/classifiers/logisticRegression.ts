import { assertArgument } from "@dl/tensor-core";

/** L2 penalty λ of the logistic regression on unit-norm features, chosen on the validation sets at 1 shot (F 0–4, MNIST 5–9). */
export const DEFAULT_LOGISTIC_PENALTY = 0.01;
/** Nesterov gradient steps; at λ = 0.01 the accuracy no longer moves after ≈ 150. */
export const DEFAULT_LOGISTIC_ITERATIONS = 200;

/**
 * The penalty for `blocks` unit-norm feature blocks side by side (an ensemble's networks): their rows have squared norm
 * `blocks`, and rows scaled by c fitted with λ·c² reach the optimum of λ on the rows themselves (W' = W / c), so the
 * default λ, chosen on one unit-norm network, keeps its strength on the ensemble.
 */
export function logisticPenaltyForBlocks(blocks: number, penalty: number = DEFAULT_LOGISTIC_PENALTY): number {
  assertArgument(Number.isInteger(blocks) && blocks >= 1, () => `The number of feature blocks must be an integer ≥ 1, got ${blocks}.`);
  return penalty * blocks;
}

export interface LogisticRegressionOptions {
  /** L2 penalty λ on the weights (the bias is not penalised). Default `DEFAULT_LOGISTIC_PENALTY`. */
  penalty?: number;
  /** Gradient steps (default `DEFAULT_LOGISTIC_ITERATIONS`). */
  iterations?: number;
}

export interface LinearClassifier {
  /** `[ways, dim]`, row-major: logit_c(x) = W_c·x + b_c. */
  weights: Float64Array;
  bias: Float64Array;
  ways: number;
  dim: number;
}

/**
 * Multinomial logistic regression, mean cross-entropy + (λ/2)·‖W‖², as "a good embedding is all you need"
 * (Tian et al. 2020) fits on the support features. Solved in the dual: by the representer theorem W = Σ_i α_i x_iᵀ,
 * so gradient descent on W is gradient descent on α through the n × n Gram matrix (n = the support rows, e.g. a
 * shot's augmented views), whatever the feature width. Nesterov steps of 1 / (½·max‖x‖² + λ), a bound on the
 * loss's curvature, so it cannot diverge.
 */
export function fitLogisticRegression(rows: Float32Array | Float64Array, labels: Int32Array, ways: number, options: LogisticRegressionOptions = {}): LinearClassifier {
  const n = labels.length;
  assertArgument(n >= 1 && rows.length % n === 0, () => `${rows.length} values do not split into ${n} rows.`);
  const dim = rows.length / n;
  const penalty = options.penalty ?? DEFAULT_LOGISTIC_PENALTY;
  assertArgument(Number.isFinite(penalty) && penalty > 0, () => `The logistic penalty must be a finite number > 0, got ${penalty}.`);
  const iterations = options.iterations ?? DEFAULT_LOGISTIC_ITERATIONS;
  assertArgument(Number.isInteger(iterations) && iterations >= 0, () => `The logistic iterations must be an integer ≥ 0, got ${iterations}.`);
  for (const y of labels) assertArgument(Number.isInteger(y) && y >= 0 && y < ways, () => `Label ${y} is outside 0..${ways - 1}.`);
  const gram = new Float64Array(n * n);
  let largest = 0;
  for (let i = 0; i < n; i++) {
    for (let j = i; j < n; j++) {
      let dot = 0;
      for (let d = 0; d < dim; d++) dot += (rows[i * dim + d] as number) * (rows[j * dim + d] as number);
      gram[i * n + j] = dot;
      gram[j * n + i] = dot;
    }
    largest = Math.max(largest, gram[i * n + i] as number);
  }
  const step = 1 / (0.5 * largest + penalty);
  const alpha = new Float64Array(n * ways);
  const previous = new Float64Array(n * ways);
  const look = new Float64Array(n * ways);
  const bias = new Float64Array(ways);
  const biasPrevious = new Float64Array(ways);
  const biasLook = new Float64Array(ways);
  const logits = new Float64Array(ways);
  const biasGradient = new Float64Array(ways);
  for (let t = 0; t < iterations; t++) {
    // Nesterov's momentum t / (t + 3) on α and b alike.
    const momentum = t / (t + 3);
    for (let i = 0; i < alpha.length; i++) look[i] = (alpha[i] as number) + momentum * ((alpha[i] as number) - (previous[i] as number));
    for (let c = 0; c < ways; c++) biasLook[c] = (bias[c] as number) + momentum * ((bias[c] as number) - (biasPrevious[c] as number));
    previous.set(alpha);
    biasPrevious.set(bias);
    biasGradient.fill(0);
    for (let i = 0; i < n; i++) {
      logits.set(biasLook);
      for (let j = 0; j < n; j++) {
        const k = gram[i * n + j] as number;
        for (let c = 0; c < ways; c++) logits[c] = (logits[c] as number) + k * (look[j * ways + c] as number);
      }
      let max = -Infinity;
      for (let c = 0; c < ways; c++) max = Math.max(max, logits[c] as number);
      let z = 0;
      for (let c = 0; c < ways; c++) z += Math.exp((logits[c] as number) - max);
      for (let c = 0; c < ways; c++) {
        // ∂(mean CE)/∂logit = (softmax − onehot) / n; the penalty's gradient λW is λα in the dual.
        const g = (Math.exp((logits[c] as number) - max) / z - (labels[i] === c ? 1 : 0)) / n;
        alpha[i * ways + c] = (look[i * ways + c] as number) - step * (g + penalty * (look[i * ways + c] as number));
        biasGradient[c] = (biasGradient[c] as number) + g;
      }
    }
    for (let c = 0; c < ways; c++) bias[c] = (biasLook[c] as number) - step * (biasGradient[c] as number);
  }
  const weights = new Float64Array(ways * dim);
  for (let i = 0; i < n; i++) {
    for (let c = 0; c < ways; c++) {
      const a = alpha[i * ways + c] as number;
      if (a === 0) continue;
      for (let d = 0; d < dim; d++) weights[c * dim + d] = (weights[c * dim + d] as number) + a * (rows[i * dim + d] as number);
    }
  }
  return { weights, bias, ways, dim };
}

/** W·x + b for each row of `rows`, `[count, ways]`. */
export function linearLogits(classifier: LinearClassifier, rows: Float32Array | Float64Array): Float64Array {
  const { weights, bias, ways, dim } = classifier;
  assertArgument(rows.length % dim === 0, () => `${rows.length} values do not split into rows of ${dim}.`);
  const count = rows.length / dim;
  const out = new Float64Array(count * ways);
  for (let q = 0; q < count; q++) {
    for (let c = 0; c < ways; c++) {
      let s = bias[c] as number;
      for (let d = 0; d < dim; d++) s += (weights[c * dim + d] as number) * (rows[q * dim + d] as number);
      out[q * ways + c] = s;
    }
  }
  return out;
}
