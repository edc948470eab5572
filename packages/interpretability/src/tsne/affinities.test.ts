import { describe, expect, it } from "vitest";

import { conditionalAffinities, symmetrizeAffinities } from "./affinities.js";
import { knnGraph } from "./knn.js";
import { gaussianClusters } from "./test-utils/testData.js";
import { computeAffinities } from "./tsne.js";

describe("perplexity calibration", () => {
  const { data, n } = gaussianClusters(3, 50, 5, 11);
  for (const perplexity of [5, 10, 30]) {
    it(`rows sum to 1 and have entropy log(${perplexity})`, () => {
      const k = Math.floor(3 * perplexity);
      const graph = knnGraph(data, n, 5, k);
      const { values } = conditionalAffinities(graph, perplexity);
      for (let i = 0; i < n; i++) {
        let sum = 0;
        let h = 0;
        for (let t = 0; t < k; t++) {
          const p = values[i * k + t] as number;
          sum += p;
          if (p > 0) h -= p * Math.log(p);
        }
        expect(sum).toBeCloseTo(1, 12);
        expect(Math.abs(h - Math.log(perplexity))).toBeLessThan(1e-5);
      }
    });
  }

  it("reaches the perplexity beside duplicates; 19 copies of one point share its mass uniformly", () => {
    const dup = Float32Array.from(data);
    for (let i = 1; i < 20; i++) dup.set(dup.subarray(0, 5), i * 5);
    const graph = knnGraph(dup, n, 5, 30);
    const { values } = conditionalAffinities(graph, 10);
    for (let i = 0; i < n; i++) {
      let h = 0;
      for (let t = 0; t < 30; t++) {
        const p = values[i * 30 + t] as number;
        if (p > 0) h -= p * Math.log(p);
      }
      // 19 exact copies leave no distance scale: the most concentrated P is uniform over them (H = log 19 > log 10).
      expect(Math.abs(h - (i < 20 ? Math.log(19) : Math.log(10)))).toBeLessThan(1e-5);
    }
  });
});

describe("symmetric sparse P", () => {
  const { data, n } = gaussianClusters(3, 30, 4, 5);
  const p = computeAffinities(data, n, 4, 15);

  it("is symmetric, sums to 1 and equals (p_j|i + p_i|j) / 2N", () => {
    const dense = new Float64Array(n * n);
    for (let i = 0; i < n; i++) {
      for (let e = p.rowPtr[i]!; e < p.rowPtr[i + 1]!; e++) {
        expect(dense[i * n + p.colIdx[e]!]).toBe(0); // no duplicate columns
        dense[i * n + p.colIdx[e]!] = p.values[e]!;
      }
    }
    let total = 0;
    for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) {
      total += dense[i * n + j]!;
      expect(dense[i * n + j]).toBeCloseTo(dense[j * n + i]!, 15);
    }
    expect(total).toBeCloseTo(1, 12);
    // Independent dense construction from the conditional rows.
    const k = 45;
    const graph = knnGraph(data, n, 4, k);
    const cond = conditionalAffinities(graph, 15).values;
    const condDense = new Float64Array(n * n);
    for (let i = 0; i < n; i++) for (let t = 0; t < k; t++) condDense[i * n + graph.indices[i * k + t]!] = cond[i * k + t]!;
    for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) {
      expect(dense[i * n + j]).toBeCloseTo((condDense[i * n + j]! + condDense[j * n + i]!) / (2 * n), 14);
    }
  });

  it("has at most 2·N·k non-zeros", () => {
    expect(p.colIdx.length).toBeLessThanOrEqual(2 * n * 45);
    expect(p.rowPtr.length).toBe(n + 1);
    void symmetrizeAffinities;
  });
});
