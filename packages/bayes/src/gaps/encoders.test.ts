import * as tf from "@tensorflow/tfjs-core";
import { beforeAll, describe, expect, it } from "vitest";

import { initBackend } from "@dl/tensor-core";

import type { ImageDataset } from "@dl/tensor-core";

import { Vae, createEncoder, trainEncoder } from "../vae/vae.js";
import { measureEncoderCapacity, meanCi, mlpFlops } from "./encoders.js";

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

  it("stops after the epoch whose onEpochEnd returns a reason, and says why", async () => {
    const vae = new Vae({ family: "diag", inputDim: 6, latentDim: 2, hidden: 8, encoderHidden: 8, likelihood: "gaussian", observationScale: 0.5, seed: 3 });
    const points = Float32Array.from({ length: 64 * 6 }, (_, i) => Math.cos(i * 0.21));
    const encoder = createEncoder(vae, [8], 2);
    const seen: number[] = [];
    const stops: (string | undefined)[] = [];
    const fit = await trainEncoder(vae, encoder, { points, count: 64, dim: 6 }, {
      epochs: 10,
      batchSize: 32,
      seed: 1,
      onEpochEnd: (epoch) => {
        seen.push(epoch);
        return epoch === 3 ? "enough" : undefined;
      },
      onProgress: (e) => stops.push(e.stopped),
    });
    expect(seen).toEqual([1, 2, 3]);
    expect(fit.history).toHaveLength(3);
    expect(stops.filter((r) => r !== undefined)).toEqual(["enough"]);
    encoder.dispose();
    vae.dispose();
  });
});

/** Tiny 4 × 4 "images": two bars, horizontal or vertical, so a few epochs fit them. */
function bars(count: number, seed: number): ImageDataset {
  const images = new Float32Array(count * 16);
  for (let i = 0; i < count; i++) {
    const k = (i * 7 + seed) % 4;
    for (let j = 0; j < 4; j++) images[i * 16 + (i % 2 === 0 ? k * 4 + j : j * 4 + k)] = 0.95;
  }
  return { name: "bars", classNames: ["h", "v"], images, labels: Int32Array.from({ length: count }, (_, i) => i % 2), count, height: 4, width: 4, channels: 1 };
}

describe("measureEncoderCapacity, tuned per encoder", () => {
  it("chooses each encoder's learning rate by validation ELBO, stops on the plateau and shares the encoder both sweeps name", async () => {
    const before = tf.memory().numTensors;
    const r = await measureEncoderCapacity(bars(160, 1), bars(16, 2), {
      widths: [4, 16],
      depths: [1, 2],
      depthWidth: 16,
      seeds: 2,
      latentDim: 2,
      hidden: 16,
      trainCount: 96,
      validationCount: 32,
      batchSize: 32,
      epochs: 3,
      encoderEpochs: 12,
      learningRates: [1e-6, 3e-2],
      patience: 2,
      testCount: 8,
      iwaeK: 10,
      elboSamples: 5,
      localSteps: 10,
      sviSteps: [5],
      seed: 4,
    });
    expect(tf.memory().numTensors).toBe(before);
    expect(r.config.validationCount).toBe(32);
    expect(r.config.trainCount).toBe(96);
    for (const row of [...r.widths, ...r.depths]) {
      // 1e-6 cannot move an encoder in 12 epochs of 3 steps; 3e-2 can, so validation picks it.
      expect(row.learningRateSearch.map((s) => s.learningRate)).toEqual([1e-6, 3e-2]);
      const [slow, fast] = row.learningRateSearch;
      expect(fast?.validationElbo ?? -Infinity).toBeGreaterThan(slow?.validationElbo ?? Infinity);
      expect(row.learningRate).toBe(3e-2);
      // The plateau rule stops the slow rate early: after its first epoch its ELBO never rises by 0.05 nats
      // again, so it runs 1 + patience epochs of the 12.
      expect(slow?.epochs).toBe(3);
      expect(row.epochs.n).toBe(2);
      expect(row.steps.mean).toBe(row.epochs.mean * 3);
      expect(row.searchSeconds).toBeCloseTo((slow?.seconds ?? 0) + (fast?.seconds ?? 0), 10);
    }
    // Width 16 × 2 is in both sweeps: fitted once, the same numbers in both.
    expect(r.depths[1]?.amortizationGapBySeed).toEqual(r.widths[1]?.amortizationGapBySeed);
    expect(r.depths[0]?.hidden).toEqual([16]);
    expect(r.depths[1]?.gainOverPrevious?.mean).toBeCloseTo((r.depths[0]?.amortizationGap.mean ?? 0) - (r.depths[1]?.amortizationGap.mean ?? 0), 10);
    await expect(measureEncoderCapacity(bars(40, 1), bars(8, 2), { widths: [4], patience: 2, validationCount: 0 })).rejects.toThrow(/needs validation images/);
    await expect(measureEncoderCapacity(bars(40, 1), bars(8, 2), { widths: [4], depths: [2, 1] })).rejects.toThrow(/depths must increase/);
  }, 120_000);
});
