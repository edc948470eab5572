import { assertArgument } from "@dl/tensor-core";

import type { LabelledVectors } from "../matching/embedding.js";
import { pixelsAsVectors } from "../matching/embedding.js";
import type { LabelledImages } from "../types.js";
import { concatenateFeatures, l2NormaliseBlocks } from "./cl2n.js";
import { blockFeatures, type BlockFeatureSpec } from "./features.js";
import type { PretrainedNetwork } from "./supervised.js";

export interface PretrainedFeatureOptions {
  /** Conv blocks and pooling grids to read (default: the last block on a 3×3 grid). */
  blocks?: readonly BlockFeatureSpec[];
  /** Weight of the unit-norm raw pixels appended to the features (0 = none, the default). */
  pixelWeight?: number;
}

/**
 * Few-shot features from a pretrained network: each chosen block average-pooled to its grid and scaled
 * to unit norm (so squared distance is 2 − 2·cosine per block), optionally beside unit-norm pixels.
 */
export function pretrainedFeatures(network: Pick<PretrainedNetwork, "blocks">, dataset: LabelledImages, options: PretrainedFeatureOptions = {}): LabelledVectors {
  const last = network.blocks.outputs.length - 1;
  const specs = options.blocks ?? [{ block: last, grid: 3 }];
  const pixelWeight = options.pixelWeight ?? 0;
  assertArgument(Number.isFinite(pixelWeight) && pixelWeight >= 0, () => `pixelWeight must be a finite number ≥ 0, got ${pixelWeight}.`);
  const raw = blockFeatures(network.blocks, dataset, specs);
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
