import * as tf from "@tensorflow/tfjs-core";
import { beforeAll, describe, expect, it } from "vitest";

import { initBackend } from "@dl/tensor-core";

import fixtures from "../fixtures/scipy.json" with { type: "json" };
import { digamma, lgamma, ndtri } from "./ops.js";
import {
  digammaScalar,
  lgammaScalar,
  regularizedBeta,
  regularizedBetaDerivatives,
  regularizedGammaP,
  regularizedGammaPDerivativeA,
} from "./scalar.js";

const sp = fixtures.special;

function take(t: tf.Tensor): number[] {
  const out = Array.from(t.dataSync());
  t.dispose();
  return out;
}

beforeAll(async () => {
  await initBackend({ backend: "cpu" });
});

describe("float64 special functions against SciPy", () => {
  it("lgamma and digamma", () => {
    sp.x.forEach((x, i) => {
      expect(lgammaScalar(x)).toBeCloseTo(sp.lgamma[i] ?? NaN, 10);
      expect(digammaScalar(x)).toBeCloseTo(sp.digamma[i] ?? NaN, 10);
    });
  });

  it("regularized incomplete gamma and beta", () => {
    for (const c of sp.gammainc) expect(regularizedGammaP(c.a, c.x)).toBeCloseTo(c.p, 12);
    for (const c of sp.betainc) expect(regularizedBeta(c.x, c.a, c.b)).toBeCloseTo(c.p, 12);
  });

  it("∂P(a, x)/∂a from the series matches a central difference of P", () => {
    for (const [a, x] of [
      [0.3, 0.05],
      [0.3, 2],
      [2.5, 1],
      [2.5, 6],
      [40, 35],
      [40, 48],
      [500, 520],
    ] as const) {
      const h = 1e-5 * a;
      const fd = (regularizedGammaP(a + h, x) - regularizedGammaP(a - h, x)) / (2 * h);
      const series = regularizedGammaPDerivativeA(a, x);
      expect(Math.abs(series - fd)).toBeLessThan(1e-7 * Math.max(1, Math.abs(fd)));
    }
  });

  it("∂I_x(a, b)/∂a, ∂b are consistent with the symmetry I_x(a, b) = 1 − I_(1−x)(b, a)", () => {
    const d1 = regularizedBetaDerivatives(0.3, 2.5, 4);
    const d2 = regularizedBetaDerivatives(0.7, 4, 2.5);
    expect(d1.da).toBeCloseTo(-d2.db, 8);
    expect(d1.db).toBeCloseTo(-d2.da, 8);
    expect(d1.da).toBeLessThan(0); // more mass near 1 as a grows
  });
});

describe("tfjs special ops", () => {
  it("lgamma, digamma and ndtri match SciPy to float32 precision, leak-free", () => {
    const before = tf.memory().numTensors;
    const x = tf.tensor1d(sp.x);
    const lg = take(tf.tidy(() => lgamma(x)));
    const dg = take(tf.tidy(() => digamma(x)));
    sp.x.forEach((_, i) => {
      const l = sp.lgamma[i] ?? NaN;
      const d = sp.digamma[i] ?? NaN;
      expect(Math.abs((lg[i] ?? NaN) - l)).toBeLessThan(2e-5 * Math.max(1, Math.abs(l)));
      expect(Math.abs((dg[i] ?? NaN) - d)).toBeLessThan(2e-5 * Math.max(1, Math.abs(d)));
    });
    const p = tf.tensor1d(sp.ndtri.map((c) => c.p));
    const z = take(tf.tidy(() => ndtri(p)));
    sp.ndtri.forEach((c, i) => expect(Math.abs((z[i] ?? NaN) - c.z)).toBeLessThan(2e-5 * Math.max(1, Math.abs(c.z))));
    x.dispose();
    p.dispose();
    expect(tf.memory().numTensors).toBe(before);
  });

  it("the gradient of lgamma is digamma", () => {
    const x = tf.tensor1d([0.3, 1.7, 12]);
    const g = tf.grad((v: tf.Tensor) => tf.sum(lgamma(v)))(x).dataSync();
    [0.3, 1.7, 12].forEach((v, i) => expect(g[i]).toBeCloseTo(digammaScalar(v), 4));
    x.dispose();
  });
});
