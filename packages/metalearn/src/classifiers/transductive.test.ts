import { beforeAll, describe, expect, it } from "vitest";

import { createRng, DlError, initBackend } from "@dl/tensor-core";

import * as tf from "@tensorflow/tfjs-core";
import { episodeLogProbs } from "../matching/metaTrain.js";
import { centreOnEpisode, transductiveLogProbs } from "./transductive.js";

beforeAll(async () => {
  await initBackend({ backend: "wasm" });
});

/** Soft k-means over squared euclidean distances, written out on plain arrays (the independent reference). */
function softKMeansReference(support: number[][], labels: number[], query: number[][], ways: number, temperature: number, iterations: number): number[][] {
  const dim = (support[0] as number[]).length;
  const sq = (a: number[], b: number[]): number => a.reduce((s, v, d) => s + (v - (b[d] as number)) ** 2, 0);
  const sums = Array.from({ length: ways }, () => new Array<number>(dim).fill(0));
  const counts = new Array<number>(ways).fill(0);
  support.forEach((row, i) => {
    const c = labels[i] as number;
    counts[c] = (counts[c] as number) + 1;
    row.forEach((v, d) => ((sums[c] as number[])[d] = ((sums[c] as number[])[d] as number) + v));
  });
  let prototypes = sums.map((s, c) => s.map((v) => v / (counts[c] as number)));
  const posterior = (): number[][] =>
    query.map((q) => {
      const scores = prototypes.map((p) => -sq(q, p) / temperature);
      const max = Math.max(...scores);
      const z = scores.reduce((a, s) => a + Math.exp(s - max), 0);
      return scores.map((s) => Math.exp(s - max) / z);
    });
  for (let it = 0; it < iterations; it++) {
    const w = posterior();
    prototypes = sums.map((s, c) => {
      const weight = (counts[c] as number) + w.reduce((a, row) => a + (row[c] as number), 0);
      return s.map((v, d) => (v + query.reduce((a, q, j) => a + ((w[j] as number[])[c] as number) * (q[d] as number), 0)) / weight);
    });
  }
  return posterior();
}

describe("transductive prototypes (soft k-means over the queries)", () => {
  it("matches a plain-array soft k-means on random episodes, leak-free", () => {
    const rng = createRng(3);
    const ways = 4;
    const labels = [0, 1, 2, 3, 0, 1, 2, 3];
    const support = labels.map(() => Array.from({ length: 6 }, () => rng.normal()));
    const query = Array.from({ length: 10 }, () => Array.from({ length: 6 }, () => rng.normal()));
    const s = tf.tensor2d(support);
    const q = tf.tensor2d(query);
    const before = tf.memory().numTensors;
    for (const [temperature, iterations] of [[0.5, 1], [2, 3], [5, 10]] as const) {
      const logProbs = transductiveLogProbs(s, Int32Array.from(labels), q, ways, "squared-euclidean", temperature, iterations);
      const expected = softKMeansReference(support, labels, query, ways, temperature, iterations);
      const got = logProbs.arraySync();
      logProbs.dispose();
      got.forEach((row, j) => row.forEach((v, c) => expect(Math.exp(v)).toBeCloseTo((expected[j] as number[])[c] as number, 4)));
    }
    expect(tf.memory().numTensors).toBe(before);
    tf.dispose([s, q]);
  });

  it("with 0 iterations it is the prototypical classifier", () => {
    const rng = createRng(5);
    const s = tf.tensor2d(Array.from({ length: 6 }, () => Array.from({ length: 3 }, () => rng.normal())));
    const q = tf.tensor2d(Array.from({ length: 5 }, () => Array.from({ length: 3 }, () => rng.normal())));
    const labels = Int32Array.from([0, 1, 2, 0, 1, 2]);
    const ours = transductiveLogProbs(s, labels, q, 3, "squared-euclidean", 1, 0);
    const proto = episodeLogProbs(s, labels, q, 3, "proto", "squared-euclidean", 1);
    const a = ours.dataSync();
    const b = proto.dataSync();
    a.forEach((v, i) => expect(v).toBeCloseTo(b[i] as number, 5));
    tf.dispose([s, q, ours, proto]);
  });

  it("the unlabelled queries pull a misplaced one-shot prototype to its cluster (hand computation)", () => {
    // Support a = (0, 0), b = (2, 0); class-a queries sit at (1.2, 0), nearer b; class-b queries at (3, 0).
    // Inductively every a-query goes to b (0.64 < 1.44). One soft k-means step at T = 2 moves a to
    // 2.67 / 3.09 ≈ 0.864 and b to 20.33 / 8.91 ≈ 2.28, after which every query is labelled right.
    const s = tf.tensor2d([[0, 0], [2, 0]]);
    const q = tf.tensor2d([...Array.from({ length: 5 }, () => [1.2, 0]), ...Array.from({ length: 5 }, () => [3, 0])]);
    const labels = Int32Array.from([0, 1]);
    const truth = [0, 0, 0, 0, 0, 1, 1, 1, 1, 1];
    const predict = (iterations: number): number[] => {
      const lp = transductiveLogProbs(s, labels, q, 2, "squared-euclidean", 2, iterations);
      const out = Array.from(tf.argMax(lp, 1).dataSync());
      lp.dispose();
      return out;
    };
    expect(predict(0)).toEqual([1, 1, 1, 1, 1, 1, 1, 1, 1, 1]);
    expect(predict(1)).toEqual(truth);
    tf.dispose([s, q]);
  });

  it("centreOnEpisode subtracts the mean of support and queries together and unit-normalises", () => {
    const s = tf.tensor2d([[1, 0], [3, 0]]);
    const q = tf.tensor2d([[2, 4], [2, -4]]); // mean of all four rows: (2, 0)
    const out = centreOnEpisode(s, q);
    expect(Array.from(out.support.dataSync())).toEqual([-1, 0, 1, 0]);
    expect(Array.from(out.query.dataSync())).toEqual([0, 1, 0, -1]);
    tf.dispose([s, q, out.support, out.query]);
  });

  it("rejects a negative iteration count, a temperature ≤ 0 and mismatched labels", () => {
    const s = tf.tensor2d([[0, 0], [1, 1]]);
    const q = tf.tensor2d([[0, 1]]);
    expect(() => transductiveLogProbs(s, Int32Array.from([0, 1]), q, 2, "squared-euclidean", 1, -1)).toThrow(DlError);
    expect(() => transductiveLogProbs(s, Int32Array.from([0, 1]), q, 2, "squared-euclidean", 0, 1)).toThrow(/temperature/);
    expect(() => transductiveLogProbs(s, Int32Array.from([0]), q, 2, "squared-euclidean", 1, 1)).toThrow(/support labels/);
    tf.dispose([s, q]);
  });
});
