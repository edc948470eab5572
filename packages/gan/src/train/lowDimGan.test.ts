import * as tf from "@tensorflow/tfjs-core";
import { beforeAll, describe, expect, it } from "vitest";

import { DlError, createRng, initBackend, unfinishedPhases, type ProgressEvent } from "@dl/tensor-core";

import { sampleGrid25 } from "../evaluate/modes.js";
import { RejectionSampler, STABLE_GRID_GAN, createLowDimGan, encodeLowDim, sampleLowDimGan, trainLowDimGan } from "./lowDimGan.js";

beforeAll(async () => {
  await initBackend({ backend: "wasm" });
});

const small = { ...STABLE_GRID_GAN, generatorHidden: [16, 16], discriminatorHidden: [16, 16], batchSize: 32, fourierFeatures: 0 };

describe("low-dimensional GAN with stabilisers", () => {
  it("rejects a batch that does not split into packs, and an encoder call on a plain GAN", () => {
    expect(() => createLowDimGan({ ...small, batchSize: 30, pack: 4 }, 1)).toThrow(DlError);
    expect(() => createLowDimGan({ ...small, batchSize: 30, pack: 4 }, 1)).toThrow(/multiple of the packing degree/);
    const gan = createLowDimGan(small, 1);
    expect(() => encodeLowDim(gan, new Float32Array(4))).toThrow(/no encoder/);
    gan.dispose();
  });

  it("D reads pack × (features + code) inputs: packing, Fourier features and the BiGAN pair", () => {
    const plain = createLowDimGan({ ...small, pack: 1 }, 1);
    const packed = createLowDimGan({ ...small, pack: 4, fourierFeatures: 8, bigan: true, minibatchStd: true }, 1);
    expect(plain.discriminator[0]?.w.shape).toEqual([2, 16]);
    // 4 samples × (x + 2·8 Fourier features + 2 latent) = 80 inputs; the last layer reads one extra feature.
    expect(packed.discriminator[0]?.w.shape).toEqual([80, 16]);
    expect(packed.discriminator[2]?.w.shape).toEqual([17, 1]);
    expect(packed.encoder?.map((l) => l.w.shape)).toEqual([
      [2, 16],
      [16, 16],
      [16, 2],
    ]);
    plain.dispose();
    packed.dispose();
  });

  it("training (R1, packing, spectral norm, minibatch std, EMA, BiGAN) and rejection sampling are seeded and leak no tensors", async () => {
    const points = sampleGrid25(2000, createRng(3), 0.05);
    const config = { ...small, spectralNorm: true, minibatchStd: true, fourierFeatures: 8, bigan: true };
    const before = tf.memory().numTensors;
    const events: ProgressEvent[] = [];
    const onProgress = (e: ProgressEvent): number => events.push(e);
    const runOnce = async (): Promise<{ g: Float32Array; r: Float32Array; codes: Float32Array; losses: number[] }> => {
      const gan = createLowDimGan(config, 5);
      const history = await trainLowDimGan(gan, points, { steps: 30, seed: 9, onProgress });
      const sampler = await RejectionSampler.fit(gan, points, { steps: 20, seed: 4, onProgress });
      const out = { g: sampleLowDimGan(gan, 50, 2), r: sampler.sample(50, 3), codes: encodeLowDim(gan, points.subarray(0, 20)), losses: history.map((h) => h.dLoss) };
      sampler.dispose();
      gan.dispose();
      return out;
    };
    const a = await runOnce();
    const b = await runOnce();
    expect(tf.memory().numTensors).toBe(before);
    expect(Array.from(a.g)).toEqual(Array.from(b.g));
    expect(Array.from(a.r)).toEqual(Array.from(b.r));
    expect(Array.from(a.codes)).toEqual(Array.from(b.codes));
    // Each loop's last progress event is its last step (20 is not a multiple of the reporting interval).
    expect(events.filter((e) => e.phase === "rejection classifier").at(-1)).toMatchObject({ step: 20, total: 20 });
    expect(unfinishedPhases(events)).toEqual([]);
    // Two cross-entropies plus a non-negative penalty: never below 0, and finite.
    for (const l of a.losses) expect(l > 0 && Number.isFinite(l)).toBe(true);
  }, 120_000);
});
