import { describe, expect, it } from "vitest";

import { createRng } from "@dl/tensor-core";

import { featureMoments, frechetDistance, frechetDistanceFromFeatures } from "./frechet.js";
import { precisionRecall } from "./precisionRecall.js";

describe("Fréchet distance", () => {
  it("diagonal covariances: ‖μ₁ − μ₂‖² + Σ (σ₁ − σ₂)²", () => {
    const a = { dim: 3, mean: Float64Array.from([0, 1, 2]), covariance: Float64Array.from([4, 0, 0, 0, 1, 0, 0, 0, 0.25]) };
    const b = { dim: 3, mean: Float64Array.from([1, 1, 0]), covariance: Float64Array.from([1, 0, 0, 0, 9, 0, 0, 0, 0.25]) };
    expect(frechetDistance(a, b)).toBeCloseTo(1 + 4 + (2 - 1) ** 2 + (1 - 3) ** 2 + 0, 10);
  });

  it("full 2×2 covariances: tr √(Σ₁Σ₂) = √(tr Σ₁Σ₂ + 2 √det Σ₁Σ₂)", () => {
    const s1 = [2, 0.8, 0.8, 1];
    const s2 = [1, -0.5, -0.5, 3];
    const p = [s1[0]! * s2[0]! + s1[1]! * s2[2]!, 0, 0, s1[2]! * s2[1]! + s1[3]! * s2[3]!];
    const trProduct = p[0]! + p[3]!;
    const detProduct = (s1[0]! * s1[3]! - s1[1]! * s1[2]!) * (s2[0]! * s2[3]! - s2[1]! * s2[2]!);
    const expected = 0.5 ** 2 + (2 + 1 + 1 + 3) - 2 * Math.sqrt(trProduct + 2 * Math.sqrt(detProduct));
    const fd = frechetDistance(
      { dim: 2, mean: Float64Array.from([0.5, 0]), covariance: Float64Array.from(s1) },
      { dim: 2, mean: Float64Array.from([0, 0]), covariance: Float64Array.from(s2) },
    );
    expect(fd).toBeCloseTo(expected, 10);
  });

  it("from 20k samples per set, close to the closed form; zero for a set against itself", () => {
    const rng = createRng(1);
    const n = 20000;
    const dim = 4;
    const a = new Float64Array(n * dim);
    const b = new Float64Array(n * dim);
    for (let i = 0; i < n; i++) {
      for (let d = 0; d < dim; d++) {
        a[i * dim + d] = rng.normal();
        b[i * dim + d] = 0.5 + 2 * rng.normal();
      }
    }
    // Closed form: 4 · 0.25 + 4 · (1 − 2)² = 5.
    expect(frechetDistanceFromFeatures(a, b, dim)).toBeCloseTo(5, 1);
    expect(frechetDistanceFromFeatures(a, a, dim)).toBeLessThan(1e-9);
    expect(featureMoments(b, dim).covariance[0]).toBeCloseTo(4, 0);
  });
});

describe("k-NN precision and recall (Kynkäänniemi et al. 2019)", () => {
  const uniform = (n: number, x0: number, seed: number): Float64Array => {
    const rng = createRng(seed);
    return Float64Array.from({ length: 2 * n }, (_, i) => (i % 2 === 0 ? x0 + rng.next() : rng.next()));
  };

  it("half-overlapping squares: precision ≈ recall ≈ 1/2 (plus the k-NN ball margin)", () => {
    const real = uniform(1000, 0, 1);
    const fake = uniform(1000, 0.5, 2);
    const { precision, recall } = precisionRecall(real, fake, 2, 3);
    expect(precision).toBeGreaterThan(0.47);
    expect(precision).toBeLessThan(0.58);
    expect(recall).toBeGreaterThan(0.47);
    expect(recall).toBeLessThan(0.58);
  });

  it("a generator covering a quarter of the data: precision ≈ 1, recall ≈ 1/4", () => {
    const real = uniform(1200, 0, 3);
    const rng = createRng(4);
    const fake = Float64Array.from({ length: 2 * 600 }, () => 0.5 * rng.next());
    const { precision, recall } = precisionRecall(real, fake, 2, 3);
    expect(precision).toBeGreaterThan(0.95);
    expect(recall).toBeGreaterThan(0.22);
    expect(recall).toBeLessThan(0.32);
  });

  it("disjoint sets score 0, identical distributions score high", () => {
    const real = uniform(500, 0, 5);
    expect(precisionRecall(real, uniform(500, 3, 6), 2).precision).toBe(0);
    const same = precisionRecall(real, uniform(500, 0, 7), 2);
    expect(same.precision).toBeGreaterThan(0.9);
    expect(same.recall).toBeGreaterThan(0.9);
  });
});
