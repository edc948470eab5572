import { DEFAULT_SEED, throwIfAborted } from "@dl/tensor-core";

import { pacer, runStepsYielding } from "./cooperative.js";
import { knnAccuracy, trustworthinessSteps } from "./metrics.js";
import { pcaYielding } from "./pca.js";
import { tsne } from "./tsne.js";
import type { TsneOptions, TsneResult } from "./tsne.js";
import { assertLabels, assertMatrix } from "./validate.js";

export interface TsneWithMetricsOptions extends TsneOptions {
  /** Class labels, one per point, for the k-NN accuracy. */
  labels?: ArrayLike<number>;
  /** Reduce inputs wider than this by PCA first (default 50, as is customary; 0 = never). */
  pcaComponents?: number;
  /** Neighbours for k-NN accuracy and trustworthiness (default 10). */
  metricsK?: number;
  /** Query points for trustworthiness when N is larger (default 2000; every point below that). */
  trustworthinessSample?: number;
}

export interface TsneWithMetrics {
  result: TsneResult;
  /** Dimension t-SNE ran on (after PCA). */
  inputDims: number;
  pcaSeconds: number;
  /** Leave-one-out k-NN label accuracy in the embedding (when labels were given). */
  knnAccuracy?: number;
  /** The same accuracy in the (PCA-reduced) input space, for reference. */
  inputKnnAccuracy?: number;
  /** Trustworthiness@k of the embedding against the (PCA-reduced) input space. */
  trustworthiness: number;
  metricsK: number;
}

/** PCA (if wide) → t-SNE → quality metrics: what `dl tsne` and the tour report. Validates everything first. */
export async function tsneWithMetrics(data: Float32Array | Float64Array, n: number, d: number, options: TsneWithMetricsOptions = {}): Promise<TsneWithMetrics> {
  assertMatrix(data, n, d);
  if (options.labels !== undefined) assertLabels(options.labels, n);
  const components = options.pcaComponents ?? 50;
  const started = performance.now();
  let input: Float32Array | Float64Array = data;
  let inputDims = d;
  if (components > 0 && d > components && n > components) {
    options.onProgress?.({ phase: "pca", step: 0, total: 1 });
    input = Float32Array.from((await pcaYielding(data, n, d, components, { seed: options.seed ?? DEFAULT_SEED, signal: options.signal })).projections);
    inputDims = components;
    options.onProgress?.({ phase: "pca", step: 1, total: 1 });
  }
  const pcaSeconds = (performance.now() - started) / 1000;
  throwIfAborted(options.signal);
  const result = await tsne(input, n, inputDims, options);
  const k = Math.min(options.metricsK ?? 10, Math.floor((n - 1) / 2));
  options.onProgress?.({ phase: "metrics", step: 0, total: 1 });
  const dims = result.model.dims;
  const tw = await runStepsYielding(trustworthinessSteps(input, n, inputDims, result.embedding, dims, k, { sample: options.trustworthinessSample ?? 2000 }), options.signal);
  const out: TsneWithMetrics = { result, inputDims, pcaSeconds, trustworthiness: tw, metricsK: k };
  if (options.labels !== undefined) {
    // Each accuracy is one k-NN search (about a second at 70k): the signal is checked between them.
    const pace = pacer(options.signal);
    await pace();
    out.knnAccuracy = knnAccuracy(result.embedding, n, dims, options.labels, k);
    await pace();
    out.inputKnnAccuracy = knnAccuracy(input, n, inputDims, options.labels, k);
  }
  options.onProgress?.({ phase: "metrics", step: 1, total: 1 });
  return out;
}
