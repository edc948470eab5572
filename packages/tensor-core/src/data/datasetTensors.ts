import * as tf from "@tensorflow/tfjs-core";

import { assertDataset, type ImageDataset } from "./dataset.js";

// Kept apart from dataset.ts so that datasets as plain arrays (and the `/host` entry) load no TensorFlow.js.
/** The dataset as tensors: x `[N, H, W, C]` float32 and y `[N]` int32. The caller disposes them. */
export function datasetToTensors(ds: ImageDataset): { x: tf.Tensor4D; y: tf.Tensor1D } {
  assertDataset(ds);
  return {
    x: tf.tensor4d(ds.images, [ds.count, ds.height, ds.width, ds.channels], "float32"),
    y: tf.tensor1d(ds.labels, "int32"),
  };
}
