import { beforeAll, describe, expect, it } from "vitest";

import { createRng, initBackend } from "@dl/tensor-core";

import * as tf from "@tensorflow/tfjs-core";
import { nadarayaWatson } from "./nadarayaWatson.js";
import { SINUSOID, sampleSinusoidEpisode, sinusoidValue } from "./sinusoid.js";

beforeAll(async () => {
  await initBackend({ backend: "wasm" });
});

const xs = [-4, -1.5, 0.2, 2.5, 4.1];
const ys = [1.3, -0.7, 2.2, 0.4, -1.9];
const xq = [-3.1, 0.0, 1.0, 3.9];

describe("nadarayaWatson", () => {
  it("is the analytic kernel-weighted mean", () => {
    const before = tf.memory().numTensors;
    const T = 1.7;
    const out = tf.tidy(() => nadarayaWatson(tf.tensor2d(xq, [4, 1]), tf.tensor2d(xs, [5, 1]), tf.tensor1d(ys), T).dataSync());
    xq.forEach((q, i) => {
      const w = xs.map((s) => Math.exp(-((q - s) ** 2) / T));
      const expected = w.reduce((t, wi, j) => t + wi * (ys[j] as number), 0) / w.reduce((t, wi) => t + wi, 0);
      expect(out[i]).toBeCloseTo(expected, 5);
    });
    expect(tf.memory().numTensors).toBe(before);
  });

  it("interpolates the nearest shot as T → 0 and averages all shots as T → ∞", () => {
    const cold = tf.tidy(() => nadarayaWatson(tf.tensor2d(xq, [4, 1]), tf.tensor2d(xs, [5, 1]), tf.tensor1d(ys), 1e-4).dataSync());
    xq.forEach((q, i) => {
      const nearest = xs.reduce((best, s, j) => (Math.abs(q - s) < Math.abs(q - (xs[best] as number)) ? j : best), 0);
      expect(cold[i]).toBeCloseTo(ys[nearest] as number, 5);
    });
    const hot = tf.tidy(() => nadarayaWatson(tf.tensor2d(xq, [4, 1]), tf.tensor2d(xs, [5, 1]), tf.tensor1d(ys), 1e7).dataSync());
    const mean = ys.reduce((a, b) => a + b, 0) / ys.length;
    for (const v of hot) expect(v).toBeCloseTo(mean, 4);
  });
});

describe("sampleSinusoidEpisode", () => {
  it("draws amplitude, phase and x from the MAML ranges and y = A sin(x − φ)", () => {
    const rng = createRng(3);
    for (let i = 0; i < 200; i++) {
      const ep = sampleSinusoidEpisode(rng, 5, 7);
      expect(ep.task.amplitude).toBeGreaterThanOrEqual(SINUSOID.amplitude[0]);
      expect(ep.task.amplitude).toBeLessThanOrEqual(SINUSOID.amplitude[1]);
      expect(ep.task.phase).toBeGreaterThanOrEqual(0);
      expect(ep.task.phase).toBeLessThanOrEqual(Math.PI);
      expect(ep.supportX.length).toBe(5);
      expect(ep.queryX.length).toBe(7);
      ep.supportX.forEach((x, j) => {
        expect(Math.abs(x)).toBeLessThanOrEqual(5);
        expect(ep.supportY[j]).toBeCloseTo(sinusoidValue(ep.task, x), 5);
      });
    }
  });

  it("has the analytic mean squared amplitude: E[y²] = E[A²]/2 = (5³ − 0.1³)/(3·4.9)/2", () => {
    const rng = createRng(11);
    const tasks = 20000;
    const perTask = new Float64Array(tasks);
    for (let t = 0; t < tasks; t++) {
      const ep = sampleSinusoidEpisode(rng, 1, 50);
      perTask[t] = ep.queryY.reduce((s, y) => s + y * y, 0) / 50;
    }
    const mean = perTask.reduce((a, b) => a + b, 0) / tasks;
    const sd = Math.sqrt(perTask.reduce((a, b) => a + (b - mean) ** 2, 0) / (tasks - 1));
    // Over x ∈ [−5, 5] and φ ∈ [0, π], the average of sin²(x − φ) is exactly 1/2.
    const expected = (5 ** 3 - 0.1 ** 3) / (3 * 4.9) / 2;
    expect(Math.abs(mean - expected)).toBeLessThan(4 * (sd / Math.sqrt(tasks)));
  });
});
