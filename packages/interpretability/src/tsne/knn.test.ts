import { describe, expect, it } from "vitest";

import { buildRpForest, exactKnn, knnGraph, queryKnn, rpForestKnn, vpTreeKnn } from "./knn.js";
import { squaredDistance32 } from "./knnRows.js";
import { gaussianClusters } from "./test-utils/testData.js";

/** Reference: full sort of every row by (distance, index). */
function bruteForce(data: Float32Array, n: number, d: number, k: number): { idx: number[][]; dist: number[][] } {
  const idx: number[][] = [];
  const dist: number[][] = [];
  for (let i = 0; i < n; i++) {
    const row: [number, number][] = [];
    for (let j = 0; j < n; j++) {
      if (j === i) continue;
      let s = 0;
      for (let t = 0; t < d; t++) s += ((data[i * d + t] as number) - (data[j * d + t] as number)) ** 2;
      row.push([s, j]);
    }
    row.sort((a, b) => (a[0] === b[0] ? a[1] - b[1] : a[0] - b[0]));
    idx.push(row.slice(0, k).map((r) => r[1]));
    dist.push(row.slice(0, k).map((r) => r[0]));
  }
  return { idx, dist };
}

describe("k nearest neighbours", () => {
  const { data, n } = gaussianClusters(4, 75, 6, 3, 3);
  const k = 12;
  const ref = bruteForce(data, n, 6, k);

  it("brute force matches a full sort", () => {
    const g = exactKnn(data, n, 6, k);
    for (let i = 0; i < n; i++) {
      expect(Array.from(g.indices.subarray(i * k, (i + 1) * k))).toEqual(ref.idx[i]);
      for (let t = 0; t < k; t++) expect(g.distances[i * k + t]).toBeCloseTo(ref.dist[i]![t]!, 9);
    }
  });

  it("the vantage-point tree is exact", () => {
    const g = vpTreeKnn(data, n, 6, k, 7);
    for (let i = 0; i < n; i++) expect(Array.from(g.indices.subarray(i * k, (i + 1) * k))).toEqual(ref.idx[i]);
  });

  it("handles duplicate points (distance 0, ties by index)", () => {
    const dup = new Float32Array(40 * 2);
    for (let i = 0; i < 40; i++) {
      dup[2 * i] = i % 5;
      dup[2 * i + 1] = 0;
    }
    const r = bruteForce(dup, 40, 2, 10);
    const tree = knnGraph(dup, 40, 2, 10, { method: "vptree" });
    const exact = knnGraph(dup, 40, 2, 10, { method: "exact" });
    for (let i = 0; i < 40; i++) {
      expect(Array.from(tree.indices.subarray(i * 10, (i + 1) * 10))).toEqual(r.idx[i]);
      expect(Array.from(exact.indices.subarray(i * 10, (i + 1) * 10))).toEqual(r.idx[i]);
    }
  });

  it("queries new points against a reference set", () => {
    const q = data.slice(0, 5 * 6);
    const g = queryKnn(data, n, q, 5, 6, 3);
    for (let i = 0; i < 5; i++) {
      expect(g.indices[i * 3]).toBe(i);
      expect(g.distances[i * 3]).toBe(0);
      expect(g.indices[i * 3 + 1]).toBe(ref.idx[i]![0]);
    }
  });

  it("the random-projection forest finds most true neighbours, exactly with leaves covering everything, and is seeded", () => {
    const { data: big, n: m } = gaussianClusters(6, 200, 10, 2, 11);
    const exact = exactKnn(big, m, 10, 20);
    const recall = (g: { indices: Int32Array }): number => {
      let hit = 0;
      for (let i = 0; i < m; i++) {
        const truth = new Set(exact.indices.subarray(i * 20, (i + 1) * 20));
        for (let t = 0; t < 20; t++) if (truth.has(g.indices[i * 20 + t]!)) hit++;
      }
      return hit / (m * 20);
    };
    const byRounds = [0, 1, 2].map((refinements) => rpForestKnn(big, m, 10, 20, { trees: 2, leafSize: 40, refinements, seed: 3 }));
    const refined = byRounds[2]!;
    // Each NN-descent round can only add true neighbours (candidates are merged, never dropped); measured 0.56 → 0.83 → 0.94.
    expect(recall(byRounds[1]!)).toBeGreaterThan(recall(byRounds[0]!));
    expect(recall(refined)).toBeGreaterThan(recall(byRounds[1]!));
    expect(recall(refined)).toBeGreaterThan(0.9);
    // Rows are sorted, self-free, and carry exact distances of the indices they list.
    for (let i = 0; i < m; i++) {
      for (let t = 0; t < 20; t++) {
        const j = refined.indices[i * 20 + t]!;
        expect(j).not.toBe(i);
        let s2 = 0;
        for (let c = 0; c < 10; c++) s2 += (big[i * 10 + c]! - big[j * 10 + c]!) ** 2;
        expect(refined.distances[i * 20 + t]).toBeCloseTo(s2, 9);
        if (t > 0) expect(refined.distances[i * 20 + t]!).toBeGreaterThanOrEqual(refined.distances[i * 20 + t - 1]!);
      }
    }
    // One leaf holding every point is brute force.
    const whole = rpForestKnn(big, m, 10, 20, { trees: 1, leafSize: m, refinements: 0 });
    expect(Array.from(whole.indices)).toEqual(Array.from(exact.indices));
    const again = rpForestKnn(big, m, 10, 20, { trees: 2, leafSize: 40, refinements: 2, seed: 3 });
    expect(Array.from(again.indices)).toEqual(Array.from(refined.indices));
  });

  it("the forest's leaf phase gives each row the nearest of the union of its leaves (pairs measured once per leaf)", () => {
    const { data: big, n: m } = gaussianClusters(5, 120, 6, 2, 4);
    const k = 12;
    const options = { trees: 3, leafSize: 30, refinements: 0, seed: 8 };
    const graph = rpForestKnn(big, m, 6, k, options);
    const forest = buildRpForest(big, m, 6, k, options);
    for (let i = 0; i < m; i++) {
      const members = new Set<number>();
      for (let t = 0; t < 3; t++) {
        for (let p = forest.leafStartOf[t * m + i]!; p < forest.leafEndOf[t * m + i]!; p++) members.add(forest.leafPerm[p]!);
      }
      members.delete(i);
      const nearest = [...members]
        .map((j) => [squaredDistance32(big, i, j, 6), j] as const)
        .sort((a, b) => a[0] - b[0] || a[1] - b[1])
        .slice(0, k);
      expect(Array.from(graph.indices.subarray(i * k, (i + 1) * k))).toEqual(nearest.map((e) => e[1]));
      expect(Array.from(graph.distances.subarray(i * k, (i + 1) * k))).toEqual(nearest.map((e) => e[0]));
    }
  });

  it("rejects k outside 1..N−1", () => {
    expect(() => knnGraph(data, n, 6, n)).toThrow(/1 ≤ k ≤ N − 1/);
  });
});

describe("matrix-product kNN through the tfjs backend", () => {
  it("matches brute force exactly (indices and float64 distances)", async () => {
    const { initBackend } = await import("@dl/tensor-core");
    const tf = await import("@tensorflow/tfjs-core");
    await initBackend({ backend: "cpu" });
    const { data, n } = gaussianClusters(5, 60, 8, 12, 2);
    const before = tf.memory().numTensors;
    const fast = knnGraph(data, n, 8, 15, { method: "matmul" });
    expect(tf.memory().numTensors).toBe(before);
    const exact = exactKnn(data, n, 8, 15);
    expect(Array.from(fast.indices)).toEqual(Array.from(exact.indices));
    for (let e = 0; e < fast.distances.length; e++) expect(fast.distances[e]).toBeCloseTo(exact.distances[e]!, 10);
  });
});
