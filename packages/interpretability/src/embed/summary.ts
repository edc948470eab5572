// What a layer-by-layer embedding run reports besides its pictures: the per-layer table, the
// embedding files' names, the images shown with their predictions and the default perplexity.
import { safeFileName } from "@dl/tensor-core";

import type { LayerEmbedding } from "./layerEmbeddings.js";

/** The figures of one layer (everything but the embedding itself), as written to JSON. */
export type LayerEmbeddingFigures = Omit<LayerEmbedding, "embedding">;

/** One row per layer, in the JSON's field order, without the N × 2 embedding. */
export function layerEmbeddingTable(rows: readonly LayerEmbedding[]): LayerEmbeddingFigures[] {
  return rows.map((r) => ({
    layer: r.layer,
    features: r.features,
    reduction: r.reduction,
    knnAccuracy: r.knnAccuracy,
    featureKnnAccuracy: r.featureKnnAccuracy,
    pixelOverlap: r.pixelOverlap,
    trustworthiness: r.trustworthiness,
    kl: r.kl,
    seconds: r.seconds,
    alignmentRmsd: r.alignmentRmsd,
  }));
}

/** One line per layer for a terminal: purity, pixel overlap and trustworthiness. */
export function layerEmbeddingLine(r: LayerEmbeddingFigures): string {
  return `${r.layer.padEnd(10)} k-NN acc ${r.knnAccuracy.toFixed(3)}  pixel overlap ${r.pixelOverlap.toFixed(3)}  trust ${r.trustworthiness.toFixed(3)}`;
}

/** One file name per layer, inside `embeddings/`, unique even when two names clean to the same text. */
export function layerEmbeddingFileNames(layers: readonly string[]): string[] {
  const used = new Set<string>();
  return layers.map((layer) => {
    let name = safeFileName(layer);
    for (let k = 2; used.has(name); k++) name = `${safeFileName(layer)}-${k}`;
    used.add(name);
    return `embeddings/${name}.npy`;
  });
}

/** `count` row indices taking each label in turn (first unused image of label 0, of label 1, …). */
export function spreadOverLabels(labels: ArrayLike<number>, count: number): number[] {
  const byLabel = new Map<number, number[]>();
  for (let i = 0; i < labels.length; i++) {
    const label = labels[i] as number;
    byLabel.set(label, [...(byLabel.get(label) ?? []), i]);
  }
  const queues = [...byLabel.keys()].sort((a, b) => a - b).map((k) => byLabel.get(k) ?? []);
  const rows: number[] = [];
  for (let round = 0; rows.length < count; round++) {
    const before = rows.length;
    for (const q of queues) if (rows.length < count && q[round] !== undefined) rows.push(q[round] as number);
    if (rows.length === before) break;
  }
  return rows;
}

/** Perplexity 30, or the largest that `n` points allow ((n − 1) / 3, rounded down to 2 decimals). */
export function embeddingPerplexity(n: number): number {
  return Math.min(30, Math.floor(((n - 1) / 3) * 100) / 100);
}
