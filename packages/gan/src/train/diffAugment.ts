import * as tf from "@tensorflow/tfjs-core";

import { DlError, type Rng } from "@dl/tensor-core";

/** One batch's translations and cutouts, as the 0/1 matrices and mask that apply them. */
export interface AugmentDraw {
  /** [B·C, H, H]: output row i of a map reads input row i − dy. */
  rows: Float32Array;
  /** [B·C, W, W]: output column j reads input column j − dx. */
  columns: Float32Array;
  /** [B·C, H, W]: 0 inside the cutout square, else 1. */
  mask: Float32Array;
}

/** Where one image moves and where its cutout square starts (its top-left corner; it may start outside). */
export interface AugmentPlacement {
  dy: number;
  dx: number;
  top: number;
  left: number;
}

export interface DiffAugment {
  /** A random placement for every image of the batch: shifts in [−translate, translate], a cutout centre anywhere. */
  draw(rng: Rng): AugmentDraw;
  /** The matrices and mask of given placements (one per image). */
  drawOf(placements: readonly AugmentPlacement[]): AugmentDraw;
  /** The augmented batch [B, H, W, C] of images in [−1, 1]; differentiable in x. */
  apply(x: tf.Tensor, draw: AugmentDraw): tf.Tensor;
}

/**
 * DiffAugment's translation and cutout (Zhao et al. 2020) for images in [−1, 1] whose background is −1,
 * as differentiable ops: a shift is a product with a 0/1 shift matrix on each side,
 * x' = S_rows · (x + 1) · S_columnsᵀ − 1 (pixels shifted in are background), and a cutout a product with
 * a 0/1 mask, (x' + 1) ⊙ m − 1. Applied alike to real and generated images before D.
 */
export function diffAugment(shape: readonly number[], batch: number, opts: { translate: number; cutout: number }): DiffAugment {
  if (shape.length !== 3) throw new DlError("INVALID_ARGUMENT", `DiffAugment needs image data [H, W, C]; got [${shape.join(", ")}].`);
  const [height, width, channels] = shape as [number, number, number];
  const maps = batch * channels;
  const size = Math.min(opts.cutout, height, width);
  const drawOf = (placements: readonly AugmentPlacement[]): AugmentDraw => {
    if (placements.length !== batch) throw new DlError("INVALID_ARGUMENT", `DiffAugment: ${placements.length} placements for a batch of ${batch}.`);
    const rows = new Float32Array(maps * height * height);
    const columns = new Float32Array(maps * width * width);
    const mask = new Float32Array(maps * height * width).fill(1);
    placements.forEach(({ dy, dx, top, left }, b) => {
      for (let c = 0; c < channels; c++) {
        const m = b * channels + c;
        for (let i = 0; i < height; i++) if (i - dy >= 0 && i - dy < height) rows[(m * height + i) * height + i - dy] = 1;
        for (let j = 0; j < width; j++) if (j - dx >= 0 && j - dx < width) columns[(m * width + j) * width + j - dx] = 1;
        for (let i = Math.max(0, top); i < Math.min(height, top + size); i++) for (let j = Math.max(0, left); j < Math.min(width, left + size); j++) mask[(m * height + i) * width + j] = 0;
      }
    });
    return { rows, columns, mask };
  };
  const shift = (rng: Rng): number => rng.int(2 * opts.translate + 1) - opts.translate;
  return {
    drawOf,
    draw: (rng) =>
      drawOf(
        Array.from({ length: batch }, () => {
          const dy = shift(rng);
          const dx = shift(rng);
          // The cutout's centre lies anywhere in the image; the square is clipped at the border (as in DiffAugment).
          return { dy, dx, top: rng.int(height) - Math.floor(size / 2), left: rng.int(width) - Math.floor(size / 2) };
        }),
      ),
    apply: (x, d) =>
      tf.tidy(() => {
        // [B, H, W, C] → [B·C, H, W]: one map per image and channel.
        const planes = tf.reshape(tf.transpose(tf.add(x, 1), [0, 3, 1, 2]), [maps, height, width]);
        const shifted = tf.matMul(tf.matMul(tf.tensor3d(d.rows, [maps, height, height]), planes), tf.tensor3d(d.columns, [maps, width, width]), false, true);
        const cut = tf.sub(tf.mul(shifted, tf.tensor3d(d.mask, [maps, height, width])), 1);
        return tf.transpose(tf.reshape(cut, [batch, channels, height, width]), [0, 2, 3, 1]);
      }),
  };
}
