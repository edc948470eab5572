import { beforeAll, describe, expect, it } from "vitest";

import { initBackend, type LabelledImages } from "@dl/tensor-core";

import * as tf from "@tensorflow/tfjs-core";
import type { LabelledVectors } from "../matching/embedding.js";
import type { AccuracySummary } from "../types.js";
import { pretrainedFeatures } from "../pretrain/embedding.js";
import { pretrainClassifier, type PretrainOptions } from "../pretrain/supervised.js";
import { meanConfidenceInterval } from "../stats.js";
import { oneShotPretrainingSet, validationImages } from "../test-utils/heldOutFashion.js";
import { cachedPretraining } from "../test-utils/sharedNetworks.js";
import { cachedEvaluation, cachedFeatureExtraction } from "../test-utils/sharedResults.js";
import { evaluateFewShot } from "./evaluate.js";

let train: LabelledImages;
let garments: LabelledImages;
let digits: LabelledImages;

beforeAll(async () => {
  await initBackend({ backend: "wasm" });
  train = await oneShotPretrainingSet({ extraDigits: true });
  garments = await validationImages("fashion-0-4", 600);
  digits = await validationImages("mnist-5-9", 600);
});

describe("a cosine classifier head in pretraining (Baseline++), 5-way 1-shot on the validation sets outside the meta-test classes", () => {
  it("the same network (same start, same batches) trained with logits 10·cos(f, w_c) beats the linear head on Fashion 0–4 and on MNIST 5–9, on the same episodes", async () => {
    // The head's kernel is drawn with the same seed and shape either way and the head draws nothing else from the
    // generator, so both runs see the same initial conv weights and batches: the difference is the head alone.
    const before = tf.memory().numTensors;
    // The linear network (the default head) is labelSmoothing's and warps' too: the cache trains it once for the three,
    // and its features and evaluations here are warps' shifts-only ones.
    const pretrain = cachedPretraining(pretrainClassifier);
    const extract = cachedFeatureExtraction(pretrainedFeatures);
    const features = async (head: Pick<PretrainOptions, "head">): Promise<LabelledVectors[]> => {
      const network = await pretrain(train, { filters: [16, 32, 64], steps: 300, seed: 5, ...head });
      const f = [await extract(network, garments, { shiftRadius: 1 }), await extract(network, digits, { shiftRadius: 1 })];
      network.dispose();
      return f;
    };
    const linear = await features({});
    const cosine = await features({ head: "cosine" });
    expect(tf.memory().numTensors).toBe(before);
    const episodes = { ways: 5, shots: 1, queries: 15, episodes: 2000, seed: 9, classifiers: ["proto"] } as const;
    const gains: AccuracySummary[] = [];
    for (let set = 0; set < 2; set++) {
      const a = await cachedEvaluation(linear[set] as LabelledVectors, episodes);
      const b = await evaluateFewShot(cosine[set] as LabelledVectors, episodes);
      gains.push(meanConfidenceInterval(Float64Array.from(b.episodeAccuracies.proto, (x, e) => x - (a.episodeAccuracies.proto[e] as number))));
    }
    const [onGarments, onDigits] = gains as [AccuracySummary, AccuracySummary];
    // Measured (wasm, 107 s CPU, 3.2 min wall at load 6–9): F 0–4 60.9 → 61.7%, paired +0.84 ± 0.17 points; MNIST 5–9
    // 54.8 → 55.4%, +0.53 ± 0.23 (600-batch networks, three seeds: F 0–4 +1.5 to +3.2, MNIST 5–9 +0.3 to +4.0, README).
    // The held-out classes 5–9 are deliberately not asserted: there the head's gain is +0.9 / −2.8 / +2.4 by seed.
    expect(onGarments.mean - onGarments.ci95).toBeGreaterThan(0);
    expect(onDigits.mean - onDigits.ci95).toBeGreaterThan(0);
  }, 1_800_000);
});
