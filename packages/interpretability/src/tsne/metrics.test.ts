import { createRng } from "@dl/tensor-core";
import { describe, expect, it } from "vitest";

import { knnAccuracy, trustworthiness } from "./metrics.js";
import { gaussianClusters } from "./test-utils/testData.js";

function sortedNeighbours(x: Float32Array, n: number, d: number, i: number): number[] {
  const order: [number, number][] = [];
  for (let j = 0; j < n; j++) {
    if (j === i) continue;
    let s = 0;
    for (let t = 0; t < d; t++) s += (x[i * d + t]! - x[j * d + t]!) ** 2;
    order.push([s, j]);
  }
  order.sort((a, b) => (a[0] === b[0] ? a[1] - b[1] : a[0] - b[0]));
  return order.map((o) => o[1]);
}

/** Venna & Kaski's definition, written out with full rank tables. */
function bruteTrustworthiness(x: Float32Array, y: Float32Array, n: number, d: number, dims: number, k: number): number {
  let sum = 0;
  for (let i = 0; i < n; i++) {
    const inputOrder = sortedNeighbours(x, n, d, i);
    const rank = new Map(inputOrder.map((j, r) => [j, r + 1]));
    const inputNn = new Set(inputOrder.slice(0, k));
    for (const j of sortedNeighbours(y, n, dims, i).slice(0, k)) if (!inputNn.has(j)) sum += rank.get(j)! - k;
  }
  return 1 - (2 / (n * k * (2 * n - 3 * k - 1))) * sum;
}

function bruteKnnAccuracy(y: Float32Array, n: number, dims: number, labels: Int32Array, k: number): number {
  let correct = 0;
  for (let i = 0; i < n; i++) {
    const nn = sortedNeighbours(y, n, dims, i).slice(0, k);
    const counts = new Map<number, number>();
    for (const j of nn) counts.set(labels[j]!, (counts.get(labels[j]!) ?? 0) + 1);
    const top = Math.max(...counts.values());
    const winner = nn.map((j) => labels[j]!).find((l) => counts.get(l) === top);
    if (winner === labels[i]) correct++;
  }
  return correct / n;
}

describe("embedding quality metrics", () => {
  const { data, labels, n } = gaussianClusters(4, 40, 6, 8, 1.5);
  const rng = createRng(3);
  const noisy = new Float32Array(n * 2);
  for (let i = 0; i < n; i++) {
    noisy[2 * i] = data[i * 6]! + rng.normal() * 0.5;
    noisy[2 * i + 1] = data[i * 6 + 1]! + rng.normal() * 0.5;
  }

  it("trustworthiness matches the brute-force definition", () => {
    for (const k of [1, 5, 12]) {
      expect(trustworthiness(data, n, 6, noisy, 2, k)).toBeCloseTo(bruteTrustworthiness(data, noisy, n, 6, 2, k), 12);
    }
  });

  it("trustworthiness matches the brute-force definition on wide inputs, where most distances end early", () => {
    // 32 features of falling scale, like PCA components: a point's first few already put most points past its
    // farthest embedding neighbour, so queryPenalty stops their sums after PARTIAL_CHECK features.
    const wide = gaussianClusters(5, 40, 32, 9, 1.5);
    const x = Float32Array.from(wide.data, (v, e) => v * 2 ** (-(e % 32) / 4));
    const view = new Float32Array(wide.n * 2);
    for (let i = 0; i < wide.n; i++) {
      view[2 * i] = x[i * 32]! + rng.normal() * 0.3;
      view[2 * i + 1] = x[i * 32 + 1]! + rng.normal() * 0.3;
    }
    for (const k of [3, 10]) {
      const t = trustworthiness(x, wide.n, 32, view, 2, k);
      expect(t).toBeCloseTo(bruteTrustworthiness(x, view, wide.n, 32, 2, k), 12);
      expect(t).toBeLessThan(0.99);
    }
  });

  it("trustworthiness is 1 for an isometric copy and lower for a shuffled embedding", () => {
    expect(trustworthiness(data, n, 6, data, 6, 7)).toBeCloseTo(1, 12);
    const shuffled = new Float32Array(n * 2);
    const perm = rng.permutation(n);
    for (let i = 0; i < n; i++) shuffled.set(noisy.subarray(2 * perm[i]!, 2 * perm[i]! + 2), 2 * i);
    const t = trustworthiness(data, n, 6, shuffled, 2, 7);
    expect(t).toBeCloseTo(bruteTrustworthiness(data, shuffled, n, 6, 2, 7), 12);
    expect(t).toBeLessThan(0.7);
  });

  it("leave-one-out k-NN accuracy matches brute force", () => {
    for (const k of [1, 4, 10]) {
      expect(knnAccuracy(noisy, n, 2, labels, k)).toBeCloseTo(bruteKnnAccuracy(noisy, n, 2, labels, k), 12);
    }
  });

  it("rejects a label count that differs from N", () => {
    expect(() => knnAccuracy(noisy, n, 2, labels.subarray(1), 5)).toThrow(/labels for N = 160/);
  });
});
