import * as tf from "@tensorflow/tfjs-core";
import { beforeAll, describe, expect, it } from "vitest";

import { initBackend, loadDataset } from "@dl/tensor-core";

import { measureEncoderCapacity } from "./encoders.js";

beforeAll(async () => {
  await initBackend({ backend: "wasm" });
});

describe("encoder capacity at a frozen decoder (Cremer, Li & Duvenaud 2018, §5.2, in miniature)", () => {
  it("a wider encoder has a smaller amortization gap, the approximation gap does not move, SVI closes the rest", async () => {
    const train = await loadDataset("mnist", { split: "train" });
    const test = await loadDataset("mnist", { split: "test" });
    const before = tf.memory().numTensors;
    const r = await measureEncoderCapacity(train, test, {
      widths: [8, 256],
      seeds: 4,
      trainCount: 2000,
      epochs: 2,
      encoderEpochs: 6,
      testCount: 50,
      iwaeK: 100,
      localSteps: 300,
      elboSamples: 30,
      sviSteps: [5, 20],
      seed: 7,
    });
    expect(tf.memory().numTensors).toBe(before);
    const [small, big] = r.widths;
    expect(small?.amortizationGapBySeed).toHaveLength(4);
    expect(small?.amortizationGap.mean).toBeCloseTo((small?.amortizationGapBySeed ?? []).reduce((a, b) => a + b, 0) / 4, 10);
    expect(small?.amortizationGap.mean).toBeGreaterThan(0);
    // The effect: the paired gain of the wider encoder is positive with its 95 % interval over seeds.
    expect((big?.gainOverPrevious?.mean ?? 0) - (big?.gainOverPrevious?.ci95 ?? Infinity)).toBeGreaterThan(0);
    expect((big?.amortizationGap.mean ?? 0) + (big?.amortizationGap.ci95 ?? 0)).toBeLessThan((small?.amortizationGap.mean ?? 0) - (small?.amortizationGap.ci95 ?? 0));
    // q* does not depend on which encoder refinement starts from, so neither does the approximation gap: what
    // 300 Adam steps leave of a 6-nat start (seed 7: 0.52 nats from width 8) is a fraction of the gain.
    for (const row of r.widths) expect(Math.abs(row.elboOptimalFromHere - r.elboOptimal)).toBeLessThan(0.75);
    expect(Math.abs((small?.approximationGap ?? 0) - (big?.approximationGap ?? 0))).toBeLessThan(0.25 * (big?.gainOverPrevious?.mean ?? 0));
    expect(r.approximationGap.mean).toBeGreaterThan(-0.3);
    // Closed forms of the cost model: one forward pass of [784, w, w, 16] and SVI steps on top of it.
    expect(small?.flopsPerImage).toBe(2 * (784 * 8 + 8 * 8 + 8 * 16));
    expect(r.svi.rows[1]?.flopsPerImage).toBe((small?.flopsPerImage ?? 0) + 20 * 3 * 10 * 2 * (8 * 200 + 200 * 200 + 200 * 784));
    // SVI from the small encoder's output shrinks what is left of its gap.
    expect(r.svi.rows[1]?.amortizationGap.mean ?? Infinity).toBeLessThan(small?.amortizationGap.mean ?? 0);
    expect(r.svi.rows[1]?.recovered.mean ?? 0).toBeGreaterThan(0.2);
  }, 1_800_000);
});
