import * as tf from "@tensorflow/tfjs-core";

import { assertArgument } from "@dl/tensor-core";

import type { DistanceMetric } from "./distances.js";
import { pairwiseDistances } from "./distances.js";

/**
 * Plain k-nearest-neighbour vote over the support set. Ties go to the tied class whose voters are
 * closest in total, so k = 1 is exactly 1-NN.
 */
export function knnPredict(
  query: tf.Tensor2D,
  support: tf.Tensor2D,
  supportLabels: Int32Array,
  ways: number,
  k: number,
  metric: DistanceMetric,
): Int32Array {
  const supportCount = supportLabels.length;
  assertArgument(Number.isInteger(k) && k >= 1 && k <= supportCount, () => `k must be an integer in 1..${supportCount} (the support size), got ${k}.`);
  const distances = tf.tidy(() => pairwiseDistances(query, support, metric));
  const d = distances.dataSync();
  distances.dispose();
  const queryCount = query.shape[0];
  const predictions = new Int32Array(queryCount);
  const order = Array.from({ length: supportCount }, (_, i) => i);
  const votes = new Float64Array(ways);
  const distanceSum = new Float64Array(ways);
  for (let q = 0; q < queryCount; q++) {
    const row = d.subarray(q * supportCount, (q + 1) * supportCount);
    order.sort((a, b) => (row[a] as number) - (row[b] as number));
    votes.fill(0);
    distanceSum.fill(0);
    for (let i = 0; i < k; i++) {
      const s = order[i] as number;
      const y = supportLabels[s] as number;
      votes[y] = (votes[y] as number) + 1;
      distanceSum[y] = (distanceSum[y] as number) + (row[s] as number);
    }
    let best = -1;
    for (let c = 0; c < ways; c++) {
      if ((votes[c] as number) === 0) continue;
      if (best < 0 || (votes[c] as number) > (votes[best] as number) || ((votes[c] as number) === (votes[best] as number) && (distanceSum[c] as number) < (distanceSum[best] as number))) best = c;
    }
    predictions[q] = best;
  }
  return predictions;
}
