import { assertArgument, createRng, throwIfAborted, type RunOptions } from "@dl/tensor-core";

import { meanConfidenceInterval } from "../stats.js";
import { createEpisodeSampler } from "../tasks/episodes.js";
import { tf } from "../tf.js";
import type { AccuracySummary } from "../types.js";
import type { DistanceMetric } from "./distances.js";
import type { LabelledVectors } from "./embedding.js";
import { knnPredict } from "./knn.js";
import { episodeLogProbs } from "./metaTrain.js";

export const FEW_SHOT_METHODS = ["matching", "proto", "knn"] as const;
export type FewShotMethod = (typeof FEW_SHOT_METHODS)[number];

export interface FewShotEvaluationOptions extends RunOptions {
  ways: number;
  shots: number;
  queries: number;
  /** Episodes to average (default 600). */
  episodes?: number;
  /** Dataset labels episodes are drawn from (e.g. the meta-test classes). */
  classes?: readonly number[];
  metric?: DistanceMetric;
  /** Soft nearest-neighbour temperature (> 0). */
  temperature?: number;
  /** Neighbours for the kNN baseline (default 1). */
  k?: number;
  /**
   * `support`: subtract the mean of the episode's support features from support and query rows, then
   * scale rows to unit norm, so distances ignore what every class of this task shares. Uses the
   * labelled support set only (inductive). Default `none`.
   */
  centre?: FeatureCentring;
}

export const FEATURE_CENTRINGS = ["none", "support"] as const;
export type FeatureCentring = (typeof FEATURE_CENTRINGS)[number];

export interface FewShotEvaluation {
  matching: AccuracySummary;
  proto: AccuracySummary;
  knn: AccuracySummary;
  k: number;
  episodes: number;
  /** Per-episode query accuracy of each method, in episode order. */
  episodeAccuracies: Record<FewShotMethod, Float64Array>;
}

/**
 * Support-set centring: subtracts the mean support row from support and query rows, then scales every
 * row to unit norm (inductive: uses the labelled support set only). Returns new tensors.
 */
export function centreOnSupport(support: tf.Tensor2D, query: tf.Tensor2D): { support: tf.Tensor2D; query: tf.Tensor2D } {
  return tf.tidy(() => {
    const mean = tf.mean(support, 0, true);
    const unit = (x: tf.Tensor2D): tf.Tensor2D => tf.mul(x, tf.rsqrt(tf.add(tf.sum(tf.square(x), 1, true), 1e-24)));
    return { support: unit(tf.sub(support, mean)), query: unit(tf.sub(query, mean)) };
  });
}

function gatherRows(features: LabelledVectors, indices: Int32Array): tf.Tensor2D {
  const out = new Float32Array(indices.length * features.dim);
  indices.forEach((idx, row) => out.set(features.data.subarray(idx * features.dim, (idx + 1) * features.dim), row * features.dim));
  return tf.tensor2d(out, [indices.length, features.dim]);
}

function accuracy(predicted: ArrayLike<number>, truth: Int32Array): number {
  let correct = 0;
  for (let i = 0; i < truth.length; i++) if (predicted[i] === truth[i]) correct++;
  return correct / truth.length;
}

/**
 * Query accuracy of the soft nearest-neighbour (matching), prototypical and kNN classifiers on the
 * same episodes over already-embedded data; mean with a 95% confidence interval.
 */
export async function evaluateFewShot(features: LabelledVectors, options: FewShotEvaluationOptions): Promise<FewShotEvaluation> {
  const episodes = options.episodes ?? 600;
  assertArgument(Number.isInteger(episodes) && episodes >= 1, () => `episodes must be an integer ≥ 1, got ${episodes}.`);
  assertArgument(options.queries >= 1, "Evaluation needs at least one query per class.");
  const metric = options.metric ?? "squared-euclidean";
  const temperature = options.temperature ?? 1;
  const k = options.k ?? 1;
  const centre = options.centre ?? "none";
  assertArgument((FEATURE_CENTRINGS as readonly string[]).includes(centre), () => `centre must be one of ${FEATURE_CENTRINGS.join(", ")}, got "${centre}".`);
  const rng = createRng(options.seed);
  const sampler = createEpisodeSampler(features, {
    ways: options.ways,
    shots: options.shots,
    queries: options.queries,
    seed: rng.nextUint32(),
    ...(options.classes === undefined ? {} : { classes: options.classes }),
  });
  const acc: Record<FewShotMethod, Float64Array> = {
    matching: new Float64Array(episodes),
    proto: new Float64Array(episodes),
    knn: new Float64Array(episodes),
  };
  for (let e = 0; e < episodes; e++) {
    const ep = sampler.next();
    const [matchingPred, protoPred, knnPred] = tf.tidy(() => {
      let support = gatherRows(features, ep.supportIndices);
      let query = gatherRows(features, ep.queryIndices);
      if (centre === "support") ({ support, query } = centreOnSupport(support, query));
      const m = tf.argMax(episodeLogProbs(support, ep.supportLabels, query, ep.ways, "matching", metric, temperature), 1).dataSync();
      const p = tf.argMax(episodeLogProbs(support, ep.supportLabels, query, ep.ways, "proto", metric, 1), 1).dataSync();
      return [m, p, knnPredict(query, support, ep.supportLabels, ep.ways, k, metric)] as const;
    });
    acc.matching[e] = accuracy(matchingPred, ep.queryLabels);
    acc.proto[e] = accuracy(protoPred, ep.queryLabels);
    acc.knn[e] = accuracy(knnPred, ep.queryLabels);
    if ((e + 1) % 50 === 0 || e === episodes - 1) {
      options.onProgress?.({ phase: "evaluate", step: e + 1, total: episodes });
      throwIfAborted(options.signal);
      await new Promise((resolve) => setTimeout(resolve, 0));
    }
  }
  return {
    matching: meanConfidenceInterval(acc.matching),
    proto: meanConfidenceInterval(acc.proto),
    knn: meanConfidenceInterval(acc.knn),
    k,
    episodes,
    episodeAccuracies: acc,
  };
}
