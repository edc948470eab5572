import * as tf from "@tensorflow/tfjs-core";
import { beforeAll, describe, expect, it } from "vitest";

import { DlError, initBackend } from "@dl/tensor-core";

import { erfcScalar } from "../special/scalar.js";

import fixtures from "../fixtures/scipy.json" with { type: "json" };
import { Bernoulli, Categorical } from "./discrete.js";
import { Gamma } from "./gammaBeta.js";
import { MixtureSameFamily, MultivariateNormalDiag, MultivariateNormalTriL } from "./multivariate.js";
import { Cauchy, Exponential, Normal, Uniform, Weibull } from "./univariate.js";
import { distributionsByName, type FixtureParams } from "../test-utils/distributionsByName.js";


function values(t: tf.Tensor): number[] {
  const out = Array.from(t.dataSync());
  t.dispose();
  return out;
}

function expectClose(actual: number[], expected: number[], rel: number, abs = 1e-6): void {
  expect(actual.length).toBe(expected.length);
  actual.forEach((a, i) => {
    const e = expected[i] ?? Number.NaN;
    expect(Math.abs(a - e), `index ${i}: ${a} vs ${e}`).toBeLessThanOrEqual(abs + rel * Math.abs(e));
  });
}

beforeAll(async () => {
  await initBackend({ backend: "cpu" });
});

describe("univariate distributions against SciPy", () => {
  for (const c of fixtures.distributions) {
    it(`${c.name}(${JSON.stringify(c.params)}): logProb, cdf, mean, variance`, () => {
      const before = tf.memory().numTensors;
      const make = distributionsByName[c.name];
      if (make === undefined) throw new Error(`no constructor for ${c.name}`);
      const d = make(c.params as unknown as FixtureParams);
      const x = tf.tensor1d(c.x);
      expectClose(values(d.logProb(x)), c.logProb, 2e-5, 2e-5);
      expectClose(values(d.cdf(x)), c.cdf, 2e-5, 2e-6);
      if (c.mean !== null) expectClose([values(d.mean())[0] ?? NaN], [c.mean], 1e-5);
      if (c.variance !== null) expectClose([values(d.variance())[0] ?? NaN], [c.variance], 1e-5);
      if (d.name !== "Gamma" && d.name !== "Beta") {
        // The quantile inverts the cdf.
        const p = tf.tensor1d([0.01, 0.3, 0.5, 0.9]);
        const roundTrip = tf.tidy(() => d.cdf(d.icdf(p)));
        expectClose(values(roundTrip), [0.01, 0.3, 0.5, 0.9], 1e-4, 1e-6);
        p.dispose();
      }
      x.dispose();
      d.dispose();
      expect(tf.memory().numTensors).toBe(before);
    });
  }

  it("Cauchy has NaN mean and variance, as TFP with allow_nan_stats", () => {
    const d = new Cauchy({ loc: 0, scale: 1 });
    expect(Number.isNaN(values(d.mean())[0])).toBe(true);
    expect(Number.isNaN(values(d.variance())[0])).toBe(true);
    d.dispose();
  });

  it("rejects a rate ≤ 0 and other invalid parameters with a DlError naming the parameter", () => {
    expect(() => new Exponential({ rate: 0 })).toThrow(/rate must be > 0, got 0/);
    expect(() => new Gamma({ concentration: 2, rate: -1 })).toThrow(DlError);
    expect(() => new Normal({ loc: 0, scale: -2 })).toThrow(/scale/);
    expect(() => new Uniform({ low: 2, high: 1 })).toThrow(/high must be > low/);
    expect(() => new Normal({ loc: Number.NaN, scale: 1 })).toThrow(/loc must be finite/);
    const tensorRate = tf.tensor1d([1, -1]);
    expect(() => new Exponential({ rate: tensorRate }, { validateArgs: true })).toThrow(/every rate must be > 0/);
    tensorRate.dispose();
  });

  it("broadcasts batch parameters and samples sampleShape ++ batchShape", () => {
    const loc = tf.tensor1d([0, 10, -10]);
    const d = new Normal({ loc, scale: 0.1 });
    expect(d.batchShape).toEqual([3]);
    const s = d.sample([200, 2], 7);
    expect(s.shape).toEqual([200, 2, 3]);
    const means = values(tf.mean(s, [0, 1]));
    expectClose(means, [0, 10, -10], 0, 0.03);
    s.dispose();
    d.dispose();
    loc.dispose();
  });

  it("same seed, same samples", () => {
    const d = new Weibull({ concentration: 1.5, scale: 2 });
    expect(values(d.sample(5, 3))).toEqual(values(d.sample(5, 3)));
    expect(values(d.sample(5, 3))).not.toEqual(values(d.sample(5, 4)));
    d.dispose();
  });
});

describe("discrete distributions", () => {
  it("Bernoulli log-probabilities match log p and log(1 − p)", () => {
    const d = new Bernoulli({ probs: 0.3 });
    expectClose(values(d.logProb(tf.tensor1d([0, 1]))), [Math.log(0.7), Math.log(0.3)], 1e-6);
    expectClose(values(d.mean()), [0.3], 1e-6);
    expectClose(values(d.variance()), [0.21], 1e-5);
    d.dispose();
    expect(() => new Bernoulli({ probs: 1.5 })).toThrow(/probs must be in \[0, 1\]/);
  });

  it("Categorical normalises logits, and samples follow the probabilities", () => {
    const logits = tf.tensor1d([Math.log(1), Math.log(2), Math.log(7)]);
    const d = new Categorical({ logits });
    expectClose(values(d.logProb(tf.tensor1d([0, 1, 2], "int32"))), [Math.log(0.1), Math.log(0.2), Math.log(0.7)], 1e-5);
    const draws = values(d.sample(4000, 11));
    const freq = [0, 1, 2].map((k) => draws.filter((v) => v === k).length / draws.length);
    // Binomial standard errors are ≤ 0.0073; allow 4 of them.
    expectClose(freq, [0.1, 0.2, 0.7], 0, 0.03);
    expectClose(values(d.mean()), [0.2 + 1.4], 1e-5);
    d.dispose();
    logits.dispose();
  });
});

describe("finite answers where naive formulas give NaN", () => {
  it("Bernoulli with probs 0 and 1: logProb 0 or −∞, entropy 0 (x·logits − softplus would be ∞ − ∞)", () => {
    const before = tf.memory().numTensors;
    const probs = tf.tensor1d([0, 1, 0.3]);
    const d = new Bernoulli({ probs });
    const x = tf.tensor2d([
      [0, 0, 0],
      [1, 1, 1],
    ]);
    // + 0 turns −0 (= −softplus(−∞)) into 0.
    expect(values(d.logProb(x)).map((v) => v + 0)).toEqual([0, -Infinity, expect.closeTo(Math.log(0.7), 6), -Infinity, 0, expect.closeTo(Math.log(0.3), 6)]);
    expectClose(values(d.entropy()), [0, 0, -(0.3 * Math.log(0.3) + 0.7 * Math.log(0.7))], 1e-6);
    expectClose(values(d.mean()), [0, 1, 0.3], 1e-6);
    x.dispose();
    probs.dispose();
    d.dispose();
    expect(tf.memory().numTensors).toBe(before);
  });

  it("Categorical with a zero probability: log 0 = −∞ there, finite elsewhere, entropy without 0·log 0", () => {
    const probs = tf.tensor1d([0, 0.25, 0.75]);
    const d = new Categorical({ probs });
    const lp = values(d.logProb(tf.tensor1d([0, 1, 2], "int32")));
    expect(lp[0]).toBe(-Infinity);
    expectClose(lp.slice(1), [Math.log(0.25), Math.log(0.75)], 1e-6);
    expectClose(values(d.entropy()), [-(0.25 * Math.log(0.25) + 0.75 * Math.log(0.75))], 1e-6);
    const draws = values(d.sample(4000, 3));
    expect(draws.includes(0)).toBe(false);
    // Binomial standard error of the 0.25 frequency is 0.0068; allow 5 of them.
    expect(Math.abs(draws.filter((v) => v === 1).length / 4000 - 0.25)).toBeLessThan(0.035);
    d.dispose();
    probs.dispose();
  });

  it("a mixture whose components are all −∞ at x gives −∞, not NaN", () => {
    const mix = new Categorical({ probs: tf.tensor1d([0.5, 0.5]) });
    const comps = new Uniform({ low: tf.tensor1d([0, 2]), high: tf.tensor1d([1, 3]) });
    const d = new MixtureSameFamily({ mixtureDistribution: mix, componentsDistribution: comps });
    const lp = values(d.logProb(tf.tensor1d([1.5, 0.5, 2.5])));
    expect(lp[0]).toBe(-Infinity);
    expectClose(lp.slice(1), [Math.log(0.5), Math.log(0.5)], 1e-6);
  });
});

/** Float64 Gaussian log density with covariance Σ = L Lᵀ via explicit forward substitution. */
function mvnLogPdf(x: number[], mu: number[], L: number[][]): number {
  const d = x.length;
  const y: number[] = [];
  for (let i = 0; i < d; i++) {
    let acc = (x[i] ?? 0) - (mu[i] ?? 0);
    for (let j = 0; j < i; j++) acc -= (L[i]?.[j] ?? 0) * (y[j] ?? 0);
    y.push(acc / (L[i]?.[i] ?? 1));
  }
  const logDet = L.reduce((s, row, i) => s + Math.log(row[i] ?? 1), 0);
  return -0.5 * y.reduce((s, v) => s + v * v, 0) - logDet - 0.5 * d * Math.log(2 * Math.PI);
}

describe("multivariate distributions", () => {
  it("MultivariateNormalTriL logProb equals the float64 closed form, and ignores the upper triangle", () => {
    const L = [
      [1.2, 0, 0],
      [0.4, 0.7, 0],
      [-0.3, 0.5, 0.9],
    ];
    const withJunk = L.map((row, i) => row.map((v, j) => (j > i ? 99 : v)));
    const mu = [0.1, -0.5, 2];
    const xs = [
      [0, 0, 0],
      [1, -1, 3],
      [-2, 0.5, 1],
    ];
    const before = tf.memory().numTensors;
    const loc = tf.tensor1d(mu);
    const scaleTril = tf.tensor2d(withJunk);
    const d = new MultivariateNormalTriL({ loc, scaleTril });
    expectClose(values(tf.tidy(() => d.logProb(tf.tensor2d(xs)))), xs.map((x) => mvnLogPdf(x, mu, L)), 1e-5);
    // Entropy ½ log det(2πe Σ) with det Σ = Πᵢ Lᵢᵢ².
    expectClose(values(d.entropy()), [1.5 * (1 + Math.log(2 * Math.PI)) + Math.log(1.2 * 0.7 * 0.9)], 1e-6);
    const cov = values(d.covariance());
    expectClose([cov[1] ?? NaN, cov[8] ?? NaN], [1.2 * 0.4, 0.09 + 0.25 + 0.81], 1e-5);
    const s = d.sample(20000, 5);
    const empiricalMean = values(tf.mean(s, 0));
    expectClose(empiricalMean, mu, 0, 0.04);
    s.dispose();
    d.dispose();
    loc.dispose();
    scaleTril.dispose();
    expect(tf.memory().numTensors).toBe(before);
  });

  it("MultivariateNormalDiag logProb is the sum of independent Normals", () => {
    const d = new MultivariateNormalDiag({ loc: tf.tensor1d([1, 2]), scaleDiag: tf.tensor1d([0.5, 3]) });
    const x = [0.2, -1];
    const expected = mvnLogPdf(x, [1, 2], [[0.5, 0], [0, 3]]);
    expectClose(values(d.logProb(tf.tensor1d(x))), [expected], 1e-6);
    expectClose(values(d.entropy()), [1 + Math.log(2 * Math.PI) + Math.log(0.5 * 3)], 1e-6);
    expect(() => new MultivariateNormalDiag({ loc: tf.tensor1d([1, 2]), scaleDiag: tf.tensor1d([1, 2, 3]) })).toThrow(/same last/);
  });

  it("MixtureSameFamily: logProb = log Σ w N, cdf = Σ w Φ, law of total variance", () => {
    const mix = new Categorical({ probs: tf.tensor1d([0.25, 0.75]) });
    const comps = new Normal({ loc: tf.tensor1d([-1, 2]), scale: tf.tensor1d([0.5, 1.5]) });
    const d = new MixtureSameFamily({ mixtureDistribution: mix, componentsDistribution: comps });
    const xs = [-1.2, 0.4, 3];
    const pdf = (x: number, m: number, s: number): number => Math.exp(-0.5 * ((x - m) / s) ** 2) / (s * Math.sqrt(2 * Math.PI));
    expectClose(
      values(d.logProb(tf.tensor1d(xs))),
      xs.map((x) => Math.log(0.25 * pdf(x, -1, 0.5) + 0.75 * pdf(x, 2, 1.5))),
      1e-5,
    );
    expectClose(values(d.mean()), [0.25 * -1 + 0.75 * 2], 1e-6);
    const second = 0.25 * (0.25 + 1) + 0.75 * (2.25 + 4);
    expectClose(values(d.variance()), [second - 1.25 ** 2], 1e-5);
    // Far tails stay in log space: log(¼Φ(−1.2/0.5 …)) at x = −30 and the upper tail at x = 40.
    const logPhi = (z: number): number => Math.log(0.5 * erfcScalar(-z / Math.SQRT2));
    const logMix = (a: number, b: number): number => Math.max(a, b) + Math.log1p(Math.exp(-Math.abs(a - b)));
    const lower = values(d.logCdf(tf.tensor1d([-30])))[0] ?? NaN;
    const upper = values(d.logSurvivalFunction(tf.tensor1d([40])))[0] ?? NaN;
    expect(Math.abs(lower / logMix(Math.log(0.25) + logPhi(-29 / 0.5), Math.log(0.75) + logPhi(-32 / 1.5)) - 1)).toBeLessThan(1e-5);
    expect(Math.abs(upper / logMix(Math.log(0.25) + logPhi(-41 / 0.5), Math.log(0.75) + logPhi(-38 / 1.5)) - 1)).toBeLessThan(1e-5);
    expectClose(values(d.survivalFunction(tf.tensor1d([0.4]))), [1 - (values(d.cdf(tf.tensor1d([0.4])))[0] ?? NaN)], 1e-6);
    const s = d.sample(20000, 9);
    expectClose([values(tf.mean(s))[0] ?? NaN], [1.25], 0, 0.05);
    s.dispose();
  });
});
