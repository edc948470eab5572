// @dl/interpretability/tsne: t-SNE of a matrix, new points into a fitted embedding, and the metrics that judge one.
export { DEFAULT_ITERATIONS, TSNE_METHODS, TSNE_METRICS, computeAffinities, tsne, tsneTransform } from "./tsne.js";
export type { GradientMethod, TransformOptions, TsneMethod, TsneMetric, TsneModel, TsneOptions, TsneResult } from "./tsne.js";
export { tsneWithMetrics } from "./pipeline.js";
export type { TsnePhaseSeconds, TsneWithMetrics, TsneWithMetricsOptions } from "./pipeline.js";
export { klDivergence, knnAccuracy, trustworthiness } from "./metrics.js";
export type { TrustworthinessOptions } from "./metrics.js";
export { pca } from "./pca.js";
export type { PcaOptions, PcaResult } from "./pca.js";
export type { KnnMethod } from "./knn.js";
export type { SparseMatrix } from "./affinities.js";
export type { FftInterpolationOptions } from "./fftGrid.js";
