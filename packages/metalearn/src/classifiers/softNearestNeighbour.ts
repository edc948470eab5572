import * as tf from "@tensorflow/tfjs-core";

import { DlError, assertArgument } from "@dl/tensor-core";

import type { DistanceMetric } from "./distances.js";
import { pairwiseDistances } from "./distances.js";

/** A positive number, or a scalar tensor (e.g. `exp(logTemperature)` while it is being learned). */
export type Temperature = number | tf.Scalar;

export interface SoftNearestNeighbourOptions {
  metric: DistanceMetric;
  temperature: Temperature;
}

/** Throws unless the temperature is a finite number > 0. */
export function assertTemperature(temperature: number): void {
  if (!(Number.isFinite(temperature) && temperature > 0)) {
    throw new DlError(
      "INVALID_ARGUMENT",
      `The temperature must be a finite number > 0, got ${temperature}; small values approach 1-nearest-neighbour, large values the class frequencies of the support set.`,
      { details: { temperature } },
    );
  }
}

function scaledNegativeDistances(query: tf.Tensor2D, support: tf.Tensor2D, options: SoftNearestNeighbourOptions): tf.Tensor2D {
  if (typeof options.temperature === "number") assertTemperature(options.temperature);
  const distances = pairwiseDistances(query, support, options.metric);
  return tf.div(tf.neg(distances), options.temperature);
}

/**
 * Attention of each query over the support set, a(q, s) = softmax_s(−d(q, s)/T)
 * (matching networks, Vinyals et al. 2016, eq. 2). Rows sum to 1.
 */
export function attentionWeights(query: tf.Tensor2D, support: tf.Tensor2D, options: SoftNearestNeighbourOptions): tf.Tensor2D {
  return tf.tidy(() => tf.softmax(scaledNegativeDistances(query, support, options)));
}

/** `[N, S]` additive mask: 0 where support example s has label k, a huge negative number elsewhere. */
function classMask(supportLabels: Int32Array, ways: number): tf.Tensor2D {
  const mask = new Float32Array(ways * supportLabels.length).fill(-1e9);
  supportLabels.forEach((y, s) => {
    assertArgument(y >= 0 && y < ways, () => `Support label ${y} is outside 0..${ways - 1}.`);
    mask[y * supportLabels.length + s] = 0;
  });
  return tf.tensor2d(mask, [ways, supportLabels.length]);
}

/**
 * Log class probabilities of the soft nearest-neighbour classifier, log Σ_{s: y_s = k} a(q, s), as a
 * masked log-sum-exp so tiny temperatures stay finite. `[Q, N]`.
 */
export function softNearestNeighbourLogProbs(
  query: tf.Tensor2D,
  support: tf.Tensor2D,
  supportLabels: Int32Array,
  ways: number,
  options: SoftNearestNeighbourOptions,
): tf.Tensor2D {
  assertArgument(supportLabels.length === support.shape[0], () => `${supportLabels.length} support labels for ${support.shape[0]} support rows.`);
  return tf.tidy(() => {
    const logits = scaledNegativeDistances(query, support, options); // [Q, S]
    const perClass = tf.logSumExp(tf.add(tf.expandDims(logits, 1), tf.expandDims(classMask(supportLabels, ways), 0)), 2); // [Q, N]
    return tf.sub(perClass, tf.logSumExp(logits, 1, true));
  });
}
