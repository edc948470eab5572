import { beforeAll, describe, expect, it } from "vitest";

import { createRng, initBackend } from "@dl/tensor-core";

import { createEpisodeSampler } from "../tasks/episodes.js";
import { syntheticImages } from "../test-utils/synthetic.js";
import * as tf from "@tensorflow/tfjs-core";
import { embedDataset, pixelsAsVectors } from "./embedding.js";
import { evaluateFewShot } from "../fewShot/evaluate.js";
import { metaTrain } from "./metaTrain.js";

beforeAll(async () => {
  await initBackend({ backend: "wasm" });
});

const data = syntheticImages({ classes: 10, perClass: 20, noise: 0.35, seed: 8 });

describe("evaluateFewShot", () => {
  it("scores every episode as a brute-force prototype classifier does", async () => {
    const features = pixelsAsVectors(data);
    const before = tf.memory().numTensors;
    const result = await evaluateFewShot(features, { ways: 3, shots: 2, queries: 4, episodes: 6, seed: 5, classes: [5, 6, 7, 8, 9] });
    expect(tf.memory().numTensors).toBe(before);
    // Same episodes: the evaluator seeds its sampler with the first draw of createRng(seed).
    const sampler = createEpisodeSampler(data, { ways: 3, shots: 2, queries: 4, classes: [5, 6, 7, 8, 9], seed: createRng(5).nextUint32() });
    const dim = features.dim;
    for (let e = 0; e < 6; e++) {
      const ep = sampler.next();
      const protos = Array.from({ length: 3 }, () => new Float64Array(dim));
      ep.supportIndices.forEach((idx, i) => {
        const p = protos[ep.supportLabels[i] as number] as Float64Array;
        for (let j = 0; j < dim; j++) p[j] = (p[j] as number) + (features.data[idx * dim + j] as number) / 2;
      });
      let correct = 0;
      ep.queryIndices.forEach((idx, i) => {
        const d = protos.map((p) => p.reduce((t, v, j) => t + (v - (features.data[idx * dim + j] as number)) ** 2, 0));
        if (d.indexOf(Math.min(...d)) === ep.queryLabels[i]) correct++;
      });
      expect(result.episodeAccuracies.proto[e]).toBeCloseTo(correct / 12, 10);
    }
    expect(result.proto.n).toBe(6);
  });
});

describe("metaTrain", () => {
  it("learns an embedding episodically without leaking tensors, and the learned temperature stays > 0", async () => {
    const before = tf.memory().numTensors;
    const learner = await metaTrain(data, { method: "matching", ways: 5, shots: 1, queries: 3, classes: [0, 1, 2, 3, 4], steps: 60, temperature: "learned", initialTemperature: 5, seed: 3, embeddingSize: 8 });
    expect(learner.steps).toBe(60);
    expect(learner.temperature).toBeGreaterThan(0);
    expect(learner.history.length).toBeGreaterThan(2);
    const first = learner.history[0]?.loss ?? 0;
    const last = learner.history[learner.history.length - 1]?.loss ?? Infinity;
    expect(last).toBeLessThan(first);
    const features = await embedDataset(learner.embedding, data);
    expect(features.dim).toBe(8);
    const result = await evaluateFewShot(features, { ways: 5, shots: 1, queries: 5, episodes: 30, classes: [5, 6, 7, 8, 9], temperature: learner.temperature, seed: 1 });
    // Well above chance (0.2 ± 0.02 over 750 queries) on held-out synthetic classes.
    expect(result.matching.mean).toBeGreaterThan(0.32);
    learner.embedding.dispose();
    expect(tf.memory().numTensors).toBe(before);
  });

  it("is deterministic for a seed", async () => {
    const run = async (): Promise<number[]> => {
      const l = await metaTrain(data, { method: "proto", ways: 3, shots: 2, queries: 2, steps: 10, seed: 4, embeddingSize: 4 });
      const w = l.embedding.getWeights().map((t) => Array.from(t.dataSync())).flat();
      l.embedding.dispose();
      return w;
    };
    expect(await run()).toEqual(await run());
  });
});

describe("evaluateFewShot with support centring", () => {
  it("matches a brute-force prototype classifier on support-centred, unit-norm rows", async () => {
    const features = pixelsAsVectors(data);
    const before = tf.memory().numTensors;
    const result = await evaluateFewShot(features, { ways: 3, shots: 2, queries: 4, episodes: 6, seed: 9, centre: "support" });
    expect(tf.memory().numTensors).toBe(before);
    const sampler = createEpisodeSampler(data, { ways: 3, shots: 2, queries: 4, seed: createRng(9).nextUint32() });
    const dim = features.dim;
    for (let e = 0; e < 6; e++) {
      const ep = sampler.next();
      const mean = new Float64Array(dim);
      for (const idx of ep.supportIndices) for (let j = 0; j < dim; j++) mean[j] = (mean[j] as number) + (features.data[idx * dim + j] as number) / 6;
      const unit = (idx: number): number[] => {
        const v = Array.from({ length: dim }, (_, j) => (features.data[idx * dim + j] as number) - (mean[j] as number));
        const n = Math.hypot(...v);
        return v.map((x) => x / n);
      };
      const protos = Array.from({ length: 3 }, () => new Float64Array(dim));
      ep.supportIndices.forEach((idx, i) => {
        const p = protos[ep.supportLabels[i] as number] as Float64Array;
        unit(idx).forEach((v, j) => (p[j] = (p[j] as number) + v / 2));
      });
      let correct = 0;
      ep.queryIndices.forEach((idx, i) => {
        const q = unit(idx);
        const d = protos.map((p) => p.reduce((t, v, j) => t + (v - (q[j] as number)) ** 2, 0));
        if (d.indexOf(Math.min(...d)) === ep.queryLabels[i]) correct++;
      });
      expect(result.episodeAccuracies.proto[e]).toBeCloseTo(correct / 12, 10);
    }
  });
});
