import * as tf from "@tensorflow/tfjs-core";
import { beforeAll, describe, expect, it } from "vitest";

import { DlError, initBackend } from "@dl/tensor-core";

import { lbetaScalar, lgammaScalar } from "../special/scalar.js";
import { Bernoulli, Categorical, Poisson } from "./discrete.js";
import { Dirichlet } from "./dirichlet.js";
import type { Distribution } from "./distribution.js";
import { Beta, Gamma } from "./gammaBeta.js";
import { klDivergence } from "./kl.js";
import { StudentT } from "./studentT.js";
import { Cauchy, Exponential, Laplace, LogNormal, Normal, Uniform } from "./univariate.js";

function scalar(t: tf.Tensor): number {
  const v = t.dataSync()[0] ?? Number.NaN;
  t.dispose();
  return v;
}

function values(t: tf.Tensor): number[] {
  const out = Array.from(t.dataSync());
  t.dispose();
  return out;
}

/** ∫ p (log p − log q) by composite Simpson on [lo, hi] in float64 (an independent reference). */
function klQuadrature(logP: (x: number) => number, logQ: (x: number) => number, lo: number, hi: number, n = 40000): number {
  const h = (hi - lo) / n;
  let sum = 0;
  for (let i = 0; i <= n; i++) {
    const x = lo + i * h;
    const lp = logP(x);
    const f = Number.isFinite(lp) ? Math.exp(lp) * (lp - logQ(x)) : 0;
    sum += (i === 0 || i === n ? 1 : i % 2 === 1 ? 4 : 2) * f;
  }
  return (sum * h) / 3;
}

const normal = (m: number, s: number) => (x: number) => -0.5 * ((x - m) / s) ** 2 - Math.log(s) - 0.5 * Math.log(2 * Math.PI);
const laplace = (m: number, b: number) => (x: number) => -Math.abs(x - m) / b - Math.log(2 * b);
const gamma = (a: number, r: number) => (x: number) => a * Math.log(r) + (a - 1) * Math.log(x) - r * x - lgammaScalar(a);
const beta = (a: number, b: number) => (x: number) => (a - 1) * Math.log(x) + (b - 1) * Math.log1p(-x) - lbetaScalar(a, b);

beforeAll(async () => {
  await initBackend({ backend: "cpu" });
});

describe("klDivergence: closed forms against float64 quadrature and exact sums", () => {
  it("continuous pairs agree with Simpson quadrature of p·log(p/q), leak-free", () => {
    const before = tf.memory().numTensors;
    const cases: [string, () => [Distribution, Distribution], number][] = [
      ["Normal", () => [new Normal({ loc: 0.3, scale: 0.8 }), new Normal({ loc: -1, scale: 2.5 })], klQuadrature(normal(0.3, 0.8), normal(-1, 2.5), -12, 12)],
      ["LogNormal", () => [new LogNormal({ loc: 0.3, scale: 0.8 }), new LogNormal({ loc: -1, scale: 2.5 })], klQuadrature(normal(0.3, 0.8), normal(-1, 2.5), -12, 12)],
      ["Exponential", () => [new Exponential({ rate: 2 }), new Exponential({ rate: 0.5 })], klQuadrature(gamma(1, 2), gamma(1, 0.5), 1e-12, 40)],
      ["Gamma", () => [new Gamma({ concentration: 3, rate: 2 }), new Gamma({ concentration: 1.5, rate: 0.7 })], klQuadrature(gamma(3, 2), gamma(1.5, 0.7), 1e-12, 40)],
      ["Beta", () => [new Beta({ concentration1: 2.5, concentration0: 4 }), new Beta({ concentration1: 1.5, concentration0: 1.2 })], klQuadrature(beta(2.5, 4), beta(1.5, 1.2), 1e-12, 1 - 1e-12)],
      ["Laplace", () => [new Laplace({ loc: 0.5, scale: 0.7 }), new Laplace({ loc: -0.4, scale: 1.6 })], klQuadrature(laplace(0.5, 0.7), laplace(-0.4, 1.6), -30, 30, 60000)],
      ["Uniform", () => [new Uniform({ low: 0, high: 1 }), new Uniform({ low: -1, high: 3 })], Math.log(4)],
    ];
    for (const [name, make, expected] of cases) {
      const [p, q] = make();
      expect(scalar(klDivergence(p, q)), name).toBeCloseTo(expected, 5);
      expect(Math.abs(scalar(klDivergence(p, p))), `${name}: KL(p‖p) = 0`).toBeLessThan(1e-6);
      p.dispose();
      q.dispose();
    }
    const u = new Uniform({ low: -1, high: 3 });
    const narrow = new Uniform({ low: 0, high: 1 });
    expect(scalar(klDivergence(u, narrow))).toBe(Infinity);
    u.dispose();
    narrow.dispose();
    expect(tf.memory().numTensors).toBe(before);
  });

  it("discrete pairs equal their exact sums, including zero probabilities", () => {
    const p = new Bernoulli({ probs: 0.2 });
    const q = new Bernoulli({ probs: 0.7 });
    expect(scalar(klDivergence(p, q))).toBeCloseTo(0.2 * Math.log(0.2 / 0.7) + 0.8 * Math.log(0.8 / 0.3), 6);
    const certain = new Bernoulli({ probs: 1 });
    expect(scalar(klDivergence(certain, q))).toBeCloseTo(Math.log(1 / 0.7), 6);
    const cp = new Categorical({ probs: tf.tensor1d([0, 0.3, 0.7]) });
    const cq = new Categorical({ probs: tf.tensor1d([0.2, 0.2, 0.6]) });
    expect(scalar(klDivergence(cp, cq))).toBeCloseTo(0.3 * Math.log(0.3 / 0.2) + 0.7 * Math.log(0.7 / 0.6), 6);
  });

  it("Dirichlet with K = 2 is the Beta; K = 3 agrees with a Monte Carlo estimate", () => {
    const d1 = new Dirichlet({ concentration: tf.tensor1d([2.5, 4]) });
    const d2 = new Dirichlet({ concentration: tf.tensor1d([1.5, 1.2]) });
    const b1 = new Beta({ concentration1: 2.5, concentration0: 4 });
    const b2 = new Beta({ concentration1: 1.5, concentration0: 1.2 });
    expect(scalar(klDivergence(d1, d2))).toBeCloseTo(scalar(klDivergence(b1, b2)), 5);
    expect(scalar(d1.logProb(tf.tensor1d([0.3, 0.7])))).toBeCloseTo(scalar(b1.logProb(tf.scalar(0.3))), 5);
    expect(scalar(d1.entropy())).toBeCloseTo(scalar(b1.entropy()), 5);
    const p = new Dirichlet({ concentration: tf.tensor1d([2, 3, 5]) });
    const q = new Dirichlet({ concentration: tf.tensor1d([1, 1, 1]) });
    const x = p.sample(20000, 3);
    const diffs = values(tf.tidy(() => tf.sub(p.logProb(x), q.logProb(x))));
    const mean = diffs.reduce((a, b) => a + b, 0) / diffs.length;
    const sd = Math.sqrt(diffs.reduce((a, b) => a + (b - mean) ** 2, 0) / diffs.length);
    // Five standard errors of the Monte Carlo mean.
    expect(Math.abs(scalar(klDivergence(p, q)) - mean)).toBeLessThan((5 * sd) / Math.sqrt(diffs.length));
    x.dispose();
  });

  it("an unsupported pair throws NOT_SUPPORTED and lists the pairs that have a closed form", () => {
    const p = new Normal({ loc: 0, scale: 1 });
    const q = new Cauchy({ loc: 0, scale: 1 });
    expect(() => klDivergence(p, q)).toThrow(DlError);
    expect(() => klDivergence(p, q)).toThrow(/Normal‖Cauchy.*Normal‖Normal/);
  });
});

describe("LogNormal, StudentT, Poisson and Dirichlet samplers", () => {
  /** Dvoretzky–Kiefer–Wolfowitz: sup |F̂ − F| ≤ √(log(2/δ)/2n) with probability 1 − δ (δ = 1e-4). */
  const dkw = (n: number): number => Math.sqrt(Math.log(2 / 1e-4) / (2 * n));

  it("continuous samples follow their own cdf (DKW bound) at the 5 %, 50 % and 95 % quantiles", () => {
    const n = 20000;
    for (const d of [new LogNormal({ loc: 0.5, scale: 0.8 }), new StudentT({ df: 3.5, loc: 1, scale: 2 }), new StudentT({ df: 0.7, loc: 0, scale: 1 })]) {
      const x = values(d.sample(n, 21));
      for (const p of [0.05, 0.5, 0.95]) {
        const q = scalar(d.icdf(tf.scalar(p)));
        const frac = x.filter((v) => v <= q).length / n;
        expect(Math.abs(frac - p), `${d.name} at p = ${p}`).toBeLessThan(dkw(n));
      }
      d.dispose();
    }
  });

  it("StudentT samples are reparameterized: d(sample)/d loc = 1, d/d scale = (x − loc)/scale", () => {
    const loc = tf.scalar(1);
    const scale = tf.scalar(2);
    const draw = (l: tf.Tensor, s: tf.Tensor): tf.Tensor => tf.sum(new StudentT({ df: 5, loc: l, scale: s }).sample(50, 4));
    const [dl, ds] = tf.grads(draw)([loc, scale]);
    const x = values(new StudentT({ df: 5, loc: 1, scale: 2 }).sample(50, 4));
    expect(scalar(dl ?? tf.scalar(NaN))).toBeCloseTo(50, 4);
    expect(scalar(ds ?? tf.scalar(NaN))).toBeCloseTo(x.reduce((a, v) => a + (v - 1) / 2, 0), 3);
  });

  it("Poisson samples match the pmf (small λ by inversion, large λ by PTRS)", () => {
    for (const lambda of [3, 50]) {
      const d = new Poisson({ rate: lambda });
      const n = 20000;
      const x = values(d.sample(n, 9));
      expect(x.every((v) => Number.isInteger(v) && v >= 0)).toBe(true);
      const mean = x.reduce((a, b) => a + b, 0) / n;
      expect(Math.abs(mean - lambda)).toBeLessThan(5 * Math.sqrt(lambda / n));
      for (const k of [Math.floor(lambda) - 2, Math.floor(lambda), Math.floor(lambda) + 3]) {
        const p = Math.exp(scalar(d.logProb(tf.scalar(k))));
        const freq = x.filter((v) => v === k).length / n;
        expect(Math.abs(freq - p), `λ = ${lambda}, k = ${k}`).toBeLessThan(5 * Math.sqrt((p * (1 - p)) / n));
      }
      d.dispose();
    }
  });

  it("Dirichlet samples lie on the simplex with mean α/α₀ and carry gradients to α", () => {
    const alpha = tf.tensor1d([0.5, 2, 7.5]);
    const d = new Dirichlet({ concentration: alpha });
    const x = d.sample(20000, 13);
    const sums = values(tf.sum(x, -1));
    expect(sums.every((s) => Math.abs(s - 1) < 1e-5)).toBe(true);
    const m = values(tf.mean(x, 0));
    const v = values(d.variance());
    [0.05, 0.2, 0.75].forEach((mu, i) => expect(Math.abs((m[i] ?? NaN) - mu)).toBeLessThan(5 * Math.sqrt((v[i] ?? NaN) / 20000)));
    const g = values(tf.grad((a: tf.Tensor) => tf.sum(tf.mul(new Dirichlet({ concentration: a }).sample(200, 13), tf.tensor1d([1, 0, 0]))))(alpha));
    // Raising α₁ moves mass to the first coordinate; the others lose it.
    expect(g[0]).toBeGreaterThan(0);
    expect(g[2]).toBeLessThan(0);
    x.dispose();
    d.dispose();
    alpha.dispose();
  });
});
