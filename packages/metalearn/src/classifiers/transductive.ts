import { assertArgument } from "@dl/tensor-core";

import * as tf from "@tensorflow/tfjs-core";
import { pairwiseDistances, unitRows, type DistanceMetric } from "./distances.js";

/** Soft k-means refinements of the prototypes in the transductive classifier (chosen on validation episodes). */
export const DEFAULT_TRANSDUCTIVE_ITERATIONS = 3;

/**
 * Transductive centring: subtracts the mean of every row of the episode — support and the unlabelled
 * queries — then scales each row to unit norm. Returns new tensors.
 */
export function centreOnEpisode(support: tf.Tensor2D, query: tf.Tensor2D): { support: tf.Tensor2D; query: tf.Tensor2D } {
  return tf.tidy(() => {
    const mean = tf.mean(tf.concat([support, query], 0), 0, true);
    return { support: unitRows(tf.sub(support, mean)), query: unitRows(tf.sub(query, mean)) };
  });
}

/**
 * Prototypes refined by soft k-means over the unlabelled queries (Ren et al. 2018, "Meta-learning for
 * semi-supervised few-shot classification"): start from the support means; each iteration assigns every
 * query to the classes by softmax(−d(q, p_c) / T) and moves p_c to the weighted mean of its support rows
 * (weight 1) and the queries (their assignment). Returns the `[Q, ways]` log-probabilities of the queries
 * under the refined prototypes. With 0 iterations this is the prototypical classifier.
 */
export function transductiveLogProbs(
  support: tf.Tensor2D,
  supportLabels: Int32Array,
  query: tf.Tensor2D,
  ways: number,
  metric: DistanceMetric,
  temperature: number,
  iterations = DEFAULT_TRANSDUCTIVE_ITERATIONS,
): tf.Tensor2D {
  assertArgument(Number.isInteger(iterations) && iterations >= 0, () => `iterations must be an integer ≥ 0, got ${iterations}.`);
  assertArgument(Number.isFinite(temperature) && temperature > 0, () => `temperature must be a finite number > 0, got ${temperature}.`);
  assertArgument(supportLabels.length === support.shape[0], () => `${supportLabels.length} support labels for ${support.shape[0]} support rows.`);
  return tf.tidy(() => {
    // transpose + plain matMul: wasm's transposeA path is far slower.
    const labelsT = tf.transpose(tf.cast(tf.oneHot(tf.tensor1d(supportLabels, "int32"), ways), "float32")) as tf.Tensor2D; // [ways, S]
    const supportSums = tf.matMul(labelsT, support); // [ways, D]
    const supportCounts = tf.sum(labelsT, 1, true); // [ways, 1]
    const scores = (prototypes: tf.Tensor2D): tf.Tensor2D => tf.div(tf.neg(pairwiseDistances(query, prototypes, metric)), temperature);
    let prototypes = tf.div<tf.Tensor2D>(supportSums, supportCounts);
    for (let i = 0; i < iterations; i++) {
      const assignmentT = tf.transpose<tf.Tensor2D>(tf.softmax(scores(prototypes))); // [ways, Q]
      prototypes = tf.div(tf.add(supportSums, tf.matMul(assignmentT, query)), tf.add(supportCounts, tf.sum(assignmentT, 1, true)));
    }
    return tf.logSoftmax(scores(prototypes));
  });
}
