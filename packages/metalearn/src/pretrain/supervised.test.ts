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

  it("self-distillation: the first step's loss is (1 − w)·CE + w·T²·KL(softmax(teacher/T) ‖ softmax(student/T)), computed independently", async () => {
    const n = 24;
    const small = syntheticImages({ classes: 3, perClass: 8, height: 6, width: 6, noise: 0.3, seed: 8 });
    const teacher = await pretrainClassifier(small, { filters: [3], steps: 0, seed: 1 });
    const start = await pretrainClassifier(small, { filters: [3], steps: 0, seed: 2 });
    const T = 3;
    // The whole set is one batch and nothing is shifted, so the step sees exactly these images (order does not matter to a mean).
    const expected = tf.tidy(() => {
      const x = tf.tensor4d(small.images, [n, 6, 6, 1]);
      const s = start.classifier.apply(x, { training: true }) as tf.Tensor2D;
      const t = teacher.classifier.apply(x, { training: false }) as tf.Tensor2D;
      const ce = tf.mean(tf.neg(tf.sum(tf.mul(tf.oneHot(tf.tensor1d(small.labels, "int32"), 3), tf.logSoftmax(s)), 1)));
      // KL(p ‖ q) = Σ p (log p − log q) with p = softmax(t/T), q = softmax(s/T).
      const kd = tf.mean(tf.sum(tf.mul(tf.softmax(tf.div(t, T)), tf.sub(tf.logSoftmax(tf.div(t, T)), tf.logSoftmax(tf.div(s, T)))), 1));
      return [ce.dataSync()[0] as number, (kd.dataSync()[0] as number) * T * T];
    });
    const before = tf.memory().numTensors;
    for (const weight of [0, 1, 0.25]) {
      const student = await pretrainClassifier(small, { filters: [3], steps: 1, batchSize: n, maxShift: 0, seed: 2, teacher: { classifier: teacher.classifier, temperature: T, weight } });
      expect(student.history[0]?.loss).toBeCloseTo((1 - weight) * (expected[0] as number) + weight * (expected[1] as number), 4);
      student.dispose();
    }
    expect(tf.memory().numTensors).toBe(before);
    const other = await pretrainClassifier(syntheticImages({ classes: 2, perClass: 4, seed: 3 }), { filters: [2], steps: 0, seed: 1 });
    await expect(pretrainClassifier(small, { filters: [3], steps: 1, seed: 2, teacher: { classifier: other.classifier } })).rejects.toThrow(/teacher predicts 2 classes, the data has 3/);
    for (const net of [teacher, start, other]) net.dispose();
  });

  it("label smoothing: the first step's loss is the cross-entropy against (1 − ε)·onehot + ε / classes, computed independently", async () => {
    const n = 24;
    const small = syntheticImages({ classes: 3, perClass: 8, height: 6, width: 6, noise: 0.3, seed: 8 });
    const start = await pretrainClassifier(small, { filters: [3], steps: 0, seed: 2 });
    const eps = 0.3;
    const expected = tf.tidy(() => {
      const s = start.classifier.apply(tf.tensor4d(small.images, [n, 6, 6, 1]), { training: true }) as tf.Tensor2D;
      const targets = tf.add(tf.mul(tf.oneHot(tf.tensor1d(small.labels, "int32"), 3), 1 - eps), eps / 3);
      return tf.mean(tf.neg(tf.sum(tf.mul(targets, tf.logSoftmax(s)), 1))).dataSync()[0] as number;
    });
    const before = tf.memory().numTensors;
    const smoothed = await pretrainClassifier(small, { filters: [3], steps: 1, batchSize: n, maxShift: 0, seed: 2, labelSmoothing: eps });
    expect(smoothed.history[0]?.loss).toBeCloseTo(expected, 4);
    smoothed.dispose();
    expect(tf.memory().numTensors).toBe(before);
    start.dispose();
    await expect(pretrainClassifier(small, { steps: 1, labelSmoothing: 1 })).rejects.toThrow(/labelSmoothing must be in \[0, 1\), got 1/);
    await expect(pretrainClassifier(small, { steps: 1, mixupAlpha: -1 })).rejects.toThrow(/mixupAlpha must be a finite number ≥ 0, got -1/);
  });

  it("cosine head (Baseline++): the logits are s·cos(pooled feature, class weight), computed independently from the blocks and the kernel", async () => {
    const n = 24;
    const small = syntheticImages({ classes: 3, perClass: 8, height: 6, width: 6, noise: 0.3, seed: 8 });
    const before = tf.memory().numTensors;
    const s = 7;
    const net = await pretrainClassifier(small, { filters: [3, 4], steps: 3, batchSize: 8, seed: 2, head: "cosine", cosineScale: s });
    const x = tf.tensor4d(small.images, [n, 6, 6, 1]);
    const predicted = net.classifier.predict(x) as tf.Tensor2D;
    const logits = predicted.arraySync();
    const maps = net.blocks.predict(x) as tf.Tensor4D[];
    const last = (maps[1] as tf.Tensor4D).arraySync();
    const kernel = (net.classifier.getLayer("logits").getWeights()[0] as tf.Tensor2D).arraySync();
    expect(net.classifier.getLayer("logits").getWeights()).toHaveLength(1);
    tf.dispose([x, predicted, ...maps]);
    const norm = (v: number[]): number => Math.sqrt(v.reduce((a, b) => a + b * b, 0));
    const columns = [0, 1, 2].map((c) => kernel.map((row) => row[c] as number));
    last.forEach((image, i) => {
      // Global average pooling of the 3×3×4 map, by hand.
      const f = [0, 1, 2, 3].map((k) => image.flat().reduce((a, px) => a + (px[k] as number), 0) / 9);
      columns.forEach((w, c) => {
        const cos = f.reduce((a, v, k) => a + v * (w[k] as number), 0) / (norm(f) * norm(w));
        expect(logits[i]?.[c]).toBeCloseTo(s * cos, 4);
      });
    });
    net.dispose();
    expect(tf.memory().numTensors).toBe(before);
    await expect(pretrainClassifier(small, { steps: 1, head: "arc" as "cosine" })).rejects.toThrow(/Unknown head "arc"; valid: linear or cosine/);
    await expect(pretrainClassifier(small, { steps: 1, head: "cosine", cosineScale: 0 })).rejects.toThrow(/cosineScale must be a finite number > 0, got 0/);
  });

  it("weight averaging: the returned weights are Σ (1 − d)·d^(T−t)·θ_t / (1 − d^T) over the trajectory of the same run without averaging", async () => {
    const small = syntheticImages({ classes: 3, perClass: 8, height: 6, width: 6, noise: 0.3, seed: 8 });
    const options = { filters: [3], batchSize: 8, learningRate: 0.05, seed: 4 };
    const before = tf.memory().numTensors;
    // Averaging draws nothing from the generator, so a plain run of t steps is the averaged run's θ_t (batch-norm statistics included).
    const trajectory: number[][] = [];
    const T = 4;
    for (let t = 1; t <= T; t++) {
      const net = await pretrainClassifier(small, { ...options, steps: t });
      trajectory.push(net.classifier.getWeights(false).flatMap((w) => Array.from(w.dataSync())));
      net.dispose();
    }
    const d = 0.6;
    const averaged = await pretrainClassifier(small, { ...options, steps: T, emaDecay: d });
    const got = averaged.classifier.getWeights(false).flatMap((w) => Array.from(w.dataSync()));
    averaged.dispose();
    expect(tf.memory().numTensors).toBe(before);
    expect(got).toHaveLength(trajectory[0]?.length ?? 0);
    const last = trajectory[T - 1] as number[];
    let moved = 0;
    got.forEach((g, k) => {
      const expected = trajectory.reduce((a, theta, t) => a + (1 - d) * d ** (T - 1 - t) * (theta[k] as number), 0) / (1 - d ** T);
      expect(g).toBeCloseTo(expected, 5);
      moved = Math.max(moved, Math.abs(g - (last[k] as number)));
    });
    // The average is not the last step's weights.
    expect(moved).toBeGreaterThan(1e-3);
    await expect(pretrainClassifier(small, { steps: 1, emaDecay: 1 })).rejects.toThrow(/emaDecay must be in \[0, 1\), got 1/);
  });

  it("mixup: a trained network's loss cannot fall to the clean one's, since mixed targets carry entropy; no tensor leaks", async () => {
    const before = tf.memory().numTensors;
    const train = async (mixupAlpha: number) => {
      const net = await pretrainClassifier(data, { filters: [8, 8], batchSize: 32, steps: 150, maxShift: 1, learningRate: 1e-2, seed: 3, mixupAlpha });
      const last = net.history[net.history.length - 1]?.loss ?? 0;
      net.dispose();
      return last;
    };
    const clean = await train(0);
    const mixed = await train(1);
    expect(tf.memory().numTensors).toBe(before);
    // α = 1: λ uniform, so the mixed targets' mean entropy is E[−λ ln λ − (1 − λ) ln(1 − λ)] = ½ nat when the partners' classes differ (about 5/6 of pairs), a floor of ≈ 0.42 nat under any network.
    expect(mixed).toBeGreaterThan(clean + 0.25);
  });
});
