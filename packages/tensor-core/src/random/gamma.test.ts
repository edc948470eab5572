import { describe, expect, it } from "vitest";

import { sampleBeta, sampleStandardGamma } from "./gamma.js";
import { createRng } from "./rng.js";

function moments(draws: Float64Array): { mean: number; variance: number } {
  const mean = draws.reduce((a, b) => a + b, 0) / draws.length;
  const variance = draws.reduce((a, b) => a + (b - mean) ** 2, 0) / (draws.length - 1);
  return { mean, variance };
}

describe("sampleStandardGamma", () => {
  it("has the moments of Gamma(α, 1): mean α and variance α, below and above α = 1", () => {
    const n = 40_000;
    for (const alpha of [0.3, 1, 4.5]) {
      const rng = createRng(11);
      const { mean, variance } = moments(Float64Array.from({ length: n }, () => sampleStandardGamma(alpha, rng)));
      // Standard error of the mean √(α/n); of the variance √((μ₄ − σ⁴)/n) with μ₄ = 3α² + 6α for Gamma(α, 1).
      expect(Math.abs(mean - alpha)).toBeLessThan(5 * Math.sqrt(alpha / n));
      expect(Math.abs(variance - alpha)).toBeLessThan(5 * Math.sqrt((2 * alpha * alpha + 6 * alpha) / n));
    }
  });

  it("is the same stream for the same seed", () => {
    const a = createRng(3);
    const b = createRng(3);
    expect(Array.from({ length: 50 }, () => sampleStandardGamma(0.7, a))).toEqual(Array.from({ length: 50 }, () => sampleStandardGamma(0.7, b)));
  });
});

describe("sampleBeta", () => {
  it("has the moments of Beta(a, b): mean a/(a+b), variance ab/((a+b)²(a+b+1)), every draw in [0, 1]", () => {
    const n = 40_000;
    for (const [a, b] of [[0.2, 0.2], [1, 1], [3, 3], [2, 5]] as const) {
      const rng = createRng(17);
      const draws = Float64Array.from({ length: n }, () => sampleBeta(a, b, rng));
      const { mean, variance } = moments(draws);
      const expectedVariance = (a * b) / ((a + b) ** 2 * (a + b + 1));
      expect(Math.abs(mean - a / (a + b))).toBeLessThan(5 * Math.sqrt(expectedVariance / n));
      // A draw lies in [0, 1], so its square's variance is at most ¼: the sample variance's standard error ≤ ½/√n.
      expect(Math.abs(variance - expectedVariance)).toBeLessThan(5 * (0.5 / Math.sqrt(n)));
      expect(draws.every((d) => d >= 0 && d <= 1)).toBe(true);
    }
  });
});
