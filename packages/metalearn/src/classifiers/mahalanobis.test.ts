import { Matrix, solve } from "ml-matrix";
import { beforeAll, describe, expect, it } from "vitest";

import { createRng, DlError, initBackend } from "@dl/tensor-core";

import * as tf from "@tensorflow/tfjs-core";
import { mahalanobisLogProbs } from "./mahalanobis.js";
import { episodeLogProbs } from "../matching/metaTrain.js";

beforeAll(async () => {
  await initBackend({ backend: "wasm" });
});

/** The same classifier with every Σ_c built as a full D × D matrix and solved directly (no Woodbury). */
function fullCovarianceReference(support: number[][], labels: number[], query: number[][], ways: number, shrinkage: number): number[][] {
  const dim = (support[0] as number[]).length;
  const mean = (xs: number[][]): number[] => Array.from({ length: dim }, (_, d) => xs.reduce((a, x) => a + (x[d] as number), 0) / xs.length);
  const covariance = (xs: number[][]): Matrix => {
    const m = mean(xs);
    const c = Matrix.zeros(dim, dim);
    for (const x of xs) for (let i = 0; i < dim; i++) for (let j = 0; j < dim; j++) c.set(i, j, c.get(i, j) + (((x[i] as number) - (m[i] as number)) * ((x[j] as number) - (m[j] as number))) / xs.length);
    return c;
  };
  const task = covariance(support);
  const beta = (shrinkage * task.trace()) / dim;
  const scores = query.map(() => new Array<number>(ways).fill(0));
  for (let c = 0; c < ways; c++) {
    const own = support.filter((_, i) => labels[i] === c);
    const lambda = own.length / (own.length + 1);
    const sigma = Matrix.add(Matrix.mul(covariance(own), lambda), Matrix.mul(task, 1 - lambda)).add(Matrix.eye(dim, dim).mul(beta));
    const p = mean(own);
    query.forEach((q, j) => {
      const diff = Matrix.columnVector(q.map((v, d) => v - (p[d] as number)));
      (scores[j] as number[])[c] = -0.5 * diff.transpose().mmul(solve(sigma, diff)).get(0, 0);
    });
  }
  return scores.map((s) => {
    const max = Math.max(...s);
    const z = Math.log(s.reduce((a, v) => a + Math.exp(v - max), 0)) + max;
    return s.map((v) => v - z);
  });
}

/** Predicted class of each query row, leak-free. */
function argMaxRows(logProbs: () => tf.Tensor2D): number[] {
  return tf.tidy(() => tf.argMax(logProbs(), 1).arraySync() as number[]);
}

function gaussianRows(rng: ReturnType<typeof createRng>, n: number, centre: number[], scale: number[]): number[][] {
  return Array.from({ length: n }, () => centre.map((m, d) => m + (scale[d] as number) * rng.normal()));
}

describe("Mahalanobis classifier (Simple CNAPS-style)", () => {
  it("equals the full-covariance computation, at 1 and at several shots, leak-free", () => {
    const rng = createRng(5);
    const ways = 3;
    for (const [labels, shrinkage] of [
      [[0, 1, 2], 0.5],
      [[0, 1, 2, 0, 1, 2, 0, 1, 2], 2],
      [[0, 0, 1, 1, 1, 2], 40],
    ] as const) {
      const support = labels.map(() => Array.from({ length: 7 }, () => rng.normal()));
      const query = Array.from({ length: 5 }, () => Array.from({ length: 7 }, () => rng.normal()));
      const s = tf.tensor2d(support);
      const q = tf.tensor2d(query);
      const before = tf.memory().numTensors;
      const logProbs = mahalanobisLogProbs(s, Int32Array.from(labels), q, ways, shrinkage);
      const got = logProbs.arraySync();
      logProbs.dispose();
      expect(tf.memory().numTensors).toBe(before);
      const expected = fullCovarianceReference(support, [...labels], query, ways, shrinkage);
      got.forEach((row, j) => row.forEach((v, c) => expect(v).toBeCloseTo((expected[j] as number[])[c] as number, 3)));
      tf.dispose([s, q]);
    }
  });

  it("becomes the prototypical classifier as the shrinkage grows", () => {
    const rng = createRng(8);
    const labels = Int32Array.from({ length: 25 }, (_, i) => i % 5);
    const s = tf.tensor2d(Array.from(labels, () => Array.from({ length: 12 }, () => rng.normal())));
    const q = tf.tensor2d(Array.from({ length: 60 }, () => Array.from({ length: 12 }, () => rng.normal())));
    const mahalanobis = argMaxRows(() => mahalanobisLogProbs(s, labels, q, 5, 1e4));
    const proto = argMaxRows(() => episodeLogProbs(s, labels, q, 5, "proto", "squared-euclidean", 1));
    expect(mahalanobis).toEqual(proto);
    // …while a small shrinkage changes some decisions on the same data.
    const changed = argMaxRows(() => mahalanobisLogProbs(s, labels, q, 5, 0.1));
    expect(changed.filter((c, i) => c !== proto[i]).length).toBeGreaterThan(0);
    tf.dispose([s, q]);
  });

  it("beats euclidean prototypes when the classes are stretched along a direction that does not separate them", () => {
    // Two classes: wide noise (σ = 4) along x, narrow (σ = 0.3) along y; the means differ by 1 along y.
    // Bayes accuracy ≈ Φ(0.5 / 0.3) ≈ 95%; euclidean distance is swamped by x and lands near chance.
    const rng = createRng(21);
    const scale = [4, 0.3];
    let mahalanobisCorrect = 0;
    let protoCorrect = 0;
    let total = 0;
    for (let episode = 0; episode < 40; episode++) {
      const support = [...gaussianRows(rng, 10, [0, 0], scale), ...gaussianRows(rng, 10, [0, 1], scale)];
      const labels = Int32Array.from({ length: 20 }, (_, i) => (i < 10 ? 0 : 1));
      const query = [...gaussianRows(rng, 20, [0, 0], scale), ...gaussianRows(rng, 20, [0, 1], scale)];
      const truth = Array.from({ length: 40 }, (_, i) => (i < 20 ? 0 : 1));
      const s = tf.tensor2d(support);
      const q = tf.tensor2d(query);
      const m = argMaxRows(() => mahalanobisLogProbs(s, labels, q, 2, 0.01));
      const p = argMaxRows(() => episodeLogProbs(s, labels, q, 2, "proto", "squared-euclidean", 1));
      mahalanobisCorrect += m.filter((c, i) => c === truth[i]).length;
      protoCorrect += p.filter((c, i) => c === truth[i]).length;
      total += 40;
      tf.dispose([s, q]);
    }
    expect(mahalanobisCorrect / total).toBeGreaterThan(0.88);
    expect(protoCorrect / total).toBeLessThan(0.7);
  });

  it("rejects a bad shrinkage, mismatched labels and a class without support, with typed errors", () => {
    const s = tf.tensor2d([
      [0, 1],
      [1, 0],
    ]);
    const q = tf.tensor2d([[0, 0]]);
    const before = tf.memory().numTensors;
    expect(() => mahalanobisLogProbs(s, Int32Array.from([0, 1]), q, 2, 0)).toThrow(/shrinkage must be a finite number > 0/);
    expect(() => mahalanobisLogProbs(s, Int32Array.from([0]), q, 2)).toThrow(/1 support labels for 2 support rows/);
    expect(() => mahalanobisLogProbs(s, Int32Array.from([0, 0]), q, 2)).toThrow(/Every class needs at least one support example/);
    expect(() => mahalanobisLogProbs(s, Int32Array.from([0, 2]), q, 2)).toThrow(DlError);
    expect(tf.memory().numTensors).toBe(before);
    tf.dispose([s, q]);
  });
});
