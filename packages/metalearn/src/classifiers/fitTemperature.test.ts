import { beforeAll, describe, expect, it } from "vitest";

import { initBackend } from "@dl/tensor-core";

import { createEpisodeSampler } from "../tasks/episodes.js";
import { syntheticImages } from "../test-utils/synthetic.js";
import * as tf from "@tensorflow/tfjs-core";
import { pixelsAsVectors } from "../matching/embedding.js";
import { fitTemperature } from "./fitTemperature.js";
import { softNearestNeighbourLogProbs } from "./softNearestNeighbour.js";

beforeAll(async () => {
  await initBackend({ backend: "wasm" });
});

const features = pixelsAsVectors(syntheticImages({ classes: 6, perClass: 15, noise: 0.6, seed: 12 }));

/** Mean query negative log-likelihood over fixed episodes, computed directly. */
function meanNll(temperature: number): number {
  const sampler = createEpisodeSampler(features, { ways: 3, shots: 2, queries: 4, seed: 77 });
  let total = 0;
  const episodes = 200;
  for (let e = 0; e < episodes; e++) {
    const ep = sampler.next();
    const rows = (idx: Int32Array): tf.Tensor2D => tf.tensor2d(Float32Array.from(Array.from(idx).flatMap((i) => Array.from(features.data.subarray(i * features.dim, (i + 1) * features.dim)))), [idx.length, features.dim]);
    const lp = tf.tidy(() => softNearestNeighbourLogProbs(rows(ep.queryIndices), rows(ep.supportIndices), ep.supportLabels, 3, { metric: "squared-euclidean", temperature }).dataSync());
    ep.queryLabels.forEach((y, q) => (total -= lp[q * 3 + y] as number));
  }
  return total / (episodes * 12);
}

describe("fitTemperature", () => {
  it("lands where the episode log-likelihood is highest (a factor of 2 either way is worse) without leaking", async () => {
    const before = tf.memory().numTensors;
    const t = await fitTemperature(features, { ways: 3, shots: 2, queries: 4, steps: 300, initialTemperature: 100, seed: 3 });
    expect(tf.memory().numTensors).toBe(before);
    expect(t).toBeGreaterThan(0);
    const atFit = meanNll(t);
    expect(atFit).toBeLessThan(meanNll(2 * t));
    expect(atFit).toBeLessThan(meanNll(t / 2));
    // Far from the start: the fit moved.
    expect(Math.abs(Math.log(t / 100))).toBeGreaterThan(1);
  });
});
