import * as tf from "@tensorflow/tfjs-core";
import { beforeAll, describe, expect, it } from "vitest";

import { initBackend } from "@dl/tensor-core";

import { Vae, createEncoder, trainEncoder } from "../vae/vae.js";
import { meanCi, mlpFlops } from "./encoders.js";

beforeAll(async () => {
  await initBackend({ backend: "cpu" });
});

describe("meanCi", () => {
  it("is the mean ± t(0.975, n − 1) · s / √n", () => {
    // 1, 2, 6: mean 3, sample sd √7, t(0.975, 2) = 4.302652729749464.
    const c = meanCi([1, 2, 6]);
    expect(c.mean).toBe(3);
    expect(c.n).toBe(3);
    expect(c.ci95).toBeCloseTo((4.302652729749464 * Math.sqrt(7)) / Math.sqrt(3), 8);
    expect(meanCi([5])).toEqual({ mean: 5, ci95: 0, n: 1 });
  });
});

describe("mlpFlops", () => {
  it("counts 2 · fan-in · fan-out per layer", () => {
    expect(mlpFlops([784, 64, 64, 16])).toBe(2 * (784 * 64 + 64 * 64 + 64 * 16));
    expect(mlpFlops([3])).toBe(0);
  });
});

describe("trainEncoder", () => {
  it("fits a fresh encoder to a frozen decoder: the decoder's weights do not move, the encoder's ELBO rises", async () => {
    const vae = new Vae({ family: "diag", inputDim: 6, latentDim: 2, hidden: 8, encoderHidden: 8, likelihood: "gaussian", observationScale: 0.5, seed: 3 });
    const count = 64;
    const points = Float32Array.from({ length: count * 6 }, (_, i) => Math.sin(i * 0.37) + (i % 6) * 0.1);
    const encoder = createEncoder(vae, [12, 12, 12], 11);
    expect(encoder.hidden).toEqual([12, 12, 12]);
    expect(encoder.parameterCount).toBe(7 * 12 + 13 * 12 + 13 * 12 + 13 * 4);
    const before = tf.memory().numTensors;
    const decoderBefore = vae.decoder.variables.map((v) => Array.from(v.dataSync()));
    const encoderBefore = Array.from(encoder.variables[0]?.dataSync() ?? []);
    const fit = await trainEncoder(vae, encoder, { points, count, dim: 6 }, { epochs: 30, batchSize: 32, learningRate: 1e-2, seed: 5 });
    expect(tf.memory().numTensors).toBe(before);
    vae.decoder.variables.forEach((v, i) => expect(Array.from(v.dataSync())).toEqual(decoderBefore[i]));
    expect(Array.from(encoder.variables[0]?.dataSync() ?? [])).not.toEqual(encoderBefore);
    expect(fit.history[fit.history.length - 1]?.elbo ?? -Infinity).toBeGreaterThan((fit.history[0]?.elbo ?? Infinity) + 1);
    expect(() => createEncoder(vae, [], 1)).toThrow(/positive integers/);
    encoder.dispose();
    vae.dispose();
  });
});
