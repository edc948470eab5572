import { beforeAll, describe, expect, it, vi } from "vitest";

import { initBackend, loadDataset, type ImageDataset } from "@dl/tensor-core";

import * as tf from "@tensorflow/tfjs-core";
import { parseImageWarps } from "../pretrain/embedding.js";
import { meanConfidenceInterval } from "../stats.js";
import { cliFewShotDefaults } from "../test-utils/cliFewShot.js";
import { runFewShotExperiment, type FewShotExperimentOptions } from "./fewShotExperiment.js";

// A second run of the test (same sources) loads the recipe's three networks from the disk cache instead of training them;
// the baseline's network and features are fewShot.stat.test.ts's.
vi.mock("../pretrain/supervised.js", async (importOriginal) => (await import("../test-utils/cachedModules.js")).supervisedThroughCache(importOriginal));
vi.mock("../pretrain/embedding.js", async (importOriginal) => (await import("../test-utils/cachedModules.js")).embeddingThroughCache(importOriginal));

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
 * In place of the CLI's learned temperature: it scales the soft nearest neighbour's (`matching`) and the transductive
 * classifier's logits only, which this test does not read, and fitting it embeds 3,000 meta-train images through every
 * network's views (for the recipe ≈ 40% of its feature extraction). Its seed is the last draw of the learner's own
 * generator, after the networks' seeds, so the networks, the episodes and every figure asserted below (logistic,
 * prototypes, raw pixels) are the same bit for bit either way (`fewShotExperiment.test.ts` checks it).
 */
const temperatureUnread = { temperature: 1 } as const;

/**
 * The options `dl meta fewshot --data fashion-mnist --shots 1 --extra-data mnist --extra-classes 0,1,2,3,4 --head cosine
 * --ensemble 3 --warps z0.95,z1.05,r-5,r5 --logistic --steps 600 --time-budget 86400` passes to `runFewShotExperiment`
 * (every flag's value as the CLI builds it, defaults included), at the CLI's default seed 42, on all 5,000 test images of
 * classes 5–9, with the temperature fixed (`temperatureUnread`).
 */
function adoptedRecipe(): FewShotExperimentOptions {
  return { ...cliFewShotDefaults(), extraTrain: digits, extraTrainClasses: [0, 1, 2, 3, 4], head: "cosine", ensemble: 3, warps: parseImageWarps("z0.95,z1.05,r-5,r5"), logistic: true, ...temperatureUnread };
}

describe("the adopted 1-shot recipe (three cosine networks, warps, logistic regression on the shot's views), 5-way 1-shot on the held-out Fashion-MNIST classes 5–9", () => {
  // From an empty network cache: 252 s wall, 375 s CPU alone at load 0.3–1.6 (the wasm backend on both cores), 508 s wall
  // in the suite at load 2–8 (README, the statistical suite's time); 210 s CPU when the disk cache holds the recipe's
  // networks (measured before the temperature was fixed).
  it("reaches ≥ 70% inductively with the lower end of its 95% interval over 600 episodes, and beats the recipe before issue 21 on the same episodes", async () => {
    const before = tf.memory().numTensors;
    const recipe = await runFewShotExperiment(train, test, adoptedRecipe());
    // Before issue 21: `dl meta fewshot --data fashion-mnist --shots 1 --steps 600 --time-budget 86400`, one linear network
    // on Fashion 0–4 alone, 9 shifts, nearest shot. The experiment's seed draws the first network's seed and then the
    // episodes' seed, independently of the training set, the head, the ensemble's size, the warps and the logistic
    // regression, so both runs label the same 600 episodes.
    // Its network and test features are fewShot.stat.test.ts's 1-shot and 5-shot ones (the cache trains and embeds them once).
    const baseline = await runFewShotExperiment(train, test, { ...cliFewShotDefaults(), ...temperatureUnread });
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
