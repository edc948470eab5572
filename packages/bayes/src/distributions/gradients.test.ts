import * as tf from "@tensorflow/tfjs-core";
import { describe, expect, it } from "vitest";

import { initBackend } from "@dl/tensor-core";

import betaincinv from "@stdlib/math-base-special-betaincinv";

import { gammaQuantileScalar, lbetaScalar, lgammaScalar, regularizedBeta, regularizedGammaP, regularizedGammaQ } from "../special/scalar.js";
import { Dirichlet } from "./dirichlet.js";
import type { Distribution } from "./distribution.js";
import { Beta, Gamma } from "./gammaBeta.js";
import { Poisson } from "./discrete.js";
import { StudentT } from "./studentT.js";
import { Cauchy, Exponential, Gumbel, Laplace, LogNormal, Logistic, Normal, Weibull } from "./univariate.js";

// Gradients in the tails: autodiff of the float32 logProb (and the implicit quantile / sample
// gradients of Gamma and Beta) against Richardson central differences of float64 references.

type Params = Record<string, number>;
interface Family {
  make: (p: Record<string, tf.Tensor>) => Distribution;
  logPdf: (x: number, p: Params) => number;
  /** The parameter whose size sets the scale of a location parameter (σ·∂/∂loc is dimensionless). */
  unitOf?: (p: Params) => Record<string, number>;
  cases: { params: Params; xs: (p: Params) => number[] }[];
}

const HALF_LOG_TWO_PI = 0.5 * Math.log(2 * Math.PI);
const at = (p: Params, k: string): number => p[k] ?? Number.NaN;
const zs = (list: number[]) => (p: Params) => list.map((z) => at(p, "loc") + at(p, "scale") * z);
const locUnit = (p: Params): Record<string, number> => ({ loc: at(p, "scale") });
const t = (p: Record<string, tf.Tensor>, k: string): tf.Tensor => p[k] ?? tf.scalar(Number.NaN);

const FAMILIES: Record<string, Family> = {
  Normal: {
    make: (p) => new Normal({ loc: t(p, "loc"), scale: t(p, "scale") }),
    logPdf: (x, p) => -0.5 * ((x - at(p, "loc")) / at(p, "scale")) ** 2 - Math.log(at(p, "scale")) - HALF_LOG_TWO_PI,
    unitOf: locUnit,
    cases: [
      { params: { loc: 0.3, scale: 1e-3 }, xs: zs([-38, -20, 0.5, 20]) },
      { params: { loc: -2, scale: 1e4 }, xs: zs([-38, 3, 30]) },
    ],
  },
  LogNormal: {
    make: (p) => new LogNormal({ loc: t(p, "loc"), scale: t(p, "scale") }),
    logPdf: (x, p) => -0.5 * ((Math.log(x) - at(p, "loc")) / at(p, "scale")) ** 2 - Math.log(at(p, "scale") * x) - HALF_LOG_TWO_PI,
    unitOf: locUnit,
    cases: [{ params: { loc: 0.5, scale: 0.2 }, xs: (p) => [-30, 0.3, 25].map((z) => Math.exp(at(p, "loc") + at(p, "scale") * z)) }],
  },
  StudentT: {
    make: (p) => new StudentT({ df: t(p, "df"), loc: t(p, "loc"), scale: t(p, "scale") }),
    logPdf: (x, p) => {
      const nu = at(p, "df");
      const z = (x - at(p, "loc")) / at(p, "scale");
      return -lbetaScalar(0.5, nu / 2) - 0.5 * Math.log(nu) - Math.log(at(p, "scale")) - ((nu + 1) / 2) * Math.log1p((z * z) / nu);
    },
    unitOf: locUnit,
    cases: [
      { params: { df: 0.7, loc: 1, scale: 2 }, xs: zs([-1e5, 0.4, 300]) },
      { params: { df: 3e4, loc: 0, scale: 1 }, xs: zs([-30, 0.2, 6]) },
    ],
  },
  Poisson: {
    make: (p) => new Poisson({ rate: t(p, "rate") }),
    logPdf: (k, p) => k * Math.log(at(p, "rate")) - at(p, "rate") - lgammaScalar(k + 1),
    cases: [
      { params: { rate: 0.02 }, xs: () => [0, 3] },
      { params: { rate: 1e4 }, xs: () => [9500, 10000, 10700] },
    ],
  },
  Laplace: {
    make: (p) => new Laplace({ loc: t(p, "loc"), scale: t(p, "scale") }),
    logPdf: (x, p) => -Math.abs(x - at(p, "loc")) / at(p, "scale") - Math.log(2 * at(p, "scale")),
    unitOf: locUnit,
    cases: [{ params: { loc: 0.5, scale: 1e-4 }, xs: zs([-80, -2, 40]) }],
  },
  Logistic: {
    make: (p) => new Logistic({ loc: t(p, "loc"), scale: t(p, "scale") }),
    logPdf: (x, p) => {
      const z = Math.abs((x - at(p, "loc")) / at(p, "scale"));
      return -z - 2 * Math.log1p(Math.exp(-z)) - Math.log(at(p, "scale"));
    },
    unitOf: locUnit,
    cases: [{ params: { loc: 1, scale: 3e3 }, xs: zs([-80, 0.3, 60]) }],
  },
  Cauchy: {
    make: (p) => new Cauchy({ loc: t(p, "loc"), scale: t(p, "scale") }),
    logPdf: (x, p) => -Math.log1p(((x - at(p, "loc")) / at(p, "scale")) ** 2) - Math.log(Math.PI * at(p, "scale")),
    unitOf: locUnit,
    cases: [{ params: { loc: -1, scale: 1e-5 }, xs: zs([-1e6, -0.4, 3e4]) }],
  },
  Gumbel: {
    make: (p) => new Gumbel({ loc: t(p, "loc"), scale: t(p, "scale") }),
    logPdf: (x, p) => {
      const z = (x - at(p, "loc")) / at(p, "scale");
      return -(z + Math.exp(-z)) - Math.log(at(p, "scale"));
    },
    unitOf: locUnit,
    cases: [{ params: { loc: 2, scale: 0.01 }, xs: zs([-4, 0.5, 40]) }],
  },
  Exponential: {
    make: (p) => new Exponential({ rate: t(p, "rate") }),
    logPdf: (x, p) => Math.log(at(p, "rate")) - at(p, "rate") * x,
    cases: [
      { params: { rate: 1e-3 }, xs: () => [1e-5, 3e4] },
      { params: { rate: 1e4 }, xs: () => [1e-12, 8e-3] },
    ],
  },
  Weibull: {
    make: (p) => new Weibull({ concentration: t(p, "concentration"), scale: t(p, "scale") }),
    logPdf: (x, p) => {
      const k = at(p, "concentration");
      const w = x / at(p, "scale");
      return Math.log(k / at(p, "scale")) + (k - 1) * Math.log(w) - w ** k;
    },
    cases: [
      { params: { concentration: 0.3, scale: 2 }, xs: (p) => [1e-10, 50].map((w) => at(p, "scale") * w ** (1 / 0.3)) },
      { params: { concentration: 150, scale: 1 }, xs: (p) => [1e-10, 0.5, 50].map((w) => at(p, "scale") * w ** (1 / 150)) },
    ],
  },
  Gamma: {
    make: (p) => new Gamma({ concentration: t(p, "concentration"), rate: t(p, "rate") }),
    logPdf: (x, p) => {
      const a = at(p, "concentration");
      const b = at(p, "rate");
      return a * Math.log(b) + (a - 1) * Math.log(x) - b * x - lgammaScalar(a);
    },
    cases: [0.05, 2.5, 150, 1e4].map((a) => ({
      params: { concentration: a, rate: 1.7 },
      xs: (p: Params) => [1e-10, 0.5, 1 - 1e-6].map((q) => gammaQuantileScalar(q, a) / at(p, "rate")),
    })),
  },
  Beta: {
    make: (p) => new Beta({ concentration1: t(p, "concentration1"), concentration0: t(p, "concentration0") }),
    logPdf: (x, p) => {
      const a = at(p, "concentration1");
      const b = at(p, "concentration0");
      return (a - 1) * Math.log(x) + (b - 1) * Math.log1p(-x) - lbetaScalar(a, b);
    },
    cases: [
      [0.5, 3],
      [150, 300],
      [1e4, 2e4],
      [0.5, 1e3],
    ].map(([a = 1, b = 1]) => ({
      params: { concentration1: a, concentration0: b },
      xs: () => [1e-10, 0.5, 1 - 1e-6].map((q) => betaincinv(q, a, b)),
    })),
  },
};

/** Richardson-extrapolated central difference, O(h⁴), with step 1e-4·unit. */
function derivative(f: (v: number) => number, v: number, unit = v): number {
  const h = 1e-4 * Math.abs(unit);
  const central = (s: number): number => (f(v + s) - f(v - s)) / (2 * s);
  return (4 * central(h / 2) - central(h)) / 3;
}

function rounded(p: Params): Params {
  return Object.fromEntries(Object.entries(p).map(([k, v]) => [k, Math.fround(v)]));
}

describe.each(["cpu", "wasm"] as const)("gradients in the tails on %s", (backend) => {
  it("∂logProb/∂θ matches finite differences of a float64 log density (θ·error ≤ 1e-3·max(|θ·∂|, 1))", async () => {
    await initBackend({ backend });
    const before = tf.memory().numTensors;
    let checks = 0;
    const failures: string[] = [];
    for (const [name, family] of Object.entries(FAMILIES)) {
      for (const c of family.cases) {
        const params = rounded(c.params);
        const keys = Object.keys(params);
        for (const x of c.xs(params).map(Math.fround)) {
          const grads = tf.tidy(() => {
            const f = (...ts: tf.Tensor[]): tf.Scalar => {
              const d = family.make(Object.fromEntries(keys.map((k, i) => [k, ts[i] ?? tf.scalar(0)])));
              return tf.sum(d.logProb(tf.scalar(x)));
            };
            return tf.grads(f)(keys.map((k) => tf.scalar(at(params, k)))).map((g) => g.dataSync()[0] ?? Number.NaN);
          });
          if (!Number.isFinite(family.logPdf(x, params))) continue; // x underflowed to a support end
          const unit = family.unitOf?.(params) ?? {};
          keys.forEach((k, i) => {
            const scale = unit[k] ?? at(params, k);
            const expected = derivative((v) => family.logPdf(x, { ...params, [k]: v }), at(params, k), scale);
            const got = grads[i] ?? Number.NaN;
            const where = `${name}(${JSON.stringify(params)}) ∂/∂${k} logProb(${x}): ${got} vs ${expected}`;
            if (!(Math.abs(scale * (got - expected)) <= 1e-3 * Math.max(Math.abs(scale * expected), 1))) failures.push(where);
            expect.soft(Math.abs(scale * (got - expected)), where).toBeLessThanOrEqual(1e-3 * Math.max(Math.abs(scale * expected), 1));
            checks += 1;
          });
        }
      }
    }
    expect(checks).toBeGreaterThan(60);
    expect(tf.memory().numTensors).toBe(before);
  });

  it("Dirichlet ∂logProb/∂α, small and Stirling-reduced (α ≥ 10), matches finite differences", async () => {
    await initBackend({ backend });
    const logPdf = (x: number[], alpha: number[]): number => {
      const a0 = alpha.reduce((a, b) => a + b, 0);
      return alpha.reduce((acc, a, i) => acc + (a - 1) * Math.log(x[i] ?? NaN) - lgammaScalar(a), 0) + lgammaScalar(a0);
    };
    for (const [alpha, x] of [
      [
        [0.5, 2, 7.5],
        [2 ** -20, 0.25, 0.75 - 2 ** -20],
      ],
      [
        [1e4, 2e4, 3e4],
        [0.1650390625, 0.3349609375, 0.5],
      ],
    ] as const) {
      const a = alpha.map(Math.fround);
      const g = tf.tidy(() =>
        Array.from(tf.grad((t: tf.Tensor) => tf.sum(new Dirichlet({ concentration: t }).logProb(tf.tensor1d([...x]))))(tf.tensor1d(a)).dataSync()),
      );
      a.forEach((ai, i) => {
        const expected = derivative((v) => logPdf([...x], a.map((aj, j) => (j === i ? v : aj))), ai);
        const got = g[i] ?? NaN;
        expect(Math.abs(ai * (got - expected)), `Dirichlet(${a.join(", ")}) ∂/∂α${i}: ${got} vs ${expected}`).toBeLessThanOrEqual(
          1e-3 * Math.max(Math.abs(ai * expected), 1),
        );
      });
    }
  });

  it("Gamma and Beta quantiles: dx/dp = 1/p(x) and dx/dθ = ∂F⁻¹/∂θ at p = 1e-10, ½, 1 − 1e-6", async () => {
    await initBackend({ backend });
    const ps = [1e-10, 0.5, 1 - 1e-6].map(Math.fround);
    const quantiles: { name: string; params: Params; q: (p: number, θ: Params) => number }[] = [
      ...[0.05, 2.5, 150, 1e4].map((a) => ({
        name: "Gamma",
        params: rounded({ concentration: a, rate: 1.7 }),
        q: (p: number, θ: Params) => gammaQuantileScalar(p, at(θ, "concentration")) / at(θ, "rate"),
      })),
      ...[
        [0.5, 3],
        [150, 300],
        [0.5, 1e3],
      ].map(([a = 1, b = 1]) => ({
        name: "Beta",
        params: rounded({ concentration1: a, concentration0: b }),
        q: (p: number, θ: Params) => betaincinv(p, at(θ, "concentration1"), at(θ, "concentration0")),
      })),
    ];
    for (const c of quantiles) {
      const keys = Object.keys(c.params);
      const family = FAMILIES[c.name];
      if (family === undefined) throw new Error(c.name);
      for (const p of ps) {
        const grads = tf.tidy(() => {
          const f = (pt: tf.Tensor, ...ts: tf.Tensor[]): tf.Scalar =>
            tf.sum(family.make(Object.fromEntries(keys.map((k, i) => [k, ts[i] ?? tf.scalar(0)]))).icdf(pt));
          return tf.grads(f)([tf.scalar(p), ...keys.map((k) => tf.scalar(at(c.params, k)))]).map((g) => g.dataSync()[0] ?? Number.NaN);
        });
        const x = c.q(p, c.params);
        if (Math.fround(x) < 1e-37) continue; // below float32's range: the quantile is 0 and so is its gradient
        const dp = 1 / Math.exp(family.logPdf(x, c.params));
        expect(Math.abs((grads[0] ?? NaN) / dp - 1), `${c.name} dx/dp at ${p}`).toBeLessThan(1e-3);
        keys.forEach((k, i) => {
          const expected = derivative((v) => c.q(p, { ...c.params, [k]: v }), at(c.params, k));
          const got = grads[i + 1] ?? Number.NaN;
          expect(Math.abs(got - expected), `${c.name}(${JSON.stringify(c.params)}) dx/d${k} at p = ${p}: ${got} vs ${expected}`).toBeLessThanOrEqual(
            1e-3 * Math.abs(expected) + 1e-6 * Math.abs(x / at(c.params, k)),
          );
        });
      }
    }
  });

  it("pathwise sample gradients dz/dα of Gamma and Beta equal ∂F⁻¹(u; α)/∂α at u = F(z)", async () => {
    await initBackend({ backend });
    for (const a of [0.05, 0.7, 150]) {
      const alpha = tf.fill([24], Math.fround(a));
      const [z, g] = tf.tidy(() => {
        const draw = (al: tf.Tensor): tf.Tensor => new Gamma({ concentration: al }).sample(1, 17);
        const samples = Array.from(draw(alpha).dataSync());
        return [samples, Array.from(tf.grad((al: tf.Tensor) => tf.sum(draw(al)))(alpha).dataSync())];
      });
      z.forEach((zi, i) => {
        const lower = regularizedGammaP(Math.fround(a), zi) <= 0.5;
        const u = lower ? regularizedGammaP(Math.fround(a), zi) : 1 - regularizedGammaQ(Math.fround(a), zi);
        const expected = derivative((v) => gammaQuantileScalar(u, v), Math.fround(a));
        expect(Math.abs((g[i] ?? NaN) - expected), `Gamma(${a}) dz/dα at z = ${zi}`).toBeLessThanOrEqual(1e-3 * Math.abs(expected) + 1e-5 * zi);
      });
      alpha.dispose();
    }
    const a = Math.fround(0.3);
    const b = Math.fround(40);
    const aT = tf.fill([24], a);
    const bT = tf.fill([24], b);
    const [z, ga] = tf.tidy(() => {
      const draw = (at_: tf.Tensor): tf.Tensor => new Beta({ concentration1: at_, concentration0: bT }).sample(1, 5);
      return [Array.from(draw(aT).dataSync()), Array.from(tf.grad((at_: tf.Tensor) => tf.sum(draw(at_)))(aT).dataSync())];
    });
    z.forEach((zi, i) => {
      if (zi <= 1e-7) return; // clamped into the open interval: no gradient there
      const u = regularizedBeta(zi, a, b);
      const expected = derivative((v) => betaincinv(u, v, b), a);
      expect(Math.abs((ga[i] ?? NaN) - expected), `Beta(${a}, ${b}) dz/da at z = ${zi}`).toBeLessThanOrEqual(1e-3 * Math.abs(expected) + 1e-6 * zi);
    });
    aT.dispose();
    bT.dispose();
  });
});
