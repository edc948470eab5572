import * as tfl from "@tensorflow/tfjs-layers";
import { beforeAll, describe, expect, it } from "vitest";

import { initBackend } from "@dl/tensor-core";

import { syntheticImages } from "../test-utils/synthetic.js";
import * as tf from "@tensorflow/tfjs-core";
import { pretrainedFeatures, translateImages } from "./embedding.js";

beforeAll(async () => {
  await initBackend({ backend: "wasm" });
});

/** A "network" whose only block is the image itself, so features can be recomputed by hand. */
function identityBlocks(): tfl.LayersModel {
  const input = tfl.input({ shape: [6, 6, 1] });
  return tfl.model({ inputs: input, outputs: [input] });
}

const data = syntheticImages({ classes: 2, perClass: 2, seed: 31 });
for (let i = 0; i < data.images.length; i++) data.images[i] = Math.abs(data.images[i] as number);

describe("translateImages", () => {
  it("moves content by (dy, dx) and fills with zeros", () => {
    const out = translateImages(data, 1, -2);
    for (let i = 0; i < data.count; i++) {
      for (let y = 0; y < 6; y++) {
        for (let x = 0; x < 6; x++) {
          const sy = y - 1;
          const sx = x + 2;
          const expected = sy >= 0 && sx < 6 ? (data.images[i * 36 + sy * 6 + sx] as number) : 0;
          expect(out.images[i * 36 + y * 6 + x]).toBe(expected);
        }
      }
    }
  });
});

describe("pretrainedFeatures", () => {
  it("power-transforms, then scales to unit norm (hand computation)", async () => {
    const net = identityBlocks();
    const before = tf.memory().numTensors;
    const f = await pretrainedFeatures({ blocks: net }, data, { blocks: [{ block: 0, grid: 6 }], power: 0.5 });
    expect(tf.memory().numTensors).toBe(before);
    for (let i = 0; i < data.count; i++) {
      const root = Array.from(data.images.subarray(i * 36, (i + 1) * 36), Math.sqrt);
      const norm = Math.hypot(...root);
      for (let j = 0; j < 36; j++) expect(f.data[i * 36 + j]).toBeCloseTo((root[j] as number) / norm, 5);
    }
    net.dispose();
  });

  it("averages over the 9 translations by ±r before normalising, and appends weighted unit-norm pixels", async () => {
    const net = identityBlocks();
    const f = await pretrainedFeatures({ blocks: net }, data, { blocks: [{ block: 0, grid: 1 }], power: 1, shiftRadius: 1, pixelWeight: 0.5 });
    expect(f.dim).toBe(1 + 36);
    for (let i = 0; i < data.count; i++) {
      // A 1-D block normalised to unit length is 1 whenever its mean is positive.
      expect(f.data[i * 37]).toBeCloseTo(1, 6);
      const img = data.images.subarray(i * 36, (i + 1) * 36);
      const norm = Math.hypot(...img);
      for (let j = 0; j < 36; j++) expect(f.data[i * 37 + 1 + j]).toBeCloseTo((0.5 * (img[j] as number)) / norm, 5);
    }
    // The mean over shifts, checked directly on a 2-channel-free map: grid 6 keeps every pixel.
    const g = await pretrainedFeatures({ blocks: net }, data, { blocks: [{ block: 0, grid: 6 }], power: 1, shiftRadius: 1 });
    const avg = new Float64Array(36);
    for (const dy of [-1, 0, 1]) for (const dx of [-1, 0, 1]) translateImages(data, dy, dx).images.subarray(0, 36).forEach((v, j) => (avg[j] = (avg[j] as number) + v / 9));
    const norm = Math.hypot(...avg);
    for (let j = 0; j < 36; j++) expect(g.data[j]).toBeCloseTo((avg[j] as number) / norm, 5);
    net.dispose();
  });
});
