import { beforeAll, describe, expect, it } from "vitest";

import { createRng, initBackend } from "@dl/tensor-core";

import { syntheticImages } from "../test-utils/synthetic.js";
import * as tf from "@tensorflow/tfjs-core";
import { pretrainClassifier, shiftedBatch } from "./supervised.js";

beforeAll(async () => {
  await initBackend({ backend: "wasm" });
});

describe("shiftedBatch", () => {
  it("translates each image by its drawn (dy, dx) with zero fill (brute force)", () => {
    const data = syntheticImages({ classes: 2, perClass: 3, height: 5, width: 4, seed: 2 });
    const indices = Int32Array.from([4, 0, 2]);
    const out = shiftedBatch(data, indices, 2, createRng(9));
    // Replay the draws: dy then dx per image, each uniform in −2..2.
    const replay = createRng(9);
    indices.forEach((idx, row) => {
      const dy = replay.int(5) - 2;
      const dx = replay.int(5) - 2;
      for (let y = 0; y < 5; y++) {
        for (let x = 0; x < 4; x++) {
          const sy = y - dy;
          const sx = x - dx;
          const expected = sy >= 0 && sy < 5 && sx >= 0 && sx < 4 ? (data.images[idx * 20 + sy * 4 + sx] as number) : 0;
          expect(out[row * 20 + y * 4 + x]).toBe(expected);
        }
      }
    });
  });

  it("is a plain copy with maxShift 0", () => {
    const data = syntheticImages({ classes: 2, perClass: 2, seed: 4 });
    const out = shiftedBatch(data, Int32Array.from([3, 1]), 0, createRng(1));
    expect(Array.from(out.subarray(0, 36))).toEqual(Array.from(data.images.subarray(3 * 36, 4 * 36)));
  });
});

describe("pretrainClassifier", () => {
  const data = syntheticImages({ classes: 6, perClass: 20, height: 8, width: 8, noise: 0.3, seed: 5 });

  it("learns the pretraining classes without leaking tensors", async () => {
    const before = tf.memory().numTensors;
    const net = await pretrainClassifier(data, { filters: [8, 8], batchSize: 32, steps: 150, maxShift: 1, learningRate: 1e-2, seed: 3 });
    expect(net.steps).toBe(150);
    expect(Array.from(net.classes)).toEqual([0, 1, 2, 3, 4, 5]);
    const first = net.history[0]?.loss ?? 0;
    const last = net.history[net.history.length - 1];
    expect(last?.loss).toBeLessThan(first);
    // Chance is 1/6; templates plus noise are easy to tell apart once trained.
    expect(last?.accuracy).toBeGreaterThan(0.6);
    expect(net.blocks.outputs.map((o) => o.shape.slice(1))).toEqual([[8, 8, 8], [4, 4, 8]]);
    net.dispose();
    expect(tf.memory().numTensors).toBe(before);
  });

  it("is deterministic for a seed", async () => {
    const run = async (): Promise<number[]> => {
      const net = await pretrainClassifier(data, { filters: [2], batchSize: 16, steps: 5, seed: 11 });
      const w = net.classifier.getWeights().flatMap((t) => Array.from(t.dataSync()));
      net.dispose();
      return w;
    };
    expect(await run()).toEqual(await run());
  });
});
