import * as tf from "@tensorflow/tfjs-core";
import * as tfl from "@tensorflow/tfjs-layers";
import { beforeAll, describe, expect, it } from "vitest";

import { createRng, initBackend, unfinishedPhases, type ProgressEvent } from "@dl/tensor-core";

import { type ConceptSet, type ImageSet, nullDrawsForSignificance, runTcav } from "./tcav.js";

const SIDE = 4;
const PIXELS = SIDE * SIDE;

/**
 * A hand-wired model on 4×4 images: dense1 copies the pixels, gate keeps relu(x − 0.4), logit 1 sums
 * the gated top half and logit 0 the bottom half. So ∇_{dense1} logit_1(x) = 1[p in top, x_p > 0.4]:
 * it varies with the input (a random direction scores near 0.5), a "bright top" concept raises
 * logit 1 for every input and is unrelated to logit 0.
 */
function wiredModel(): tfl.Sequential {
  const model = tfl.sequential();
  model.add(tfl.layers.flatten({ inputShape: [SIDE, SIDE, 1], name: "flatten" }));
  model.add(tfl.layers.dense({ units: PIXELS, name: "dense1" }));
  model.add(tfl.layers.dense({ units: PIXELS, activation: "relu", name: "gate" }));
  model.add(tfl.layers.dense({ units: 2, name: "logits" }));
  model.add(tfl.layers.activation({ activation: "softmax", name: "probs" }));
  const w2 = new Float32Array(PIXELS * 2);
  for (let p = 0; p < PIXELS; p++) w2[p * 2 + (p < PIXELS / 2 ? 1 : 0)] = 1;
  model.getLayer("dense1").setWeights([tf.eye(PIXELS), tf.zeros([PIXELS])]);
  model.getLayer("gate").setWeights([tf.eye(PIXELS), tf.fill([PIXELS], -0.4)]);
  model.getLayer("logits").setWeights([tf.tensor2d(w2, [PIXELS, 2]), tf.zeros([2])]);
  return model;
}

function noiseImages(count: number, seed: number, brightTop = 0): ImageSet {
  const rng = createRng(seed);
  const images = new Float32Array(count * PIXELS);
  for (let i = 0; i < count; i++) {
    for (let p = 0; p < PIXELS; p++) images[i * PIXELS + p] = Math.min(1, rng.next() * 0.8 + (p < PIXELS / 2 ? brightTop : 0));
  }
  return { images, count, height: SIDE, width: SIDE, channels: 1 };
}

beforeAll(async () => {
  await initBackend({ backend: "cpu" });
});

describe("runTcav", () => {
  it("finds a concept that drives the class and not one that does not, without leaking tensors", async () => {
    const model = wiredModel();
    const brightTop: ConceptSet = { name: "bright-top", ...noiseImages(30, 1, 0.4) };
    const randomConcept: ConceptSet = { name: "noise", ...noiseImages(30, 2) };
    const before = tf.memory().numTensors;
    const options = {
      targetImages: noiseImages(40, 3),
      concepts: [brightTop, randomConcept],
      randomPool: noiseImages(2000, 4),
      layers: ["dense1"],
      randomRuns: 5,
      nullDraws: 79,
      setSize: 20,
      seed: 7,
    };
    const forClass1 = await runTcav(model, { ...options, target: 1 });
    // Inputs with no gated top pixel have S = 0 (not positive); every other input has S > 0.
    const t = options.targetImages.images;
    const withActiveTop = Array.from({ length: 40 }, (_, i) => t.subarray(i * PIXELS, i * PIXELS + PIXELS / 2).some((v) => v > 0.4)).filter(Boolean).length;
    expect(tf.memory().numTensors).toBe(before);
    const [top, noise] = forClass1.rows;
    expect(top?.concept).toBe("bright-top");
    // S = Σ_{active top p} v_p: positive for every input with an active top pixel once the CAV
    // weights the top half positively (most CAVs), never positive for the others.
    for (const s of top?.scores ?? []) expect(s).toBeLessThanOrEqual(withActiveTop / 40 + 1e-12);
    expect(top?.score).toBeGreaterThan(withActiveTop / 40 - 0.05);
    expect(top?.cavAccuracy).toBeGreaterThan(0.9);
    const ties = top?.nullScores.filter((s) => s >= (top.score)).length ?? 0;
    expect(top?.pValues.randomization).toBeCloseTo((1 + ties) / 80, 12);
    expect(top?.significant).toBe(true);
    expect(noise?.significant).toBe(false);
    expect(top?.nullMean).toBeGreaterThan(0.2);
    expect(top?.nullMean).toBeLessThan(0.8);
    expect(top?.ci.lower).toBeLessThan(top?.effect.meanDifference ?? Number.NaN);
    // Holm across the two rows: the smaller p doubles.
    expect(top?.adjusted).toBeCloseTo(Math.min(1, 2 * (top?.pValues.randomization ?? 1)), 12);

    // 2 tests with Holm need 1/(n+1) ≤ 0.025: 79 draws suffice, so no warning.
    expect(forClass1.warnings).toEqual([]);
    const forClass0 = await runTcav(model, { ...options, target: 0 });
    // The top half has no gradient to logit 0, so S is noise from the CAV's bottom-half weights.
    expect(forClass0.rows[0]?.significant).toBe(false);
    const again = await runTcav(model, { ...options, target: 1 });
    expect(again.rows.map((r) => r.scores)).toEqual(forClass1.rows.map((r) => r.scores));
  });

  it("ends every progress phase on its real final state, one cav phase per layer", async () => {
    const model = wiredModel();
    const events: ProgressEvent[] = [];
    const options = { targetImages: noiseImages(10, 3), concepts: [{ name: "c", ...noiseImages(12, 1) }], randomPool: noiseImages(100, 4), layers: ["dense1", "gate"], target: 1, randomRuns: 2, nullDraws: 4, setSize: 10 };
    await runTcav(model, { ...options, onProgress: (e) => events.push(e) });
    expect([...new Set(events.map((e) => e.phase))]).toEqual(["activations", "dense1: gradients", "gate: gradients", "dense1: cav", "gate: cav"]);
    // 2 CAVs for the concept and 2 for each of the 4 null concepts, per layer.
    expect(events.filter((e) => e.phase === "gate: cav").at(-1)).toMatchObject({ step: 10, total: 10 });
    expect(unfinishedPhases(events)).toEqual([]);
  });

  it("rejects too few concept images, a bad target, a wrong image shape and a layer past the logits", async () => {
    const model = wiredModel();
    const base = { targetImages: noiseImages(10, 3), randomPool: noiseImages(100, 4), layers: ["dense1"], target: 1, randomRuns: 2, nullDraws: 4 };
    const ok: ConceptSet = { name: "c", ...noiseImages(12, 1) };
    await expect(runTcav(model, { ...base, concepts: [{ name: "tiny", ...noiseImages(9, 1) }] })).rejects.toThrow(/at least 10/);
    // 4 null draws cannot give p below 1/5: the result says so.
    const weak = await runTcav(model, { ...base, concepts: [ok], setSize: 10 });
    expect(weak.warnings[0]).toMatch(/at least 39 random concepts/);
    await expect(runTcav(model, { ...base, concepts: [ok], target: 2 })).rejects.toThrow(/out of range.*0\.\.1/);
    await expect(runTcav(model, { ...base, concepts: [ok], layers: ["probs"] })).rejects.toThrow(expect.objectContaining({ code: "NO_GRADIENT_PATH" }) as Error);
    const wrong: ConceptSet = { name: "big", images: new Float32Array(12 * 25), count: 12, height: 5, width: 5, channels: 1 };
    await expect(runTcav(model, { ...base, concepts: [wrong] })).rejects.toThrow(expect.objectContaining({ code: "SHAPE_MISMATCH" }) as Error);
  });
});

describe("nullDrawsForSignificance", () => {
  it("gives the n whose smallest p-value 1/(n+1) passes the correction", () => {
    // Holm over 4 tests at α = 0.05 needs p ≤ 0.0125 = 1/80 → n = 79; with room for one more draw, 159.
    expect(nullDrawsForSignificance(4, 0.05, "holm", 1)).toBe(79);
    expect(nullDrawsForSignificance(4, 0.05, "holm")).toBe(159);
    expect(nullDrawsForSignificance(4, 0.05, "none", 1)).toBe(19);
  });
});
