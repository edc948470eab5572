import { createRng } from "@dl/tensor-core";

import type { LabelledVectors } from "../matching/embedding.js";
import type { LabelledImages } from "@dl/tensor-core";

/**
 * A small labelled image set for tests: each class is a fixed random template plus Gaussian noise,
 * so nearest-neighbour methods can separate classes. `perClass` may be a number or one per class.
 */
export function syntheticImages(options: {
  classes: number;
  perClass: number | readonly number[];
  height?: number;
  width?: number;
  noise?: number;
  seed?: number;
}): LabelledImages {
  const height = options.height ?? 6;
  const width = options.width ?? 6;
  const size = height * width;
  const rng = createRng(options.seed ?? 1);
  const counts = Array.from({ length: options.classes }, (_, c) =>
    typeof options.perClass === "number" ? options.perClass : (options.perClass[c] ?? 0),
  );
  const count = counts.reduce((a, b) => a + b, 0);
  const images = new Float32Array(count * size);
  const labels = new Int32Array(count);
  const templates = Array.from({ length: options.classes }, () => Float32Array.from({ length: size }, () => rng.next()));
  let row = 0;
  // Interleave classes so class membership is not simply contiguous.
  const order: number[] = [];
  counts.forEach((n, c) => {
    for (let i = 0; i < n; i++) order.push(c);
  });
  rng.shuffle(order);
  for (const c of order) {
    const t = templates[c] as Float32Array;
    for (let j = 0; j < size; j++) images[row * size + j] = (t[j] as number) + (options.noise ?? 0.1) * rng.normal();
    labels[row] = c;
    row++;
  }
  return { images, labels, count, height, width, channels: 1 };
}

/**
 * Labelled vectors for tests: `perClass` rows of each class, row = mean(c, d) + sigma(d) · N(0, 1),
 * class-major (drawn class by class, row by row, dimension by dimension).
 */
export function gaussianClasses(options: {
  classes: number;
  perClass: number;
  dim: number;
  mean: (c: number, d: number) => number;
  sigma: (d: number) => number;
  seed: number;
}): LabelledVectors {
  const { classes, perClass, dim } = options;
  const rng = createRng(options.seed);
  const data = new Float32Array(classes * perClass * dim);
  const labels = new Int32Array(classes * perClass);
  for (let c = 0; c < classes; c++) {
    for (let i = 0; i < perClass; i++) {
      const row = c * perClass + i;
      labels[row] = c;
      for (let d = 0; d < dim; d++) data[row * dim + d] = options.mean(c, d) + options.sigma(d) * rng.normal();
    }
  }
  return { data, dim, count: labels.length, labels };
}
