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
