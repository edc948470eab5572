import * as tf from "@tensorflow/tfjs-core";

import { DlError, listNames } from "@dl/tensor-core";

export const DISTANCE_METRICS = ["squared-euclidean", "euclidean", "cosine"] as const;
/** How far a query is from a support example: ‖q−s‖², ‖q−s‖ or 1 − cos(q, s). */
export type DistanceMetric = (typeof DISTANCE_METRICS)[number];

export function parseDistanceMetric(metric: string): DistanceMetric {
  if ((DISTANCE_METRICS as readonly string[]).includes(metric)) return metric as DistanceMetric;
  throw new DlError("INVALID_ARGUMENT", `Unknown distance metric "${metric}"; valid metrics: ${listNames(DISTANCE_METRICS)}.`, {
    details: { valid: DISTANCE_METRICS },
  });
}

/** Each row scaled to unit euclidean length (a zero row stays zero). */
export function unitRows(x: tf.Tensor2D): tf.Tensor2D {
  return tf.tidy(() => tf.mul(x, tf.rsqrt(tf.add(tf.sum(tf.square(x), 1, true), 1e-24))));
}

/** `[Q, S]` distances between every query row and every support row. */
export function pairwiseDistances(query: tf.Tensor2D, support: tf.Tensor2D, metric: DistanceMetric): tf.Tensor2D {
  return tf.tidy((): tf.Tensor2D => {
    // transpose + plain matMul: wasm's transposeB path is far slower.
    if (metric === "cosine") {
      return tf.sub<tf.Tensor2D>(1, tf.matMul(unitRows(query), tf.transpose(unitRows(support))));
    }
    const q2 = tf.sum(tf.square(query), 1, true);
    const s2 = tf.reshape(tf.sum(tf.square(support), 1), [1, -1]);
    const cross = tf.matMul(query, tf.transpose(support));
    const squared = tf.relu(tf.sub<tf.Tensor2D>(tf.add(q2, s2), tf.mul(2, cross)));
    // sqrt has an infinite slope at 0; the offset keeps gradients finite for coincident points.
    return metric === "squared-euclidean" ? squared : tf.sqrt(tf.add<tf.Tensor2D>(squared, 1e-12));
  });
}
