import { inverse, Matrix } from "ml-matrix";

import { assertArgument } from "@dl/tensor-core";

import { classPrototypes } from "./prototypes.js";
import * as tf from "@tensorflow/tfjs-core";

/**
 * Default shrinkage of the Mahalanobis classifier: β = 40 × the task's mean per-dimension variance
 * (chosen on validation episodes: the smallest β that costs nothing on seen classes, see the README).
 */
export const DEFAULT_MAHALANOBIS_SHRINKAGE = 40;

/**
 * Gaussian class-conditional classifier in the style of Simple CNAPS (Bateni et al. 2020): class c has
 * mean p_c (its support mean) and covariance Σ_c = λ_c Σ_class(c) + (1 − λ_c) Σ_task + β I with
 * λ_c = n_c / (n_c + 1), where Σ_class(c) is the covariance of c's n_c support rows, Σ_task that of
 * the whole support set, and β = `shrinkage` × tr(Σ_task) / D. Returns the `[Q, ways]`
 * log-probabilities softmax(−½ (q − p_c)ᵀ Σ_c⁻¹ (q − p_c)) (no log-determinant, as Simple CNAPS).
 *
 * Inductive: uses the labelled support set only. The covariances have rank ≤ S + n_c, so each
 * Σ_c⁻¹ is applied through the Woodbury identity with an (S + n_c)² system, never a D × D one. As
 * `shrinkage` → ∞ it becomes the prototypical classifier on squared euclidean distance.
 */
export function mahalanobisLogProbs(
  support: tf.Tensor2D,
  supportLabels: Int32Array,
  query: tf.Tensor2D,
  ways: number,
  shrinkage = DEFAULT_MAHALANOBIS_SHRINKAGE,
): tf.Tensor2D {
  const [rows, dim] = support.shape;
  assertArgument(Number.isFinite(shrinkage) && shrinkage > 0, () => `shrinkage must be a finite number > 0, got ${shrinkage}.`);
  assertArgument(supportLabels.length === rows, () => `${supportLabels.length} support labels for ${rows} support rows.`);
  assertArgument(query.shape[1] === dim, () => `query rows have ${query.shape[1]} features, support rows ${dim}.`);
  assertArgument(Number.isInteger(ways) && ways >= 1, () => `ways must be an integer ≥ 1, got ${ways}.`);
  return tf.tidy(() => {
    // classPrototypes checks the labels (count, range, every class present).
    const prototypes = classPrototypes(support, supportLabels, ways);
    const members: number[][] = Array.from({ length: ways }, () => []);
    supportLabels.forEach((label, i) => (members[label] as number[]).push(i));
    const taskCentred = tf.sub(support, tf.mean(support, 0, true));
    const taskVariance = (tf.sum(tf.square(taskCentred)).dataSync()[0] as number) / (rows * dim);
    // Identical support rows (zero variance) leave every class tied; any positive β then works.
    const beta = shrinkage * (taskVariance > 0 ? taskVariance : 1);
    const halfDistances = members.map((indices, c) => {
      const n = indices.length;
      const lambda = n / (n + 1);
      const prototype = tf.slice(prototypes, [c, 0], [1, -1]);
      // Rows of U with Σ_c − βI = UᵀU: the task's centred rows, then (n > 1) the class's.
      const parts = [tf.mul(taskCentred, Math.sqrt((1 - lambda) / rows))];
      if (n > 1) parts.push(tf.mul(tf.sub(tf.gather(support, tf.tensor1d(indices, "int32")), prototype), Math.sqrt(lambda / n)));
      const u = tf.concat(parts, 0); // [r, D]
      const uT = tf.transpose(u); // plain matMul: wasm's transposeB path is far slower
      const gram = new Matrix(tf.matMul<tf.Tensor2D>(u, uT).arraySync());
      for (let i = 0; i < gram.rows; i++) gram.set(i, i, gram.get(i, i) + beta);
      // Woodbury: (βI + UᵀU)⁻¹ = (I − Uᵀ (βI + UUᵀ)⁻¹ U) / β; the r × r inverse is tiny (r ≤ S + n).
      const small = tf.tensor2d(inverse(gram).to2DArray());
      const diff = tf.sub(query, prototype);
      const projected = tf.matMul(diff, uT); // [Q, r]
      const squared = tf.sub(tf.sum(tf.square(diff), 1), tf.sum(tf.mul(tf.matMul(projected, small), projected), 1));
      return tf.mul(squared, 0.5 / beta);
    });
    return tf.logSoftmax(tf.neg(tf.stack(halfDistances, 1))) as tf.Tensor2D;
  });
}
