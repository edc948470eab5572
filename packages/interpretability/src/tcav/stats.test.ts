import { describe, expect, it } from "vitest";

import { DlError, createRng } from "@dl/tensor-core";

import {
  adjustPValues,
  binomialUpperMargin,
  binomialUpperTail,
  bootstrapMeanDifferenceCI,
  cohensD,
  correctPValues,
  empiricalPValue,
  mean,
  meanDifferenceCI,
  oneSampleTTest,
  variance,
  welchTTest,
} from "./stats.js";

// Wikipedia, "Welch's t-test", example 1 (A1, A2): t = −2.46, df ≈ 24.99, p ≈ 0.021 (scipy 1.10: t = −2.455356, p = 0.021378).
const A1 = [27.5, 21.0, 19.0, 23.6, 17.0, 17.9, 16.9, 20.1, 21.9, 22.6, 23.1, 19.6, 19.0, 21.7, 21.4];
const A2 = [27.1, 22.0, 20.8, 23.4, 23.4, 23.5, 25.8, 22.0, 24.8, 20.2, 21.9, 22.1, 22.9, 20.5, 24.4];

// Benjamini & Hochberg (1995), §4 example: 15 p-values; BH at q = 0.05 rejects the 4 smallest.
const BH_EXAMPLE = [0.0001, 0.0004, 0.0019, 0.0095, 0.0201, 0.0278, 0.0298, 0.0344, 0.0459, 0.324, 0.4262, 0.5719, 0.6528, 0.759, 1.0];

describe("empiricalPValue", () => {
  it("counts ties as at least as extreme and adds one to both sides", () => {
    const nullSample = [0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9];
    expect(empiricalPValue(0.85, nullSample)).toBeCloseTo(2 / 10, 12);
    expect(empiricalPValue(0.9, nullSample)).toBeCloseTo(2 / 10, 12);
    expect(empiricalPValue(1.5, nullSample)).toBeCloseTo(1 / 10, 12);
    expect(empiricalPValue(0.0, nullSample)).toBe(1);
    expect(empiricalPValue(0.15, nullSample, "less")).toBeCloseTo(2 / 10, 12);
    expect(empiricalPValue(0.15, nullSample, "two-sided")).toBeCloseTo(4 / 10, 12);
    expect(empiricalPValue(0.5, nullSample, "two-sided")).toBe(1);
  });

  it("is uniform (super-uniform) when the observation is exchangeable with the null", () => {
    const rng = createRng(3);
    const trials = 4000;
    let rejections = 0;
    for (let t = 0; t < trials; t++) {
      const nullSample = Array.from({ length: 19 }, () => rng.normal());
      if (empiricalPValue(rng.normal(), nullSample) <= 0.05) rejections++;
    }
    // With 19 null draws, P(p ≤ 0.05) = 1/20 exactly; 4000 trials → sd ≈ 0.0034.
    expect(Math.abs(rejections / trials - 0.05)).toBeLessThan(0.012);
  });

  it("orders ties on the primary statistic by the tie-break statistic", () => {
    const primary = [1, 1, 1, 0.5];
    const secondary = [0.1, 0.3, 0.5, 9];
    // Observed (1, 0.4): only (1, 0.5) is at least as extreme → (1 + 1) / 5.
    expect(empiricalPValue(1, primary, "greater", { observed: 0.4, nullSample: secondary })).toBeCloseTo(2 / 5, 12);
    // Without the tie-break all three ties count.
    expect(empiricalPValue(1, primary)).toBeCloseTo(4 / 5, 12);
    expect(empiricalPValue(1, primary, "less", { observed: 0.4, nullSample: secondary })).toBeCloseTo(4 / 5, 12);
    expect(() => empiricalPValue(1, primary, "greater", { observed: 0, nullSample: [1] })).toThrow(/one per null draw/);
  });

  it("rejects bad input", () => {
    expect(() => empiricalPValue(0.5, [])).toThrow(DlError);
    expect(() => empiricalPValue(0.5, [0.1, Number.NaN])).toThrow(/non-finite/);
  });
});

describe("t-tests", () => {
  it("Welch matches the textbook example and the Welch–Satterthwaite df formula", () => {
    const r = welchTTest(A1, A2);
    const va = variance(A1) / A1.length;
    const vb = variance(A2) / A2.length;
    const dfByFormula = (va + vb) ** 2 / (va ** 2 / (A1.length - 1) + vb ** 2 / (A2.length - 1));
    expect(r.df).toBeCloseTo(dfByFormula, 10);
    expect(r.df).toBeCloseTo(24.99, 1);
    expect(r.statistic).toBeCloseTo(-2.455356398286006, 9);
    expect(r.pValue).toBeCloseTo(0.021378001462866985, 6);
    expect(welchTTest(A1, A2, "less").pValue).toBeCloseTo(0.021378001462866985 / 2, 6);
    expect(welchTTest(A1, A2, "greater").pValue).toBeCloseTo(1 - 0.021378001462866985 / 2, 6);
  });

  it("one-sample test against 0.5 matches the t table", () => {
    const scores = [0.6, 0.7, 0.55, 0.8, 0.65];
    const r = oneSampleTTest(scores, 0.5);
    // t = (0.66 − 0.5) / (s/√5), s² = 0.00925 → t = 3.7199; t_{4} two-sided p = 0.02048.
    expect(r.statistic).toBeCloseTo(0.16 / Math.sqrt(0.00925 / 5), 10);
    expect(r.df).toBe(4);
    expect(r.pValue).toBeCloseTo(0.02047587442091071, 7);
    expect(oneSampleTTest(scores, 0.5, "greater").pValue).toBeCloseTo(0.010237937210455355, 7);
    // Table value: t_{0.975, 4} = 2.776; a sample whose t equals it has two-sided p = 0.05.
    const base = [-1, -0.5, 0, 0.5, 1];
    const se = Math.sqrt(variance(base) / 5);
    const atCritical = oneSampleTTest(base.map((v) => v + 2.776445 * se), 0);
    expect(atCritical.pValue).toBeCloseTo(0.05, 5);
  });

  it("handles zero spread", () => {
    expect(oneSampleTTest([1, 1, 1], 0.5).pValue).toBe(0);
    expect(oneSampleTTest([0.5, 0.5, 0.5], 0.5).pValue).toBe(1);
  });

  it("holds its level on normal data", () => {
    const rng = createRng(11);
    let rejections = 0;
    const trials = 2000;
    for (let t = 0; t < trials; t++) {
      const a = Array.from({ length: 6 }, () => rng.normal());
      const b = Array.from({ length: 30 }, () => 3 * rng.normal());
      if (welchTTest(a, b).pValue <= 0.05) rejections++;
    }
    expect(binomialUpperTail(rejections, trials, 0.05)).toBeGreaterThan(0.001);
    expect(rejections / trials).toBeGreaterThan(0.03);
  });
});

describe("multiple-testing corrections", () => {
  it("reproduces the Benjamini–Hochberg paper example", () => {
    const bh = correctPValues(BH_EXAMPLE, "bh", 0.05);
    expect(bh.significant.filter(Boolean).length).toBe(4);
    const bonf = correctPValues(BH_EXAMPLE, "bonferroni", 0.05);
    expect(bonf.significant.filter(Boolean).length).toBe(3);
    const holm = correctPValues(BH_EXAMPLE, "holm", 0.05);
    expect(holm.significant.filter(Boolean).length).toBe(3);
    expect(correctPValues(BH_EXAMPLE, "none", 0.05).significant.filter(Boolean).length).toBe(9);
  });

  it("matches the brute-force definitions in any input order", () => {
    const rng = createRng(5);
    const p = Array.from({ length: 12 }, () => rng.next() ** 2);
    const m = p.length;
    const sorted = [...p].sort((x, y) => x - y);
    const rankOf = (v: number): number => sorted.indexOf(v) + 1;
    const bh = adjustPValues(p, "bh");
    const holm = adjustPValues(p, "holm");
    const bonf = adjustPValues(p, "bonferroni");
    p.forEach((pi, i) => {
      // BH: min over j with p_j ≥ p_i of m p_j / rank_j.
      const bhRef = Math.min(1, ...p.filter((pj) => pj >= pi).map((pj) => (m * pj) / rankOf(pj)));
      // Holm: max over j with p_j ≤ p_i of (m − rank_j + 1) p_j.
      const holmRef = Math.min(1, Math.max(...p.filter((pj) => pj <= pi).map((pj) => (m - rankOf(pj) + 1) * pj)));
      expect(bh[i]).toBeCloseTo(bhRef, 12);
      expect(holm[i]).toBeCloseTo(holmRef, 12);
      expect(bonf[i]).toBeCloseTo(Math.min(1, m * pi), 12);
    });
  });

  it("rejects an unknown method and p-values outside [0, 1]", () => {
    expect(() => adjustPValues([0.1], "fdr" as never)).toThrow(/bonferroni/);
    expect(() => adjustPValues([1.2], "bh")).toThrow(DlError);
  });
});

describe("effect sizes", () => {
  it("Cohen's d and the Welch interval follow their formulas", () => {
    const a = [2, 4, 6];
    const b = [1, 2, 3, 4, 5];
    // pooled var = (2·4 + 4·2.5) / 6 = 3 → d = (4 − 3)/√3.
    expect(cohensD(a, b)).toBeCloseTo(1 / Math.sqrt(3), 12);
    const ci = meanDifferenceCI(A1, A2, 0.95);
    const w = welchTTest(A1, A2);
    expect(ci.estimate).toBeCloseTo(mean(A1) - mean(A2), 12);
    // The interval's edge sits at the two-sided 5% boundary: shifting b by it gives p = 0.05.
    expect(welchTTest(A1, A2.map((v) => v + ci.upper)).pValue).toBeCloseTo(0.05, 6);
    expect(welchTTest(A1, A2.map((v) => v + ci.lower)).pValue).toBeCloseTo(0.05, 6);
    expect((ci.upper - ci.estimate) / w.standardError).toBeCloseTo(2.0595, 2); // t table: t_{0.975, 25} = 2.060
  });

  it("the bootstrap interval covers the true difference about as often as its level", () => {
    const rng = createRng(17);
    let covered = 0;
    const trials = 200;
    for (let t = 0; t < trials; t++) {
      const a = Array.from({ length: 30 }, () => 1 + rng.normal());
      const b = Array.from({ length: 40 }, () => rng.normal());
      const ci = bootstrapMeanDifferenceCI(a, b, { resamples: 400, seed: t });
      if (ci.lower <= 1 && 1 <= ci.upper) covered++;
    }
    expect(covered / trials).toBeGreaterThan(0.88);
    expect(covered / trials).toBeLessThanOrEqual(0.99);
  });
});

describe("binomial margins", () => {
  it("tail matches the closed form for small n", () => {
    // P(X ≥ 2), n = 3, p = 0.5: (3 + 1) / 8.
    expect(binomialUpperTail(2, 3, 0.5)).toBeCloseTo(0.5, 12);
    expect(binomialUpperTail(10, 100, 0.05)).toBeCloseTo(0.028188294163416113, 10);
    expect(binomialUpperTail(0, 10, 0.3)).toBe(1);
  });

  it("margin is the last count not rejected at the given confidence", () => {
    const k = binomialUpperMargin(100, 0.05, 0.99);
    expect(binomialUpperTail(k + 1, 100, 0.05)).toBeLessThanOrEqual(0.01);
    expect(binomialUpperTail(k, 100, 0.05)).toBeGreaterThan(0.01);
  });
});
