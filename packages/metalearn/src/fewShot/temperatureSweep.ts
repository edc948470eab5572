import { createRng, type RunOptions } from "@dl/tensor-core";

import { DEFAULT_CLASS_SPLIT, selectClasses } from "../tasks/episodes.js";
import type { LabelledImages } from "@dl/tensor-core";

import type { AccuracySummary } from "../types.js";
import { assertTemperature } from "../classifiers/softNearestNeighbour.js";
import type { EmbeddingArch } from "../matching/embedding.js";
import { embedDataset } from "../matching/embedding.js";
import { evaluateFewShot } from "./evaluate.js";
import { metaTrain } from "../matching/metaTrain.js";

export interface TemperatureSweepOptions extends RunOptions {
  ways?: number;
  shots?: number;
  queries?: number;
  temperatures?: readonly number[];
  /** kNN neighbour counts, evaluated on the embedding trained at the temperature nearest 1. */
  ks?: readonly number[];
  stepsPerTemperature?: number;
  episodes?: number;
  arch?: EmbeddingArch;
  metaTrainClasses?: readonly number[];
  metaTestClasses?: readonly number[];
}

export interface TemperaturePoint {
  temperature: number;
  /** Accuracy on episodes of the meta-train classes, drawn from the images trained on. */
  metaTrain: AccuracySummary;
  /** Accuracy on episodes of the held-out classes, held-out images. */
  metaTest: AccuracySummary;
  finalLoss: number;
}

export interface KnnPoint {
  k: number;
  metaTrain: AccuracySummary;
  metaTest: AccuracySummary;
}

export interface TemperatureSweepResult {
  ways: number;
  shots: number;
  temperatures: TemperaturePoint[];
  knn: KnnPoint[];
  knnTemperature: number;
  seconds: number;
}

/**
 * Complexity control through the temperature: for each fixed T, meta-train a soft nearest-neighbour
 * learner and measure accuracy on meta-train episodes (fit) and meta-test episodes (generalisation).
 * Small T → 1-NN (low bias, high variance); large T → class frequencies (high bias). kNN's k is the
 * discrete analogue and is swept on one of the embeddings.
 */
export async function runTemperatureSweep(train: LabelledImages, test: LabelledImages, options: TemperatureSweepOptions = {}): Promise<TemperatureSweepResult> {
  const started = performance.now();
  const ways = options.ways ?? 5;
  const shots = options.shots ?? 5;
  const queries = options.queries ?? 15;
  const temperatures = options.temperatures ?? [0.01, 0.1, 1, 10, 100, 1000];
  for (const t of temperatures) assertTemperature(t);
  const ks = (options.ks ?? [1, 3, 5, 9, 15, 25]).filter((k) => k <= ways * shots);
  const episodes = options.episodes ?? 200;
  const rng = createRng(options.seed);
  const trainSet = selectClasses(train, options.metaTrainClasses ?? DEFAULT_CLASS_SPLIT.metaTrain);
  const testSet = selectClasses(test, options.metaTestClasses ?? DEFAULT_CLASS_SPLIT.metaTest);
  const knnTemperature = temperatures.reduce((best, t) => (Math.abs(Math.log(t)) < Math.abs(Math.log(best)) ? t : best), temperatures[0] ?? 1);
  const points: TemperaturePoint[] = [];
  let knn: KnnPoint[] = [];
  const evalSeed = rng.nextUint32();
  for (const [i, temperature] of temperatures.entries()) {
    const learner = await metaTrain(trainSet, {
      method: "matching",
      ways,
      shots,
      queries,
      temperature,
      steps: options.stepsPerTemperature ?? 300,
      seed: rng.nextUint32(),
      ...(options.arch === undefined ? {} : { arch: options.arch }),
      ...(options.signal === undefined ? {} : { signal: options.signal }),
    });
    try {
      const common = { ways, shots, queries, episodes, seed: evalSeed, metric: learner.metric, temperature, ...(options.signal === undefined ? {} : { signal: options.signal }) };
      const trainFeatures = await embedDataset(learner.embedding, trainSet, undefined, options.signal);
      const testFeatures = await embedDataset(learner.embedding, testSet, undefined, options.signal);
      const fit = await evaluateFewShot(trainFeatures, { ...common, classifiers: ["matching"] });
      const gen = await evaluateFewShot(testFeatures, { ...common, classifiers: ["matching"] });
      points.push({ temperature, metaTrain: fit.matching, metaTest: gen.matching, finalLoss: learner.history[learner.history.length - 1]?.loss ?? Number.NaN });
      if (temperature === knnTemperature) {
        knn = [];
        for (const k of ks) {
          const a = await evaluateFewShot(trainFeatures, { ...common, k, classifiers: ["knn"] });
          const b = await evaluateFewShot(testFeatures, { ...common, k, classifiers: ["knn"] });
          knn.push({ k, metaTrain: a.knn, metaTest: b.knn });
        }
      }
    } finally {
      learner.embedding.dispose();
    }
    options.onProgress?.({ phase: "temperature sweep", step: i + 1, total: temperatures.length, metrics: { temperature } });
  }
  return { ways, shots, temperatures: points, knn, knnTemperature, seconds: (performance.now() - started) / 1000 };
}
