import type * as tfl from "@tensorflow/tfjs-layers";

import { assertArgument, cancelPoint } from "@dl/tensor-core";

import type { LabelledVectors } from "../matching/embedding.js";
import * as tf from "@tensorflow/tfjs-core";
import type { LabelledImages } from "@dl/tensor-core";

export interface BlockFeatureSpec {
  /** 0-based conv block. */
  block: number;
  /** Average-pool the block's map to a grid×grid layout before flattening (1 = global average pooling). */
  grid: number;
}

/**
 * Features of every image from several conv blocks of a pretrained network, each average-pooled to
 * its grid and flattened, one block after the other (leak-free, in batches). Also returns each block's
 * width in the concatenated row so callers can normalise blocks separately. `signal` stops it between
 * batches with `ABORTED`.
 */
export async function blockFeatures(blocks: tfl.LayersModel, dataset: LabelledImages, specs: readonly BlockFeatureSpec[], batchSize = 500, signal?: AbortSignal): Promise<LabelledVectors & { blockDims: number[] }> {
  assertArgument(specs.length >= 1, "Pick at least one block to take features from.");
  const outputs = blocks.outputs.length;
  for (const s of specs) {
    assertArgument(Number.isInteger(s.block) && s.block >= 0 && s.block < outputs, () => `block must be an integer in 0..${outputs - 1}, got ${s.block}.`);
    assertArgument(Number.isInteger(s.grid) && s.grid >= 1, () => `grid must be an integer ≥ 1, got ${s.grid}.`);
  }
  const shape = [dataset.height, dataset.width, dataset.channels] as const;
  const size = shape[0] * shape[1] * shape[2];
  let blockDims: number[] = [];
  let dim = 0;
  let data = new Float32Array(0);
  const stopPoint = cancelPoint(signal);
  for (let start = 0; start < dataset.count; start += batchSize) {
    await stopPoint();
    const n = Math.min(batchSize, dataset.count - start);
    // The tidy returns tensors, read afterwards: a tidy that returns typed arrays walks every element looking for tensors.
    const pooledMaps = tf.tidy(() => {
      const x = tf.tensor4d(dataset.images.subarray(start * size, (start + n) * size), [n, ...shape]);
      const maps = blocks.predict(x, { batchSize: n }) as tf.Tensor4D | tf.Tensor4D[];
      const list = Array.isArray(maps) ? maps : [maps];
      return specs.map((s) => {
        const map = list[s.block] as tf.Tensor4D;
        const [, h, w] = map.shape;
        assertArgument(s.grid <= h && s.grid <= w, () => `grid ${s.grid} is finer than block ${s.block}'s ${h}×${w} map.`);
        const pooled = s.grid === 1 ? tf.mean(map, [1, 2]) : tf.avgPool(map, [Math.floor(h / s.grid), Math.floor(w / s.grid)], [Math.floor(h / s.grid), Math.floor(w / s.grid)], "valid");
        return tf.reshape(pooled, [n, -1]);
      });
    });
    const parts = pooledMaps.map((t) => t.dataSync() as Float32Array);
    tf.dispose(pooledMaps);
    if (start === 0) {
      blockDims = parts.map((p) => p.length / n);
      dim = blockDims.reduce((a, b) => a + b, 0);
      data = new Float32Array(dataset.count * dim);
    }
    for (let i = 0; i < n; i++) {
      let at = (start + i) * dim;
      parts.forEach((p, b) => {
        const d = blockDims[b] as number;
        data.set(p.subarray(i * d, (i + 1) * d), at);
        at += d;
      });
    }
  }
  return { data, dim, count: dataset.count, labels: dataset.labels, blockDims };
}
