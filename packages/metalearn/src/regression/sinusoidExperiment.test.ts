import { beforeAll, describe, expect, it } from "vitest";

import { initBackend } from "@dl/tensor-core";

import * as tf from "@tensorflow/tfjs-core";
import { MAML_REPORTED_MSE, runSinusoidExperiment } from "./sinusoidExperiment.js";
import { sinusoidValue } from "./sinusoid.js";

beforeAll(async () => {
  await initBackend({ backend: "wasm" });
});

describe("runSinusoidExperiment", () => {
  it("returns MSEs for every method, example curves and MAML's numbers, leak-free", async () => {
    const before = tf.memory().numTensors;
    const r = await runSinusoidExperiment({ shots: 5, trainSteps: 20, testTasks: 8, testQueries: 20, fineTuneSteps: 2, seed: 1 });
    expect(tf.memory().numTensors).toBe(before);
    expect(r.maml.mean).toBe(MAML_REPORTED_MSE[5].mean);
    for (const m of [r.softNearestNeighbour, r.nadarayaWatsonOnX, r.pretrained, r.pretrainedFineTuned, r.zero]) {
      expect(m.n).toBe(8);
      expect(Number.isFinite(m.mean) && m.mean >= 0).toBe(true);
    }
    expect(r.temperature).toBeGreaterThan(0);
    const c = r.curves[0];
    expect(c?.x.length).toBe(101);
    c?.x.forEach((x, i) => expect(c.truth[i]).toBeCloseTo(sinusoidValue(c.task, x), 5));
    // Nadaraya–Watson predictions are convex combinations of the shots' y.
    const lo = Math.min(...(c?.supportY ?? [])) - 1e-4;
    const hi = Math.max(...(c?.supportY ?? [])) + 1e-4;
    for (const v of c?.softNearestNeighbour ?? []) expect(v >= lo && v <= hi).toBe(true);
  });
});
