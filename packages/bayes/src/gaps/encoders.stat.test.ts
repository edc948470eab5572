import * as tf from "@tensorflow/tfjs-core";
import { beforeAll, describe, expect, it } from "vitest";

import { initBackend, loadDataset } from "@dl/tensor-core";

import { measureEncoderCapacity } from "./encoders.js";

beforeAll(async () => {
  await initBackend({ backend: "wasm" });
});

describe("encoder capacity at a frozen decoder (Cremer, Li & Duvenaud 2018, §5.2, in miniature)", () => {
  it("fitted with early stopping on held-out images (cap 15 epochs), a width-16 encoder has a smaller amortization gap than a width-2 one; the approximation gap does not move; SVI closes part of the rest", async () => {
    const train = await loadDataset("mnist", { split: "train" });
    const test = await loadDataset("mnist", { split: "test" });
    const before = tf.memory().numTensors;
    const r = await measureEncoderCapacity(train, test, {
      widths: [2, 16],
      seeds: 4,
      trainCount: 1500,
      validationCount: 200,
      // A decoder trained 8 epochs has posteriors a width-2 encoder cannot follow (≈ 13 nats against ≈ 3 at seed 7).
      epochs: 8,
      // 3e-3 is what validation chose for widths 2–16 in the README's runs; here one rate, to a plateau.
      learningRates: [3e-3],
      patience: 2,
      encoderEpochs: 15,
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
    // Fitted to the plateau or the cap, with the epochs and steps to show for it.
    for (const row of r.widths) {
      expect(row.epochs.mean).toBeGreaterThan(2);
      expect(row.epochs.mean).toBeLessThanOrEqual(15);
      expect(row.steps.mean).toBeCloseTo(row.epochs.mean * 15, 10);
      expect(row.validationElbo.mean).toBeLessThan(0);
    }
    // The effect: the paired gain of the wider encoder is positive with its 95 % interval over seeds.
    expect((big?.gainOverPrevious?.mean ?? 0) - (big?.gainOverPrevious?.ci95 ?? Infinity)).toBeGreaterThan(0);
    expect((big?.amortizationGap.mean ?? 0) + (big?.amortizationGap.ci95 ?? 0)).toBeLessThan((small?.amortizationGap.mean ?? 0) - (small?.amortizationGap.ci95 ?? 0));
    // q* does not depend on which encoder refinement starts from, so neither does the approximation gap.
    for (const row of r.widths) expect(Math.abs(row.elboOptimalFromHere - r.elboOptimal)).toBeLessThan(0.75);
    expect(Math.abs((small?.approximationGap ?? 0) - (big?.approximationGap ?? 0))).toBeLessThan(0.25 * (big?.gainOverPrevious?.mean ?? 0));
    expect(r.approximationGap.mean).toBeGreaterThan(-0.3);
    // Closed forms of the cost model: one forward pass of [784, w, w, 16] and SVI steps on top of it.
    expect(small?.flopsPerImage).toBe(2 * (784 * 2 + 2 * 2 + 2 * 16));
    expect(r.svi.rows[1]?.flopsPerImage).toBe((small?.flopsPerImage ?? 0) + 20 * 3 * 10 * 2 * (8 * 200 + 200 * 200 + 200 * 784));
    // SVI from the small encoder's output shrinks what is left of its gap.
    expect(r.svi.rows[1]?.amortizationGap.mean ?? Infinity).toBeLessThan(small?.amortizationGap.mean ?? 0);
    expect(r.svi.rows[1]?.recovered.mean ?? 0).toBeGreaterThan(0.2);
  }, 1_800_000);
});
