import kstest from "@stdlib/stats-kstest";
import * as tf from "@tensorflow/tfjs-core";
import { beforeAll, describe, expect, it } from "vitest";

import { createRng, initBackend } from "@dl/tensor-core";

import { invertCdfScalar } from "../sampling/inverseCdf.js";
import { regularizedBeta, regularizedGammaP } from "../special/scalar.js";
import type { Distribution } from "./distribution.js";
import { Beta, Gamma, betaSampleGradient, standardGammaSampleGradient } from "./gammaBeta.js";
import { MultivariateNormalTriL } from "./multivariate.js";
import { Cauchy, Exponential, Gumbel, Laplace, Logistic, Normal, Uniform, Weibull } from "./univariate.js";

beforeAll(async () => {
  await initBackend({ backend: "cpu" });
});

function take(t: tf.Tensor): number[] {
  const out = Array.from(t.dataSync());
  t.dispose();
  return out;
}

// [our distribution, stdlib's name and parameters] — stdlib's CDFs are the independent reference.
const ksCases: [() => Distribution, string, number[]][] = [
  [() => new Normal({ loc: 0.5, scale: 1.7 }), "normal", [0.5, 1.7]],
  [() => new Uniform({ low: -1, high: 3 }), "uniform", [-1, 3]],
  [() => new Exponential({ rate: 1.3 }), "exponential", [1.3]],
  [() => new Laplace({ loc: -0.4, scale: 0.8 }), "laplace", [-0.4, 0.8]],
  [() => new Logistic({ loc: 0.2, scale: 1.5 }), "logistic", [0.2, 1.5]],
  [() => new Cauchy({ loc: 1, scale: 0.6 }), "cauchy", [1, 0.6]],
  [() => new Gumbel({ loc: 0.3, scale: 1.2 }), "gumbel", [0.3, 1.2]],
  [() => new Weibull({ concentration: 1.5, scale: 2 }), "weibull", [1.5, 2]],
  [() => new Gamma({ concentration: 2.5, rate: 1.7 }), "gamma", [2.5, 1.7]],
  [() => new Gamma({ concentration: 0.3, rate: 2 }), "gamma", [0.3, 2]],
  [() => new Beta({ concentration1: 2.2, concentration0: 0.7 }), "beta", [2.2, 0.7]],
  [() => new Beta({ concentration1: 0.5, concentration0: 3 }), "beta", [0.5, 3]],
];

describe("samples pass a Kolmogorov–Smirnov test against stdlib's CDF", () => {
  for (const [make, name, params] of ksCases) {
    it(`${name}(${params.join(", ")})`, () => {
      const d = make();
      const before = tf.memory().numTensors;
      const xs = take(d.sample(3000, 1234));
      expect(tf.memory().numTensors).toBe(before);
      const result = kstest(xs, name, ...params);
      expect(result.pValue).toBeGreaterThan(0.001);
      d.dispose();
    });
  }

  it("the KS test has power: Normal samples fail against a shifted reference", () => {
    const d = new Normal({ loc: 0.3, scale: 1 });
    expect(kstest(take(d.sample(3000, 1)), "normal", 0, 1).pValue).toBeLessThan(1e-6);
    d.dispose();
  });
});

/**
 * Pathwise gradient of the Monte Carlo mean of f(sample) against a central difference of the same
 * estimate with common random numbers (same seed): equal up to O(h²) when sampling is reparameterized.
 */
function checkReparameterization(
  make: (theta: tf.Tensor) => Distribution,
  theta0: number,
  f: (z: tf.Tensor) => tf.Tensor,
  seed = 77,
): { pathwise: number; finiteDifference: number } {
  const estimate = (theta: tf.Tensor): tf.Tensor => {
    const d = make(theta);
    const out = tf.mean(f(d.sample(2000, seed)));
    return out;
  };
  const theta = tf.scalar(theta0);
  const pathwise = take(tf.grad(estimate)(theta))[0] ?? NaN;
  const h = 1e-2 * Math.max(1, Math.abs(theta0));
  const at = (v: number): number => take(tf.tidy(() => estimate(tf.scalar(v))))[0] ?? NaN;
  const finiteDifference = (at(theta0 + h) - at(theta0 - h)) / (2 * h);
  theta.dispose();
  return { pathwise, finiteDifference };
}

describe("reparameterization gradients match finite differences with common random numbers", () => {
  const square = (z: tf.Tensor): tf.Tensor => tf.square(z);
  const sinh = (z: tf.Tensor): tf.Tensor => tf.sin(tf.mul(0.7, z));
  const cases: [string, (t: tf.Tensor) => Distribution, number, (z: tf.Tensor) => tf.Tensor][] = [
    ["Normal scale", (t) => new Normal({ loc: 0.3, scale: t }), 1.4, square],
    ["Normal loc", (t) => new Normal({ loc: t, scale: 0.8 }), -0.5, sinh],
    ["Exponential rate", (t) => new Exponential({ rate: t }), 1.3, square],
    ["Laplace scale", (t) => new Laplace({ loc: 0, scale: t }), 0.9, square],
    ["Logistic loc", (t) => new Logistic({ loc: t, scale: 1.2 }), 0.4, sinh],
    ["Gumbel scale", (t) => new Gumbel({ loc: 0.2, scale: t }), 1.1, square],
    ["Weibull concentration", (t) => new Weibull({ concentration: t, scale: 2 }), 1.5, square],
    ["Uniform high", (t) => new Uniform({ low: tf.scalar(-1), high: t }), 2, square],
  ];
  for (const [label, make, theta0, f] of cases) {
    it(label, () => {
      const before = tf.memory().numTensors;
      const { pathwise, finiteDifference } = checkReparameterization(make, theta0, f);
      expect(Math.abs(pathwise - finiteDifference)).toBeLessThan(2e-3 * Math.max(1, Math.abs(finiteDifference)));
      expect(Math.abs(pathwise)).toBeGreaterThan(1e-3);
      expect(tf.memory().numTensors).toBeLessThanOrEqual(before + 1); // the Uniform low scalar
    });
  }

  it("MultivariateNormalTriL: d/dL₂₁ of E‖z‖² is 2 L₂₁ (closed form) and matches the pathwise estimate", () => {
    const l21 = tf.scalar(0.6);
    const estimate = (v: tf.Tensor): tf.Tensor => {
      const L = tf.stack([tf.stack([tf.scalar(1), tf.scalar(0)]), tf.stack([v, tf.scalar(0.8)])]);
      const d = new MultivariateNormalTriL({ loc: tf.tensor1d([0.5, -1]), scaleTril: L });
      return tf.mean(tf.sum(tf.square(d.sample(20000, 5)), -1));
    };
    const g = take(tf.grad(estimate)(l21))[0] ?? NaN;
    // E‖z‖² = ‖μ‖² + tr(L Lᵀ), so the derivative is 2·L₂₁ = 1.2; MC error ≈ 0.02.
    expect(Math.abs(g - 1.2)).toBeLessThan(0.06);
    l21.dispose();
  });
});

describe("Gamma and Beta implicit reparameterization (Figurnov et al. 2018)", () => {
  const gammaPdf = (a: number) => (z: number) => Math.exp((a - 1) * Math.log(z) - z - lgammaHost(a));
  function lgammaHost(a: number): number {
    // Independent of the package's Lanczos: Stirling series after shifting a up by 10.
    let shift = 0;
    let x = a;
    while (x < 10) {
      shift += Math.log(x);
      x += 1;
    }
    return (x - 0.5) * Math.log(x) - x + 0.5 * Math.log(2 * Math.PI) + 1 / (12 * x) - 1 / (360 * x ** 3) + 1 / (1260 * x ** 5) - shift;
  }

  it("dz/dα equals the finite difference of the quantile F⁻¹(u; α) at fixed u", () => {
    const rng = createRng(3);
    for (const alpha of [0.3, 1, 2.5, 30]) {
      for (let i = 0; i < 5; i++) {
        const u = 0.05 + 0.9 * rng.next();
        const quantile = (a: number): number => invertCdfScalar(u, (z) => regularizedGammaP(a, z), gammaPdf(a), { lower: 0 });
        const z = quantile(alpha);
        const h = 1e-5 * alpha;
        const fd = (quantile(alpha + h) - quantile(alpha - h)) / (2 * h);
        expect(Math.abs(standardGammaSampleGradient(z, alpha) - fd)).toBeLessThan(1e-5 * Math.max(1, Math.abs(fd)));
      }
    }
  });

  it("Beta dz/da, dz/db equal finite differences of the quantile", () => {
    const rng = createRng(4);
    for (const [a, b] of [
      [0.5, 3],
      [2.2, 0.7],
      [6, 9],
    ] as const) {
      for (let i = 0; i < 4; i++) {
        const u = 0.05 + 0.9 * rng.next();
        const quantile = (aa: number, bb: number): number =>
          invertCdfScalar(
            u,
            (z) => regularizedBeta(z, aa, bb),
            (z) => Math.exp((aa - 1) * Math.log(z) + (bb - 1) * Math.log1p(-z) + lgammaHost(aa + bb) - lgammaHost(aa) - lgammaHost(bb)),
            { lower: 0, upper: 1 },
          );
        const z = quantile(a, b);
        const h = 1e-5;
        const fdA = (quantile(a + h, b) - quantile(a - h, b)) / (2 * h);
        const fdB = (quantile(a, b + h) - quantile(a, b - h)) / (2 * h);
        const g = betaSampleGradient(z, a, b);
        expect(Math.abs(g.da - fdA)).toBeLessThan(1e-4 * Math.max(1, Math.abs(fdA)));
        expect(Math.abs(g.db - fdB)).toBeLessThan(1e-4 * Math.max(1, Math.abs(fdB)));
      }
    }
  });

  it("Gamma: pathwise gradients of E[z] and E[z²] through tfjs match d(α/β)/dα = 1/β and d(α(α+1)/β²)/dα", () => {
    const before = tf.memory().numTensors;
    const alpha = tf.scalar(2.5);
    const rate = 1.7;
    const n = 20000;
    const gMean = take(tf.grad((a: tf.Tensor) => tf.mean(new Gamma({ concentration: a, rate }).sample(n, 21)))(alpha))[0] ?? NaN;
    const gSecond =
      take(tf.grad((a: tf.Tensor) => tf.mean(tf.square(new Gamma({ concentration: a, rate }).sample(n, 22))))(alpha))[0] ?? NaN;
    expect(Math.abs(gMean - 1 / rate)).toBeLessThan(0.02);
    expect(Math.abs(gSecond - (2 * 2.5 + 1) / rate ** 2)).toBeLessThan(0.1);
    alpha.dispose();
    expect(tf.memory().numTensors).toBe(before);
  });

  it("Beta: the pathwise gradient of E[z] matches d(a/(a+b))/da = b/(a+b)²", () => {
    const a = tf.scalar(2);
    const b = tf.scalar(3);
    const [ga, gb] = tf
      .grads((x: tf.Tensor, y: tf.Tensor) => tf.mean(new Beta({ concentration1: x, concentration0: y }).sample(20000, 8)))([a, b])
      .map((t) => take(t)[0] ?? NaN);
    expect(Math.abs((ga ?? NaN) - 3 / 25)).toBeLessThan(0.01);
    expect(Math.abs((gb ?? NaN) + 2 / 25)).toBeLessThan(0.01);
    a.dispose();
    b.dispose();
  });
});
