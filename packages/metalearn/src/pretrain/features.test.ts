import * as tfl from "@tensorflow/tfjs-layers";
import { beforeAll, describe, expect, it } from "vitest";

import { initBackend } from "@dl/tensor-core";

import { syntheticImages } from "../test-utils/synthetic.js";
import * as tf from "@tensorflow/tfjs-core";
import { blockFeatures } from "./features.js";

beforeAll(async () => {
  await initBackend({ backend: "wasm" });
});

describe("blockFeatures", () => {
  it("average-pools each chosen block to its grid and concatenates (brute force on an identity network)", async () => {
    // Identity "blocks": the image itself (6×6×1) and a 2-channel copy, so pooled values are easy to recompute.
    const input = tfl.input({ shape: [6, 6, 1] });
    const twice = tfl.layers.concatenate({ axis: -1 }).apply([input, input]) as tfl.SymbolicTensor;
    const net = tfl.model({ inputs: input, outputs: [input, twice] });
    const data = syntheticImages({ classes: 3, perClass: 3, seed: 6 });
    const before = tf.memory().numTensors;
    const out = await blockFeatures(net, data, [{ block: 0, grid: 1 }, { block: 1, grid: 2 }, { block: 0, grid: 6 }], 4);
    expect(tf.memory().numTensors).toBe(before);
    expect(out.blockDims).toEqual([1, 8, 36]);
    expect(out.dim).toBe(45);
    for (let i = 0; i < data.count; i++) {
      const img = data.images.subarray(i * 36, (i + 1) * 36);
      const row = out.data.subarray(i * 45, (i + 1) * 45);
      expect(row[0]).toBeCloseTo(img.reduce((a, b) => a + b, 0) / 36, 5);
      // 2×2 grid of 3×3 cells, channels last: (cell, channel).
      for (let gy = 0; gy < 2; gy++) {
        for (let gx = 0; gx < 2; gx++) {
          let s = 0;
          for (let y = 0; y < 3; y++) for (let x = 0; x < 3; x++) s += img[(gy * 3 + y) * 6 + gx * 3 + x] as number;
          expect(row[1 + (gy * 2 + gx) * 2]).toBeCloseTo(s / 9, 5);
          expect(row[2 + (gy * 2 + gx) * 2]).toBeCloseTo(s / 9, 5);
        }
      }
      for (let j = 0; j < 36; j++) expect(row[9 + j]).toBeCloseTo(img[j] as number, 6);
    }
    expect(out.labels).toBe(data.labels);
    net.dispose();
  });

  it("rejects a block that does not exist", async () => {
    const input = tfl.input({ shape: [6, 6, 1] });
    const net = tfl.model({ inputs: input, outputs: [input] });
    await expect(blockFeatures(net, syntheticImages({ classes: 1, perClass: 1 }), [{ block: 1, grid: 1 }])).rejects.toThrow(/block must be an integer in 0\.\.0/);
  });
});
