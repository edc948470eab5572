import { beforeAll, describe, expect, it } from "vitest";

import { initBackend, type LabelledImages } from "@dl/tensor-core";

import * as tf from "@tensorflow/tfjs-core";
import { pretrainClassifier, type PretrainOptions } from "../pretrain/supervised.js";
import { pretrainedFeatures } from "../pretrain/embedding.js";
import { meanConfidenceInterval } from "../stats.js";
import { heldOutFashionImages, oneShotPretrainingSet } from "../test-utils/heldOutFashion.js";
import { cachedPretraining } from "../test-utils/sharedNetworks.js";
import { evaluateFewShot } from "./evaluate.js";

let train: LabelledImages;
let test: LabelledImages;

beforeAll(async () => {
  await initBackend({ backend: "wasm" });
  train = await oneShotPretrainingSet({ extraDigits: true });
  test = await heldOutFashionImages(2000);
});

describe("label smoothing in pretraining, 5-way 1-shot on the held-out Fashion-MNIST classes 5–9", () => {
  it("the same networks (same start, same batches) trained with ε = 0.1 transfer worse than with hard targets, on the same episodes, pooled over three seeds", async () => {
    // Label smoothing draws nothing from the generator, so each seed's two runs see the same initial weights and batches:
    // the difference is the targets alone (Kornblith et al. 2021: smoothing makes penultimate features transfer worse).
    const before = tf.memory().numTensors;
    // Hard targets are the default (ε = 0), so seed 5's hard network is cosineHead's and warps' linear one: the cache trains it once.
    const pretrain = cachedPretraining(pretrainClassifier);
    const features = async (seed: number, smoothing: Pick<PretrainOptions, "labelSmoothing">) => {
      const network = await pretrain(train, { filters: [16, 32, 64], steps: 300, seed, ...smoothing });
      const f = await pretrainedFeatures(network, test, { shiftRadius: 1 });
      network.dispose();
      return f;
    };
    const episodes = { ways: 5, shots: 1, queries: 15, episodes: 2000, seed: 9, classifiers: ["proto"] } as const;
    const changes: number[] = [];
    for (const seed of [5, 6, 7]) {
      const a = await evaluateFewShot(await features(seed, {}), episodes);
      const b = await evaluateFewShot(await features(seed, { labelSmoothing: 0.1 }), episodes);
      b.episodeAccuracies.proto.forEach((x, e) => changes.push(x - (a.episodeAccuracies.proto[e] as number)));
      expect(a.proto.mean).toBeGreaterThan(0.66);
    }
    expect(tf.memory().numTensors).toBe(before);
    // One network pair is one draw of the training's noise: seed 5 alone measured −0.30 ± 0.09 points, then −0.04 ± 0.10
    // once the convolutions' float32 rounding changed (Winograd, December 2026), so the claim is tested over three seeds
    // fixed in advance. Measured (wasm, 300-batch networks, 2,000 episodes each): seeds 5 / 6 / 7 −0.04 ± 0.10 / −0.52 ±
    // 0.11 / −0.44 ± 0.12 points, pooled ≈ −0.33 ± 0.06 (600-batch networks, all 5,000 meta-test images: −0.4 ± 0.2 and
    // −1.4 ± 0.2 points for two seeds, README).
    const change = meanConfidenceInterval(Float64Array.from(changes));
    expect(change.mean + change.ci95).toBeLessThan(0);
  }, 1_800_000);
});
