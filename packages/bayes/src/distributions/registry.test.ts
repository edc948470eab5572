import * as tf from "@tensorflow/tfjs-core";
import { beforeAll, describe, expect, it } from "vitest";

import { initBackend } from "@dl/tensor-core";

import { DISTRIBUTION_NAMES, createDistribution, sampleNamed } from "./registry.js";

beforeAll(async () => {
  await initBackend({ backend: "cpu" });
});

describe("named distributions (what `dl bayes sample` uses)", () => {
  it("samples Weibull(1.5, 2) with matching moments and a KS test against its CDF, leak-free", () => {
    const before = tf.memory().numTensors;
    const r = sampleNamed("weibull", { concentration: 1.5, scale: 2 }, 4000, 3);
    expect(tf.memory().numTensors).toBe(before);
    expect(r.samples.length).toBe(4000);
    expect(r.ks?.pValue).toBeGreaterThan(0.001);
    // KS statistic of a correct sampler is O(1/√n) ≈ 0.016.
    expect(r.ks?.statistic).toBeLessThan(0.04);
    // Mean λΓ(1 + 1/k) = 2Γ(5/3) ≈ 1.8055.
    expect(r.mean).toBeCloseTo(1.8055, 3);
    expect(Math.abs(r.sampleMean - r.mean)).toBeLessThan(0.05);
    expect(Array.from(sampleNamed("weibull", { concentration: 1.5, scale: 2 }, 10, 3).samples)).toEqual(Array.from(r.samples.slice(0, 10)));
  });

  it("the KS p-value is tiny when the sampler and the CDF disagree", () => {
    // Gamma(2, 1) samples tested against Gamma(2, 1.3)'s CDF (the test's own power).
    const good = sampleNamed("gamma", { concentration: 2, rate: 1 }, 3000, 1);
    expect(good.ks?.pValue).toBeGreaterThan(0.001);
    const d = createDistribution("gamma", { concentration: 2, rate: 1.3 });
    const x = tf.tensor1d(good.samples);
    const cdf = d.cdf(x).dataSync();
    const sorted = Array.from(cdf).sort((a, b) => a - b);
    const dStat = Math.max(...sorted.map((f, i) => Math.max((i + 1) / sorted.length - f, f - i / sorted.length)));
    expect(dStat).toBeGreaterThan(0.05);
    x.dispose();
    d.dispose();
  });

  it("gives clear errors: unknown name lists the valid ones, rate ≤ 0, missing and foreign parameters", () => {
    expect(() => sampleNamed("weibul", {}, 10, 1)).toThrow(/Unknown distribution "weibul". Valid distributions: normal, .* or bernoulli/);
    // Names on Object.prototype are unknown names too, not a crash inside the registry.
    for (const name of ["__proto__", "constructor", "toString", "hasOwnProperty"]) {
      expect(() => sampleNamed(name, {}, 10, 1)).toThrow(new RegExp(`Unknown distribution "${name}"`));
    }
    expect(() => sampleNamed("exponential", { rate: 0 }, 10, 1)).toThrow(/rate must be > 0, got 0/);
    expect(() => sampleNamed("gamma", { concentration: 2, rate: -1 }, 10, 1)).toThrow(/rate must be > 0/);
    expect(() => sampleNamed("weibull", { concentration: 1 }, 10, 1)).toThrow(/weibull needs scale/);
    expect(() => sampleNamed("normal", { loc: 0, scale: 1, rate: 2 }, 10, 1)).toThrow(/does not take rate/);
    expect(() => sampleNamed("bernoulli", { probs: 0.2, logits: 0 }, 10, 1)).toThrow(/exactly one of probs or logits/);
    expect(DISTRIBUTION_NAMES).toContain("beta");
  });

  it("discrete Bernoulli samples carry no KS test (it needs a continuous CDF)", () => {
    const r = sampleNamed("bernoulli", { probs: 0.25 }, 4000, 2);
    expect(r.ks).toBeNull();
    expect(Math.abs(r.sampleMean - 0.25)).toBeLessThan(0.03);
  });
});
