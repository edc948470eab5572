import kstest from "@stdlib/stats-kstest";
import * as tf from "@tensorflow/tfjs-core";
import { beforeAll, describe, expect, it } from "vitest";

import { initBackend } from "@dl/tensor-core";

import { normalCdfScalar, regularizedGammaP } from "../special/scalar.js";
import { type CdfFamily, invertCdfScalar, inverseCdfSample } from "./inverseCdf.js";

beforeAll(async () => {
  await initBackend({ backend: "cpu" });
});

function take(t: tf.Tensor): number[] {
  const out = Array.from(t.dataSync());
  t.dispose();
  return out;
}

const exponential: CdfFamily = {
  cdf: (x, [rate]) => tf.neg(tf.expm1(tf.neg(tf.mul(rate as tf.Tensor, tf.relu(x))))),
  icdf: (u, [rate]) => tf.div(tf.neg(tf.log1p(tf.neg(u))), rate as tf.Tensor),
  lower: 0,
};

// An equal mixture of N(0, 1) and N(θ, 2²): its quantile has no closed form.
const normalMixture: CdfFamily = {
  cdf: (x, [theta]) =>
    tf.mul(
      0.25,
      tf.add(tf.add(2, tf.erf(tf.div(x, Math.SQRT2))), tf.erf(tf.div(tf.sub(x, theta as tf.Tensor), 2 * Math.SQRT2))),
    ),
};
const normalMixtureCdfHost = (theta: number) => (x: number) => 0.5 * normalCdfScalar(x) + 0.5 * normalCdfScalar((x - theta) / 2);

describe("invertCdfScalar", () => {
  it("inverts the Gamma(3) CDF to 1e-10 from an unbounded start", () => {
    const cdf = (z: number): number => regularizedGammaP(3, z);
    const pdf = (z: number): number => (z * z * Math.exp(-z)) / 2;
    for (const u of [1e-6, 0.1, 0.5, 0.99, 1 - 1e-9]) expect(Math.abs(cdf(invertCdfScalar(u, cdf, pdf, { lower: 0 })) - u)).toBeLessThan(1e-10 + 1e-10 * u);
  });

  it("survives a zero density by bisecting (Uniform(2, 5) with a flat pdf outside)", () => {
    const cdf = (x: number): number => Math.min(1, Math.max(0, (x - 2) / 3));
    const pdf = (x: number): number => (x > 2 && x < 5 ? 1 / 3 : 0);
    expect(invertCdfScalar(0.25, cdf, pdf)).toBeCloseTo(2.75, 9);
  });

  it("rejects u outside (0, 1)", () => {
    expect(() => invertCdfScalar(1, (x) => x, () => 1)).toThrow(/0 < u < 1/);
  });
});

describe("inverseCdfSample", () => {
  it("Exp(λ): the closed form −log(1 − U)/λ and the numeric inversion give the same samples", () => {
    const rate = tf.scalar(1.7);
    const before = tf.memory().numTensors;
    const closed = take(inverseCdfSample(exponential, [rate], 2000, 5));
    const numeric = take(inverseCdfSample(exponential, [rate], 2000, 5, { forceNumeric: true }));
    expect(tf.memory().numTensors).toBe(before);
    let worst = 0;
    closed.forEach((c, i) => (worst = Math.max(worst, Math.abs(c - (numeric[i] ?? NaN)) / (1 + c))));
    expect(worst).toBeLessThan(1e-4);
    expect(kstest(numeric, "exponential", 1.7).pValue).toBeGreaterThan(0.001);
    rate.dispose();
  });

  it("Exp(λ): the implicit-function gradient equals the closed-form pathwise gradient d/dλ E[x²]", () => {
    const rate = tf.scalar(1.3);
    const f = (numeric: boolean) => (r: tf.Tensor) =>
      tf.mean(tf.square(inverseCdfSample(exponential, [r], 3000, 9, { forceNumeric: numeric })));
    const gClosed = take(tf.grad(f(false))(rate))[0] ?? NaN;
    const gNumeric = take(tf.grad(f(true))(rate))[0] ?? NaN;
    expect(Math.abs(gNumeric - gClosed)).toBeLessThan(1e-3 * Math.abs(gClosed));
    // E[x²] = 2/λ², so d/dλ = −4/λ³ ≈ −1.82; Monte Carlo error of 3000 draws is a few per cent.
    expect(Math.abs(gClosed + 4 / 1.3 ** 3)).toBeLessThan(0.15);
    rate.dispose();
  });

  it("a mixture with no closed-form quantile: KS against the host CDF, gradients vs finite differences", () => {
    const theta = tf.scalar(3);
    const xs = take(inverseCdfSample(normalMixture, [theta], 3000, 17));
    expect(kstest(xs, normalMixtureCdfHost(3)).pValue).toBeGreaterThan(0.001);
    const estimate = (t: tf.Tensor): tf.Tensor => tf.mean(tf.sin(inverseCdfSample(normalMixture, [t], 1000, 23)));
    const pathwise = take(tf.grad(estimate)(theta))[0] ?? NaN;
    const h = 1e-2;
    const at = (v: number): number => take(tf.tidy(() => estimate(tf.scalar(v))))[0] ?? NaN;
    const fd = (at(3 + h) - at(3 - h)) / (2 * h);
    expect(Math.abs(pathwise - fd)).toBeLessThan(2e-3 + 2e-2 * Math.abs(fd));
    expect(Math.abs(pathwise)).toBeGreaterThan(0.01);
    theta.dispose();
  });

  it("broadcasts batch parameters and reduces gradients to each parameter's shape", () => {
    const rates = tf.tensor1d([0.5, 2, 8]);
    const g = tf.grad((r: tf.Tensor) => tf.sum(inverseCdfSample(exponential, [r], [400], 3, { forceNumeric: true })))(rates);
    expect(g.shape).toEqual([3]);
    // d/dλ Σ x = −Σ x/λ, and E[x] = 1/λ → ≈ −400/λ².
    const values = take(g);
    [0.5, 2, 8].forEach((r, i) => expect(Math.abs((values[i] ?? NaN) + 400 / r ** 2) / (400 / r ** 2)).toBeLessThan(0.2));
    rates.dispose();
  });
});
