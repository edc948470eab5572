import { describe, expect, it } from "vitest";

import type { LayerEmbedding } from "./layerEmbeddings.js";
import { embeddingPerplexity, layerEmbeddingFileNames, layerEmbeddingLine, layerEmbeddingTable, spreadOverLabels } from "./summary.js";

describe("layer embedding summary", () => {
  it("takes each label in turn, skipping labels that ran out, and stops when all are used", () => {
    const labels = Int32Array.from([2, 0, 0, 1, 0, 2, 0]);
    expect(spreadOverLabels(labels, 5)).toEqual([1, 3, 0, 2, 5]);
    expect(spreadOverLabels(labels, 7)).toEqual([1, 3, 0, 2, 5, 4, 6]);
    expect(spreadOverLabels(labels, 20)).toHaveLength(7);
    expect(spreadOverLabels(new Int32Array(0), 3)).toEqual([]);
  });

  it("names one .npy per layer, unique after cleaning", () => {
    expect(layerEmbeddingFileNames(["pixels", "block/1", "block:1", "dense"])).toEqual(["embeddings/pixels.npy", "embeddings/block_1.npy", "embeddings/block_1-2.npy", "embeddings/dense.npy"]);
  });

  it("keeps perplexity 30 from 91 points and (n − 1)/3 below", () => {
    expect(embeddingPerplexity(2000)).toBe(30);
    expect(embeddingPerplexity(91)).toBe(30);
    expect(embeddingPerplexity(90)).toBe(29.66);
    expect(embeddingPerplexity(50)).toBe(16.33);
  });

  it("tabulates each layer's figures without the embedding, and says them in one line", () => {
    const row: LayerEmbedding = { layer: "dense1", features: 64, reduction: "flatten", embedding: new Float32Array(4), kl: 1.2, seconds: 3, knnAccuracy: 0.9, featureKnnAccuracy: 0.95, pixelOverlap: 0.25, trustworthiness: 0.975, alignmentRmsd: 0.5 };
    const [t] = layerEmbeddingTable([row]);
    expect(t).toEqual({ layer: "dense1", features: 64, reduction: "flatten", knnAccuracy: 0.9, featureKnnAccuracy: 0.95, pixelOverlap: 0.25, trustworthiness: 0.975, kl: 1.2, seconds: 3, alignmentRmsd: 0.5 });
    expect(Object.keys(t ?? {})).not.toContain("embedding");
    expect(layerEmbeddingLine(row)).toBe("dense1     k-NN acc 0.900  pixel overlap 0.250  trust 0.975");
  });
});
