import { beforeAll, describe, expect, it } from "vitest";

import { initBackend } from "@dl/tensor-core";

import { syntheticImages } from "../test-utils/synthetic.js";
import * as tf from "@tensorflow/tfjs-core";
import { ULMFIT_STRATEGIES, runFineTuneExperiment } from "./fineTuneExperiment.js";

beforeAll(async () => {
  await initBackend({ backend: "wasm" });
});

describe("runFineTuneExperiment", () => {
  it("pretrains on the source classes and compares every strategy over seeds, leak-free", async () => {
    const train = syntheticImages({ classes: 10, perClass: 130, noise: 0.3, seed: 1 });
    const test = syntheticImages({ classes: 10, perClass: 20, noise: 0.3, seed: 1 });
    const before = tf.memory().numTensors;
    const result = await runFineTuneExperiment(train, test, { shots: 3, steps: 60, seeds: 2, pretrainEpochs: 8, learningRate: 3e-3, seed: 2 });
    expect(tf.memory().numTensors).toBe(before);
    expect(result.layerGroups).toEqual(["dense1", "dense2", "dense3", "head"]);
    result.discriminativeRates.forEach((r, i) => expect(r).toBeCloseTo(3e-3 / 2.6 ** (3 - i), 12));
    // Same synthetic templates in train and test (same seed): the source task is easy.
    expect(result.pretrainAccuracy).toBeGreaterThan(0.9);
    expect(result.strategies.map((s) => s.strategy)).toEqual([...ULMFIT_STRATEGIES]);
    for (const s of result.strategies) {
      expect(s.perSeed).toHaveLength(2);
      // Chance is 0.2; 3 labelled examples of distinct templates lift every strategy above it.
      expect(s.accuracy.mean).toBeGreaterThan(0.3);
    }
  });
});
