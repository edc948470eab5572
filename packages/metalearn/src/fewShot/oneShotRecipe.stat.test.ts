import { beforeAll, describe, expect, it, vi } from "vitest";

import { initBackend, loadDataset, type ImageDataset } from "@dl/tensor-core";

import * as tf from "@tensorflow/tfjs-core";
import { parseImageWarps } from "../pretrain/embedding.js";
import { meanConfidenceInterval } from "../stats.js";
import { runFewShotExperiment, type FewShotExperimentOptions } from "./fewShotExperiment.js";
import type * as Supervised from "../pretrain/supervised.js";

// A second run of the test (same sources) loads the recipe's three networks from the disk cache instead of training them.
vi.mock("../pretrain/supervised.js", async (importOriginal) => {
  const actual = await importOriginal<typeof Supervised>();
  const { cachedPretraining } = await import("../test-utils/sharedNetworks.js");
  return { ...actual, pretrainClassifier: cachedPretraining(actual.pretrainClassifier) };
});

let train: ImageDataset;
let test: ImageDataset;
let digits: ImageDataset;

beforeAll(async () => {
  await initBackend({ backend: "wasm" });
  train = await loadDataset("fashion-mnist", { split: "train" });
  test = await loadDataset("fashion-mnist", { split: "test" });
  digits = await loadDataset("mnist", { split: "train" });
});

/**
 * The options `dl meta fewshot --data fashion-mnist --shots 1 --extra-data mnist --extra-classes 0,1,2,3,4 --head cosine
 * --ensemble 3 --warps z0.95,z1.05,r-5,r5 --logistic --steps 600 --time-budget 86400` passes to `runFewShotExperiment`
 * (every flag's value as the CLI builds it, defaults included), at the CLI's default seed 42, on all 5,000 test images of
 * classes 5–9. Only the time budget is left out: at 86,400 s it never stops a 600-batch training, and a network trained
 * under a budget is not cached.
 */
function adoptedRecipe(): FewShotExperimentOptions {
  return {
    ways: 5,
    shots: 1,
    queries: 15,
    episodes: 600,
    method: "matching",
    training: "pretrain",
    filters: [16, 32, 64],
    generations: 1,
    ensemble: 3,
    pixelWeight: 0,
    power: 0.5,
    labelSmoothing: 0,
    mixupAlpha: 0,
    head: "cosine",
    cosineScale: 10,
    shiftRadius: 1,
    warps: parseImageWarps("z0.95,z1.05,r-5,r5"),
    logistic: true,
    centre: "none",
    extraTrain: digits,
    extraTrainClasses: [0, 1, 2, 3, 4],
    temperature: "learned",
    steps: 600,
    symmetries: 8,
    k: 1,
    arch: "mlp",
    seed: 42,
  };
}

describe("the adopted 1-shot recipe (three cosine networks, warps, logistic regression on the shot's views), 5-way 1-shot on the held-out Fashion-MNIST classes 5–9", () => {
  // 379 s CPU from an empty network cache (the recipe ≈ 300 s, as one CLI run); 210 s when the disk cache holds the recipe's networks.
  it("reaches ≥ 70% inductively with the lower end of its 95% interval over 600 episodes, and beats the recipe before issue 21 on the same episodes", async () => {
    const before = tf.memory().numTensors;
    const recipe = await runFewShotExperiment(train, test, adoptedRecipe());
    // Before issue 21: `dl meta fewshot --data fashion-mnist --shots 1 --steps 600 --time-budget 86400`, one linear network
    // on Fashion 0–4 alone, 9 shifts, nearest shot. The experiment's seed draws the first network's seed and then the
    // episodes' seed, independently of the training set, the head, the ensemble's size, the warps and the logistic
    // regression, so both runs label the same 600 episodes.
    const { extraTrain: _digits, extraTrainClasses: _classes, ...fashionOnly } = adoptedRecipe();
    const baseline = await runFewShotExperiment(train, test, { ...fashionOnly, head: "linear", ensemble: 1, warps: [], logistic: false });
    expect(tf.memory().numTensors).toBe(before);
    expect(recipe.training.ensemble).toBe(3);
    expect(recipe.training.steps).toBe(1800);
    expect(recipe.training.logisticPenalty).toBeCloseTo(0.03, 12);
    expect(baseline.training.trainClasses).toBe(40);
    expect(baseline.pixels.episodeAccuracies.proto).toEqual(recipe.pixels.episodeAccuracies.proto);

    const logistic = recipe.learned.logistic;
    const perEpisode = recipe.learned.episodeAccuracies.logistic;
    if (logistic === undefined || perEpisode === undefined) throw new Error("the recipe measured no logistic regression");
    // The goal, with its margin: the lower end of the 95% Student-t interval over the 600 episodes of the figure the CLI
    // prints as learned.logistic must clear 70%; a point estimate ≥ 70% would also pass a run whose own CI straddles 70.
    // It is one seed's networks, the CLI's default seed 42 (chosen as the default, not as the best); the interval is over
    // episodes, not networks. Measured (wasm, seed 42): 71.0% ± 0.7, as the CLI run: a margin of ≈ 0.3 points. Over
    // networks the result is narrower than that: of eight CLI seeds, four (3, 4, 5, 6: 70.1–70.4%, CIs reaching down to
    // 69.5–69.7) would fail this line (README, issue 21, item 3); each further seed here costs ≈ 300 s CPU. Nor does the
    // line need the ensemble on seed 42: the first network alone with warps and logistic reads 71.3% ± 0.7 there.
    expect(logistic.mean - logistic.ci95).toBeGreaterThanOrEqual(0.7);

    // Weaker, and what fails if issue 21's levers (the digits, the cosine head, the ensemble, the warps, the logistic
    // regression) disappear: paired on the same episodes, the recipe beats the one before, lower end of the paired 95%
    // interval > 0. Measured (seed 42): 67.7% ± 0.8 before → 71.0% ± 0.7, paired +3.3 ± 0.4 points. (Against the recipe's
    // first network alone, 9 shifts, nearest shot, 70.7% ± 0.7, the gain is +0.3 ± 0.3: on this seed the digits and the
    // cosine head make nearly all of it.)
    const gain = meanConfidenceInterval(Float64Array.from(perEpisode, (a, e) => a - (baseline.learned.episodeAccuracies.proto[e] as number)));
    expect(gain.mean - gain.ci95).toBeGreaterThan(0);
  }, 3_600_000);
});
