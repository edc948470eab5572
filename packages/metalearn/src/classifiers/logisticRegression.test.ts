import { describe, expect, it } from "vitest";

import { createRng } from "@dl/tensor-core";

import { DEFAULT_LOGISTIC_PENALTY, fitLogisticRegression, linearLogits, logisticPenaltyForBlocks } from "./logisticRegression.js";

const rng = createRng(12);
const ways = 3;
const dim = 6;
const labels = Int32Array.from([0, 0, 1, 1, 1, 2, 2, 0, 2]);
const rows = Float64Array.from({ length: labels.length * dim }, (_, i) => rng.normal() + ((labels[Math.floor(i / dim)] as number) === i % dim ? 1.5 : 0));

/** The primal objective's gradient, (1/n)·Σ (softmax(W·x_i + b) − onehot_i)·x_iᵀ + λ·W and its bias part, computed directly. */
function primalGradient(weights: Float64Array, bias: Float64Array, penalty: number): { w: Float64Array; b: Float64Array } {
  const n = labels.length;
  const logits = linearLogits({ weights, bias, ways, dim }, rows);
  const w = Float64Array.from(weights, (v) => penalty * v);
  const b = new Float64Array(ways);
  for (let i = 0; i < n; i++) {
    const row = Array.from({ length: ways }, (_, c) => logits[i * ways + c] as number);
    const max = Math.max(...row);
    const z = row.reduce((s, v) => s + Math.exp(v - max), 0);
    for (let c = 0; c < ways; c++) {
      const g = (Math.exp((row[c] as number) - max) / z - (labels[i] === c ? 1 : 0)) / n;
      b[c] = (b[c] as number) + g;
      for (let d = 0; d < dim; d++) w[c * dim + d] = (w[c * dim + d] as number) + g * (rows[i * dim + d] as number);
    }
  }
  return { w, b };
}

describe("fitLogisticRegression (dual gradient descent)", () => {
  it("reaches the primal optimum: the gradient of mean cross-entropy + (λ/2)‖W‖² vanishes in W and b", () => {
    const penalty = 0.05;
    const fit = fitLogisticRegression(rows, labels, ways, { penalty, iterations: 3000 });
    const { w, b } = primalGradient(fit.weights, fit.bias, penalty);
    const scale = Math.max(...Array.from(fit.weights, Math.abs));
    expect(scale).toBeGreaterThan(0.1);
    for (const g of w) expect(Math.abs(g)).toBeLessThan(1e-6);
    for (const g of b) expect(Math.abs(g)).toBeLessThan(1e-6);
  });

  it("with a large penalty λ tends to W_c = (n_c / n)·(μ_c − μ̄) / λ: class means less the grand mean, as nearest-mean classifiers use", () => {
    // At W = 0, b = log(n_c / n) the gradient is −(1/n)·Σ_i (onehot_i − n_c/n)·x_i; so W ≈ (1/λ)·(n_c/n)·(μ_c − μ̄) as λ → ∞.
    const penalty = 1000;
    const fit = fitLogisticRegression(rows, labels, ways, { penalty, iterations: 400 });
    const n = labels.length;
    const grand = new Float64Array(dim);
    for (let i = 0; i < n; i++) for (let d = 0; d < dim; d++) grand[d] = (grand[d] as number) + (rows[i * dim + d] as number) / n;
    for (let c = 0; c < ways; c++) {
      const members = [...labels.keys()].filter((i) => labels[i] === c);
      for (let d = 0; d < dim; d++) {
        const mean = members.reduce((s, i) => s + (rows[i * dim + d] as number), 0) / members.length;
        const expected = ((members.length / n) * (mean - (grand[d] as number))) / penalty;
        expect(fit.weights[c * dim + d]).toBeCloseTo(expected, 5);
      }
    }
  });

  it("separates separable classes and is unchanged by the order of the rows", () => {
    const fit = fitLogisticRegression(rows, labels, ways, { penalty: 0.001, iterations: 2000 });
    const logits = linearLogits(fit, rows);
    for (let i = 0; i < labels.length; i++) {
      const row = Array.from({ length: ways }, (_, c) => logits[i * ways + c] as number);
      expect(row.indexOf(Math.max(...row))).toBe(labels[i]);
    }
    const order = [8, 3, 0, 5, 1, 7, 2, 6, 4];
    const shuffled = fitLogisticRegression(Float64Array.from(order.flatMap((i) => Array.from(rows.subarray(i * dim, (i + 1) * dim)))), Int32Array.from(order, (i) => labels[i] as number), ways, { penalty: 0.001, iterations: 2000 });
    fit.weights.forEach((v, i) => expect(shuffled.weights[i]).toBeCloseTo(v, 6));
  });

  it("refuses a label outside the ways and a penalty ≤ 0, in one line", () => {
    expect(() => fitLogisticRegression(rows, Int32Array.from(labels, (y) => y + 1), ways)).toThrow(/Label 3 is outside 0..2/);
    expect(() => fitLogisticRegression(rows, labels, ways, { penalty: 0 })).toThrow(/penalty must be a finite number > 0/);
  });
});

describe("logisticPenaltyForBlocks (the penalty for an ensemble's unit-norm blocks side by side)", () => {
  it("fits rows of k unit-norm blocks as the default λ fits the same rows scaled to unit length: the same logits at the optimum", () => {
    // k copies of a unit-norm block side by side have squared norm k; the optimum with λ·k is W / √k of the unit-length fit.
    const blocks = 3;
    const unit = Float64Array.from(rows);
    for (let i = 0; i < labels.length; i++) {
      const row = unit.subarray(i * dim, (i + 1) * dim);
      const norm = Math.hypot(...row);
      row.forEach((v, d) => (row[d] = v / norm));
    }
    const sideBySide = Float64Array.from({ length: labels.length * dim * blocks }, (_, j) => unit[Math.floor(j / (dim * blocks)) * dim + (j % dim)] as number);
    const penalty = logisticPenaltyForBlocks(blocks);
    expect(penalty).toBeCloseTo(blocks * DEFAULT_LOGISTIC_PENALTY, 15);
    const single = linearLogits(fitLogisticRegression(unit, labels, ways, { iterations: 4000 }), unit);
    const ensemble = linearLogits(fitLogisticRegression(sideBySide, labels, ways, { penalty, iterations: 4000 }), sideBySide);
    const spread = Math.max(...single) - Math.min(...single);
    expect(spread).toBeGreaterThan(1);
    single.forEach((v, i) => expect(ensemble[i]).toBeCloseTo(v, 3));
    // The default λ on the k blocks is a weaker penalty: its logits spread further apart.
    const weaker = linearLogits(fitLogisticRegression(sideBySide, labels, ways, { iterations: 4000 }), sideBySide);
    expect(Math.max(...weaker) - Math.min(...weaker)).toBeGreaterThan(spread + 0.5);
  });

  it("refuses a block count that is not a positive integer, in one line", () => {
    expect(() => logisticPenaltyForBlocks(0)).toThrow(/number of feature blocks must be an integer ≥ 1, got 0/);
    expect(() => logisticPenaltyForBlocks(1.5)).toThrow(/got 1.5/);
  });
});
