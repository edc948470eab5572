import * as tf from "@tensorflow/tfjs-core";
import { beforeAll, describe, expect, it } from "vitest";

import { initBackend } from "../index.js";

beforeAll(async () => {
  await initBackend({ backend: "cpu" });
});

describe("gradient registration (the one home for every package)", () => {
  it("differentiates through a parameter-dependent tf.where: d|x|/dx = sign(x), comparisons contribute 0", () => {
    const before = tf.memory().numTensors;
    const grad = tf.grad((x: tf.Tensor) => tf.sum(tf.where(tf.greater(x, 0), x, tf.neg(x))));
    const g = tf.tidy(() => grad(tf.tensor1d([-2, 0.5, 3])));
    expect(Array.from(g.dataSync())).toEqual([-1, 1, 1]);
    g.dispose();
    const isNanGrad = tf.tidy(() => tf.grad((x: tf.Tensor) => tf.sum(tf.mul(x, tf.cast(tf.logicalNot(tf.isNaN(x)), "float32"))))(tf.tensor1d([1, 2])));
    expect(Array.from(isNanGrad.dataSync())).toEqual([1, 1]);
    isNanGrad.dispose();
    expect(tf.memory().numTensors).toBe(before);
  });
});

describe("the _FusedMatMul kernel's gradient", () => {
  const values = (n: number, seed: number): number[] => Array.from({ length: n }, (_, i) => Math.sin(seed * 7.1 + i * 1.3));
  for (const [transposeA, transposeB] of [
    [false, false],
    [true, false],
    [false, true],
    [true, true],
  ] as const) {
    it(`equals tf.fused.matMul's for a, b and the bias (transposeA ${transposeA}, transposeB ${transposeB}), and computes only what is asked for`, async () => {
      const [m, k, n] = [3, 4, 5];
      const a = tf.tensor3d(values(m * k, 1), transposeA ? [1, k, m] : [1, m, k]);
      const b = tf.tensor3d(values(k * n, 2), transposeB ? [1, n, k] : [1, k, n]);
      const bias = tf.tensor1d(values(n, 3));
      const weights = tf.tensor3d(values(m * n, 4), [1, m, n]);
      const before = tf.memory().numTensors;
      const attrs = { transposeA, transposeB, activation: "linear", leakyreluAlpha: 0 };
      const kernel = (x: tf.Tensor, y: tf.Tensor, z: tf.Tensor): tf.Scalar => tf.sum(tf.mul(tf.engine().runKernel<tf.Tensor>("_FusedMatMul", { a: x, b: y, bias: z }, attrs), weights));
      const fused = (x: tf.Tensor, y: tf.Tensor, z: tf.Tensor): tf.Scalar => tf.sum(tf.mul(tf.fused.matMul({ a: x, b: y, bias: z, transposeA, transposeB }), weights));
      const ours = tf.tidy(() => tf.grads(kernel)([a, b, bias]).map((g) => Array.from(g.dataSync())));
      const theirs = tf.tidy(() => tf.grads(fused)([a, b, bias]).map((g) => Array.from(g.dataSync())));
      ours.forEach((g, i) => g.forEach((v, j) => expect(v).toBeCloseTo(theirs[i]?.[j] as number, 5)));
      expect(tf.memory().numTensors).toBe(before);
      // (tf.profile around tf.grad keeps a few tensors of its own: counted after the leak check.) Differentiating with respect to b alone runs one product (dB), not two as tf.fused.matMul's gradient does.
      const products = async (f: typeof kernel): Promise<number> => {
        const profile = await tf.profile(() => tf.tidy(() => tf.grad((y: tf.Tensor) => f(a, y, bias))(b)));
        tf.dispose(profile.result);
        return profile.kernels.filter((kr) => kr.name === "BatchMatMul").length;
      };
      expect(await products(kernel)).toBe(1);
      expect(await products(fused)).toBe(2);
      tf.dispose([a, b, bias, weights]);
    });
  }
});
