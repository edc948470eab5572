import * as tf from "@tensorflow/tfjs-core";
import { beforeAll, describe, expect, it } from "vitest";

import { createRng, initBackend, isDlError } from "@dl/tensor-core";

import { DISTANCE_METRICS, type DistanceMetric, pairwiseDistances } from "./distances.js";
import { knnPredict } from "./knn.js";
import { attentionWeights, softNearestNeighbourLogProbs } from "./softNearestNeighbour.js";

beforeAll(async () => {
  await initBackend({ backend: "wasm" });
});

function randomMatrix(rows: number, cols: number, seed: number): number[][] {
  const rng = createRng(seed);
  return Array.from({ length: rows }, () => Array.from({ length: cols }, () => rng.normal()));
}

function bruteDistance(a: number[], b: number[], metric: DistanceMetric): number {
  let sq = 0;
  let dot = 0;
  let na = 0;
  let nb = 0;
  a.forEach((ai, i) => {
    const bi = b[i] as number;
    sq += (ai - bi) ** 2;
    dot += ai * bi;
    na += ai * ai;
    nb += bi * bi;
  });
  if (metric === "squared-euclidean") return sq;
  if (metric === "euclidean") return Math.sqrt(sq);
  return 1 - dot / Math.sqrt(na * nb);
}

function bruteSoftmax(row: number[]): number[] {
  const m = Math.max(...row);
  const e = row.map((v) => Math.exp(v - m));
  const z = e.reduce((s, v) => s + v, 0);
  return e.map((v) => v / z);
}

const Q = randomMatrix(6, 4, 1);
const S = randomMatrix(9, 4, 2);
const labels = Int32Array.from([0, 0, 0, 1, 1, 2, 2, 2, 2]);

describe("pairwiseDistances and attention", () => {
  it.each(DISTANCE_METRICS)("matches a brute-force computation (%s)", (metric) => {
    const before = tf.memory().numTensors;
    const q = tf.tensor2d(Q);
    const s = tf.tensor2d(S);
    const d = tf.tidy(() => pairwiseDistances(q, s, metric).arraySync());
    const a = tf.tidy(() => attentionWeights(q, s, { metric, temperature: 0.7 }).arraySync());
    Q.forEach((qi, i) => {
      const dRow = S.map((sj) => bruteDistance(qi, sj, metric));
      dRow.forEach((v, j) => expect(d[i]?.[j]).toBeCloseTo(v, 4));
      const expected = bruteSoftmax(dRow.map((v) => -v / 0.7));
      expected.forEach((v, j) => expect(a[i]?.[j]).toBeCloseTo(v, 5));
      expect((a[i] ?? []).reduce((t, v) => t + v, 0)).toBeCloseTo(1, 6);
    });
    tf.dispose([q, s]);
    expect(tf.memory().numTensors).toBe(before);
  });
});

describe("softNearestNeighbourLogProbs", () => {
  it("sums the attention of each class", () => {
    const q = tf.tensor2d(Q);
    const s = tf.tensor2d(S);
    const before = tf.memory().numTensors;
    const p = tf.tidy(() => tf.exp(softNearestNeighbourLogProbs(q, s, labels, 3, { metric: "squared-euclidean", temperature: 2 })));
    const probs = p.arraySync();
    p.dispose();
    expect(tf.memory().numTensors).toBe(before);
    Q.forEach((qi, i) => {
      const a = bruteSoftmax(S.map((sj) => -bruteDistance(qi, sj, "squared-euclidean") / 2));
      for (let k = 0; k < 3; k++) {
        const expected = a.reduce((t, v, j) => t + (labels[j] === k ? v : 0), 0);
        expect(probs[i]?.[k]).toBeCloseTo(expected, 5);
      }
    });
    tf.dispose([q, s]);
  });

  it("equals 1-nearest-neighbour as T → 0", () => {
    const q = tf.tensor2d(Q);
    const s = tf.tensor2d(S);
    for (const metric of DISTANCE_METRICS) {
      const logp = softNearestNeighbourLogProbs(q, s, labels, 3, { metric, temperature: 1e-5 });
      const probs = tf.exp(logp).arraySync();
      const nn = knnPredict(q, s, labels, 3, 1, metric);
      Q.forEach((qi, i) => {
        const nearest = S.map((sj) => bruteDistance(qi, sj, metric)).reduce((best, v, j, all) => (v < (all[best] as number) ? j : best), 0);
        expect(nn[i]).toBe(labels[nearest]);
        for (let k = 0; k < 3; k++) expect(probs[i]?.[k]).toBeCloseTo(k === labels[nearest] ? 1 : 0, 6);
      });
      logp.dispose();
    }
    tf.dispose([q, s]);
  });

  it("equals the class frequencies of the support set as T → ∞", () => {
    const q = tf.tensor2d(Q);
    const s = tf.tensor2d(S);
    const probs = tf.tidy(() => tf.exp(softNearestNeighbourLogProbs(q, s, labels, 3, { metric: "euclidean", temperature: 1e7 })).arraySync());
    for (const row of probs) {
      expect(row[0]).toBeCloseTo(3 / 9, 5);
      expect(row[1]).toBeCloseTo(2 / 9, 5);
      expect(row[2]).toBeCloseTo(4 / 9, 5);
    }
    tf.dispose([q, s]);
  });

  it("gives the learned temperature a gradient", () => {
    const q = tf.tensor2d(Q);
    const s = tf.tensor2d(S);
    const logT = tf.scalar(0.3);
    const f = (lt: tf.Tensor): tf.Scalar => tf.mean(tf.slice(softNearestNeighbourLogProbs(q, s, labels, 3, { metric: "squared-euclidean", temperature: tf.exp(lt) as tf.Scalar }), [0, 0], [-1, 1]));
    const g = tf.tidy(() => tf.grad(f)(logT).dataSync()[0] as number);
    const h = 1e-2;
    const fd = tf.tidy(() => ((f(tf.scalar(0.3 + h)).dataSync()[0] as number) - (f(tf.scalar(0.3 - h)).dataSync()[0] as number)) / (2 * h));
    expect(g).toBeCloseTo(fd, 2);
    tf.dispose([q, s, logT]);
  });

  it("rejects a temperature ≤ 0", () => {
    const q = tf.tensor2d(Q);
    const s = tf.tensor2d(S);
    for (const temperature of [0, -1, Number.NaN]) {
      let caught: unknown;
      try {
        attentionWeights(q, s, { metric: "cosine", temperature });
      } catch (e) {
        caught = e;
      }
      expect(isDlError(caught, "INVALID_ARGUMENT")).toBe(true);
    }
    tf.dispose([q, s]);
  });
});

describe("knnPredict", () => {
  it("votes among the k nearest", () => {
    const support = tf.tensor2d([[0], [1], [2], [10], [11]]);
    const query = tf.tensor2d([[0.4], [9], [5.9]]);
    const y = Int32Array.from([0, 0, 1, 1, 1]);
    expect([...knnPredict(query, support, y, 2, 1, "euclidean")]).toEqual([0, 1, 1]);
    // k = 3: query 0.4 sees {0,1,2} → labels 0,0,1 → 0; query 9 sees {10,11,2} → 1.
    expect([...knnPredict(query, support, y, 2, 3, "euclidean")]).toEqual([0, 1, 1]);
    // k = 5 is the majority class of the support set.
    expect([...knnPredict(query, support, y, 2, 5, "euclidean")]).toEqual([1, 1, 1]);
    tf.dispose([support, query]);
  });
});
