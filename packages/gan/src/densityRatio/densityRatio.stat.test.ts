import * as tf from "@tensorflow/tfjs-core";
import { beforeAll, describe, expect, it } from "vitest";

import { createRng, initBackend } from "@dl/tensor-core";

import { normalRows } from "@dl/bayes";
import { fitDensityRatio } from "./densityRatio.js";

beforeAll(async () => {
  await initBackend({ backend: "wasm" });
});

describe("density ratio with an MLP classifier", () => {
  it("recovers log r for variances 1/8 vs 1/2 within 0.1 in the bulk, leak-free", () => {
    const rng = createRng(3);
    const p = normalRows(0, Math.sqrt(1 / 8));
    const q = normalRows(0, Math.sqrt(1 / 2));
    const before = tf.memory().numTensors;
    const est = fitDensityRatio(p.sample(3000, rng), q.sample(9000, rng), 1, { classifier: "mlp", seed: 1, steps: 800 });
    expect(tf.memory().numTensors).toBe(before);
    // Bulk: |x| ≤ 1, where both densities have substantial mass.
    const xs = Float64Array.from({ length: 201 }, (_, i) => -1 + i / 100);
    const logQ = q.logProb(xs);
    const truth = p.logProb(xs).map((v, i) => v - (logQ[i] as number));
    const est0 = est.logRatio(xs);
    const err = truth.reduce((s, t, i) => s + Math.abs(t - (est0[i] as number)), 0) / xs.length;
    expect(err).toBeLessThan(0.1);
    expect(tf.memory().numTensors).toBe(before);
  });
});
