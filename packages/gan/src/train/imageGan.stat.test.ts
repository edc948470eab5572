import * as tf from "@tensorflow/tfjs-core";
import { beforeAll, describe, expect, it } from "vitest";

import { initBackend, loadDataset, loadDefaultModel } from "@dl/tensor-core";

import { evaluateGenerator } from "../evaluate/generatorEvaluation.js";
import { generateImages, trainImageGan } from "./imageGan.js";

beforeAll(async () => {
  await initBackend({ backend: "wasm" });
});

describe("the conditional GAN on MNIST with DiffAugment (recipe augmented) does not collapse", () => {
  // ≈ 195 s CPU (2,400 MLP steps at ≈ 0.075 s): the cheapest run measured where recall has left 0.00 — at 1,600
  // steps it is still 0.008. Above the 2-minute guideline for stat tests; see the package README.
  it("after 2,400 steps (seed 1), recall in the CNN's features is well above the collapsed 0.00 and the digits keep their labels", async () => {
    const train = await loadDataset("mnist", { split: "train" });
    const test = await loadDataset("mnist", { split: "test" });
    const classifier = (await loadDefaultModel({ data: "mnist", arch: "cnn" })).model;
    const before = tf.memory().numTensors;
    const { gan } = await trainImageGan({ train, conditional: true, recipe: "augmented", epochs: 3, stepsPerEpoch: 800, seed: 1 });
    const { images, labels } = generateImages(gan, 500, 99);
    gan.dispose();
    expect(tf.memory().numTensors).toBe(before);
    const e = await evaluateGenerator(classifier, images, 500, test, labels);
    classifier.dispose();
    // Seed 1 on wasm: recall 0.084, precision 0.88, accuracy 80.0 %, Fréchet 43.0 (real vs real 6.43). The collapsed
    // recipes score recall 0.00–0.008 here (projection at any budget; augmented itself at 1,600 steps), so 0.04 —
    // 20 of the 500 real digits inside the generated k-NN manifold — fails on a relapse into near-duplicates.
    expect(e.recall).toBeGreaterThan(0.04);
    expect(e.precision).toBeGreaterThan(0.8);
    expect(e.labelAccuracy).toBeGreaterThan(0.7);
    // Twice the distance the recipe had reached at 800 steps (86) would mean the samples stopped improving.
    expect(e.frechet).toBeLessThan(60);
  }, 1_800_000);
});
