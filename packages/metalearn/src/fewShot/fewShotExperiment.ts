import { DlError, assertArgument, cancelPoint, createRng, listNames, type ProgressEvent, type RunOptions } from "@dl/tensor-core";

import { augmentClassesBySymmetry, createEpisodeSampler, DEFAULT_CLASS_SPLIT, gatherImages, selectClasses } from "../tasks/episodes.js";
import * as tf from "@tensorflow/tfjs-core";
import type { LabelledImages } from "@dl/tensor-core";
import type { DistanceMetric } from "../classifiers/distances.js";
import { embedDataset, pixelsAsVectors, type EmbeddingArch } from "../matching/embedding.js";
import { centreOnSupport, evaluateFewShot, type FeatureCentring, type FewShotEvaluation } from "./evaluate.js";
import { metaTrain, type TrainableMethod } from "../matching/metaTrain.js";
import { attentionWeights, assertTemperature } from "../classifiers/softNearestNeighbour.js";
import { fitTemperature } from "../classifiers/fitTemperature.js";
import { pretrainedFeatures, type ImageWarp } from "../pretrain/embedding.js";
import type { BlockFeatureSpec } from "../pretrain/features.js";
import { pretrainClassifier, type PretrainHead, type PretrainedNetwork } from "../pretrain/supervised.js";
import { concatenateFeatures } from "../pretrain/cl2n.js";
import { logisticPenaltyForBlocks } from "../classifiers/logisticRegression.js";
import type { LabelledVectors } from "../matching/embedding.js";

export const EMBEDDING_TRAININGS = ["pretrain", "episodic"] as const;
/**
 * How the embedding is learned from the meta-train classes. `pretrain`: one supervised classifier over
 * every (symmetry-augmented) meta-train class, then its pooled conv features (Tian et al. 2020,
 * SimpleShot). `episodic`: N-way K-shot episodes through the chosen classifier (Vinyals et al. 2016).
 */
export type EmbeddingTraining = (typeof EMBEDDING_TRAININGS)[number];

export function parseEmbeddingTraining(value: string): EmbeddingTraining {
  if ((EMBEDDING_TRAININGS as readonly string[]).includes(value)) return value as EmbeddingTraining;
  throw new DlError("INVALID_ARGUMENT", `Unknown embedding training "${value}"; valid: ${listNames(EMBEDDING_TRAININGS)}.`, { details: { valid: EMBEDDING_TRAININGS } });
}

/** Loss and training accuracy over a window of steps (episodes or batches); the temperature while it is meta-trained. */
export interface TrainingHistoryEntry {
  step: number;
  loss: number;
  accuracy: number;
  temperature?: number;
}

export interface FewShotExperimentOptions extends RunOptions {
  ways: number;
  shots: number;
  queries?: number;
  /** Test episodes (default 600). */
  episodes?: number;
  /** Method whose embedding is meta-trained episodically; kNN uses the proto embedding. With `training: "pretrain"` all three share one embedding. */
  method: TrainableMethod | "knn";
  /** How the embedding is learned (default `pretrain`). */
  training?: EmbeddingTraining;
  /** Pretraining CNN: filters per conv block (default [16, 32, 64]). */
  filters?: readonly number[];
  /** Pretraining: which conv blocks and pooling grids make the features (default: last block, 3×3 grid). */
  featureBlocks?: readonly BlockFeatureSpec[];
  /** Pretraining: weight of unit-norm raw pixels appended to the features (default 0). */
  pixelWeight?: number;
  /**
   * Pretraining: networks trained one after another (default 1). Each after the first is trained with the
   * same budget on the same data while distilling its predecessor (born-again networks, Furlanello et al.
   * 2018; self-distillation as in RFS, Tian et al. 2020), and the few-shot features are every
   * generation's unit-norm features side by side (equal weights).
   */
  generations?: number;
  /**
   * Pretraining: independent networks (default 1), each from its own random start (and, with
   * `generations` > 1, each its own born-again chain); the few-shot features are every network's
   * unit-norm features side by side (equal weights), so nearest neighbours average their squared distances.
   */
  ensemble?: number;
  /** Pretraining: label smoothing ε of each network's cross-entropy (default 0). */
  labelSmoothing?: number;
  /** Pretraining: mixup's α, λ ~ Beta(α, α) per batch (default 0 = off). */
  mixupAlpha?: number;
  /** Pretraining: each network's classifier head, `linear` (default) or `cosine` (Baseline++: logits s·cos(f, w_c)). */
  head?: PretrainHead;
  /** Pretraining: the cosine head's logit scale s (default 10). */
  cosineScale?: number;
  /** Pretraining: power-transform exponent of the features (default 0.5). */
  power?: number;
  /** Pretraining: average features over ±r pixel translations of each image (default 1; 0 = off). */
  shiftRadius?: number;
  /** Pretraining: also average each image's features over these zoomed / rotated copies (default none; inductive: one image at a time). */
  warps?: readonly ImageWarp[];
  /**
   * Pretraining: also fit a logistic regression on each shot's views (the image, its shifts and warps) in every test
   * episode and report it as `learned.logistic` (default false; inductive: each query is labelled on its own).
   */
  logistic?: boolean;
  /** Centre each episode's features on its support mean before classifying (default `none`: on pretrained features it cost a point 1-shot; on raw pixels it gains one). */
  centre?: FeatureCentring;
  /**
   * Extra meta-train images whose classes are disjoint from the meta-test classes (e.g. MNIST digits);
   * their labels are offset past the meta-train labels and they are symmetry-augmented too.
   */
  extraTrain?: LabelledImages;
  /** Only these labels of `extraTrain` are used (default: all), e.g. MNIST digits 0–4 so digits 5–9 stay a validation set. */
  extraTrainClasses?: readonly number[];
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
  /** The dataset label of each way (row of `attention`; support columns come `shots` per way), e.g. 5–9. */
  classes: Int32Array;
}

export interface FewShotExperimentResult {
  ways: number;
  shots: number;
  queries: number;
  method: TrainableMethod | "knn";
  metaTrainClasses: readonly number[];
  metaTestClasses: readonly number[];
  /** Meta-test accuracy of every evaluated classifier (`EVALUATED_CLASSIFIERS`) on the learned embedding (same episodes). */
  learned: FewShotEvaluation;
  /** The same classifiers on raw pixels: what the learning added. */
  pixels: FewShotEvaluation;
  training: {
    embedding: EmbeddingTraining;
    /** Optimiser steps: episodes (episodic) or batches (pretrain; all generations together). */
    steps: number;
    /** Pretrained networks per chain, each later one distilled from the one before (1 = no distillation). */
    generations: number;
    /** Independent chains of networks whose features are concatenated (1 = one chain). */
    ensemble: number;
    /** Pretraining regularisers of every network: label smoothing ε and mixup's α (0 = off; episodic: 0). */
    labelSmoothing: number;
    mixupAlpha: number;
    /** Pretraining: each network's classifier head and the cosine head's scale (episodic: `linear`). */
    head: PretrainHead;
    cosineScale: number;
    /** Pretraining: the zoomed / rotated copies each image's features were averaged over besides its shifts (episodic: none). */
    warps: readonly ImageWarp[];
    /** Whether `learned.logistic` was measured (a logistic regression on each shot's views). */
    logistic: boolean;
    /** The logistic regression's L2 penalty λ: the default for one unit-norm network times the networks side by side (`logisticPenaltyForBlocks`). */
    logisticPenalty: number;
    seconds: number;
    /** The soft nearest-neighbour temperature used at test time: fixed, meta-trained, or fitted on meta-train episodes of the pretrained features. */
    temperature: number;
    history: TrainingHistoryEntry[];
    /** Classes trained on, after symmetry augmentation (and extra sources). */
    trainClasses: number;
    /** Ways of the training episodes (episodic), or the classifier's output classes (pretrain). */
    trainWays: number;
    /** Images trained on (after augmentation). */
    trainImages: number;
  };
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
  const training = parseEmbeddingTraining(options.training ?? "pretrain");
  if (typeof options.temperature === "number") assertTemperature(options.temperature);
  const rng = createRng(options.seed);
  // Between the phases below (each up to a second or two of array work), a turn for Ctrl-C.
  const stopPoint = cancelPoint(options.signal);
  const testSet = selectClasses(test, metaTestClasses);
  // Validate the test episodes before minutes of training (ways vs classes, shots + queries vs examples).
  createEpisodeSampler(testSet, { ways: options.ways, shots: options.shots, queries, classes: metaTestClasses });
  await stopPoint();
  const metaTrainSet = selectClasses(train, metaTrainClasses);
  await stopPoint();
  const trainSet = await augmentClassesBySymmetry(options.extraTrain === undefined ? metaTrainSet : withExtraClasses(metaTrainSet, options.extraTrainClasses === undefined ? options.extraTrain : selectClasses(options.extraTrain, options.extraTrainClasses)), symmetries, options.signal);
  const trainClasses = new Set(trainSet.labels).size;
  await stopPoint();
  const learner = training === "pretrain" ? await pretrained(metaTrainSet, trainSet, options, rng.nextUint32()) : await episodic(trainSet, trainClasses, options, queries, rng.nextUint32());
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
      centre: options.centre ?? "none",
      ...(options.onProgress === undefined ? {} : { onProgress: options.onProgress }),
      ...(options.signal === undefined ? {} : { signal: options.signal }),
    };
    // Two evaluations, each its own phase, so a progress bar does not restart under one name.
    const named = (phase: string) => (options.onProgress === undefined ? {} : { onProgress: (e: ProgressEvent) => options.onProgress?.({ ...e, phase }) });
    const embedded = await learner.embed(testSet, training === "pretrain" && options.logistic === true);
    // Every network's block is unit length, so the ensemble's rows have squared norm generations × ensemble.
    const logisticPenalty = logisticPenaltyForBlocks(learner.generations * learner.ensemble);
    const learned = await evaluateFewShot(embedded, { ...common, temperature: learner.temperature, ...(embedded.views === undefined ? {} : { supportViews: embedded.views, logistic: { penalty: logisticPenalty } }), ...named("evaluate (learned embedding)") });
    const pixels = await evaluateFewShot(pixelsAsVectors(testSet), { ...common, centre: "none", temperature: 1, ...named("evaluate (raw pixels)") });
    const example = await exampleEpisode(learner.embed, testSet, options.ways, options.shots, learner.temperature, learner.metric, common.centre, rng.nextUint32());
    return {
      ways: options.ways,
      shots: options.shots,
      queries,
      method: options.method,
      metaTrainClasses,
      metaTestClasses,
      learned,
      pixels,
      training: {
        embedding: training,
        steps: learner.steps,
        generations: learner.generations,
        ensemble: learner.ensemble,
        labelSmoothing: training === "pretrain" ? (options.labelSmoothing ?? 0) : 0,
        mixupAlpha: training === "pretrain" ? (options.mixupAlpha ?? 0) : 0,
        head: training === "pretrain" ? (options.head ?? "linear") : "linear",
        cosineScale: options.cosineScale ?? 10,
        warps: training === "pretrain" ? (options.warps ?? []) : [],
        logistic: training === "pretrain" && options.logistic === true,
        logisticPenalty,
        seconds: learner.seconds,
        temperature: learner.temperature,
        history: learner.history,
        trainClasses,
        trainWays: learner.trainWays,
        trainImages: trainSet.count,
      },
      example,
    };
  } finally {
    learner.dispose();
  }
}

/** A trained embedding as a function from images to feature rows, with what training reported. */
interface LearnedEmbedding {
  /** With `keepViews`, also every view's features (pretrained embeddings only). */
  embed: (dataset: LabelledImages, keepViews?: boolean) => Promise<LabelledVectors & { views?: LabelledVectors[] }>;
  metric: DistanceMetric;
  temperature: number;
  steps: number;
  generations: number;
  ensemble: number;
  seconds: number;
  history: TrainingHistoryEntry[];
  trainWays: number;
  dispose: () => void;
}

/** The meta-train set plus extra classes, relabelled past the largest meta-train label. */
export function withExtraClasses(metaTrain: LabelledImages, extra: LabelledImages): LabelledImages {
  const size = metaTrain.height * metaTrain.width * metaTrain.channels;
  if (extra.height * extra.width * extra.channels !== size || extra.height !== metaTrain.height) {
    throw new DlError("SHAPE_MISMATCH", `Extra meta-train images are ${extra.height}×${extra.width}×${extra.channels}, the meta-train set ${metaTrain.height}×${metaTrain.width}×${metaTrain.channels}; use a dataset of the same image size.`);
  }
  // A loop, not Math.max(...labels): spreading ≳ 125k labels overflows the call stack.
  const offset = metaTrain.labels.reduce((largest, y) => Math.max(largest, y), -1) + 1;
  const images = new Float32Array((metaTrain.count + extra.count) * size);
  images.set(metaTrain.images);
  images.set(extra.images.subarray(0, extra.count * size), metaTrain.count * size);
  const labels = new Int32Array(metaTrain.count + extra.count);
  labels.set(metaTrain.labels);
  extra.labels.forEach((y, i) => (labels[metaTrain.count + i] = y + offset));
  return { images, labels, count: metaTrain.count + extra.count, height: metaTrain.height, width: metaTrain.width, channels: metaTrain.channels };
}

/** At most `limit` examples of a dataset, evenly spaced (enough to fit a temperature). */
function firstRows(dataset: LabelledImages, limit: number): LabelledImages {
  if (dataset.count <= limit) return dataset;
  const indices = Int32Array.from({ length: limit }, (_, i) => Math.floor((i * dataset.count) / limit));
  return { ...dataset, images: gatherImages(dataset, indices), labels: Int32Array.from(indices, (i) => dataset.labels[i] as number), count: limit };
}

async function pretrained(metaTrainSet: LabelledImages, trainSet: LabelledImages, options: FewShotExperimentOptions, seed: number): Promise<LearnedEmbedding> {
  const rng = createRng(seed);
  const generations = options.generations ?? 1;
  assertArgument(Number.isInteger(generations) && generations >= 1, () => `generations must be an integer ≥ 1, got ${generations}.`);
  const ensemble = options.ensemble ?? 1;
  assertArgument(Number.isInteger(ensemble) && ensemble >= 1, () => `ensemble must be an integer ≥ 1, got ${ensemble}.`);
  const networks: PretrainedNetwork[] = [];
  const disposeAll = (): void => networks.forEach((n) => n.dispose());
  const total = generations * ensemble;
  try {
    for (let member = 0; member < ensemble; member++) {
      for (let g = 0; g < generations; g++) {
        // The network before in the same chain (none for a chain's first).
        const teacher = g === 0 ? undefined : networks[networks.length - 1];
        const phase = total === 1 ? undefined : `pretrain (${ensemble > 1 ? `network ${member + 1} of ${ensemble}` : ""}${ensemble > 1 && generations > 1 ? ", " : ""}${generations > 1 ? `generation ${g + 1} of ${generations}` : ""})`;
        networks.push(
          await pretrainClassifier(trainSet, {
            filters: options.filters ?? [16, 32, 64],
            seed: rng.nextUint32(),
            ...(teacher === undefined ? {} : { teacher: { classifier: teacher.classifier } }),
            ...(options.labelSmoothing === undefined ? {} : { labelSmoothing: options.labelSmoothing }),
            ...(options.mixupAlpha === undefined ? {} : { mixupAlpha: options.mixupAlpha }),
            ...(options.head === undefined ? {} : { head: options.head }),
            ...(options.cosineScale === undefined ? {} : { cosineScale: options.cosineScale }),
            ...(options.steps === undefined ? {} : { steps: options.steps }),
            ...(options.timeBudgetSeconds === undefined ? {} : { timeBudgetSeconds: options.timeBudgetSeconds }),
            ...(options.onProgress === undefined ? {} : { onProgress: (e: ProgressEvent) => options.onProgress?.(phase === undefined ? e : { ...e, phase }) }),
            ...(options.signal === undefined ? {} : { signal: options.signal }),
          }),
        );
      }
    }
  } catch (error) {
    disposeAll();
    throw error;
  }
  const featureOptions = {
    ...(options.featureBlocks === undefined ? {} : { blocks: options.featureBlocks }),
    ...(options.pixelWeight === undefined ? {} : { pixelWeight: options.pixelWeight }),
    ...(options.power === undefined ? {} : { power: options.power }),
    shiftRadius: options.shiftRadius ?? 1,
    ...(options.warps === undefined ? {} : { warps: options.warps }),
    ...(options.signal === undefined ? {} : { signal: options.signal }),
  };
  const sideBySide = (parts: readonly LabelledVectors[]): LabelledVectors => (parts.length === 1 ? (parts[0] as LabelledVectors) : concatenateFeatures(parts.map((features) => ({ features, weight: 1 }))));
  const embed = async (dataset: LabelledImages, keepViews = false): Promise<LabelledVectors & { views?: LabelledVectors[] }> => {
    if (!keepViews) {
      const parts: LabelledVectors[] = [];
      for (const network of networks) parts.push(await pretrainedFeatures(network, dataset, featureOptions));
      return sideBySide(parts);
    }
    const parts: (LabelledVectors & { views: LabelledVectors[] })[] = [];
    for (const network of networks) parts.push(await pretrainedFeatures(network, dataset, { ...featureOptions, keepViews: true }));
    // View v of the ensemble is view v of every network, side by side, as the averaged features are.
    const views = (parts[0]?.views ?? []).map((_, v) => sideBySide(parts.map((p) => p.views[v] as LabelledVectors)));
    return { ...sideBySide(parts), views };
  };
  const metric: DistanceMetric = options.metric ?? "squared-euclidean";
  try {
    // Learned temperature: the one that best explains meta-train episodes (original classes, no peeking at meta-test).
    const temperature =
      typeof options.temperature === "number"
        ? options.temperature
        : await fitTemperature(await embed(firstRows(metaTrainSet, 3000)), {
            ways: Math.min(options.ways, new Set(metaTrainSet.labels).size),
            shots: options.shots,
            queries: 5,
            metric,
            seed: rng.nextUint32(),
            ...(options.signal === undefined ? {} : { signal: options.signal }),
          });
    // One curve over all generations, steps counted on from the previous generation's last.
    let offset = 0;
    const history = networks.flatMap((n) => {
      const shifted = n.history.map((h) => ({ ...h, step: h.step + offset }));
      offset += n.steps;
      return shifted;
    });
    return {
      embed,
      metric,
      temperature,
      steps: networks.reduce((sum, n) => sum + n.steps, 0),
      generations,
      ensemble,
      seconds: networks.reduce((sum, n) => sum + n.seconds, 0),
      history,
      trainWays: (networks[0] as PretrainedNetwork).classes.length,
      dispose: disposeAll,
    };
  } catch (error) {
    disposeAll();
    throw error;
  }
}

async function episodic(trainSet: LabelledImages, trainClasses: number, options: FewShotExperimentOptions, queries: number, seed: number): Promise<LearnedEmbedding> {
  const trainMethod: TrainableMethod = options.method === "knn" ? "proto" : options.method;
  const trainWays = options.trainWays ?? Math.min(20, trainClasses);
  const learner = await metaTrain(trainSet, {
    method: trainMethod,
    ways: trainWays,
    shots: options.shots,
    queries: Math.min(queries, 15),
    seed,
    ...(options.arch === undefined ? {} : { arch: options.arch }),
    ...(options.metric === undefined ? {} : { metric: options.metric }),
    temperature: options.temperature ?? "learned",
    ...(options.steps === undefined ? {} : { steps: options.steps }),
    ...(options.timeBudgetSeconds === undefined ? {} : { timeBudgetSeconds: options.timeBudgetSeconds }),
    ...(options.onProgress === undefined ? {} : { onProgress: options.onProgress }),
    ...(options.signal === undefined ? {} : { signal: options.signal }),
  });
  return {
    embed: (dataset) => embedDataset(learner.embedding, dataset, undefined, options.signal),
    metric: learner.metric,
    temperature: learner.temperature,
    steps: learner.steps,
    generations: 1,
    ensemble: 1,
    seconds: learner.seconds,
    history: learner.history,
    trainWays,
    dispose: () => learner.embedding.dispose(),
  };
}

async function exampleEpisode(
  embed: (dataset: LabelledImages) => Promise<LabelledVectors>,
  dataset: LabelledImages,
  ways: number,
  shots: number,
  temperature: number,
  metric: DistanceMetric,
  centre: FeatureCentring,
  seed: number,
): Promise<ExampleEpisode> {
  const ep = createEpisodeSampler(dataset, { ways, shots, queries: 1, seed }).next();
  const supportImages = gatherImages(dataset, ep.supportIndices);
  const queryImages = gatherImages(dataset, ep.queryIndices);
  const asVectors = (images: Float32Array, labels: Int32Array): Promise<LabelledVectors> => embed({ images, labels, count: labels.length, height: dataset.height, width: dataset.width, channels: dataset.channels });
  const support = await asVectors(supportImages, ep.supportLabels);
  const query = await asVectors(queryImages, ep.queryLabels);
  const attention = tf.tidy(() => {
    let zs = tf.tensor2d(support.data, [support.count, support.dim]);
    let zq = tf.tensor2d(query.data, [query.count, query.dim]);
    // The figure shows the attention the evaluated classifier uses, so it is centred the same way.
    if (centre === "support") ({ support: zs, query: zq } = centreOnSupport(zs, zq));
    return attentionWeights(zq, zs, { metric, temperature }).dataSync() as Float32Array;
  });
  return { ways, shots, supportImages, queryImages, attention, queryLabels: ep.queryLabels, classes: ep.classes };
}
