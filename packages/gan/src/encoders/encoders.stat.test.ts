import * as tf from "@tensorflow/tfjs-core";
import { beforeAll, describe, expect, it } from "vitest";

import { createRng, initBackend } from "@dl/tensor-core";

import { sampleGrid25 } from "../evaluate/modes.js";
import { compareEncoder, grid25ModeCoverage } from "./compare.js";

beforeAll(async () => {
  await initBackend({ backend: "wasm" });
});

describe("which model gives z|x", () => {
  it("on the 25-Gaussian grid, VAE and BiGAN codes reconstruct x better than a random pair", async () => {
    const count = 4000;
    const data = { points: sampleGrid25(count, createRng(1)), count, dim: 2, scale: "real" as const };
    const before = tf.memory().numTensors;
    const vae = await compareEncoder("vae", data, { steps: 1500, seed: 1 });
    const bigan = await compareEncoder("bigan", data, { steps: 1500, seed: 1 });
    expect(tf.memory().numTensors).toBe(before);
    // A random pair sits ~ two grid spacings apart on average: ‖x − x′‖² ≈ 16.
    expect(vae.randomPairError).toBeGreaterThan(8);
    expect(vae.ratio).toBeLessThan(0.5);
    expect(bigan.ratio).toBeLessThan(1);
  }, 600_000);

  it("GAN and BiGAN samples reach several of the grid's modes after a short run", async () => {
    for (const method of ["gan", "bigan"] as const) {
      const run = await grid25ModeCoverage(method, 1, { steps: 1500 });
      // A mode counts only with ≥ 20 of 2500 samples within 3σ = 0.3 of its centre.
      expect(run.coverage.modesCovered).toBeGreaterThanOrEqual(2);
      expect(run.coverage.counts.reduce((a, b) => a + b, 0)).toBeGreaterThan(100);
    }
  }, 600_000);
});
