import { beforeAll, describe, expect, it } from "vitest";

import { initBackend, type LabelledImages } from "@dl/tensor-core";

import * as tf from "@tensorflow/tfjs-core";
import { pretrainClassifier } from "../pretrain/supervised.js";
import { pretrainedFeatures } from "../pretrain/embedding.js";
import { concatenateFeatures } from "../pretrain/cl2n.js";
import { meanConfidenceInterval } from "../stats.js";
import { heldOutFashionImages, oneShotPretrainingSet } from "../test-utils/heldOutFashion.js";
import { evaluateFewShot } from "./evaluate.js";

let train: LabelledImages;
let test: LabelledImages;

beforeAll(async () => {
  await initBackend({ backend: "wasm" });
  train = await oneShotPretrainingSet({ extraDigits: false });
  test = await heldOutFashionImages(1500);
});

describe("born-again generations (`generations: 2`), 5-way 1-shot on the held-out Fashion-MNIST classes 5–9", () => {
  it("the distilled second network's features beside the first's beat the first alone, inductively, on the same 600 episodes", async () => {
    // The CLI's recipe at a reduced budget: 400 batches per generation instead of 600+.
    const before = tf.memory().numTensors;
    const first = await pretrainClassifier(train, { filters: [16, 32, 64], steps: 400, seed: 5 });
    const second = await pretrainClassifier(train, { filters: [16, 32, 64], steps: 400, seed: 6, teacher: { classifier: first.classifier } });
    const f1 = await pretrainedFeatures(first, test, { shiftRadius: 1 });
    const f2 = await pretrainedFeatures(second, test, { shiftRadius: 1 });
    first.dispose();
    second.dispose();
    expect(tf.memory().numTensors).toBe(before);
    const both = concatenateFeatures([
      { features: f1, weight: 1 },
      { features: f2, weight: 1 },
    ]);
    // Same seed, same labels: the same episodes, so the per-episode differences are paired.
    const episodes = { ways: 5, shots: 1, queries: 15, episodes: 600, seed: 9, classifiers: ["proto"] } as const;
    const one = await evaluateFewShot(f1, episodes);
    const two = await evaluateFewShot(both, episodes);
    const gain = meanConfidenceInterval(Float64Array.from(two.episodeAccuracies.proto, (a, e) => a - (one.episodeAccuracies.proto[e] as number)));
    // Measured (wasm, ≈ 2 min CPU): first network 65.3% ± 0.7, both 66.2% ± 0.7, paired gain +0.83 ± 0.28 points.
    // At 200 batches per generation the gain was +0.16 ± 0.24 (not significant), at 600 (README) +0.8.
    expect(gain.mean - gain.ci95).toBeGreaterThan(0);
    expect(two.proto.mean).toBeGreaterThan(0.64);
    expect(one.proto.mean).toBeGreaterThan(0.62);
  }, 1_800_000);
});
