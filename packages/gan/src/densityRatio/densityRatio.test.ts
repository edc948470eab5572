import { describe, expect, it } from "vitest";

import { createRng, type Rng } from "@dl/tensor-core";

import { mvnDiagRows, normalRows, type RowDistribution } from "@dl/bayes";
import { fitDensityRatio, logRatioFromLogit } from "./densityRatio.js";

/** Mean |log r̂ − log r| over pooled fresh samples, keeping the central 98% by analytic log r. */
function bulkError(p: RowDistribution, q: RowDistribution, estimate: (x: Float64Array) => Float64Array, rng: Rng): number {
  const points = new Float64Array([...p.sample(4000, rng), ...q.sample(4000, rng)]);
  const logQ = q.logProb(points);
  const truth = p.logProb(points).map((v, i) => v - (logQ[i] as number));
  const est = estimate(points);
  const order = Array.from(truth.keys()).sort((a, b) => (truth[a] as number) - (truth[b] as number));
  const lo = Math.floor(order.length * 0.01);
  const kept = order.slice(lo, order.length - lo);
  return kept.reduce((s, i) => s + Math.abs((est[i] as number) - (truth[i] as number)), 0) / kept.length;
}

describe("density ratio by classification", () => {
  // Variances 1/8 vs 1/2: log r(x) = log 2 − 3x² (quadratic, so the logistic model is exact).
  const p1 = normalRows(0, Math.sqrt(1 / 8));
  const q1 = normalRows(0, Math.sqrt(1 / 2));

  it.each([
    ["balanced", 10000, 10000],
    ["imbalanced π = 0.2", 4000, 16000],
    ["imbalanced π = 0.8", 16000, 4000],
  ])("1-D Gaussians, %s: mean |log r̂ − log r| < 0.05", (_label, nP, nQ) => {
    const rng = createRng(7);
    const est = fitDensityRatio(p1.sample(nP, rng), q1.sample(nQ, rng), 1);
    expect(est.prior).toBeCloseTo(nP / (nP + nQ), 12);
    expect(bulkError(p1, q1, (x) => est.logRatio(x), rng)).toBeLessThan(0.05);
  });

  it("dropping the (1−π)/π factor is wrong by log((1−π)/π) when π ≠ 1/2", () => {
    const rng = createRng(8);
    const est = fitDensityRatio(p1.sample(3000, rng), q1.sample(12000, rng), 1);
    const withoutPriorFactor = (x: Float64Array): Float64Array => est.probability(x).map((d) => Math.log(d / (1 - d)));
    const correct = bulkError(p1, q1, (x) => est.logRatio(x), rng);
    const uncorrected = bulkError(p1, q1, withoutPriorFactor, rng);
    expect(correct).toBeLessThan(0.05);
    expect(Math.abs(uncorrected - Math.log(4))).toBeLessThan(0.05);
  });

  it("2-D Gaussians with different means and scales", () => {
    const rng = createRng(9);
    const p2 = mvnDiagRows([0.5, -0.3], [0.6, 1.1]);
    const q2 = mvnDiagRows([0, 0], [1, 0.8]);
    for (const [nP, nQ] of [
      [15000, 15000],
      [6000, 24000],
    ] as const) {
      const est = fitDensityRatio(p2.sample(nP, rng), q2.sample(nQ, rng), 2);
      expect(bulkError(p2, q2, (x) => est.logRatio(x), rng)).toBeLessThan(0.05);
    }
  });

  it("linear features cannot represent a variance ratio (the error stays large)", () => {
    const rng = createRng(10);
    const est = fitDensityRatio(p1.sample(5000, rng), q1.sample(5000, rng), 1, { features: "linear" });
    expect(bulkError(p1, q1, (x) => est.logRatio(x), rng)).toBeGreaterThan(0.3);
  });

  it("logRatioFromLogit adds log(1−π) − log π", () => {
    expect(logRatioFromLogit(0.3, 0.5)).toBeCloseTo(0.3, 14);
    expect(logRatioFromLogit(0, 0.2)).toBeCloseTo(Math.log(4), 14);
  });

  it("rejects mismatched shapes", () => {
    expect(() => fitDensityRatio(new Float64Array(5), new Float64Array(6), 2)).toThrow(/whole rows/);
  });
});
