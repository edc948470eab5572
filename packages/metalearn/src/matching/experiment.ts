import { createRng, type RunOptions } from "@dl/tensor-core";

import { augmentClassesBySymmetry, createEpisodeSampler, DEFAULT_CLASS_SPLIT, gatherImages, selectClasses } from "../tasks/episodes.js";
import { tf } from "../tf.js";
import type { LabelledImages } from "../types.js";
import type { DistanceMetric } from "./distances.js";
import { embedDataset, imagesToTensor, pixelsAsVectors, type EmbeddingArch } from "./embedding.js";
import { evaluateFewShot, type FewShotEvaluation } from "./evaluate.js";
import { metaTrain, type MetaTrainHistoryEntry, type TrainableMethod } from "./metaTrain.js";
import { attentionWeights } from "./softNearestNeighbour.js";

export interface FewShotExperimentOptions extends RunOptions {
  ways: number;
  shots: number;
  queries?: number;
  /** Test episodes (default 600). */
  episodes?: number;
  /** Method whose embedding is meta-trained; kNN is evaluated on the proto embedding. */
  method: TrainableMethod | "knn";
  metaTrainClasses?: readonly number[];
  metaTestClasses?: readonly number[];
  arch?: EmbeddingArch;
  metric?: DistanceMetric;
  temperature?: number | "learned";
  steps?: number;
  timeBudgetSeconds?: number;
  /** Rotations/mirrors per meta-train class turned into new classes (1 = none, default 8). */
  symmetries?: number;
  /** Ways of the meta-training episodes (default: min(20, meta-train classes after augmentation)). */
  trainWays?: number;
  k?: number;
}

export interface ExampleEpisode {
  ways: number;
  shots: number;
  /** Support images (class-major) and the first query of each class, `[n, h·w·c]`. */
  supportImages: Float32Array;
  queryImages: Float32Array;
  /** Attention of each shown query over the support set (rows sum to 1), `[ways, ways·shots]`. */
  attention: Float32Array;
  queryLabels: Int32Array;
}

export interface FewShotExperimentResult {
  ways: number;
  shots: number;
  queries: number;
  method: TrainableMethod | "knn";
  metaTrainClasses: readonly number[];
  metaTestClasses: readonly number[];
  /** Meta-test accuracy of matching / proto / kNN on the learned embedding (same episodes). */
  learned: FewShotEvaluation;
  /** The same classifiers on raw pixels: what the learning added. */
  pixels: FewShotEvaluation;
  training: { steps: number; seconds: number; temperature: number; history: MetaTrainHistoryEntry[]; trainClasses: number; trainWays: number };
  example: ExampleEpisode;
}

/**
 * Meta-trains an embedding on the meta-train classes of `train` and measures N-way K-shot accuracy
 * on the held-out meta-test classes of `test` (held-out classes and images), against raw pixels.
 */
export async function runFewShotExperiment(train: LabelledImages, test: LabelledImages, options: FewShotExperimentOptions): Promise<FewShotExperimentResult> {
  const metaTrainClasses = options.metaTrainClasses ?? DEFAULT_CLASS_SPLIT.metaTrain;
  const metaTestClasses = options.metaTestClasses ?? DEFAULT_CLASS_SPLIT.metaTest;
  const queries = options.queries ?? 15;
  const symmetries = options.symmetries ?? 8;
  const rng = createRng(options.seed);
  const trainMethod: TrainableMethod = options.method === "knn" ? "proto" : options.method;
  const testSet = selectClasses(test, metaTestClasses);
  // Validate the test episodes before minutes of training (ways vs classes, shots + queries vs examples).
  createEpisodeSampler(testSet, { ways: options.ways, shots: options.shots, queries, classes: metaTestClasses });
  const trainSet = augmentClassesBySymmetry(selectClasses(train, metaTrainClasses), symmetries);
  const trainClasses = metaTrainClasses.length * symmetries;
  const trainWays = options.trainWays ?? Math.min(20, trainClasses);
  const learner = await metaTrain(trainSet, {
    method: trainMethod,
    ways: trainWays,
    shots: options.shots,
    queries: Math.min(queries, 15),
    seed: rng.nextUint32(),
    ...(options.arch === undefined ? {} : { arch: options.arch }),
    ...(options.metric === undefined ? {} : { metric: options.metric }),
    temperature: options.temperature ?? "learned",
    ...(options.steps === undefined ? {} : { steps: options.steps }),
    ...(options.timeBudgetSeconds === undefined ? {} : { timeBudgetSeconds: options.timeBudgetSeconds }),
    ...(options.onProgress === undefined ? {} : { onProgress: options.onProgress }),
    ...(options.signal === undefined ? {} : { signal: options.signal }),
  });
  try {
    const evalSeed = rng.nextUint32();
    const common = {
      ways: options.ways,
      shots: options.shots,
      queries,
      episodes: options.episodes ?? 600,
      seed: evalSeed,
      metric: learner.metric,
      ...(options.k === undefined ? {} : { k: options.k }),
      ...(options.onProgress === undefined ? {} : { onProgress: options.onProgress }),
      ...(options.signal === undefined ? {} : { signal: options.signal }),
    };
    const learned = await evaluateFewShot(embedDataset(learner.embedding, testSet), { ...common, temperature: learner.temperature });
    const pixels = await evaluateFewShot(pixelsAsVectors(testSet), { ...common, temperature: 1 });
    const example = exampleEpisode(learner.embedding, testSet, options.ways, options.shots, learner.temperature, learner.metric, rng.nextUint32());
    return {
      ways: options.ways,
      shots: options.shots,
      queries,
      method: options.method,
      metaTrainClasses,
      metaTestClasses,
      learned,
      pixels,
      training: { steps: learner.steps, seconds: learner.seconds, temperature: learner.temperature, history: learner.history, trainClasses, trainWays },
      example,
    };
  } finally {
    learner.embedding.dispose();
  }
}

function exampleEpisode(
  embedding: Parameters<typeof embedDataset>[0],
  dataset: LabelledImages,
  ways: number,
  shots: number,
  temperature: number,
  metric: DistanceMetric,
  seed: number,
): ExampleEpisode {
  const ep = createEpisodeSampler(dataset, { ways, shots, queries: 1, seed }).next();
  const shape = [dataset.height, dataset.width, dataset.channels] as const;
  const supportImages = gatherImages(dataset, ep.supportIndices);
  const queryImages = gatherImages(dataset, ep.queryIndices);
  const attention = tf.tidy(() => {
    const zs = embedding.apply(imagesToTensor(supportImages, ep.supportIndices.length, shape)) as tf.Tensor2D;
    const zq = embedding.apply(imagesToTensor(queryImages, ep.queryIndices.length, shape)) as tf.Tensor2D;
    return attentionWeights(zq, zs, { metric, temperature }).dataSync() as Float32Array;
  });
  return { ways, shots, supportImages, queryImages, attention, queryLabels: ep.queryLabels };
}
