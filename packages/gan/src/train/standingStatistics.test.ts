import * as tf from "@tensorflow/tfjs-core";
import { beforeAll, describe, expect, it } from "vitest";

import { createRng, initBackend } from "@dl/tensor-core";

import { createGan, type Gan } from "./gan.js";
import { imageGanConfig } from "./networks.js";
import { applyStandingStatistics } from "./standingStatistics.js";

beforeAll(async () => {
  await initBackend({ backend: "wasm" });
});

/** A tiny conditional conv G with conditional batch norm and an EMA copy, as the recipe cbn-r1-conv-lazy builds. */
function tinyConvGan(): Gan {
  return createGan({ ...imageGanConfig("mlp", true, "cbn-r1-conv-lazy"), dataShape: [8, 8, 1], numClasses: 3, latentDim: 4, labelEmbedding: 2, convGenerator: { channels: [4, 2], upsample: "transposed" } }, 5);
}

/** The standing draws of `seed`, in the order they are drawn: each batch's z (row-major), then its labels. */
function standingDraws(seed: number, batches: number, size: number, latentDim: number, classes: number): { z: Float32Array; labels: Float32Array }[] {
  const rng = createRng(seed);
  return Array.from({ length: batches }, () => ({ z: Float32Array.from({ length: size * latentDim }, () => rng.normal()), labels: Float32Array.from({ length: size }, () => rng.int(classes)) }));
}

const movingStatistics = (gan: Gan, which: "ema" | "trained"): number[][] =>
  ((which === "ema" ? gan.generatorEma : gan.generator) ?? gan.generator).layers.filter((l) => l.getClassName() === "BatchNormalization").flatMap((l) => l.nonTrainableWeights.map((w) => Array.from(w.read().dataSync())));

describe("standing statistics (BigGAN)", () => {
  it("with one batch, sampling uses exactly that batch's statistics: inference then equals training mode on it", () => {
    const gan = tinyConvGan();
    const ema = gan.generatorEma as NonNullable<Gan["generatorEma"]>;
    const [draw] = standingDraws(3, 1, 48, 4, 3);
    const inputs = (): tf.Tensor[] => [tf.tensor2d(draw?.z ?? [], [48, 4]), tf.tensor2d(draw?.labels ?? [], [48, 1])];
    const trainingMode = tf.tidy(() => (ema.apply(inputs(), { training: true }) as tf.Tensor).dataSync());
    const before = tf.memory().numTensors;
    applyStandingStatistics(gan, { batches: 1, batchSize: 48 }, 3);
    expect(tf.memory().numTensors).toBe(before);
    const inference = tf.tidy(() => (ema.apply(inputs(), { training: false }) as tf.Tensor).dataSync());
    const gap = Math.max(...Array.from(inference, (v, i) => Math.abs(v - (trainingMode[i] as number))));
    expect(gap).toBeLessThan(1e-5);
    // Not the initial statistics (mean 0, variance 1), which would give other images; the trained G's are untouched.
    const initial = tf.tidy(() => {
      const fresh = tinyConvGan();
      const out = ((fresh.generatorEma ?? fresh.generator).apply(inputs(), { training: false }) as tf.Tensor).dataSync();
      fresh.dispose();
      return out;
    });
    expect(Math.max(...Array.from(inference, (v, i) => Math.abs(v - (initial[i] as number))))).toBeGreaterThan(1e-2);
    expect(movingStatistics(gan, "trained").every((w, i) => w.every((v) => v === (i % 2 === 0 ? 0 : 1)))).toBe(true);
    gan.dispose();
  });

  it("averages the per-batch means and variances over the batches: the first layer's by hand from G's dense weights; seeded", () => {
    const gan = tinyConvGan();
    const ema = gan.generatorEma as NonNullable<Gan["generatorEma"]>;
    applyStandingStatistics(gan, { batches: 3, batchSize: 20 }, 11);
    // The first batch norm sees dense([z, embed(y)]) reshaped to 2 × 2 × 4: per channel, the mean and (biased) variance
    // over a batch's samples and positions, averaged over the three batches.
    const [kernel, bias] = ema.getLayer("g_project").getWeights().map((w) => w.arraySync() as number[][] | number[]);
    const [embedding] = ema.getLayer("g_label_embedding").getWeights().map((w) => w.arraySync() as number[][]);
    const mean = [0, 0, 0, 0];
    const variance = [0, 0, 0, 0];
    for (const { z, labels } of standingDraws(11, 3, 20, 4, 3)) {
      const byChannel: number[][] = [[], [], [], []];
      for (let s = 0; s < 20; s++) {
        const input = [...Array.from(z.subarray(4 * s, 4 * s + 4)), ...((embedding as number[][])[labels[s] as number] as number[])];
        for (let u = 0; u < 16; u++) {
          const h = input.reduce((a, x, k) => a + x * (((kernel as number[][])[k] as number[])[u] as number), (bias as number[])[u] as number);
          byChannel[u % 4]?.push(h);
        }
      }
      byChannel.forEach((values, c) => {
        const m = values.reduce((a, b) => a + b, 0) / values.length;
        mean[c] = (mean[c] as number) + m / 3;
        variance[c] = (variance[c] as number) + values.reduce((a, v) => a + (v - m) ** 2, 0) / values.length / 3;
      });
    }
    const [standingMean, standingVariance] = movingStatistics(gan, "ema");
    expect([standingMean?.length, standingVariance?.length]).toEqual([4, 4]);
    standingMean?.forEach((v, c) => expect(v).toBeCloseTo(mean[c] as number, 4));
    standingVariance?.forEach((v, c) => expect(v).toBeCloseTo(variance[c] as number, 4));
    // The same seed gives the same statistics; another seed others.
    const again = tinyConvGan();
    applyStandingStatistics(again, { batches: 3, batchSize: 20 }, 11);
    expect(movingStatistics(again, "ema")).toEqual(movingStatistics(gan, "ema"));
    applyStandingStatistics(again, { batches: 3, batchSize: 20 }, 12);
    expect(movingStatistics(again, "ema")[0]).not.toEqual(movingStatistics(gan, "ema")[0]);
    again.dispose();
    gan.dispose();
  });

  it("refuses bad settings and a G without batch norm, in one line", () => {
    const gan = tinyConvGan();
    for (const settings of [{ batches: 0, batchSize: 64 }, { batches: 2, batchSize: 1 }, { batches: 2.5, batchSize: 64 }]) {
      expect(() => applyStandingStatistics(gan, settings)).toThrow(/^standingStatistics needs whole numbers: batches in 1 … 1,000 and batchSize in 2 … 4,096 \(e\.g\. 25 batches of 256\), got \{.*\}\.$/);
    }
    const plain = createGan({ ...imageGanConfig("mlp", true, "projection"), dataShape: [2, 2, 1], numClasses: 2, latentDim: 4, labelEmbedding: 2, hidden: [8] }, 1);
    expect(() => applyStandingStatistics(plain, { batches: 1, batchSize: 8 })).toThrow("standingStatistics recompute G's batch-norm statistics, but this G has no batch norm; drop standingStatistics.");
    plain.dispose();
    gan.dispose();
  });
});
