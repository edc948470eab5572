import * as tf from "@tensorflow/tfjs-core";
import { beforeAll, describe, expect, it } from "vitest";

import { initBackend, loadDataset } from "@dl/tensor-core";

import { vaeGapRow } from "./gaps.js";

beforeAll(async () => {
  await initBackend({ backend: "wasm" });
});

describe("inference gaps of a small MNIST VAE (Cremer, Li & Duvenaud 2018, in miniature)", () => {
  it("log p̂ ≥ L[q*] ≥ L[q] up to noise, and SVI refinement recovers the amortization gap monotonically", async () => {
    const train = await loadDataset("mnist", { split: "train" });
    const test = await loadDataset("mnist", { split: "test" });
    const before = tf.memory().numTensors;
    const { vae, testImages, ...row } = await vaeGapRow("diag", train, test, {
      trainCount: 2000,
      epochs: 2,
      testCount: 50,
      iwaeK: 200,
      localSteps: 100,
      elboSamples: 50,
      seed: 7,
    });
    vae.dispose();
    testImages.dispose();
    expect(tf.memory().numTensors).toBe(before);
    // With 50 ELBO samples per image the mean over 50 images has a standard error well below 0.3 nats.
    expect(row.amortizationGap).toBeGreaterThan(0.5);
    expect(row.approximationGap).toBeGreaterThan(-0.3);
    expect(row.logLikelihood).toBeLessThan(0);
    const path = row.refinement;
    expect(path[0]?.steps).toBe(0);
    expect(path[path.length - 1]?.recovered).toBeCloseTo(1, 10);
    for (let i = 1; i < path.length; i++) expect(path[i]?.elbo ?? NaN).toBeGreaterThan((path[i - 1]?.elbo ?? NaN) - 0.3);
    expect(path.find((p) => p.steps === 20)?.recovered ?? 0).toBeGreaterThan(0.2);
  }, 600000);
});
