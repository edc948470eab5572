import * as tf from "@tensorflow/tfjs-core";

import { assertArgument } from "@dl/tensor-core";

import type { DistanceMetric } from "./distances.js";
import { pairwiseDistances } from "./distances.js";
import { assertTemperature, type Temperature } from "./softNearestNeighbour.js";

/** c_k = mean of the embedded support examples of class k (Snell et al. 2017, eq. 1). `[N, D]`. */
export function classPrototypes(support: tf.Tensor2D, supportLabels: Int32Array, ways: number): tf.Tensor2D {
  assertArgument(supportLabels.length === support.shape[0], () => `${supportLabels.length} support labels for ${support.shape[0]} support rows.`);
  const counts = new Float32Array(ways);
  for (const y of supportLabels) {
    assertArgument(y >= 0 && y < ways, () => `Support label ${y} is outside 0..${ways - 1}.`);
    counts[y] = (counts[y] as number) + 1;
  }
  assertArgument(counts.every((c) => c > 0), "Every class needs at least one support example to have a prototype.");
  return tf.tidy(() => {
    const oneHot = tf.cast(tf.oneHot(tf.tensor1d(supportLabels, "int32"), ways), "float32"); // [S, N]
    const sums = tf.matMul(tf.transpose(oneHot), support); // [N, D]
    return tf.div(sums, tf.tensor2d(counts, [ways, 1]));
  });
}

/** Prototypical-network logits −d(q, c_k)/T (Snell et al. 2017, eq. 2). `[Q, N]`. */
export function prototypicalLogits(query: tf.Tensor2D, prototypes: tf.Tensor2D, metric: DistanceMetric, temperature: Temperature = 1): tf.Tensor2D {
  if (typeof temperature === "number") assertTemperature(temperature);
  return tf.tidy(() => tf.div(tf.neg(pairwiseDistances(query, prototypes, metric)), temperature));
}

/**
 * With squared euclidean distance a prototypical network is a linear classifier:
 * −‖q − c_k‖² = 2c_kᵀq − ‖c_k‖² − ‖q‖², and ‖q‖² is the same for every class (Snell et al. 2017, §2.4).
 * Returns W = 2Cᵀ `[D, N]` and b_k = −‖c_k‖² `[N]`.
 */
export function prototypesAsLinearClassifier(prototypes: tf.Tensor2D): { weights: tf.Tensor2D; bias: tf.Tensor1D } {
  return tf.tidy(() => ({
    weights: tf.mul(2, tf.transpose(prototypes)),
    bias: tf.neg(tf.sum<tf.Tensor1D>(tf.square(prototypes), 1)),
  }));
}
