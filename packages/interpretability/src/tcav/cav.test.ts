import { describe, expect, it } from "vitest";

import { createRng } from "@dl/tensor-core";

import { type ActivationMatrix, logisticLoss, minimizeLbfgs, trainCav } from "./cav.js";
import { normalCdf } from "./testing.js";

/** Two Gaussian clouds N(±shift·u, I) in `dim` dimensions; rows 0..n−1 are the positive class. */
function gaussianClouds(n: number, u: number[], shift: number, seed: number): ActivationMatrix {
  const rng = createRng(seed);
  const dim = u.length;
  const data = new Float32Array(2 * n * dim);
  for (let i = 0; i < 2 * n; i++) {
    const sign = i < n ? 1 : -1;
    for (let j = 0; j < dim; j++) data[i * dim + j] = sign * shift * (u[j] as number) + rng.normal() + 3;
  }
  return { data, rows: 2 * n, dim };
}

const range = (from: number, to: number): number[] => Array.from({ length: to - from }, (_, i) => from + i);

describe("trainCav", () => {
  it("recovers the separating direction of two Gaussians and returns a unit vector", () => {
    const raw = [1, 2, -1, 0, 0.5];
    const norm = Math.hypot(...raw);
    const u = raw.map((v) => v / norm);
    const n = 1500;
    const matrix = gaussianClouds(n, u, 1.5, 1);
    const cav = trainCav(matrix, range(0, n), range(n, 2 * n), { seed: 2, l2: 1e-3 });
    const length = Math.hypot(...cav.direction);
    expect(length).toBeCloseTo(1, 6);
    const cosine = cav.direction.reduce((s, v, j) => s + v * (u[j] as number), 0);
    expect(cosine).toBeGreaterThan(0.99);
    // Bayes accuracy for N(±1.5u, I) is Φ(1.5) = 0.933; held-out set has ≈ 990 examples (sd ≈ 0.008).
    expect(Math.abs(cav.accuracy - normalCdf(1.5))).toBeLessThan(0.03);
  });

  it("points toward the concept: swapping the sets flips the CAV", () => {
    const u = [0.6, 0.8];
    const matrix = gaussianClouds(200, u, 1, 4);
    const a = trainCav(matrix, range(0, 200), range(200, 400), { heldOutFraction: 0 });
    const b = trainCav(matrix, range(200, 400), range(0, 200), { heldOutFraction: 0 });
    expect((a.direction[0] as number) * 0.6 + (a.direction[1] as number) * 0.8).toBeGreaterThan(0.95);
    expect(a.direction[0]).toBeCloseTo(-(b.direction[0] as number), 4);
    expect(a.direction[1]).toBeCloseTo(-(b.direction[1] as number), 4);
  });

  it("is deterministic for a seed and gives chance accuracy on identical distributions", () => {
    const matrix = gaussianClouds(150, [0, 0, 0, 0, 0, 0, 0, 0], 0, 9);
    const a = trainCav(matrix, range(0, 150), range(150, 300), { seed: 3 });
    const b = trainCav(matrix, range(0, 150), range(150, 300), { seed: 3 });
    expect(Array.from(a.direction)).toEqual(Array.from(b.direction));
    // 100 held-out points at chance: accuracy within ±0.15 of 0.5 with probability > 0.997.
    expect(Math.abs(a.accuracy - 0.5)).toBeLessThan(0.15);
  });
});

describe("L-BFGS on the logistic loss", () => {
  it("reaches a stationary point whose gradient matches finite differences of the loss", () => {
    const rng = createRng(8);
    const n = 60;
    const dim = 7;
    const x = Float64Array.from({ length: n * dim }, () => rng.normal());
    const y = Float64Array.from({ length: n }, (_, i) => (i % 2 === 0 ? 1 : -1));
    const l2 = 0.05;
    const grad = new Float64Array(dim + 1);
    const params = Float64Array.from({ length: dim + 1 }, () => rng.normal());
    logisticLoss(x, y, n, dim, l2, params, grad);
    const h = 1e-6;
    const scratch = new Float64Array(dim + 1);
    for (let j = 0; j <= dim; j++) {
      const plus = Float64Array.from(params);
      const minus = Float64Array.from(params);
      plus[j] = (plus[j] as number) + h;
      minus[j] = (minus[j] as number) - h;
      const fd = (logisticLoss(x, y, n, dim, l2, plus, scratch) - logisticLoss(x, y, n, dim, l2, minus, scratch)) / (2 * h);
      expect(grad[j]).toBeCloseTo(fd, 6);
    }
    const result = minimizeLbfgs((p, g) => logisticLoss(x, y, n, dim, l2, p, g), new Float64Array(dim + 1), { maxIterations: 500, gradientTolerance: 1e-9 });
    logisticLoss(x, y, n, dim, l2, result.theta, grad);
    expect(Math.max(...Array.from(grad, Math.abs))).toBeLessThan(1e-7);
  });
});
