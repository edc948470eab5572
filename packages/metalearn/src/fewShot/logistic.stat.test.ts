import { beforeAll, describe, expect, it } from "vitest";

import { initBackend, type LabelledImages } from "@dl/tensor-core";

import * as tf from "@tensorflow/tfjs-core";
import type { AccuracySummary } from "../types.js";
import { pretrainClassifier } from "../pretrain/supervised.js";
import { parseImageWarps, pretrainedFeatures } from "../pretrain/embedding.js";
import { meanConfidenceInterval } from "../stats.js";
import { oneShotPretrainingSet, validationImages } from "../test-utils/heldOutFashion.js";
import { cachedPretraining } from "../test-utils/sharedNetworks.js";
import { evaluateFewShot } from "./evaluate.js";

let train: LabelledImages;
let sets: LabelledImages[];

beforeAll(async () => {
  await initBackend({ backend: "wasm" });
  train = await oneShotPretrainingSet({ extraDigits: true });
  sets = [await validationImages("mnist-5-9", 600), await validationImages("fashion-0-4", 600)];
});

describe("a logistic regression fitted on the single shot's 13 views (9 shifts, z0.95, z1.05, r−5, r5), 5-way 1-shot", () => {
  it("on the same network, features and episodes, beats the nearest averaged shot (prototypes) on MNIST 5–9 and does not lose on Fashion 0–4", async () => {
    // cosineHead's, labelSmoothing's and warps' linear network: the cache trains it once for all four.
    const network = await cachedPretraining(pretrainClassifier)(train, { filters: [16, 32, 64], steps: 300, seed: 5 });
    const before = tf.memory().numTensors;
    const warps = parseImageWarps("z0.95,z1.05,r-5,r5");
    const gains: AccuracySummary[] = [];
    for (const set of sets) {
      const features = await pretrainedFeatures(network, set, { shiftRadius: 1, warps, keepViews: true });
      expect(features.views).toHaveLength(13);
      const r = await evaluateFewShot(features, { ways: 5, shots: 1, queries: 15, episodes: 1000, seed: 9, classifiers: ["proto"], supportViews: features.views });
      const logistic = r.episodeAccuracies.logistic as Float64Array;
      gains.push(meanConfidenceInterval(Float64Array.from(logistic, (x, e) => x - (r.episodeAccuracies.proto[e] as number))));
    }
    expect(tf.memory().numTensors).toBe(before);
    network.dispose();
    const [onDigits, onGarments] = gains as [AccuracySummary, AccuracySummary];
    // Measured (wasm, 88 s CPU, 3.0 min wall at load 4–5): MNIST 5–9 55.7 → 57.6%, paired +1.88 ± 0.25 points; Fashion 0–4
    // 60.4 → 60.6%, +0.18 ± 0.19 (600-batch networks, three seeds: MNIST +1.9 to +2.3, F 0–4 +0.1 to +0.6, README). The
    // held-out classes 5–9 are deliberately not asserted: they choose nothing (600-batch networks: −0.2 to +0.1).
    expect(onDigits.mean - onDigits.ci95).toBeGreaterThan(0.01);
    expect(onGarments.mean + onGarments.ci95).toBeGreaterThan(0);
  }, 1_800_000);
});
