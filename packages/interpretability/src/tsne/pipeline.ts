import { DEFAULT_SEED, throwIfAborted } from "@dl/tensor-core/host";

import { knnAccuracyOfNeighbours, neighboursOf, trustworthinessQueries } from "./metrics.js";
import { knnGraphOnTeam } from "./parallel/teamAffinities.js";
import { trustworthinessOnTeam } from "./parallel/teamMetrics.js";
import { pcaYielding } from "./pca.js";
import { tsneThen } from "./tsne.js";
import type { TsneOptions, TsneResult } from "./tsne.js";
import { assertLabels, assertMatrix } from "./validate.js";

export interface TsneWithMetricsOptions extends TsneOptions {
  /** Class labels, one per point, for the k-NN accuracy. */
  labels?: ArrayLike<number>;
  /** Reduce inputs wider than this by PCA first (default 50, as is customary; 0 = never). */
  pcaComponents?: number;
  /** Neighbours for k-NN accuracy and trustworthiness (default 10). */
  metricsK?: number;
  /** Query points for trustworthiness when N is larger (default TRUSTWORTHINESS_SAMPLE = 500; every point below that). */
  trustworthinessSample?: number;
  /**
   * Work on the calling thread once the embedding is final, while the worker threads measure trustworthiness
   * (`dl tsne` draws its figures here); its seconds are left out of `phases.metrics`. Called once, before the promise settles.
   */
  alongsideMetrics?: (result: TsneResult) => void;
}

/**
 * Default query points of the trustworthiness estimate. Each query costs N·d (all input distances), so 2000 made
 * the metrics 14–21 % of the t-SNE time at 5k–20k points (shared 2-core box); 500 give a standard error of
 * 0.0003–0.0006 on Fashion-MNIST embeddings at T ≈ 0.995 (per-query spread 0.007–0.013), reported beside the value.
 */
export const TRUSTWORTHINESS_SAMPLE = 500;

/** Wall seconds of each phase of `tsneWithMetrics`. */
export interface TsnePhaseSeconds {
  /** PCA of wide inputs (0 when none ran). */
  pca: number;
  /** The PCA start layout, kNN search, calibration and symmetrisation of P. */
  affinities: number;
  /** The gradient-descent iterations and the final KL. */
  optimisation: number;
  /** k-NN accuracies and trustworthiness (less the time spent in `alongsideMetrics`). */
  metrics: number;
}

export interface TsneWithMetrics {
  result: TsneResult;
  /** Dimension t-SNE ran on (after PCA). */
  inputDims: number;
  pcaSeconds: number;
  phases: TsnePhaseSeconds;
  /** Leave-one-out k-NN label accuracy in the embedding (when labels were given). */
  knnAccuracy?: number;
  /**
   * The same accuracy in the (PCA-reduced) input space, for reference. Read from t-SNE's own 3·perplexity
   * neighbour lists when they hold k (euclidean metric): exact below 20k points, the forest search's (recall ≈ 0.95) from there.
   */
  inputKnnAccuracy?: number;
  /** Trustworthiness@k of the embedding against the (PCA-reduced) input space, on `trustworthinessSample` query points. */
  trustworthiness: number;
  /** Standard error of `trustworthiness` as an estimate from its query sample (0 when every point was a query). */
  trustworthinessStandardError: number;
  metricsK: number;
}

/**
 * PCA (if wide) → t-SNE → quality metrics: what `dl tsne` and the tour report. Validates everything first. The
 * metrics run on t-SNE's threads before they close, and the embedding's k-NN graph is searched once for both.
 */
export async function tsneWithMetrics(data: Float32Array | Float64Array, n: number, d: number, options: TsneWithMetricsOptions = {}): Promise<TsneWithMetrics> {
  assertMatrix(data, n, d);
  if (options.labels !== undefined) assertLabels(options.labels, n);
  const labels = options.labels;
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
  const signal = options.signal;
  const k = Math.min(options.metricsK ?? 10, Math.floor((n - 1) / 2));
  // t-SNE's input neighbours serve the input-space accuracy only where they are euclidean ones, and the
  // trustworthiness queries' lists where the search was exact (tsneThen checks).
  const euclidean = (options.metric ?? "euclidean") === "euclidean";
  const sample = options.trustworthinessSample ?? TRUSTWORTHINESS_SAMPLE;
  const keep = { ...(labels !== undefined && euclidean ? { first: k } : {}), listsEvery: trustworthinessQueries(n, sample).step };
  return tsneThen(input, n, inputDims, options, keep, async (result, { team, inputNeighbours, inputLists, affinitySeconds, optimisationSeconds }) => {
    const metricsStarted = performance.now();
    options.onProgress?.({ phase: "metrics", step: 0, total: 1 });
    const dims = result.model.dims;
    const embedded = neighboursOf(result.embedding, n, dims, k);
    let alongsideSeconds = 0;
    const alongsideMetrics = options.alongsideMetrics;
    const alongside =
      alongsideMetrics === undefined
        ? undefined
        : () => {
            const alongsideStarted = performance.now();
            alongsideMetrics(result);
            alongsideSeconds = (performance.now() - alongsideStarted) / 1000;
          };
    // Without labels, or with t-SNE's own input neighbours for their accuracy, the team's last task is this one.
    const lastTask = labels === undefined || inputNeighbours !== undefined;
    const tw = await trustworthinessOnTeam(team, input, n, inputDims, embedded, k, sample, { signal, inputLists: inputLists?.lists, wasm: options.wasm !== false, alongside, lastTask });
    const out: TsneWithMetrics = {
      result,
      inputDims,
      pcaSeconds,
      phases: { pca: pcaSeconds, affinities: affinitySeconds, optimisation: optimisationSeconds, metrics: 0 },
      trustworthiness: tw.trustworthiness,
      trustworthinessStandardError: tw.standardError,
      metricsK: k,
    };
    if (labels !== undefined) {
      out.knnAccuracy = knnAccuracyOfNeighbours(embedded, n, labels, k);
      const inputGraph = inputNeighbours ?? (await knnGraphOnTeam(Promise.resolve(team), input, n, inputDims, k, { signal })).graph.indices;
      // The workers are done: they stop while this thread counts votes (tsneThen awaits the same close and sees its errors).
      team.close().catch(() => undefined);
      out.inputKnnAccuracy = knnAccuracyOfNeighbours(inputGraph, n, labels, k);
    }
    out.phases.metrics = (performance.now() - metricsStarted) / 1000 - alongsideSeconds;
    options.onProgress?.({ phase: "metrics", step: 1, total: 1 });
    return out;
  });
}
