import * as tf from "@tensorflow/tfjs-core";
import { beforeAll, describe, expect, it } from "vitest";

import { createRng, initBackend, unfinishedPhases, type ImageDataset, type ProgressEvent } from "@dl/tensor-core";

import { vaeGapRow } from "./gaps/gaps.js";
import { fitGaussianMixture } from "./mixture/gaussianMixture.js";

beforeAll(async () => {
  await initBackend({ backend: "cpu" });
});

function images(count: number, seed: number): ImageDataset {
  const rng = createRng(seed);
  return { name: "noise", images: Float32Array.from({ length: count * 16 }, () => rng.next()), labels: new Int32Array(count), count, height: 4, width: 4, channels: 1, classNames: ["0"] };
}

describe("progress ends on the real final state", () => {
  it("vaeGapRow: training (an odd last batch), refinement and IWAE each end at their total", async () => {
    const events: ProgressEvent[] = [];
    const before = tf.memory().numTensors;
    const row = await vaeGapRow("diag", images(70, 1), images(10, 2), {
      latentDim: 2, hidden: 8, encoderHidden: 8, epochs: 2, batchSize: 30, testCount: 10, localSteps: 3, refineCheckpoints: [0], elboSamples: 2, iwaeK: 4, seed: 3,
      onProgress: (e) => events.push(e),
    });
    row.vae.dispose();
    row.testImages.dispose();
    expect(tf.memory().numTensors).toBe(before);
    expect(events.map((e) => e.phase)).toEqual(expect.arrayContaining(["train vae", "refine diag", "iwae diag"]));
    // 70 images in batches of 30: 2 batches an epoch (the remainder is dropped), 4 in all.
    expect(events.filter((e) => e.phase === "train vae").at(-1)).toMatchObject({ step: 4, total: 4 });
    expect(events.at(-1)).toEqual({ phase: "iwae diag", step: 1, total: 1 });
    expect(unfinishedPhases(events)).toEqual([]);
  });

  it("fitGaussianMixture: an EM that converges early says so on its last event", () => {
    const rng = createRng(5);
    const xs = Array.from({ length: 400 }, (_, i) => [(i % 2 === 0 ? -4 : 4) + rng.normal(), rng.normal()]);
    const events: ProgressEvent[] = [];
    const fit = fitGaussianMixture(xs, 2, { seed: 1, onProgress: (e) => events.push(e) });
    expect(fit.converged).toBe(true);
    const last = events.at(-1);
    expect(last?.step).toBe(fit.logLikelihoodHistory.length);
    expect(last?.step).toBeLessThan(last?.total ?? 0);
    expect(last?.stopped).toMatch(/^convergence/);
    expect(unfinishedPhases(events)).toEqual([]);
  });
});
