import { resolveLayerNames, sampleDataset, type ReportSection } from "@dl/tensor-core";
import { layerEmbeddingSections, layerEmbeddings } from "@dl/interpretability";

import type { TourContext } from "./context.js";

/** Up to `count` layers spread over the model's depth: the first, the middle and the last hidden one. */
export function tourLayers(names: readonly string[], count: number): string[] {
  const candidates = names.filter((n) => n !== "probs" && n !== "flatten" && !n.startsWith("dropout"));
  const lastHidden = candidates.filter((n) => n !== "logits");
  const pool = lastHidden.length > 0 ? lastHidden : candidates;
  if (pool.length <= count) return [...pool];
  const picks = new Set<string>();
  for (let i = 0; i < count; i++) picks.add(pool[Math.round((i * (pool.length - 1)) / (count - 1))] ?? "");
  return [...picks].filter((n) => n !== "");
}

/** t-SNE of test images at the pixels and 2–3 layers, with per-layer purity/overlap, mosaics and grids (≤ ~30 s). */
export async function interpretabilityTourSection(ctx: TourContext): Promise<ReportSection[]> {
  const { test } = ctx.dataset;
  const n = Math.min(test.count, ctx.quick ? 500 : 1000);
  const images = sampleDataset(test, n, ctx.seed, { stratified: true });
  const layers = tourLayers(resolveLayerNames(ctx.model, "all"), ctx.quick ? 2 : 3);
  const rows = await layerEmbeddings(ctx.model, images, layers, {
    perplexity: 30,
    iterations: ctx.quick ? 400 : 600,
    seed: ctx.seed,
    onProgress: ctx.onProgress,
    ...(ctx.signal === undefined ? {} : { signal: ctx.signal }),
  });
  return layerEmbeddingSections(rows, images, { idPrefix: "tsne", mosaicSize: 700, gridPoints: ctx.quick ? 400 : 900, modelName: "the default model" });
}
