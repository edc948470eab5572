import * as tf from "@tensorflow/tfjs-core";
import * as tfl from "@tensorflow/tfjs-layers";
import { initBackend } from "@dl/tensor-core";
import type { ImageDataset } from "@dl/tensor-core";
import { describe, expect, it } from "vitest";

import { gaussianClusters } from "../tsne/test-utils/testData.js";
import { layerEmbeddings } from "./layerEmbeddings.js";
import { explorerHtml, layerEmbeddingSections } from "./pictures.js";

describe("layer-by-layer embeddings", () => {
  it("embeds each layer, aligns them, and measures purity and pixel overlap", async () => {
    await initBackend({ backend: "cpu" });
    const { data, labels, n } = gaussianClusters(3, 40, 16, 6, 10);
    // Shift into [0, 1] like pixels.
    let lo = Infinity;
    let hi = -Infinity;
    for (const v of data) {
      lo = Math.min(lo, v);
      hi = Math.max(hi, v);
    }
    const images: ImageDataset = {
      name: "clusters",
      images: data.map((v) => (v - lo) / (hi - lo)),
      labels,
      count: n,
      height: 4,
      width: 4,
      channels: 1,
      classNames: ["a", "b", "c"],
    };
    const model = tfl.sequential({
      layers: [
        tfl.layers.flatten({ inputShape: [4, 4, 1], name: "flatten" }),
        tfl.layers.dense({ units: 16, name: "same", kernelInitializer: "identity", biasInitializer: "zeros" }),
        tfl.layers.dense({ units: 2, name: "squash", activation: "tanh", kernelInitializer: tfl.initializers.glorotNormal({ seed: 1 }) }),
      ],
    });
    const before = tf.memory().numTensors;
    const rows = await layerEmbeddings(model, images, "all", { perplexity: 10, iterations: 600, seed: 3 });
    expect(tf.memory().numTensors).toBe(before);
    expect(rows.map((r) => r.layer)).toEqual(["pixels", "flatten", "same", "squash"]);
    // flatten and an identity dense layer see exactly the pixels.
    expect(rows[1]!.pixelOverlap).toBe(1);
    expect(rows[2]!.pixelOverlap).toBe(1);
    expect(rows[3]!.pixelOverlap).toBeLessThan(1);
    for (const r of rows) expect(r.embedding.length).toBe(2 * n);
    for (const r of rows.slice(0, 3)) expect(r.knnAccuracy).toBe(1);
    // A random 2-unit tanh layer may merge clusters; t-SNE shows what its features hold.
    expect(Math.abs(rows[3]!.knnAccuracy - rows[3]!.featureKnnAccuracy)).toBeLessThan(0.1);
    // Aligned rows: same features, warm start and Procrustes keep points in place.
    expect(rows[2]!.alignmentRmsd).toBeLessThan(0.5 * Math.sqrt(rows[2]!.embedding.reduce((s, v) => s + v * v, 0) / n));
    const sections = layerEmbeddingSections(rows, images, { mosaicSize: 200, gridPoints: 64 });
    expect(sections.map((s) => s.id)).toEqual(["embed-layers", "embed-karpathy"]);
    expect(sections[1]!.metrics!["optimal grid cost"]).toBeLessThanOrEqual(sections[1]!.metrics!["greedy (cnnembed) grid cost"] as number);
    const html = explorerHtml(rows, images, "test");
    expect(html).toContain("data:image/png;base64,");
    expect(html).toContain('"name":"squash"');
    model.dispose();
  });
});
