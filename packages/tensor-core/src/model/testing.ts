// Test helpers shared by the model tests (not exported from the package).
import type { ImageDataset } from "../data/dataset.js";
import { createRng } from "../random/rng.js";

/**
 * A separable toy task on 8×8 images: class 0 has a bright top half, class 1 a bright bottom half,
 * class 2 a bright left half; noise added. Any reasonable classifier reaches ~100 %.
 */
export function toyImages(count: number, seed: number): ImageDataset {
  const rng = createRng(seed);
  const side = 8;
  const images = new Float32Array(count * side * side);
  const labels = new Int32Array(count);
  for (let i = 0; i < count; i++) {
    const label = i % 3;
    labels[i] = label;
    for (let y = 0; y < side; y++) {
      for (let x = 0; x < side; x++) {
        const on = label === 0 ? y < side / 2 : label === 1 ? y >= side / 2 : x < side / 2;
        images[i * side * side + y * side + x] = Math.min(1, Math.max(0, (on ? 0.8 : 0.1) + 0.1 * rng.normal()));
      }
    }
  }
  return { name: "toy", images, labels, count, height: side, width: side, channels: 1, classNames: ["top", "bottom", "left"] };
}
