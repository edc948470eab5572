import { assertArgument, cancelPoint, createRng } from "@dl/tensor-core";

import { createEpisodeSampler } from "../tasks/episodes.js";
import * as tf from "@tensorflow/tfjs-core";
import type { DistanceMetric } from "./distances.js";
import type { LabelledVectors } from "../matching/embedding.js";
import { softNearestNeighbourLogProbs } from "./softNearestNeighbour.js";

export interface FitTemperatureOptions {
  ways: number;
  shots: number;
  queries: number;
  /** Gradient steps, one episode each (default 200). */
  steps?: number;
  metric?: DistanceMetric;
  initialTemperature?: number;
  learningRate?: number;
  seed?: number;
  /** Stops between steps with `ABORTED` once it fires (the loop yields to the event loop so it can). */
  signal?: AbortSignal;
}

/**
 * The soft nearest-neighbour temperature that maximises query log-likelihood on episodes of frozen
 * (meta-train) features: Adam on log T, one episode per step. Returns T.
 */
export async function fitTemperature(features: LabelledVectors, options: FitTemperatureOptions): Promise<number> {
  const steps = options.steps ?? 200;
  assertArgument(Number.isInteger(steps) && steps >= 1, () => `steps must be an integer ≥ 1, got ${steps}.`);
  const initial = options.initialTemperature ?? 1;
  assertArgument(Number.isFinite(initial) && initial > 0, () => `initialTemperature must be > 0, got ${initial}.`);
  const metric = options.metric ?? "squared-euclidean";
  const rng = createRng(options.seed);
  const sampler = createEpisodeSampler(features, { ways: options.ways, shots: options.shots, queries: options.queries, seed: rng.nextUint32() });
  const rows = (indices: Int32Array): tf.Tensor2D => {
    const out = new Float32Array(indices.length * features.dim);
    indices.forEach((idx, r) => out.set(features.data.subarray(idx * features.dim, (idx + 1) * features.dim), r * features.dim));
    return tf.tensor2d(out, [indices.length, features.dim]);
  };
  const logTemperature = tf.tidy(() => tf.variable(tf.scalar(Math.log(initial)), true, `fitTemperature_${rng.nextUint32()}`));
  const optimizer = tf.train.adam(options.learningRate ?? 0.05);
  const stopPoint = cancelPoint(options.signal);
  try {
    for (let step = 0; step < steps; step++) {
      await stopPoint();
      const ep = sampler.next();
      tf.tidy(() => {
        const support = rows(ep.supportIndices);
        const query = rows(ep.queryIndices);
        const target = tf.oneHot(tf.tensor1d(ep.queryLabels, "int32"), ep.ways);
        optimizer.minimize(() => {
          const lp = softNearestNeighbourLogProbs(query, support, ep.supportLabels, ep.ways, { metric, temperature: tf.exp(logTemperature) });
          return tf.neg(tf.mean<tf.Scalar>(tf.sum(tf.mul(target, lp), 1)));
        }, false, [logTemperature]);
      });
    }
    return Math.exp(logTemperature.dataSync()[0] as number);
  } finally {
    optimizer.dispose();
    logTemperature.dispose();
  }
}
