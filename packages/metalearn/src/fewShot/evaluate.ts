import { DlError, assertArgument, cancelPoint, createRng, listNames, type RunOptions } from "@dl/tensor-core";

import { meanConfidenceInterval } from "../stats.js";
import { createEpisodeSampler } from "../tasks/episodes.js";
import * as tf from "@tensorflow/tfjs-core";
import type { AccuracySummary } from "../types.js";
import { unitRows, type DistanceMetric } from "../classifiers/distances.js";
import type { LabelledVectors } from "../matching/embedding.js";
import { knnPredict } from "../classifiers/knn.js";
import { DEFAULT_MAHALANOBIS_SHRINKAGE, mahalanobisLogProbs } from "../classifiers/mahalanobis.js";
import { episodeLogProbs } from "../matching/metaTrain.js";
import { fitLogisticRegression, linearLogits, type LogisticRegressionOptions } from "../classifiers/logisticRegression.js";
import { centreOnEpisode, DEFAULT_TRANSDUCTIVE_ITERATIONS, transductiveLogProbs } from "../classifiers/transductive.js";

export const FEW_SHOT_METHODS = ["matching", "proto", "knn"] as const;
export type FewShotMethod = (typeof FEW_SHOT_METHODS)[number];

/** The classifier whose embedding is trained episodically, from its name (a CLI flag, a URL parameter). */
export function parseFewShotMethod(value: string): FewShotMethod {
  if ((FEW_SHOT_METHODS as readonly string[]).includes(value)) return value as FewShotMethod;
  throw new DlError("INVALID_ARGUMENT", `Unknown few-shot method "${value}"; valid: ${listNames(FEW_SHOT_METHODS)}.`, { details: { valid: FEW_SHOT_METHODS } });
}

/** Every classifier `evaluateFewShot` reports, in display order: the inductive four, then the transductive one. */
export const EVALUATED_CLASSIFIERS = ["matching", "proto", "knn", "mahalanobis", "transductive"] as const;
export type EvaluatedClassifier = (typeof EVALUATED_CLASSIFIERS)[number];

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
  /** Soft k-means iterations of the transductive classifier (default 3). */
  transductiveIterations?: number;
  /** Shrinkage of the Mahalanobis classifier, relative to the task's mean variance (default 40). */
  mahalanobisShrinkage?: number;
  /**
   * Every view's own features of the same rows (e.g. `pretrainedFeatures`' `views`: the image, its shifts and warps).
   * When given, a logistic regression is fitted on the support images' views of each episode and labels the queries'
   * (averaged) features: reported as `logistic`. Inductive: the views are the shots' own augmentations.
   */
  supportViews?: readonly LabelledVectors[];
  /** The logistic regression's L2 penalty and gradient steps (defaults `DEFAULT_LOGISTIC_PENALTY`, `DEFAULT_LOGISTIC_ITERATIONS`). */
  logistic?: LogisticRegressionOptions;
}

/**
 * `evaluateFewShot`'s options with the classifiers to run: by default all of `EVALUATED_CLASSIFIERS`. The episodes do not
 * depend on the choice, so a classifier's accuracies are the same whichever others run beside it; the Mahalanobis and
 * transductive classifiers cost most of an episode's time, so a caller that reads only prototypes names only `proto`.
 */
export interface FewShotClassifierOptions<C extends EvaluatedClassifier> extends FewShotEvaluationOptions {
  classifiers?: readonly C[];
}

export const FEATURE_CENTRINGS = ["none", "support"] as const;
export type FeatureCentring = (typeof FEATURE_CENTRINGS)[number];

/** The accuracy of each classifier `evaluateFewShot` ran (by default all five), over the same episodes. */
export type FewShotEvaluation<C extends EvaluatedClassifier = EvaluatedClassifier> = Pick<FewShotAccuracies, C> & {
  /**
   * Only with `supportViews`: multinomial logistic regression fitted on the shots' augmented views (`fitLogisticRegression`,
   * "a good embedding is all you need", Tian et al. 2020), applied to each query's features on its own (inductive).
   */
  logistic?: AccuracySummary;
  k: number;
  episodes: number;
  /** Per-episode query accuracy of each classifier that ran, in episode order (`logistic` only with `supportViews`). */
  episodeAccuracies: Record<C, Float64Array> & { logistic?: Float64Array };
};

/** Every classifier's accuracy summary (`FewShotEvaluation` keeps those that ran). */
export interface FewShotAccuracies {
  matching: AccuracySummary;
  proto: AccuracySummary;
  knn: AccuracySummary;
  /**
   * Gaussian classes with covariances shrunk from the support set (Simple CNAPS-style,
   * `mahalanobisLogProbs`); inductive, on the same (optionally centred) features as the three above.
   */
  mahalanobis: AccuracySummary;
  /**
   * Transductive: the episode's features centred on the mean of support and queries, then prototypes
   * refined by soft k-means over the unlabelled queries (`transductiveLogProbs`, temperature as matching).
   * It sees all queries of an episode at once, so it answers a different question than the three
   * inductive classifiers, which label each query on its own.
   */
  transductive: AccuracySummary;
}

/**
 * Support-set centring: subtracts the mean support row from support and query rows, then scales every
 * row to unit norm (inductive: uses the labelled support set only). Returns new tensors.
 */
export function centreOnSupport(support: tf.Tensor2D, query: tf.Tensor2D): { support: tf.Tensor2D; query: tf.Tensor2D } {
  return tf.tidy(() => {
    const mean = tf.mean(support, 0, true);
    return { support: unitRows(tf.sub(support, mean)), query: unitRows(tf.sub(query, mean)) };
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
 * Query accuracy of the soft nearest-neighbour (matching), prototypical, kNN, Mahalanobis and transductive classifiers
 * (or those named in `classifiers`) on the same episodes over already-embedded data; mean with a 95% confidence interval.
 */
export async function evaluateFewShot<C extends EvaluatedClassifier = EvaluatedClassifier>(features: LabelledVectors, options: FewShotClassifierOptions<C>): Promise<FewShotEvaluation<C>> {
  const classifiers = [...new Set<EvaluatedClassifier>(options.classifiers ?? EVALUATED_CLASSIFIERS)] as C[];
  assertArgument(classifiers.length >= 1, () => `classifiers must name at least one of ${listNames(EVALUATED_CLASSIFIERS)}.`);
  for (const c of classifiers) assertArgument((EVALUATED_CLASSIFIERS as readonly string[]).includes(c), () => `Unknown classifier "${c}"; valid: ${listNames(EVALUATED_CLASSIFIERS)}.`);
  const runs = (c: EvaluatedClassifier): boolean => (classifiers as readonly EvaluatedClassifier[]).includes(c);
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
  const iterations = options.transductiveIterations ?? DEFAULT_TRANSDUCTIVE_ITERATIONS;
  assertArgument(Number.isInteger(iterations) && iterations >= 0, () => `transductiveIterations must be an integer ≥ 0, got ${iterations}.`);
  const shrinkage = options.mahalanobisShrinkage ?? DEFAULT_MAHALANOBIS_SHRINKAGE;
  assertArgument(Number.isFinite(shrinkage) && shrinkage > 0, () => `mahalanobisShrinkage must be a finite number > 0, got ${shrinkage}.`);
  const acc = Object.fromEntries(classifiers.map((c) => [c, new Float64Array(episodes)])) as Record<C, Float64Array>;
  const views = options.supportViews;
  for (const v of views ?? []) assertArgument(v.count === features.count && v.dim === features.dim, () => `Each view needs ${features.count} rows of ${features.dim} features (as the averaged ones), got ${v.count} of ${v.dim}.`);
  const logistic = views === undefined ? undefined : new Float64Array(episodes);
  const stopPoint = cancelPoint(options.signal);
  for (let e = 0; e < episodes; e++) {
    await stopPoint();
    const ep = sampler.next();
    const predictions: Partial<Record<EvaluatedClassifier, tf.TypedArray>> = tf.tidy(() => {
      const rawSupport = gatherRows(features, ep.supportIndices);
      const rawQuery = gatherRows(features, ep.queryIndices);
      const { support, query } = centre === "support" ? centreOnSupport(rawSupport, rawQuery) : { support: rawSupport, query: rawQuery };
      const out: Partial<Record<EvaluatedClassifier, tf.TypedArray>> = {};
      if (runs("matching")) out.matching = tf.argMax(episodeLogProbs(support, ep.supportLabels, query, ep.ways, "matching", metric, temperature), 1).dataSync();
      if (runs("proto")) out.proto = tf.argMax(episodeLogProbs(support, ep.supportLabels, query, ep.ways, "proto", metric, 1), 1).dataSync();
      if (runs("knn")) out.knn = knnPredict(query, support, ep.supportLabels, ep.ways, k, metric);
      if (runs("mahalanobis")) out.mahalanobis = tf.argMax(mahalanobisLogProbs(support, ep.supportLabels, query, ep.ways, shrinkage), 1).dataSync();
      if (runs("transductive")) {
        const episode = centreOnEpisode(rawSupport, rawQuery);
        out.transductive = tf.argMax(transductiveLogProbs(episode.support, ep.supportLabels, episode.query, ep.ways, metric, temperature, iterations), 1).dataSync();
      }
      return out;
    });
    for (const c of classifiers) acc[c][e] = accuracy(predictions[c] as ArrayLike<number>, ep.queryLabels);
    if (logistic !== undefined && views !== undefined) logistic[e] = accuracy(logisticPredict(features, views, ep, options.logistic), ep.queryLabels);
    if ((e + 1) % 50 === 0 || e === episodes - 1) {
      options.onProgress?.({ phase: "evaluate", step: e + 1, total: episodes });
    }
  }
  const summaries = Object.fromEntries(classifiers.map((c) => [c, meanConfidenceInterval(acc[c])])) as Pick<FewShotAccuracies, C>;
  return {
    ...summaries,
    ...(logistic === undefined ? {} : { logistic: meanConfidenceInterval(logistic) }),
    k,
    episodes,
    episodeAccuracies: logistic === undefined ? acc : { ...acc, logistic },
  };
}

/** Fits the logistic regression on every view of the episode's support rows and labels each query's (averaged) row. */
function logisticPredict(features: LabelledVectors, views: readonly LabelledVectors[], ep: { supportIndices: Int32Array; supportLabels: Int32Array; queryIndices: Int32Array; ways: number }, options: LogisticRegressionOptions | undefined): Int32Array {
  const { dim } = features;
  const shots = ep.supportIndices.length;
  const rows = new Float32Array(views.length * shots * dim);
  const labels = new Int32Array(views.length * shots);
  views.forEach((view, v) =>
    ep.supportIndices.forEach((idx, s) => {
      rows.set(view.data.subarray(idx * dim, (idx + 1) * dim), (v * shots + s) * dim);
      labels[v * shots + s] = ep.supportLabels[s] as number;
    }),
  );
  const queries = new Float32Array(ep.queryIndices.length * dim);
  ep.queryIndices.forEach((idx, q) => queries.set(features.data.subarray(idx * dim, (idx + 1) * dim), q * dim));
  const logits = linearLogits(fitLogisticRegression(rows, labels, ep.ways, options), queries);
  return Int32Array.from({ length: ep.queryIndices.length }, (_, q) => {
    let best = 0;
    for (let c = 1; c < ep.ways; c++) if ((logits[q * ep.ways + c] as number) > (logits[q * ep.ways + best] as number)) best = c;
    return best;
  });
}
