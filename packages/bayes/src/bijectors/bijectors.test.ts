import * as tf from "@tensorflow/tfjs-core";
import { beforeAll, describe, expect, it } from "vitest";

import { initBackend } from "@dl/tensor-core";

import { MultivariateNormalDiag } from "../distributions/multivariate.js";
import { AffineScaleTril } from "./affine.js";
import { type Bijector, Chain } from "./bijector.js";
import { Planar } from "./planar.js";
import { PlanarStack } from "./planarStack.js";
import { Radial } from "./radial.js";
import { RealNvpCoupling } from "./realNvp.js";
import { TransformedDistribution } from "./transformed.js";

beforeAll(async () => {
  await initBackend({ backend: "cpu" });
});

type Map64 = (x: number[]) => number[];

function take(t: tf.Tensor): number[] {
  const out = Array.from(t.dataSync());
  t.dispose();
  return out;
}

const read = (v: tf.Tensor): number[] => Array.from(v.dataSync());
const softplus = (a: number): number => Math.log1p(Math.exp(a));
const dot = (a: number[], b: number[]): number => a.reduce((s, v, i) => s + v * (b[i] ?? 0), 0);

/** log|det J| of a float64 map by central differences (h = 1e-6) and LU with partial pivoting. */
function numericLogDet(f: Map64, x: number[]): number {
  const d = x.length;
  const h = 1e-6;
  const J: number[][] = Array.from({ length: d }, () => new Array<number>(d).fill(0));
  for (let j = 0; j < d; j++) {
    const plus = f(x.map((v, i) => (i === j ? v + h : v)));
    const minus = f(x.map((v, i) => (i === j ? v - h : v)));
    for (let i = 0; i < d; i++) (J[i] as number[])[j] = ((plus[i] ?? 0) - (minus[i] ?? 0)) / (2 * h);
  }
  let logDet = 0;
  for (let c = 0; c < d; c++) {
    let pivot = c;
    for (let r = c + 1; r < d; r++) if (Math.abs(J[r]?.[c] ?? 0) > Math.abs(J[pivot]?.[c] ?? 0)) pivot = r;
    [J[c], J[pivot]] = [J[pivot] as number[], J[c] as number[]];
    const p = J[c]?.[c] ?? 0;
    logDet += Math.log(Math.abs(p));
    for (let r = c + 1; r < d; r++) {
      const factor = (J[r]?.[c] ?? 0) / p;
      for (let k = c; k < d; k++) (J[r] as number[])[k] = (J[r]?.[k] ?? 0) - factor * (J[c]?.[k] ?? 0);
    }
  }
  return logDet;
}

// Float64 reference maps built from each bijector's parameter values (independent of its tfjs code).
function planar64(b: Planar): Map64 {
  const w = read(b.w);
  const u = read(b.u);
  const bias = read(b.b)[0] ?? 0;
  const wu = dot(w, u);
  const uHat = u.map((v, i) => v + ((-1 + softplus(wu) - wu) * (w[i] ?? 0)) / dot(w, w));
  return (z) => z.map((v, i) => v + (uHat[i] ?? 0) * Math.tanh(dot(w, z) + bias));
}

function radial64(b: Radial): Map64 {
  const z0 = read(b.z0);
  const alpha = softplus(read(b.alphaRaw)[0] ?? 0);
  const beta = -alpha + softplus(read(b.betaRaw)[0] ?? 0);
  return (z) => {
    const r = Math.sqrt(z.reduce((s, v, i) => s + (v - (z0[i] ?? 0)) ** 2, 0));
    return z.map((v, i) => v + (beta / (alpha + r)) * (v - (z0[i] ?? 0)));
  };
}

function realNvp64(b: RealNvpCoupling, d: number, numMasked: number, reverse: boolean): Map64 {
  const w1 = read(b.w1);
  const b1 = read(b.b1);
  const w2 = read(b.w2);
  const b2 = read(b.b2);
  const hidden = b1.length;
  const k = reverse ? d - numMasked : numMasked;
  return (x) => {
    const cond = reverse ? x.slice(d - k) : x.slice(0, k);
    const trans = reverse ? x.slice(0, d - k) : x.slice(k);
    const c = cond.length;
    const hid = Array.from({ length: hidden }, (_, j) => Math.tanh(cond.reduce((s, v, i) => s + v * (w1[i * hidden + j] ?? 0), b1[j] ?? 0)));
    const out = Array.from({ length: b2.length }, (_, j) => hid.reduce((s, v, i) => s + v * (w2[i * b2.length + j] ?? 0), b2[j] ?? 0));
    const t = trans.length;
    const y = trans.map((v, i) => v * Math.exp(Math.tanh(out[t + i] ?? 0)) + (out[i] ?? 0));
    expect(c + t).toBe(d);
    return reverse ? [...y, ...cond] : [...cond, ...y];
  };
}

function checkBijector(b: Bijector, f64: Map64, points: number[][]): void {
  const before = tf.memory().numTensors;
  const x = tf.tensor2d(points);
  const y = take(b.forward(x));
  const fldj = take(b.forwardLogDetJacobian(x));
  const d = points[0]?.length ?? 0;
  points.forEach((p, i) => {
    const ref = f64(p);
    ref.forEach((v, j) => expect(Math.abs((y[i * d + j] ?? NaN) - v)).toBeLessThan(1e-5 * (1 + Math.abs(v))));
    const logDet = numericLogDet(f64, p);
    expect(Math.abs((fldj[i] ?? NaN) - logDet), `${b.name} log det at point ${i}`).toBeLessThanOrEqual(1e-4 * Math.max(1, Math.abs(logDet)));
  });
  const yT = b.forward(x);
  const back = take(b.inverse(yT));
  back.forEach((v, i) => expect(Math.abs(v - (points[Math.floor(i / d)]?.[i % d] ?? NaN))).toBeLessThan(1e-4));
  const ildj = take(b.inverseLogDetJacobian(yT));
  ildj.forEach((v, i) => expect(v).toBeCloseTo(-(fldj[i] ?? NaN), 4));
  yT.dispose();
  x.dispose();
  expect(tf.memory().numTensors).toBe(before);
}

const points2 = [
  [0.3, -0.7],
  [1.5, 2],
  [-2.2, 0.4],
  [0, 0],
];
const points3 = [
  [0.3, -0.7, 1.1],
  [1.5, 2, -0.5],
  [-2.2, 0.4, 0],
];

describe("bijectors: forward, inverse and log-determinants vs a float64 numeric Jacobian", () => {
  it("AffineScaleTril", () => {
    const L = [
      [1.5, 0, 0],
      [0.3, -0.8, 0],
      [2, 0.5, 0.4],
    ];
    const shift = [0.1, -1, 2];
    const b = new AffineScaleTril({ shift: tf.tensor1d(shift), scaleTril: tf.tensor2d(L) });
    checkBijector(b, (x) => L.map((row, i) => (shift[i] ?? 0) + dot(row, x)), points3);
  });

  it("Planar (with u pushed to violate wᵀu ≥ −1, so û's correction matters)", () => {
    const b = new Planar({ dimension: 2, seed: 3, initScale: 1 });
    b.u.assign(tf.mul(b.w, -3));
    checkBijector(b, planar64(b), points2);
    b.dispose();
  });

  it("Radial", () => {
    for (const seed of [1, 2]) {
      const b = new Radial({ dimension: 3, seed, initScale: 1 });
      b.betaRaw.assign(tf.scalar(seed === 1 ? 1.5 : -2));
      checkBijector(b, radial64(b), points3);
      b.dispose();
    }
  });

  it("RealNVP coupling, both mask orientations", () => {
    for (const reverse of [false, true]) {
      const b = new RealNvpCoupling({ dimension: 3, numMasked: 1, hidden: 5, reverse, seed: 4, initScale: 1.5 });
      checkBijector(b, realNvp64(b, 3, 1, reverse), points3);
      b.dispose();
    }
  });

  it("Chain composes maps and adds log-determinants", () => {
    const p = new Planar({ dimension: 2, seed: 8, initScale: 1 });
    const r = new Radial({ dimension: 2, seed: 9, initScale: 1 });
    const chain = new Chain([p, r]);
    const fp = planar64(p);
    const fr = radial64(r);
    checkBijector(chain, (x) => fr(fp(x)), points2);
    expect(chain.trainableVariables.length).toBe(6);
    chain.dispose();
  });
});

describe("TransformedDistribution", () => {
  it("logProb(y) via the inverse equals the log-density tracked through the forward pass", () => {
    const base = new MultivariateNormalDiag({ loc: tf.zeros([2]), scaleDiag: tf.ones([2]) });
    const flow = new Chain([new Planar({ dimension: 2, seed: 1, initScale: 1 }), new Planar({ dimension: 2, seed: 2, initScale: 1 })]);
    const q = new TransformedDistribution({ distribution: base, bijector: flow });
    const { sample, logProb } = q.sampleAndLogProb(50, 3);
    const viaInverse = take(q.logProb(sample));
    take(logProb).forEach((v, i) => expect(Math.abs(v - (viaInverse[i] ?? NaN))).toBeLessThan(1e-3));
    sample.dispose();
    flow.dispose();
  });

  it("an affine flow of N(0, I) is N(shift, L Lᵀ): densities agree with the closed form", () => {
    const base = new MultivariateNormalDiag({ loc: tf.zeros([2]), scaleDiag: tf.ones([2]) });
    const L = tf.tensor2d([
      [2, 0],
      [0.5, 0.7],
    ]);
    const q = new TransformedDistribution({ distribution: base, bijector: new AffineScaleTril({ shift: tf.tensor1d([1, -1]), scaleTril: L }) });
    const y = tf.tensor2d([
      [0, 0],
      [3, -0.5],
    ]);
    const got = take(q.logProb(y));
    // Σ = [[4, 1], [1, 0.74]], det = (2·0.7)² = 1.96.
    const expected = [
      [0, 0],
      [3, -0.5],
    ].map(([a = 0, b = 0]) => {
      const dx = a - 1;
      const dy = b + 1;
      const q2 = (0.74 * dx * dx - 2 * dx * dy + 4 * dy * dy) / 1.96;
      return -0.5 * q2 - Math.log(2 * Math.PI) - 0.5 * Math.log(1.96);
    });
    got.forEach((v, i) => expect(v).toBeCloseTo(expected[i] ?? NaN, 5));
  });
});

describe("PlanarStack (fused planar layers with a hand-written backward pass)", () => {
  it("matches a Chain of Planar bijectors in values, log-dets, inverse and autodiff gradients", () => {
    const k = 4;
    const stack = new PlanarStack({ layers: k, dimension: 2, seed: 12, initScale: 1 });
    stack.B.assign(tf.tensor1d([0.3, -0.5, 0.1, 0.9]));
    // One layer pushed into the region where û's correction is active.
    stack.U.assign(tf.tidy(() => tf.concat([tf.mul(tf.slice(stack.W, [0, 0], [1, 2]), -2), tf.slice(stack.U, [1, 0], [k - 1, 2])])));
    const layers = Array.from({ length: k }, (_, l) => {
      const p = new Planar({ dimension: 2, seed: l });
      p.w.assign(tf.reshape(tf.slice(stack.W, [l, 0], [1, 2]), [2]));
      p.u.assign(tf.reshape(tf.slice(stack.U, [l, 0], [1, 2]), [2]));
      p.b.assign(tf.reshape(tf.slice(stack.B, [l], [1]), []));
      return p;
    });
    const chain = new Chain(layers);
    const z = tf.tensor2d(points2);
    checkBijector(stack, (x) => layers.reduce((acc, l) => planar64(l)(acc), x), points2);
    const before = tf.memory().numTensors;
    // A loss that uses both outputs, so every backward branch is exercised.
    const loss = (b: Bijector, zIn: tf.Tensor): tf.Scalar =>
      tf.tidy(() => {
        const { y, logDet } = b.forwardAndLogDet(zIn);
        return tf.add<tf.Scalar>(tf.sum(tf.sin(y)), tf.sum(tf.mul(logDet, tf.tensor1d([1, -2, 0.5, 3]))));
      });
    const fused = tf.variableGrads(() => loss(stack, z), [...stack.trainableVariables]);
    const reference = tf.variableGrads(() => loss(chain, z), [...chain.trainableVariables]);
    const fusedZ = take(tf.grad((zz: tf.Tensor) => loss(stack, zz))(z));
    const referenceZ = take(tf.grad((zz: tf.Tensor) => loss(chain, zz))(z));
    fusedZ.forEach((v, i) => expect(v).toBeCloseTo(referenceZ[i] ?? NaN, 4));
    const byName = (g: Record<string, tf.Tensor>, v: tf.Variable): number[] => take(g[v.name] as tf.Tensor);
    const gW = byName(fused.grads, stack.W);
    const gU = byName(fused.grads, stack.U);
    const gB = byName(fused.grads, stack.B);
    layers.forEach((l, i) => {
      byName(reference.grads, l.w).forEach((v, j) => expect(gW[i * 2 + j]).toBeCloseTo(v, 4));
      byName(reference.grads, l.u).forEach((v, j) => expect(gU[i * 2 + j]).toBeCloseTo(v, 4));
      expect(gB[i]).toBeCloseTo(byName(reference.grads, l.b)[0] ?? NaN, 4);
    });
    fused.value.dispose();
    reference.value.dispose();
    expect(tf.memory().numTensors).toBe(before);
    z.dispose();
    chain.dispose();
    stack.dispose();
  });
});
