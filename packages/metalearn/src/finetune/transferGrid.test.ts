import { beforeAll, describe, expect, it } from "vitest";

import { initBackend, isDlError } from "@dl/tensor-core";

import { syntheticImages } from "../test-utils/synthetic.js";
import * as tf from "@tensorflow/tfjs-core";
import { FINE_TUNE_LAYER_GROUPS, sliceLearningRates } from "./fineTuneExperiment.js";
import { classSetLabel, parseClassSet, runFineTuneGrid } from "./transferGrid.js";

beforeAll(async () => {
  await initBackend({ backend: "wasm" });
});

const DATA = ["mnist", "fashion-mnist"];

describe("class sets", () => {
  it("parse ranges and lists, and print back the way they were written", () => {
    expect(parseClassSet("mnist", DATA)).toEqual({ data: "mnist", classes: [0, 1, 2, 3, 4, 5, 6, 7, 8, 9] });
    expect(parseClassSet("fashion-mnist/5-9", DATA).classes).toEqual([5, 6, 7, 8, 9]);
    expect(parseClassSet("mnist/7,1,3-4", DATA).classes).toEqual([1, 3, 4, 7]);
    for (const text of ["mnist", "mnist/0-4", "fashion-mnist/5-9", "mnist/1,7"]) expect(classSetLabel(parseClassSet(text, DATA))).toBe(text);
  });

  it("reject unknown datasets, bad ranges and single classes with one clear error", () => {
    const cases: [string, RegExp][] = [
      ["cifar/0-4", /Unknown dataset "cifar".*valid: .*mnist/],
      ["mnist/4-0", /Bad range "4-0"/],
      ["mnist/a", /Bad classes "a"/],
      ["mnist/0-4/x", /Bad classes "0-4\/x"/],
      ["mnist/3", /at least 2/],
    ];
    for (const [text, message] of cases) {
      let error: unknown;
      try {
        parseClassSet(text, DATA);
      } catch (e) {
        error = e;
      }
      expect(isDlError(error), text).toBe(true);
      expect((error as Error).message).toMatch(message);
    }
  });
});

describe("sliceLearningRates (fastai slice)", () => {
  it("slice(hi): hi/10 below the head; slice(lo, hi): geometric from lo to hi (even_mults)", () => {
    expect(sliceLearningRates(4, 1e-3)).toEqual([1e-4, 1e-4, 1e-4, 1e-3]);
    const rates = sliceLearningRates(4, 1e-3, 1e-5);
    expect(rates[0]).toBeCloseTo(1e-5, 15);
    expect(rates[3]).toBeCloseTo(1e-3, 15);
    // Equal ratios between neighbours: 100^(1/3) = 4.6416.
    for (let i = 1; i < 4; i++) expect((rates[i] as number) / (rates[i - 1] as number)).toBeCloseTo(100 ** (1 / 3), 10);
  });
});

describe("runFineTuneGrid", () => {
  const train = syntheticImages({ classes: 10, perClass: 60, noise: 0.3, seed: 1 });
  const test = syntheticImages({ classes: 10, perClass: 12, noise: 0.3, seed: 1 });
  const datasets = { mnist: { train, test }, "fashion-mnist": { train, test } };

  it("pairs methods on the same draws: decay 1 makes discriminative exactly uniform; skips overlapping pairs; leak-free", async () => {
    const before = tf.memory().numTensors;
    const result = await runFineTuneGrid(datasets, {
      sources: [parseClassSet("mnist/0-4", DATA)],
      targets: [parseClassSet("mnist/5-9", DATA), parseClassSet("mnist/2-6", DATA)],
      labelsPerClass: [1, 3],
      methods: ["uniform", "discriminative", "scratch"],
      seeds: 3,
      steps: 20,
      learningRates: [3e-3],
      lrDecay: 1,
      pretrainEpochs: 2,
      testPerClass: 5,
      seed: 4,
    });
    expect(tf.memory().numTensors).toBe(before);
    expect(result.skipped).toEqual([{ source: "mnist/0-4", target: "mnist/2-6", reason: expect.stringMatching(/shared classes/) }]);
    expect(result.cells.map((c) => [c.source, c.target, c.labelsPerClass])).toEqual([
      ["mnist/0-4", "mnist/5-9", 1],
      ["mnist/0-4", "mnist/5-9", 3],
    ]);
    expect(result.discriminativeRates).toEqual([Array.from({ length: FINE_TUNE_LAYER_GROUPS }, () => 3e-3)]);
    for (const cell of result.cells) {
      const [u, d] = [cell.methods[0], cell.methods[1]];
      // Same labelled draw, same head, same rates: identical accuracies, seed by seed.
      expect(d?.perSeed).toEqual(u?.perSeed);
      expect(cell.discriminativeMinusUniform?.mean).toBe(0);
      expect(cell.verdict).toBe("tie");
      // 5 test images per class × 5 classes: accuracies are multiples of 1/25.
      for (const m of cell.methods) for (const a of m.perSeed) expect(Math.abs(a * 25 - Math.round(a * 25))).toBeLessThan(1e-9);
    }
    // Chance is 0.2; two epochs of 4 batches already learn the templates well above it.
    expect(result.sources[0]?.sourceAccuracy).toBeGreaterThan(0.5);
  });

  it("the paired gap is the mean of per-seed differences, and a verdict needs its CI to exclude 0", async () => {
    const result = await runFineTuneGrid(datasets, {
      sources: [parseClassSet("fashion-mnist/0-4", DATA)],
      targets: [parseClassSet("mnist/5-9", DATA)],
      labelsPerClass: [2],
      methods: ["uniform", "discriminative"],
      seeds: 4,
      steps: 15,
      learningRates: [1e-2],
      lrDecay: 10,
      pretrainEpochs: 1,
      seed: 5,
    });
    const cell = result.cells[0];
    const [u, d] = [cell?.methods[0]?.perSeed ?? [], cell?.methods[1]?.perSeed ?? []];
    const diffs = d.map((v, i) => v - (u[i] as number));
    const mean = diffs.reduce((a, b) => a + b, 0) / diffs.length;
    expect(cell?.discriminativeMinusUniform?.mean).toBeCloseTo(mean, 12);
    const gap = cell?.discriminativeMinusUniform;
    const expected = gap === undefined ? undefined : gap.mean - gap.ci95 > 0 ? "helps" : gap.mean + gap.ci95 < 0 ? "hurts" : "tie";
    expect(cell?.verdict).toBe(expected);
  });

  it("refuses a grid whose every pair shares classes, naming the pairs", async () => {
    await expect(runFineTuneGrid(datasets, { sources: [parseClassSet("mnist", DATA)], targets: [parseClassSet("mnist/5-9", DATA)], labelsPerClass: [1] })).rejects.toThrow(/mnist → mnist\/5-9/);
  });
});
