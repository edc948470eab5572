import { describe, expect, it } from "vitest";

import { klDivergence, knnAccuracy } from "./metrics.js";
import { gaussianClusters } from "./test-utils/testData.js";
import { LOCALITY_MIN_POINTS, RENUMBER_AT } from "./options.js";
import { computeAffinities, tsne } from "./tsne.js";

// The FFT gradient costs a fixed ~256²–512² grid per iteration whatever N is, so its end-to-end run is here.
describe("tsne with the FFT gradient", () => {
  it("separates well-separated Gaussian clusters and reports the exact KL", async () => {
    const { data, labels, n } = gaussianClusters(5, 40, 10, 1, 8);
    const result = await tsne(data, n, 10, { method: "fft", perplexity: 15, iterations: 400, seed: 3 });
    expect(result.method).toBe("fft");
    expect(knnAccuracy(result.embedding, n, 2, labels, 10)).toBe(1);
    const exactKl = klDivergence(computeAffinities(data, n, 10, 15), result.embedding, 2);
    expect(Math.abs(result.kl - exactKl)).toBeLessThan(0.02 * exactKl + 1e-3);
  });
});

describe("tsne at large N", () => {
  it("optimises Z-ordered points, renumbers them as the layout forms, and hands the embedding back in input order", async () => {
    const { data, labels, n } = gaussianClusters(8, 2500, 5, 4);
    expect(n).toBeGreaterThanOrEqual(LOCALITY_MIN_POINTS);
    // Renumbered at the end of early exaggeration and RENUMBER_AT[1] iterations later.
    const iterations = 100 + (RENUMBER_AT[1] as number) + 10;
    // The VP tree is exact, so P does not depend on the internal order and the KL can be checked from outside.
    const result = await tsne(data, n, 5, { perplexity: 10, iterations, exaggerationIterations: 100, knn: "vptree", seed: 2 });
    expect(knnAccuracy(result.embedding, n, 2, labels, 10)).toBeGreaterThan(0.99);
    const exactKl = klDivergence(computeAffinities(data, n, 5, 10, { knn: "vptree" }), result.embedding, 2);
    expect(Math.abs(result.kl - exactKl)).toBeLessThan(0.03 * exactKl);
    expect(Array.from(result.model.embedding, Math.fround)).toEqual(Array.from(result.embedding));
  }, 120_000);
});
