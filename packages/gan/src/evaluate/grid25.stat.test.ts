import * as tf from "@tensorflow/tfjs-core";
import { beforeAll, describe, expect, it } from "vitest";

import { initBackend } from "@dl/tensor-core";

import { runGrid25 } from "./grid25.js";

beforeAll(async () => {
  await initBackend({ backend: "wasm" });
});

// The VEEGAN/PacGAN protocol: 25 Gaussians with σ = 0.05 on {−4, −2, 0, 2, 4}², 2,500 samples; a mode
// counts when ≥ 20 % of its uniform share (20 samples) lies within 3σ, and "high quality" is the share of
// samples within 3σ of a mode (at most 98.9 % even for true samples). The goal of issue 17 is PacGAN4's
// 24.8 modes / 93.6 % beaten on both, so the seed tested here must cover all 25 with ≥ 90 %. It guards
// the configuration against regressions; it does not show the 10-seed mean, which `dl gan modes --method gan
// --seeds 10` reports (24.9 ± 0.3 modes, 97.3 % at the default 10,000 steps; see the README). Seed 1 has
// converged by 6,000 steps, which these tests run to keep CI short: about 4 minutes of CPU in all (226 s measured).
describe("the grid of 25 Gaussians", () => {
  it("the plain objective collapses; the stabilised GAN covers all 25 modes with ≥ 90 % high-quality samples", async () => {
    const before = tf.memory().numTensors;
    const plain = await runGrid25("gan", 1, { preset: "plain", steps: 3000 });
    // The issue measured 4.6 ± 1.8 modes for the plain objective at σ = 0.1; at σ = 0.05 it covers fewer.
    expect(plain.modes).toBeLessThan(10);
    expect(plain.highQuality).toBeLessThan(0.3);

    const stable = await runGrid25("gan", 1, { steps: 6000 });
    expect(tf.memory().numTensors).toBe(before);
    expect(stable.modes).toBe(25);
    expect(stable.highQuality).toBeGreaterThanOrEqual(0.9);
    // G alone (EMA weights, no rejection) already covers the grid: rejection only trims the bridges between modes.
    expect(stable.generatorModes).toBe(25);
    expect(stable.generatorHighQuality).toBeGreaterThan(0.8);
    expect(stable.acceptance).toBeGreaterThan(0.25);
  }, 1_800_000);

  it("the stabilised BiGAN covers ≥ 20 modes and its encoder still gives z|x", async () => {
    const run = await runGrid25("bigan", 1, { steps: 6000 });
    expect(run.modes).toBeGreaterThanOrEqual(20);
    // A random pair of grid points sits ~ two spacings apart: ‖x − x′‖² ≈ 32 on average.
    expect(run.randomPairError).toBeGreaterThan(16);
    expect((run.reconstructionError ?? Number.POSITIVE_INFINITY) / (run.randomPairError ?? 1)).toBeLessThan(0.2);
  }, 1_800_000);
});
