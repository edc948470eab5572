import { assertArgument } from "@dl/tensor-core";
import * as tf from "@tensorflow/tfjs-core";

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
  /**
   * Also average over these zoomed / rotated copies of each image, each about the image centre and unshifted
   * (bilinear, zero filled; default none). Each image is processed on its own, so this stays inductive.
   */
  warps?: readonly ImageWarp[];
  /**
   * Also return every view's own features (the image, its shifts, its warps), each transformed as the average is
   * (power, unit norm, pixels): what a classifier fitted on a shot's augmented views needs. Default false.
   */
  keepViews?: boolean;
  /** Stops between batches with `ABORTED` once it fires. */
  signal?: AbortSignal;
}

/** A zoom by `scale` (> 1 enlarges the content) and a rotation by `degrees`, both about the image centre. */
export interface ImageWarp {
  scale: number;
  degrees: number;
}

/**
 * Warps written `z<scale>` (zoom) and `r<degrees>` (rotation), comma-separated, e.g. `z0.9,z1.1,r-10,r10`;
 * `none` is the empty list.
 */
export function parseImageWarps(value: string): ImageWarp[] {
  if (value.trim() === "none") return [];
  return value.split(",").map((token) => {
    const t = token.trim();
    const amount = Number(t.slice(1));
    const ok = t.length > 1 && Number.isFinite(amount) && (t.startsWith("r") || (t.startsWith("z") && amount > 0 && amount <= 4)) && Math.abs(amount) <= 180;
    assertArgument(ok, () => `Unknown warp "${t}"; write z<scale> (0 < scale ≤ 4) or r<degrees> (|degrees| ≤ 180), comma-separated, e.g. z0.9,z1.1,r-10,r10, or none.`);
    return t.startsWith("z") ? { scale: amount, degrees: 0 } : { scale: 1, degrees: amount };
  });
}

/**
 * Few-shot features from a pretrained network: each chosen block average-pooled to its grid and scaled
 * to unit norm (so squared distance is 2 − 2·cosine per block), optionally beside unit-norm pixels.
 */
export async function pretrainedFeatures(network: Pick<PretrainedNetwork, "blocks">, dataset: LabelledImages, options: PretrainedFeatureOptions & { keepViews: true }): Promise<LabelledVectors & { views: LabelledVectors[] }>;
export async function pretrainedFeatures(network: Pick<PretrainedNetwork, "blocks">, dataset: LabelledImages, options?: PretrainedFeatureOptions): Promise<LabelledVectors>;
export async function pretrainedFeatures(network: Pick<PretrainedNetwork, "blocks">, dataset: LabelledImages, options: PretrainedFeatureOptions = {}): Promise<LabelledVectors & { views?: LabelledVectors[] }> {
  const last = network.blocks.outputs.length - 1;
  const specs = options.blocks ?? [{ block: last, grid: 3 }];
  const pixelWeight = options.pixelWeight ?? 0;
  assertArgument(Number.isFinite(pixelWeight) && pixelWeight >= 0, () => `pixelWeight must be a finite number ≥ 0, got ${pixelWeight}.`);
  const power = options.power ?? 0.5;
  assertArgument(Number.isFinite(power) && power > 0, () => `power must be a finite number > 0, got ${power}.`);
  const radius = options.shiftRadius ?? 0;
  assertArgument(Number.isInteger(radius) && radius >= 0 && radius < Math.min(dataset.height, dataset.width), () => `shiftRadius must be an integer in 0..${Math.min(dataset.height, dataset.width) - 1}, got ${radius}.`);
  const warps = options.warps ?? [];
  for (const w of warps) assertArgument(Number.isFinite(w.scale) && w.scale > 0 && Number.isFinite(w.degrees), () => `each warp needs a finite scale > 0 and finite degrees, got scale ${w.scale}, degrees ${w.degrees}.`);
  const raw = await blockFeatures(network.blocks, dataset, specs, undefined, options.signal);
  // Every view of the image weighs the same: the 9 shifts (or the image alone) and each warp.
  const views: (() => LabelledImages)[] = [];
  if (radius > 0) {
    for (let dy = -radius; dy <= radius; dy += radius) {
      for (let dx = -radius; dx <= radius; dx += radius) if (dy !== 0 || dx !== 0) views.push(() => translateImages(dataset, dy, dx));
    }
  }
  for (const w of warps) views.push(() => warpImages(dataset, w));
  const kept: Float32Array[] = options.keepViews === true ? [Float32Array.from(raw.data)] : [];
  if (views.length > 0) {
    const sum = Float64Array.from(raw.data);
    for (const view of views) {
      const seen = await blockFeatures(network.blocks, view(), specs, undefined, options.signal);
      seen.data.forEach((v, i) => (sum[i] = (sum[i] as number) + v));
      if (options.keepViews === true) kept.push(seen.data);
    }
    sum.forEach((v, i) => (raw.data[i] = v / (views.length + 1)));
  }
  const pixels = pixelWeight === 0 ? undefined : l2NormaliseBlocks(pixelsAsVectors(dataset), [dataset.height * dataset.width * dataset.channels]);
  const finish = (data: Float32Array): LabelledVectors => {
    // Power transform (Hu et al. 2021, "Leveraging the feature distribution in transfer-based few-shot learning"): makes skewed relu features more Gaussian.
    if (power !== 1) data.forEach((v, i) => (data[i] = Math.max(v, 0) ** power));
    const features = l2NormaliseBlocks({ data, dim: raw.dim, count: raw.count, labels: raw.labels }, raw.blockDims);
    if (pixels === undefined) return features;
    return concatenateFeatures([
      { features, weight: 1 },
      { features: pixels, weight: pixelWeight },
    ]);
  };
  const learned = finish(raw.data);
  return options.keepViews === true ? { ...learned, views: kept.map(finish) } : learned;
}

/** Every image zoomed and rotated about its centre (bilinear, zero filled), through tfjs's projective `image.transform`. */
export function warpImages(dataset: LabelledImages, warp: ImageWarp): LabelledImages {
  const { height: h, width: w, channels: ch } = dataset;
  const cy = (h - 1) / 2;
  const cx = (w - 1) / 2;
  const theta = (warp.degrees * Math.PI) / 180;
  const cos = Math.cos(theta) / warp.scale;
  const sin = Math.sin(theta) / warp.scale;
  // Output pixel (x, y) reads the input at R(θ)·(x − cx, y − cy) / scale + (cx, cy): [a0 a1 a2 b0 b1 b2 c0 c1].
  const matrix = [cos, -sin, cx - cos * cx + sin * cy, sin, cos, cy - sin * cx - cos * cy, 0, 0];
  const images = new Float32Array(dataset.count * h * w * ch);
  const batch = 1000;
  for (let start = 0; start < dataset.count; start += batch) {
    const n = Math.min(batch, dataset.count - start);
    const out = tf.tidy(() => tf.image.transform(tf.tensor4d(dataset.images.subarray(start * h * w * ch, (start + n) * h * w * ch), [n, h, w, ch]), tf.tensor2d(matrix, [1, 8]), "bilinear", "constant", 0));
    images.set(out.dataSync(), start * h * w * ch);
    out.dispose();
  }
  return { ...dataset, images };
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
