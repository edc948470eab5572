import { assertArgument } from "@dl/tensor-core";

import type { LabelledVectors } from "../matching/embedding.js";

/** Mean feature vector of a set of rows, `[dim]` (float64 accumulation). */
export function meanFeature(features: Pick<LabelledVectors, "data" | "dim" | "count">): Float32Array {
  assertArgument(features.count > 0, "The mean feature needs at least one row.");
  assertArgument(features.data.length === features.count * features.dim, () => `Expected ${features.count}×${features.dim} values, got ${features.data.length}.`);
  const sum = new Float64Array(features.dim);
  for (let i = 0; i < features.count; i++) {
    const row = features.data.subarray(i * features.dim, (i + 1) * features.dim);
    for (let j = 0; j < features.dim; j++) sum[j] = (sum[j] as number) + (row[j] as number);
  }
  return Float32Array.from(sum, (s) => s / features.count);
}

/**
 * CL2N (SimpleShot, Wang et al. 2019, §3.2): x̂ = (x − x̄)/‖x − x̄‖₂ with x̄ the mean feature of the
 * meta-train set, so nearest neighbours compare directions around the base-class centre.
 * Rows equal to the mean stay zero. Returns new rows; the input is untouched.
 */
export function centreAndL2Normalise<T extends LabelledVectors>(features: T, mean: Float32Array): T {
  assertArgument(mean.length === features.dim, () => `The mean has ${mean.length} entries for ${features.dim}-dimensional features.`);
  const out = new Float32Array(features.count * features.dim);
  for (let i = 0; i < features.count; i++) {
    const offset = i * features.dim;
    let norm2 = 0;
    for (let j = 0; j < features.dim; j++) {
      const v = (features.data[offset + j] as number) - (mean[j] as number);
      out[offset + j] = v;
      norm2 += v * v;
    }
    const scale = norm2 > 0 ? 1 / Math.sqrt(norm2) : 0;
    for (let j = 0; j < features.dim; j++) out[offset + j] = (out[offset + j] as number) * scale;
  }
  return { ...features, data: out };
}

/**
 * Side-by-side features [w₁·a | w₂·b | …] of the same rows (each block usually CL2N-normalised first,
 * so a weight is the block's share of the squared distance).
 */
export function concatenateFeatures(blocks: readonly { features: LabelledVectors; weight: number }[]): LabelledVectors {
  const first = blocks[0];
  assertArgument(first !== undefined, "concatenateFeatures needs at least one block.");
  const count = first.features.count;
  for (const b of blocks) {
    assertArgument(b.features.count === count, () => `Every block needs ${count} rows, got ${b.features.count}.`);
    assertArgument(Number.isFinite(b.weight) && b.weight >= 0, () => `Block weights must be finite and ≥ 0, got ${b.weight}.`);
  }
  const dim = blocks.reduce((d, b) => d + b.features.dim, 0);
  const data = new Float32Array(count * dim);
  for (let i = 0; i < count; i++) {
    let at = i * dim;
    for (const { features, weight } of blocks) {
      const row = features.data.subarray(i * features.dim, (i + 1) * features.dim);
      for (let j = 0; j < features.dim; j++) data[at + j] = weight * (row[j] as number);
      at += features.dim;
    }
  }
  return { data, dim, count, labels: first.features.labels };
}

/** Scales each block of every row (`blockDims` wide, side by side) to unit L2 norm, so blocks weigh equally. */
export function l2NormaliseBlocks<T extends LabelledVectors>(features: T, blockDims: readonly number[]): T {
  assertArgument(blockDims.reduce((a, b) => a + b, 0) === features.dim, () => `Block widths [${blockDims.join(", ")}] do not add up to the feature width ${features.dim}.`);
  const out = new Float32Array(features.data);
  for (let i = 0; i < features.count; i++) {
    let at = i * features.dim;
    for (const d of blockDims) {
      let norm2 = 0;
      for (let j = at; j < at + d; j++) norm2 += (out[j] as number) ** 2;
      const scale = norm2 > 0 ? 1 / Math.sqrt(norm2) : 0;
      for (let j = at; j < at + d; j++) out[j] = (out[j] as number) * scale;
      at += d;
    }
  }
  return { ...features, data: out };
}
