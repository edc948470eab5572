import * as tf from "@tensorflow/tfjs-core";
import { beforeAll, describe, expect, it } from "vitest";

import { initBackend } from "../backend/registry.js";
import "../backend/candidates.js";
import { filterClasses, parseDatasetName, proportionalCounts, sampleDataset, subsetDataset } from "./dataset.js";
import { datasetToTensors } from "./datasetTensors.js";
import type { ImageDataset } from "./dataset.js";

/** 2×2 single-channel images whose pixels all equal their index, labels i % 3. */
function toy(count: number): ImageDataset {
  const images = new Float32Array(count * 4);
  for (let i = 0; i < count; i++) images.fill(i, i * 4, i * 4 + 4);
  return { name: "toy", images, labels: Int32Array.from({ length: count }, (_, i) => i % 3), count, height: 2, width: 2, channels: 1, classNames: ["a", "b", "c"] };
}

beforeAll(async () => {
  await initBackend({ backend: "cpu" });
});

describe("dataset helpers", () => {
  it("datasetToTensors gives [N,H,W,C] float32 and int32 labels", () => {
    const before = tf.memory().numTensors;
    const { x, y } = datasetToTensors(toy(5));
    expect(x.shape).toEqual([5, 2, 2, 1]);
    expect(y.dtype).toBe("int32");
    expect(Array.from(y.dataSync())).toEqual([0, 1, 2, 0, 1]);
    expect(x.dataSync()[3 * 4]).toBe(3);
    tf.dispose([x, y]);
    expect(tf.memory().numTensors).toBe(before);
    expect(() => datasetToTensors({ ...toy(5), count: 6 })).toThrow(/20 pixel values but .* = 24/);
  });
  it("subsetDataset copies images and labels in index order", () => {
    const s = subsetDataset(toy(6), [4, 1, 4]);
    expect(s.count).toBe(3);
    expect(Array.from(s.labels)).toEqual([1, 1, 1]);
    expect([s.images[0], s.images[4], s.images[8]]).toEqual([4, 1, 4]);
    expect(() => subsetDataset(toy(3), [3])).toThrow(/Index 3 .* use 0…2/);
  });
  it("sampleDataset is seeded, distinct, and stratified when asked", () => {
    const ds = toy(30);
    const a = sampleDataset(ds, 9, 1, { stratified: true });
    expect(Array.from(sampleDataset(ds, 9, 1, { stratified: true }).labels)).toEqual(Array.from(a.labels));
    expect([0, 1, 2].map((c) => a.labels.filter((l) => l === c).length)).toEqual([3, 3, 3]);
    const picked = new Set(Array.from({ length: a.count }, (_, i) => a.images[i * 4]));
    expect(picked.size).toBe(9);
    expect(sampleDataset(ds, 10, 2).count).toBe(10);
    expect(() => sampleDataset(ds, 31, 1)).toThrow(/Cannot sample 31/);
  });
  it("proportionalCounts sums exactly to the total", () => {
    expect(proportionalCounts([1, 1, 1], 10)).toEqual([4, 3, 3]);
    expect(proportionalCounts([980, 1135, 1032], 629).reduce((a, b) => a + b)).toBe(629);
  });
  it("filterClasses keeps the chosen labels and rejects unknown ones", () => {
    const f = filterClasses(toy(9), [0, 2]);
    expect(Array.from(f.labels)).toEqual([0, 2, 0, 2, 0, 2]);
    expect(() => filterClasses(toy(9), [5])).toThrow(/Class 5 .* 0, 1 or 2/);
  });
  it("parseDatasetName lists valid names", () => {
    expect(parseDatasetName("fashion-mnist")).toBe("fashion-mnist");
    expect(() => parseDatasetName("MNIST")).toThrow(/mnist or fashion-mnist/);
  });
});
