import type * as tfl from "@tensorflow/tfjs-layers";

import { DlError, cancelPoint, createRng, listNames, type RunOptions } from "@dl/tensor-core";

import { classPrototypes, prototypicalLogits } from "../classifiers/prototypes.js";
import { createEpisodeSampler, gatherImages, type Episode } from "../tasks/episodes.js";
import * as tf from "@tensorflow/tfjs-core";
import type { LabelledImages } from "@dl/tensor-core";
import { parseDistanceMetric, type DistanceMetric } from "../classifiers/distances.js";
import { createEmbeddingNetwork, imagesToTensor, type EmbeddingArch } from "./embedding.js";
import { assertTemperature, softNearestNeighbourLogProbs, type Temperature } from "../classifiers/softNearestNeighbour.js";

export const TRAINABLE_METHODS = ["matching", "proto"] as const;
/** `matching`: soft nearest neighbour over every support example; `proto`: over class means. */
export type TrainableMethod = (typeof TRAINABLE_METHODS)[number];

export interface MetaTrainOptions extends RunOptions {
  method: TrainableMethod;
  ways: number;
  shots: number;
  queries: number;
  /** Dataset labels to meta-train on (default: all). */
  classes?: readonly number[];
  arch?: EmbeddingArch;
  embeddingSize?: number;
  metric?: DistanceMetric;
  /** A fixed temperature > 0, or "learned" (log-parameterised, starts at `initialTemperature`). */
  temperature?: number | "learned";
  initialTemperature?: number;
  /** Episodes to train on (default 1000). */
  steps?: number;
  /** Stop early after this many seconds of training (the step count then depends on the machine). */
  timeBudgetSeconds?: number;
  learningRate?: number;
}

export interface MetaTrainHistoryEntry {
  step: number;
  loss: number;
  accuracy: number;
  temperature: number;
}

export interface MetaLearner {
  embedding: tfl.LayersModel;
  method: TrainableMethod;
  metric: DistanceMetric;
  /** The final temperature (learned or fixed). */
  temperature: number;
  /** Loss and query accuracy, averaged over windows of training episodes. */
  history: MetaTrainHistoryEntry[];
  steps: number;
  seconds: number;
}

/** Log class probabilities of the query set under either method, `[Q, N]`. */
export function episodeLogProbs(
  support: tf.Tensor2D,
  supportLabels: Int32Array,
  query: tf.Tensor2D,
  ways: number,
  method: TrainableMethod,
  metric: DistanceMetric,
  temperature: Temperature,
): tf.Tensor2D {
  return tf.tidy(() => {
    if (method === "matching") return softNearestNeighbourLogProbs(query, support, supportLabels, ways, { metric, temperature });
    return tf.logSoftmax(prototypicalLogits(query, classPrototypes(support, supportLabels, ways), metric, temperature));
  });
}

function parseTrainableMethod(method: string): TrainableMethod {
  if ((TRAINABLE_METHODS as readonly string[]).includes(method)) return method as TrainableMethod;
  throw new DlError("INVALID_ARGUMENT", `Cannot meta-train method "${method}"; valid: ${listNames(TRAINABLE_METHODS)} (knn reuses a trained embedding).`);
}

/**
 * Episodic meta-training (Vinyals et al. 2016): each step samples an N-way K-shot task from the
 * meta-train classes and minimises the query negative log-likelihood through the embedding.
 */
export async function metaTrain(dataset: LabelledImages, options: MetaTrainOptions): Promise<MetaLearner> {
  const method = parseTrainableMethod(options.method);
  const metric = parseDistanceMetric(options.metric ?? "squared-euclidean");
  const learned = options.temperature === "learned";
  const fixedTemperature = typeof options.temperature === "number" ? options.temperature : (options.initialTemperature ?? 1);
  assertTemperature(fixedTemperature);
  const steps = options.steps ?? 1000;
  const rng = createRng(options.seed);
  const sampler = createEpisodeSampler(dataset, {
    ways: options.ways,
    shots: options.shots,
    queries: options.queries,
    seed: rng.nextUint32(),
    ...(options.classes === undefined ? {} : { classes: options.classes }),
  });
  const shape = [dataset.height, dataset.width, dataset.channels] as const;
  const embedding = createEmbeddingNetwork({
    inputShape: shape,
    seed: rng.nextUint32(),
    ...(options.arch === undefined ? {} : { arch: options.arch }),
    ...(options.embeddingSize === undefined ? {} : { embeddingSize: options.embeddingSize }),
  });
  const logTemperatureName = `logTemperature_${rng.nextUint32()}`;
  // Inside tidy so the initial scalar is freed; variables survive tidy.
  const logTemperature = learned ? tf.tidy(() => tf.variable(tf.scalar(Math.log(fixedTemperature)), true, logTemperatureName)) : undefined;
  const optimizer = tf.train.adam(options.learningRate ?? 1e-3);
  const variables = [...embedding.trainableWeights.map((w) => w.read() as tf.Variable), ...(logTemperature === undefined ? [] : [logTemperature])];
  const history: MetaTrainHistoryEntry[] = [];
  const window = Math.max(1, Math.floor(steps / 50));
  let lossSum = 0;
  let accSum = 0;
  let inWindow = 0;
  const started = performance.now();
  let step = 0;
  const stopPoint = cancelPoint(options.signal);
  try {
    for (; step < steps; step++) {
      await stopPoint();
      if ((options.timeBudgetSeconds ?? Infinity) * 1000 < performance.now() - started) break;
      const episode: Episode = sampler.next();
      const { loss, accuracy } = tf.tidy(() => {
        const s = episode.supportIndices.length;
        const x = imagesToTensor(gatherImages(dataset, Int32Array.from([...episode.supportIndices, ...episode.queryIndices])), s + episode.queryIndices.length, shape);
        const target = tf.oneHot(tf.tensor1d(episode.queryLabels, "int32"), episode.ways);
        let logp: tf.Tensor2D | undefined;
        const cost = optimizer.minimize(() => {
          const z = embedding.apply(x, { training: true }) as tf.Tensor2D;
          const temperature = logTemperature === undefined ? fixedTemperature : tf.exp(logTemperature);
          const lp = episodeLogProbs(tf.slice(z, [0, 0], [s, -1]), episode.supportLabels, tf.slice(z, [s, 0], [-1, -1]), episode.ways, method, metric, temperature);
          logp = tf.keep(lp);
          return tf.neg(tf.mean<tf.Scalar>(tf.sum(tf.mul(target, lp), 1)));
        }, true, variables);
        const correct = tf.equal(tf.argMax(logp as tf.Tensor2D, 1), tf.tensor1d(episode.queryLabels, "int32"));
        const result = { loss: (cost as tf.Scalar).dataSync()[0] as number, accuracy: tf.mean(tf.cast(correct, "float32")).dataSync()[0] as number };
        // tf.keep lets logp escape minimize's scope, and so this tidy too: dispose it by hand.
        logp?.dispose();
        return result;
      });
      lossSum += loss;
      accSum += accuracy;
      inWindow++;
      if (inWindow === window || step === steps - 1) {
        const temperature = logTemperature === undefined ? fixedTemperature : Math.exp(logTemperature.dataSync()[0] as number);
        const entry = { step: step + 1, loss: lossSum / inWindow, accuracy: accSum / inWindow, temperature };
        history.push(entry);
        options.onProgress?.({ phase: "meta-train", step: step + 1, total: steps, metrics: { loss: entry.loss, accuracy: entry.accuracy, temperature } });
        lossSum = accSum = inWindow = 0;
      }
    }
    const temperature = logTemperature === undefined ? fixedTemperature : Math.exp(logTemperature.dataSync()[0] as number);
    if (step < steps) options.onProgress?.({ phase: "meta-train", step, total: steps, stopped: `the time budget of ${options.timeBudgetSeconds ?? Infinity} s` });
    return { embedding, method, metric, temperature, history, steps: step, seconds: (performance.now() - started) / 1000 };
  } catch (error) {
    embedding.dispose();
    throw error;
  } finally {
    optimizer.dispose();
    logTemperature?.dispose();
  }
}
