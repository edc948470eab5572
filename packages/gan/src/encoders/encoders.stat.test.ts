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

  it("GAN and BiGAN samples land on the grid's modes (short runs: a few modes, most samples near one)", async () => {
    for (const method of ["gan", "bigan"] as const) {
      const run = await grid25ModeCoverage(method, 1, { steps: 1500 });
      // An untrained generator puts its samples near the origin: one mode at most.
      expect(run.coverage.modesCovered).toBeGreaterThanOrEqual(2);
      expect(run.coverage.highQualityShare).toBeGreaterThan(0.2);
    }
  }, 600_000);
});
