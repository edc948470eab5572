import { beforeAll, describe, expect, it } from "vitest";

import { initBackend } from "@dl/tensor-core";

import { runSinusoidExperiment } from "./sinusoidExperiment.js";

beforeAll(async () => {
  await initBackend({ backend: "wasm" });
});

describe("sinusoid regression, K = 10", () => {
  it("soft-NN regression beats predicting 0 and the pretrained regressor", async () => {
    const r = await runSinusoidExperiment({ shots: 10, trainSteps: 400, testTasks: 200, testQueries: 50, seed: 5 });
    // Measured with 1500 steps and 600 tasks: 1.67 ± 0.18 against 4.64 ± 0.31 (zero) and 3.57 ± 0.25 (pretrained).
    expect(r.softNearestNeighbour.mean + r.softNearestNeighbour.ci95).toBeLessThan(r.zero.mean - r.zero.ci95);
    expect(r.softNearestNeighbour.mean).toBeLessThan(r.pretrained.mean);
    // The expected MSE of predicting 0 is E[A²]/2 ≈ 4.25.
    expect(Math.abs(r.zero.mean - 4.2517)).toBeLessThan(2 * r.zero.ci95);
  }, 600_000);
});
