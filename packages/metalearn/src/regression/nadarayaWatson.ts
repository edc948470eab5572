import { assertArgument } from "@dl/tensor-core";

import { assertTemperature, type Temperature } from "../classifiers/softNearestNeighbour.js";
import { pairwiseDistances, type DistanceMetric } from "../classifiers/distances.js";
import * as tf from "@tensorflow/tfjs-core";

/**
 * Nadaraya–Watson kernel regression with a softmax kernel (Nadaraya 1964; Watson 1964):
 * ŷ(q) = Σ_s softmax_s(−d(q, s)/T) · y_s — the soft nearest neighbour for continuous targets.
 * `query` `[Q, D]`, `support` `[S, D]`, `supportY` `[S]` → `[Q]`.
 */
export function nadarayaWatson(
  query: tf.Tensor2D,
  support: tf.Tensor2D,
  supportY: tf.Tensor1D,
  temperature: Temperature,
  metric: DistanceMetric = "squared-euclidean",
): tf.Tensor1D {
  assertArgument(supportY.shape[0] === support.shape[0], () => `${supportY.shape[0]} targets for ${support.shape[0]} support rows.`);
  if (typeof temperature === "number") assertTemperature(temperature);
  return tf.tidy(() => {
    const weights = tf.softmax(tf.div(tf.neg(pairwiseDistances(query, support, metric)), temperature));
    return tf.reshape(tf.matMul(weights, tf.reshape(supportY, [-1, 1])), [-1]);
  });
}
