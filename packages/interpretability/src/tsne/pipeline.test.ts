import { initBackend } from "@dl/tensor-core";
import * as tf from "@tensorflow/tfjs-core";
import { beforeAll, describe, expect, it } from "vitest";

import { knnAccuracy, trustworthiness } from "./metrics.js";
import { tsneWithMetrics } from "./pipeline.js";
import { gaussianClusters } from "./test-utils/testData.js";

describe("tsneWithMetrics", () => {
  beforeAll(async () => {
    await initBackend({ backend: "cpu" });
  });

  // 3000 points: above the exact search's limit, so t-SNE's and the metrics' k-NN searches run on the team.
  const { data, labels, n } = gaussianClusters(5, 600, 12, 4, 6);

  it("reports the metrics the standalone functions give for its embedding, and times its phases", async () => {
    const before = tf.memory().numTensors;
    const started = performance.now();
    // Work alongside the metrics (what `dl tsne` draws there) sees the final embedding, once, and changes no value.
    const alongside: Float32Array[] = [];
    const run = await tsneWithMetrics(data, n, 12, { labels, seed: 3, iterations: 300, threads: 2, pcaComponents: 10, alongsideMetrics: (result) => alongside.push(result.embedding) });
    const wall = (performance.now() - started) / 1000;
    expect(alongside).toHaveLength(1);
    expect(alongside[0]).toBe(run.result.embedding);
    expect(tf.memory().numTensors).toBe(before);
    expect(run.inputDims).toBe(10);
    const input = Float32Array.from(run.result.model.data);
    const { embedding } = run.result;
    // The default estimate: 500 query points (every 6th), within a few standard errors of the value over all 3000.
    expect(run.trustworthiness).toBe(trustworthiness(input, n, 10, embedding, 2, 10, { sample: 500 }));
    expect(Math.abs(run.trustworthiness - trustworthiness(input, n, 10, embedding, 2, 10))).toBeLessThanOrEqual(4 * run.trustworthinessStandardError);
    expect(run.trustworthinessStandardError).toBeLessThan(0.01);
    expect(run.knnAccuracy).toBe(knnAccuracy(embedding, n, 2, labels, 10));
    // The input-space accuracy is read from t-SNE's own (exact, below 20k points) neighbour lists.
    expect(run.inputKnnAccuracy).toBe(knnAccuracy(input, n, 10, labels, 10));
    expect(run.knnAccuracy).toBeGreaterThan(0.95);
    const { pca, affinities, optimisation, metrics } = run.phases;
    for (const seconds of [pca, affinities, optimisation, metrics]) expect(seconds).toBeGreaterThan(0);
    expect(affinities + optimisation).toBeCloseTo(run.result.seconds, 6);
    expect(pca + affinities + optimisation + metrics).toBeLessThanOrEqual(wall);
  }, 120_000);
});
