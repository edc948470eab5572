import { createRng } from "@dl/tensor-core";

import { imageGanConfig, type GanConfig } from "../train/networks.js";

/** A conditional MLP GAN small enough to train in a test: 6-D points, 3 labels, one hidden layer of 8. */
export const TINY_GAN_CONFIG: GanConfig = {
  ...imageGanConfig("mlp", true),
  dataShape: [6],
  hidden: [8],
  latentDim: 3,
  numClasses: 3,
  labelEmbedding: 2,
  outputActivation: "linear",
  batchSize: 16,
};

/** 96 labelled 6-D points: label k sits at (k, …, k) with noise of sd 0.1 (seed 3). */
export function tinyGanData(): { points: Float32Array; labels: Int32Array; count: number } {
  const rng = createRng(3);
  const count = 96;
  const labels = Int32Array.from({ length: count }, (_, i) => i % 3);
  const points = Float32Array.from({ length: count * 6 }, (_, i) => (labels[Math.floor(i / 6)] as number) + 0.1 * rng.normal());
  return { points, labels, count };
}
