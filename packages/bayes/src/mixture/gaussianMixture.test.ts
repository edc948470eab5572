import { describe, expect, it } from "vitest";

import { DlError, createRng } from "@dl/tensor-core";

import { type GaussianMixture, fitGaussianMixture, mixtureResponsibilities } from "./gaussianMixture.js";

// The seed's example: z = 1 is the component with μ = 0 (listed first), z = 2 the one with μ = 2.
const seedExample: GaussianMixture = { weights: [0.5, 0.5], means: [0, 2], covariances: [1, 1] };

describe("mixtureResponsibilities", () => {
  it("reproduces p(z=1|x=1) = 0.5 and p(z=1|x=0) = 1/(1+e⁻²) for μ = 0, 2, σ² = 1", () => {
    const { responsibilities } = mixtureResponsibilities(seedExample, [1, 0]);
    expect(responsibilities[0]?.[0]).toBeCloseTo(0.5, 14);
    expect(responsibilities[1]?.[0]).toBeCloseTo(1 / (1 + Math.exp(-2)), 14);
    expect(responsibilities[1]?.[0]).toBeCloseTo(0.8808, 4);
  });

  it("matches a direct float64 computation of Bayes' rule with full covariances", () => {
    const mixture: GaussianMixture = {
      weights: [0.2, 0.5, 0.3],
      means: [
        [0, 0],
        [3, 1],
        [-2, 4],
      ],
      covariances: [
        [
          [1, 0.3],
          [0.3, 2],
        ],
        [
          [0.5, -0.2],
          [-0.2, 0.8],
        ],
        [
          [2, 1.2],
          [1.2, 1.5],
        ],
      ],
    };
    // 2×2 Gaussian density via the explicit inverse and determinant.
    const density = (x: number[], m: number[], s: number[][]): number => {
      const [[a, b], [, c]] = s as [[number, number], [number, number]];
      const det = a * c - b * b;
      const dx = (x[0] ?? 0) - (m[0] ?? 0);
      const dy = (x[1] ?? 0) - (m[1] ?? 0);
      const q = (c * dx * dx - 2 * b * dx * dy + a * dy * dy) / det;
      return Math.exp(-0.5 * q) / (2 * Math.PI * Math.sqrt(det));
    };
    const xs = [
      [0.5, 0.5],
      [2, 2],
      [-1, 3],
    ];
    const { responsibilities, logMarginal } = mixtureResponsibilities(mixture, xs);
    xs.forEach((x, i) => {
      const joint = [0, 1, 2].map((k) => (mixture.weights[k] ?? 0) * density(x, mixture.means[k] as number[], mixture.covariances[k] as number[][]));
      const total = joint.reduce((p, q) => p + q, 0);
      joint.forEach((j, k) => expect(responsibilities[i]?.[k]).toBeCloseTo(j / total, 12));
      expect(logMarginal[i]).toBeCloseTo(Math.log(total), 12);
    });
  });

  it("stays finite and normalised 50σ from every mean, where naive densities underflow", () => {
    for (const x of [52, -50, 1e3]) {
      const { responsibilities } = mixtureResponsibilities(seedExample, [x]);
      const r = responsibilities[0] ?? [];
      expect(r.every(Number.isFinite)).toBe(true);
      expect((r[0] ?? 0) + (r[1] ?? 0)).toBeCloseTo(1, 12);
      // Far right the μ = 2 component wins; far left the μ = 0 one.
      expect(x > 0 ? r[1] : r[0]).toBeGreaterThan(0.999);
    }
  });

  it("is invariant to relabelling the components", () => {
    const swapped: GaussianMixture = { weights: [0.3, 0.7], means: [[2, 1], [0, 0]], covariances: [[[1, 0.2], [0.2, 1]], [[2, 0], [0, 0.5]]] };
    const original: GaussianMixture = { weights: [0.7, 0.3], means: [[0, 0], [2, 1]], covariances: [[[2, 0], [0, 0.5]], [[1, 0.2], [0.2, 1]]] };
    const xs = [[0.3, -1], [1.5, 0.7], [4, 4]];
    const a = mixtureResponsibilities(original, xs).responsibilities;
    const b = mixtureResponsibilities(swapped, xs).responsibilities;
    a.forEach((row, i) => {
      expect(row[0]).toBeCloseTo(b[i]?.[1] ?? NaN, 14);
      expect(row[1]).toBeCloseTo(b[i]?.[0] ?? NaN, 14);
    });
  });

  it("rejects bad input with errors that say what to fix", () => {
    const notPd: GaussianMixture = { weights: [0.5, 0.5], means: [[0, 0], [1, 1]], covariances: [[[1, 0], [0, 1]], [[1, 2], [2, 1]]] };
    expect(() => mixtureResponsibilities(notPd, [[0, 0]])).toThrow(/Component 1: covariance is not positive definite/);
    try {
      mixtureResponsibilities(notPd, [[0, 0]]);
    } catch (e) {
      expect(e).toBeInstanceOf(DlError);
      expect((e as DlError).code).toBe("NOT_POSITIVE_DEFINITE");
      expect((e as DlError).details["component"]).toBe(1);
    }
    expect(() => mixtureResponsibilities({ ...seedExample, weights: [0.5, 0.6] }, [0])).toThrow(/sum to 1, they sum to 1.1/);
    expect(() => mixtureResponsibilities(seedExample, [[0, 1]])).toThrow(/dimension 2, the mixture has 1/);
    expect(() => mixtureResponsibilities({ weights: [1], means: [[0, 0]], covariances: [[[1]]] }, [[0, 0]])).toThrow(/must be 2×2/);
    expect(() => mixtureResponsibilities(seedExample, { data: [1, 2, 3], shape: [2, 1] })).toThrow(/shape \[N, D\]/);
    expect(() => mixtureResponsibilities(seedExample, [Number.NaN])).toThrow(/non-finite/);
  });
});

describe("fitGaussianMixture (EM)", () => {
  it("recovers a well-separated 2-D mixture and never decreases the log-likelihood", () => {
    const rng = createRng(5);
    const truth = { weights: [0.3, 0.7], means: [[-3, 0], [2, 2]], scales: [[0.5, 1], [1, 0.4]] };
    const xs: number[][] = [];
    for (let i = 0; i < 1500; i++) {
      const c = rng.next() < 0.3 ? 0 : 1;
      xs.push([0, 1].map((j) => (truth.means[c]?.[j] ?? 0) + (truth.scales[c]?.[j] ?? 1) * rng.normal()));
    }
    const fit = fitGaussianMixture(xs, 2, { seed: 1 });
    expect(fit.converged).toBe(true);
    for (let i = 1; i < fit.logLikelihoodHistory.length; i++) {
      expect(fit.logLikelihoodHistory[i] ?? NaN).toBeGreaterThanOrEqual((fit.logLikelihoodHistory[i - 1] ?? NaN) - 1e-9);
    }
    const order = (fit.mixture.means[0]?.[0] ?? 0) < (fit.mixture.means[1]?.[0] ?? 0) ? [0, 1] : [1, 0];
    order.forEach((k, c) => {
      expect(Math.abs((fit.mixture.weights[k] ?? 0) - (truth.weights[c] ?? 0))).toBeLessThan(0.04);
      [0, 1].forEach((j) => expect(Math.abs((fit.mixture.means[k]?.[j] ?? 0) - (truth.means[c]?.[j] ?? 0))).toBeLessThan(0.12));
      [0, 1].forEach((j) =>
        expect(Math.abs(Math.sqrt(fit.mixture.covariances[k]?.[j]?.[j] ?? 0) - (truth.scales[c]?.[j] ?? 0))).toBeLessThan(0.08),
      );
    });
  });
});
