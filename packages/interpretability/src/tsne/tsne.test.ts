import type { DlError} from "@dl/tensor-core";
import { isDlError } from "@dl/tensor-core";
import { describe, expect, it } from "vitest";

import { klDivergence, knnAccuracy } from "./metrics.js";
import { gaussianClusters } from "./test-utils/testData.js";
import { knnGraph } from "./knn.js";
import { computeAffinities, tsne, tsneThen, tsneTransform } from "./tsne.js";

async function expectDlError(promise: Promise<unknown>, pattern: RegExp): Promise<DlError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(isDlError(error)).toBe(true);
  expect((error as DlError).message).toMatch(pattern);
  return error as DlError;
}

describe("tsne", () => {
  const { data, labels, n } = gaussianClusters(5, 40, 10, 1, 8);

  for (const [method, dims] of [
    ["exact", 2],
    ["bh", 2],
    ["bh", 3],
  ] as const) {
    it(`separates well-separated Gaussian clusters (${method}, ${dims}-D)`, async () => {
      const result = await tsne(data, n, 10, { method, dims, perplexity: 15, iterations: 400, seed: 3 });
      expect(result.embedding.length).toBe(n * dims);
      expect(result.method).toBe(method);
      expect(knnAccuracy(result.embedding, n, dims, labels, 10)).toBe(1);
      // The reported KL agrees with the exact one (up to the approximation of Z) and falls below its start.
      const exactKl = klDivergence(computeAffinities(data, n, 10, 15), result.embedding, dims);
      expect(Math.abs(result.kl - exactKl)).toBeLessThan(0.02 * exactKl + 1e-3);
      expect(result.kl).toBeLessThan(result.klHistory[0]!.kl);
    });
  }

  it("auto resolves to the hybrid gradient in 2-D and Barnes–Hut in 3-D above the exact limit", async () => {
    const big = gaussianClusters(4, 160, 10, 1, 8);
    const two = await tsne(big.data, big.n, 10, { perplexity: 15, iterations: 300, seed: 3 });
    expect(two.method).toBe("hybrid");
    expect(knnAccuracy(two.embedding, big.n, 2, big.labels, 10)).toBe(1);
    const three = await tsne(big.data, big.n, 10, { dims: 3, perplexity: 15, iterations: 60, seed: 3 });
    expect(three.method).toBe("bh");
    expect(three.iterations).toBe(60);
  });

  it("is reproducible: same seed, same embedding", async () => {
    const a = await tsne(data, n, 10, { method: "bh", perplexity: 10, iterations: 120, seed: 5 });
    const b = await tsne(data, n, 10, { method: "bh", perplexity: 10, iterations: 120, seed: 5 });
    expect(Array.from(a.embedding)).toEqual(Array.from(b.embedding));
  });

  it("reports KL every 50 iterations and is cancellable through an AbortSignal", async () => {
    const controller = new AbortController();
    const seen: number[] = [];
    const error = await expectDlError(
      tsne(data, n, 10, {
        perplexity: 10,
        iterations: 1000,
        signal: controller.signal,
        onProgress: (e) => {
          if (e.phase !== "optimize") return;
          seen.push(e.step);
          expect(Number.isFinite(e.metrics?.["kl"])).toBe(true);
          if (e.step === 100) controller.abort();
        },
      }),
      /cancelled/,
    );
    expect(error.code).toBe("ABORTED");
    expect(seen).toEqual([50, 100]);
  });

  it("works with duplicate points and the cosine metric", async () => {
    const dup = Float32Array.from(data);
    for (let i = 1; i < 8; i++) dup.set(dup.subarray(0, 10), i * 10);
    const r = await tsne(dup, n, 10, { perplexity: 10, iterations: 300, metric: "cosine", seed: 1 });
    expect(r.embedding.every(Number.isFinite)).toBe(true);
    // The eight copies of point 0 land together: far closer to each other than to any other point.
    const from0 = (i: number): number => Math.hypot(r.embedding[2 * i]! - r.embedding[0]!, r.embedding[2 * i + 1]! - r.embedding[1]!);
    let copies = 0;
    for (let i = 1; i < 8; i++) copies = Math.max(copies, from0(i));
    let others = Infinity;
    for (let i = 8; i < n; i++) others = Math.min(others, from0(i));
    expect(copies).toBeLessThan(others / 4);
  });

  it("places new points into the embedding near their cluster", async () => {
    const held = gaussianClusters(5, 40, 10, 1, 8); // same centres (same seed) …
    const result = await tsne(data, n, 10, { perplexity: 15, iterations: 400, seed: 2 });
    const extra = held.data.slice(0, 20 * 10).map((v, e) => v + 0.3 * Math.sin(e)); // … perturbed copies
    const placed = await tsneTransform(result.model, extra, 20, { iterations: 150 });
    const all = new Float32Array((n + 20) * 2);
    all.set(result.embedding);
    all.set(placed, n * 2);
    let correct = 0;
    for (let q = 0; q < 20; q++) {
      let best = Infinity;
      let bestLabel = -1;
      for (let j = 0; j < n; j++) {
        const d = (placed[2 * q]! - result.embedding[2 * j]!) ** 2 + (placed[2 * q + 1]! - result.embedding[2 * j + 1]!) ** 2;
        if (d < best) {
          best = d;
          bestLabel = labels[j]!;
        }
      }
      if (bestLabel === held.labels[q]) correct++;
    }
    expect(correct).toBe(20);
  });

  describe("rejects bad input with a DlError", () => {
    it("perplexity too large for N names the largest allowed", async () => {
      const e = await expectDlError(tsne(data.subarray(0, 40), 4, 10, { perplexity: 2 }), /largest allowed is \(N − 1\)\/3 = 1\.00/);
      expect(e.details["maxPerplexity"]).toBe(1);
    });
    it("N < 4", async () => {
      await expectDlError(tsne(data.subarray(0, 30), 3, 10, { perplexity: 1 }), /at least 4 points/);
    });
    it("NaN and Inf rows", async () => {
      const bad = Float32Array.from(data);
      bad[57] = Number.NaN;
      const e = await expectDlError(tsne(bad, n, 10), /row 5 column 7 is NaN/);
      expect(e.code).toBe("NON_FINITE");
      bad[57] = Number.POSITIVE_INFINITY;
      await expectDlError(tsne(bad, n, 10), /row 5 column 7 is Infinity/);
    });
    it("dims other than 2 or 3", async () => {
      await expectDlError(tsne(data, n, 10, { dims: 4 }), /dims must be 2 or 3/);
    });
    it("a data length that is not N × d", async () => {
      await expectDlError(tsne(data.subarray(1), n, 10), /N × d/);
    });
    it("FFT in 3-D", async () => {
      await expectDlError(tsne(data, n, 10, { dims: 3, method: "fft" }), /2-D/);
      await expectDlError(tsne(data, n, 10, { dims: 3, method: "hybrid" }), /2-D/);
    });
  });
});

describe("tsneThen", () => {
  const { data, n } = gaussianClusters(4, 50, 10, 1, 8);

  it("hands the continuation the exact search's whole rows for every listsEvery-th point, and only where they are exact euclidean float32 ones", async () => {
    const options = { perplexity: 10, iterations: 300, seed: 2, threads: 1 };
    const aftermath = (input: Float32Array | Float64Array, metric: "euclidean" | "cosine") =>
      tsneThen(input, n, 10, { ...options, metric }, { first: 4, listsEvery: 7 }, (_result, { inputLists, inputNeighbours }) => Promise.resolve({ inputLists, inputNeighbours }));
    const kept = await aftermath(data, "euclidean");
    // 3·perplexity neighbours of points 0, 7, 14, …, as the brute-force search finds them.
    const graph = knnGraph(data, n, 10, 30, { method: "exact" });
    const count = Math.ceil(n / 7);
    const expected = new Int32Array(count * 30);
    for (let c = 0; c < count; c++) expected.set(graph.indices.subarray(c * 7 * 30, c * 7 * 30 + 30), c * 30);
    expect(kept.inputLists?.listK).toBe(30);
    expect(Array.from(kept.inputLists?.lists ?? [])).toEqual(Array.from(expected));
    expect(kept.inputNeighbours?.length).toBe(n * 4);
    // Float64 points or the cosine metric: the search's lists are not the metrics' exact ones.
    expect((await aftermath(Float64Array.from(data), "euclidean")).inputLists).toBeUndefined();
    expect((await aftermath(data, "cosine")).inputLists).toBeUndefined();
  }, 60_000);
});
