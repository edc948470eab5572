import * as tf from "@tensorflow/tfjs-core";
import * as tfl from "@tensorflow/tfjs-layers";
import { beforeAll, describe, expect, it } from "vitest";

import "../backend/candidates.js";
import { initBackend } from "../backend/registry.js";
import type { ProgressEvent } from "../progress.js";
import { createRng } from "../random/rng.js";
import type { Rng } from "../random/rng.js";
import { augmentBatch, augmentBatchAffine, evaluateAccuracy, predictClasses, trainClassifier } from "./train.js";
import { toyImages } from "./testing.js";

beforeAll(async () => {
  await initBackend({ backend: "cpu" });
});

function toyModel(seed: number): tfl.LayersModel {
  const input = tfl.input({ shape: [8, 8, 1] });
  const flat = tfl.layers.flatten({ name: "flatten" }).apply(input) as tfl.SymbolicTensor;
  const h = tfl.layers.dense({ name: "dense1", units: 16, activation: "relu", kernelInitializer: tfl.initializers.heNormal({ seed }) }).apply(flat) as tfl.SymbolicTensor;
  const d = tfl.layers.dropout({ name: "dropout1", rate: 0.2 }).apply(h) as tfl.SymbolicTensor;
  const logits = tfl.layers.dense({ name: "logits", units: 3, kernelInitializer: tfl.initializers.glorotUniform({ seed: seed + 1 }) }).apply(d) as tfl.SymbolicTensor;
  const probs = tfl.layers.activation({ name: "probs", activation: "softmax" }).apply(logits) as tfl.SymbolicTensor;
  return tfl.model({ inputs: input, outputs: probs });
}

describe("trainClassifier", () => {
  it("learns a separable task, reports epochs, and leaks no tensors", async () => {
    const train = toyImages(120, 1);
    const test = toyImages(60, 2);
    const model = toyModel(3);
    const before = tf.memory().numTensors;
    const events: ProgressEvent[] = [];
    const result = await trainClassifier(model, train, test, { seed: 4, epochs: 4, batchSize: 16, learningRate: 1e-2, augmentShift: 1, onProgress: (e) => events.push(e) });
    expect(tf.memory().numTensors).toBe(before);
    expect(events.map((e) => [e.phase, e.step, e.total])).toEqual([1, 2, 3, 4].map((s) => ["epoch", s, 4]));
    expect(Object.keys(events[0]?.metrics ?? {})).toEqual(["loss", "accuracy", "testAccuracy"]);
    expect(result.history).toHaveLength(4);
    expect(result.history[3]?.loss).toBeLessThan(result.history[0]?.loss ?? 0);
    expect(result.testAccuracy).toBe(1);
    expect(await evaluateAccuracy(model, test)).toBe(1);
  });
  it("is reproducible from the seed and differs with another seed", async () => {
    const train = toyImages(60, 1);
    const test = toyImages(30, 2);
    const run = async (seed: number): Promise<number[]> => (await trainClassifier(toyModel(3), train, test, { seed, epochs: 2, batchSize: 8, augmentShift: 1 })).history.map((h) => h.loss);
    const a = await run(7);
    expect(await run(7)).toEqual(a);
    expect(await run(8)).not.toEqual(a);
  });
  it("trains a user model whose output is softmax probabilities (no logits layer)", async () => {
    const input = tfl.input({ shape: [8, 8, 1] });
    const flat = tfl.layers.flatten().apply(input) as tfl.SymbolicTensor;
    const out = tfl.layers.dense({ units: 3, activation: "softmax", kernelInitializer: tfl.initializers.zeros() }).apply(flat) as tfl.SymbolicTensor;
    const model = tfl.model({ inputs: input, outputs: out });
    const result = await trainClassifier(model, toyImages(90, 1), toyImages(30, 2), { seed: 1, epochs: 3, batchSize: 10, learningRate: 3e-2 });
    // Zero weights start at uniform probabilities: cross-entropy ln 3 at the very first step.
    expect(result.history[0]?.loss).toBeLessThan(Math.log(3));
    expect(result.testAccuracy).toBeGreaterThan(0.9);
  });
  it("lets a timer abort it mid-epoch: the loop yields to the event loop (Ctrl-C reaches it)", async () => {
    const controller = new AbortController();
    const train = toyImages(600, 1);
    const epochs: number[] = [];
    const model = toyModel(2);
    const before = tf.memory().numTensors;
    const started = performance.now();
    // A macrotask, as a SIGINT handler is: it can only run if training gives the event loop a turn.
    const timer = setTimeout(() => controller.abort(), 100);
    const run = trainClassifier(model, train, toyImages(30, 2), { seed: 1, epochs: 200, batchSize: 4, signal: controller.signal, onProgress: (e) => epochs.push(e.step) });
    await expect(run).rejects.toMatchObject({ code: "ABORTED" });
    clearTimeout(timer);
    const seconds = (performance.now() - started) / 1000;
    // 200 epochs of 150 steps take minutes; the abort lands within a yield interval (50 ms) plus one step.
    expect(epochs.length).toBeLessThan(200);
    expect(seconds).toBeLessThan(5);
    expect(tf.memory().numTensors).toBe(before);
  });
  it("stops on abort and rejects bad options", async () => {
    const controller = new AbortController();
    controller.abort();
    await expect(trainClassifier(toyModel(1), toyImages(30, 1), toyImages(9, 2), { signal: controller.signal })).rejects.toMatchObject({ code: "ABORTED" });
    await expect(trainClassifier(toyModel(1), toyImages(30, 1), toyImages(9, 2), { epochs: 0 })).rejects.toThrow(/epochs must be a positive integer/);
    await expect(trainClassifier(toyModel(1), toyImages(30, 1), toyImages(9, 2), { augmentShift: -1 })).rejects.toThrow(/augmentShift/);
    const poisoned = toyImages(30, 1);
    poisoned.images[2 * 64 + 9] = Number.NaN;
    await expect(trainClassifier(toyModel(1), poisoned, toyImages(9, 2))).rejects.toThrow(/training set "toy" contains NaN at flat position 137 \(index \[2, 1, 1, 0\]\)/);
  });
});

describe("augmentBatch", () => {
  it("translates each image by an integer offset within ±shift, zero-filling the border", () => {
    const side = 8;
    const ds = toyImages(1, 1);
    // A single bright pixel at (3, 4) shows the offset exactly.
    ds.images.fill(0);
    ds.images[3 * side + 4] = 1;
    const rng = createRng(5);
    const seen = new Set<string>();
    for (let t = 0; t < 200; t++) {
      const out = augmentBatch(ds, [0], 2, rng);
      const at = out.indexOf(1);
      expect(out.reduce((a, b) => a + b, 0)).toBe(1);
      const dy = Math.floor(at / side) - 3;
      const dx = (at % side) - 4;
      expect(Math.abs(dy)).toBeLessThanOrEqual(2);
      expect(Math.abs(dx)).toBeLessThanOrEqual(2);
      seen.add(`${dy},${dx}`);
    }
    expect(seen.size).toBe(25);
    expect(Array.from(augmentBatch(ds, [0], 0, rng))).toEqual(Array.from(ds.images));
  });
});

describe("augmentBatchAffine", () => {
  /** A generator stuck at one value, to pin the random rotation, zoom and shift. */
  const constant = (value: number): Rng => ({ next: () => value }) as unknown as Rng;
  it("is the identity at zero rotation, zoom and shift, and rotates a pixel by +90° about the centre", () => {
    const ds = toyImages(2, 4);
    expect(Array.from(augmentBatchAffine(ds, [1, 0], { shift: 2, rotate: 10, scale: 0.1 }, constant(0.5)))).toEqual(Array.from(ds.images.subarray(64, 128)).concat(Array.from(ds.images.subarray(0, 64))));
    ds.images.fill(0);
    ds.images[1 * 8 + 4] = 1;
    // next() = 1 draws the extreme +90°; source (y=1, x=4) lands at (4, 6) on an 8×8 grid centred at 3.5.
    const out = augmentBatchAffine(ds, [0], { shift: 0, rotate: 90, scale: 0 }, constant(1));
    expect(out[4 * 8 + 6]).toBeCloseTo(1, 6);
    expect(out.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 6);
  });
});

describe("predictClasses", () => {
  it("returns the argmax of the model output in batches", async () => {
    const model = toyModel(2);
    const ds = toyImages(10, 3);
    const probs = tf.tidy(() => (model.predict(tf.tensor4d(ds.images, [10, 8, 8, 1])) as tf.Tensor).arraySync() as number[][]);
    const expected = probs.map((row) => row.indexOf(Math.max(...row)));
    expect(Array.from(await predictClasses(model, ds.images, 10, { batchSize: 3 }))).toEqual(expected);
    await expect(predictClasses(model, ds.images, 11)).rejects.toThrow(/Expected 11 images/);
  });
});
