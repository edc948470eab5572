import { createRng } from "@dl/tensor-core";

import type { LabelledImages } from "../types.js";

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
