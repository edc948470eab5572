import { assertArgument } from "@dl/tensor-core";

import type { LabelledVectors } from "../matching/embedding.js";
import { pixelsAsVectors } from "../matching/embedding.js";
import type { LabelledImages } from "@dl/tensor-core";
import { concatenateFeatures, l2NormaliseBlocks } from "./cl2n.js";
import { blockFeatures, type BlockFeatureSpec } from "./features.js";
import type { PretrainedNetwork } from "./supervised.js";

export interface PretrainedFeatureOptions {
  /** Conv blocks and pooling grids to read (default: the last block on a 3×3 grid). */
  blocks?: readonly BlockFeatureSpec[];
  /** Weight of the unit-norm raw pixels appended to the features (0 = none, the default). */
  pixelWeight?: number;
  /** Exponent β of the power transform x ↦ x^β applied to the (non-negative, post-relu) features before normalising (default 0.5; 1 = none). */
  power?: number;
  /**
   * Average each image's features over its translations by −r..r pixels in steps of r on both axes
   * (9 shifted copies; 0 = none, the default). Each image is processed on its own, so this stays inductive.
   */
  shiftRadius?: number;
  /** Stops between batches with `ABORTED` once it fires. */
  signal?: AbortSignal;
}

/**
 * Few-shot features from a pretrained network: each chosen block average-pooled to its grid and scaled
 * to unit norm (so squared distance is 2 − 2·cosine per block), optionally beside unit-norm pixels.
 */
export async function pretrainedFeatures(network: Pick<PretrainedNetwork, "blocks">, dataset: LabelledImages, options: PretrainedFeatureOptions = {}): Promise<LabelledVectors> {
  const last = network.blocks.outputs.length - 1;
  const specs = options.blocks ?? [{ block: last, grid: 3 }];
  const pixelWeight = options.pixelWeight ?? 0;
  assertArgument(Number.isFinite(pixelWeight) && pixelWeight >= 0, () => `pixelWeight must be a finite number ≥ 0, got ${pixelWeight}.`);
  const power = options.power ?? 0.5;
  assertArgument(Number.isFinite(power) && power > 0, () => `power must be a finite number > 0, got ${power}.`);
  const radius = options.shiftRadius ?? 0;
  assertArgument(Number.isInteger(radius) && radius >= 0 && radius < Math.min(dataset.height, dataset.width), () => `shiftRadius must be an integer in 0..${Math.min(dataset.height, dataset.width) - 1}, got ${radius}.`);
  const raw = await blockFeatures(network.blocks, dataset, specs, undefined, options.signal);
  if (radius > 0) {
    const sum = Float64Array.from(raw.data);
    for (let dy = -radius; dy <= radius; dy += radius) {
      for (let dx = -radius; dx <= radius; dx += radius) {
        if (dy === 0 && dx === 0) continue;
        const shifted = await blockFeatures(network.blocks, translateImages(dataset, dy, dx), specs, undefined, options.signal);
        shifted.data.forEach((v, i) => (sum[i] = (sum[i] as number) + v));
      }
    }
    sum.forEach((v, i) => (raw.data[i] = v / 9));
  }
  // Power transform (Hu et al. 2021, "Leveraging the feature distribution in transfer-based few-shot learning"): makes skewed relu features more Gaussian.
  if (power !== 1) raw.data.forEach((v, i) => (raw.data[i] = Math.max(v, 0) ** power));
  const features = l2NormaliseBlocks(raw, raw.blockDims);
  const { data, dim, count, labels } = features;
  const learned: LabelledVectors = { data, dim, count, labels };
  if (pixelWeight === 0) return learned;
  const pixels = pixelsAsVectors(dataset);
  return concatenateFeatures([
    { features: learned, weight: 1 },
    { features: l2NormaliseBlocks(pixels, [pixels.dim]), weight: pixelWeight },
  ]);
}

/** Every image translated by (dy, dx) pixels, zero filled. */
export function translateImages(dataset: LabelledImages, dy: number, dx: number): LabelledImages {
  const { height: h, width: w, channels: ch } = dataset;
  const size = h * w * ch;
  const images = new Float32Array(dataset.count * size);
  const x0 = Math.max(0, dx);
  const x1 = Math.min(w, w + dx);
  for (let i = 0; i < dataset.count; i++) {
    for (let y = Math.max(0, dy); y < Math.min(h, h + dy); y++) {
      const from = i * size + ((y - dy) * w + x0 - dx) * ch;
      images.set(dataset.images.subarray(from, from + (x1 - x0) * ch), i * size + (y * w + x0) * ch);
    }
  }
  return { ...dataset, images };
}
