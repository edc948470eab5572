import { mkdtemp, readdir, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";

import { afterAll, beforeAll, describe, expect, it } from "vitest";

import { initBackend } from "@dl/tensor-core";

import * as tf from "@tensorflow/tfjs-core";
import { evaluateFewShot } from "../fewShot/evaluate.js";
import { pretrainedFeatures, type PretrainedFeatureOptions } from "../pretrain/embedding.js";
import { pretrainClassifier } from "../pretrain/supervised.js";
import { cachedEvaluation, cachedFeatureExtraction } from "./sharedResults.js";
import { syntheticImages } from "./synthetic.js";

let cacheDir: string;

beforeAll(async () => {
  await initBackend({ backend: "wasm" });
  cacheDir = await mkdtemp(join(tmpdir(), "dl-shared-results-"));
});

afterAll(async () => {
  await rm(cacheDir, { recursive: true, force: true });
});

describe("cachedFeatureExtraction and cachedEvaluation", () => {
  const data = syntheticImages({ classes: 4, perClass: 12, height: 8, width: 8, noise: 0.3, seed: 2 });
  const test = syntheticImages({ classes: 5, perClass: 8, height: 8, width: 8, noise: 0.3, seed: 3 });

  it("give what pretrainedFeatures and evaluateFewShot give, on a miss and on a hit, key by network, images and options, and pass calls that keep every view through", async () => {
    const before = tf.memory().numTensors;
    const a = await pretrainClassifier(data, { filters: [4, 8], batchSize: 16, steps: 10, seed: 1 });
    const b = await pretrainClassifier(data, { filters: [4, 8], batchSize: 16, steps: 10, seed: 2 });
    const cachedFeatures = cachedFeatureExtraction(pretrainedFeatures, cacheDir);
    const options: PretrainedFeatureOptions = { shiftRadius: 1, warps: [{ scale: 1.1, degrees: 0 }] };
    const fresh = await pretrainedFeatures(a, test, options);
    const miss = await cachedFeatures(a, test, options);
    const hit = await cachedFeatures(a, test, { warps: [{ degrees: 0, scale: 1.1 }], shiftRadius: 1 });
    expect(await readdir(cacheDir)).toHaveLength(1);
    for (const f of [miss, hit]) {
      expect(Array.from(f.data)).toEqual(Array.from(fresh.data));
      expect(Array.from(f.labels)).toEqual(Array.from(fresh.labels));
      expect([f.dim, f.count]).toEqual([fresh.dim, fresh.count]);
    }
    // Another network, other images, another warp: three more entries, each its own values.
    const other = [await cachedFeatures(b, test, options), await cachedFeatures(a, data, options), await cachedFeatures(a, test, { shiftRadius: 1, warps: [{ scale: 1.1, degrees: 5 }] })];
    expect(await readdir(cacheDir)).toHaveLength(4);
    for (const f of other) expect(Array.from(f.data)).not.toEqual(Array.from(fresh.data));
    // Every view's features are not stored: such a call computes them, returns them and leaves the cache as it was.
    const withViews = await cachedFeatures(a, test, { ...options, keepViews: true });
    expect(withViews.views).toHaveLength(1 + 8 + 1);
    expect(Array.from(withViews.data)).toEqual(Array.from(fresh.data));
    expect(await readdir(cacheDir)).toHaveLength(4);
    a.dispose();
    b.dispose();
    expect(tf.memory().numTensors).toBe(before);

    const episodes = { ways: 5, shots: 1, queries: 3, episodes: 30, seed: 4 };
    const evaluation = await evaluateFewShot(fresh, episodes);
    expect(await cachedEvaluation(fresh, episodes, cacheDir)).toEqual(evaluation);
    const loaded = await cachedEvaluation(hit, episodes, cacheDir);
    expect(loaded).toEqual(evaluation);
    expect(loaded.episodeAccuracies.proto).toBeInstanceOf(Float64Array);
    expect(await readdir(cacheDir)).toHaveLength(5);
    expect((await cachedEvaluation(fresh, { ...episodes, seed: 5 }, cacheDir)).episodeAccuracies.proto).not.toEqual(evaluation.episodeAccuracies.proto);
    expect(tf.memory().numTensors).toBe(before);
  });
});
