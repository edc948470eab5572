// TCAV (owner: tcav/)
export { ALTERNATIVES, CORRECTIONS, adjustPValues, binomialUpperMargin, binomialUpperTail, bootstrapMeanDifferenceCI, cohensD, correctPValues, empiricalPValue, meanDifferenceCI, oneSampleTTest, welchTTest } from "./tcav/stats.js";
export type { Alternative, ConfidenceInterval, Correction, CorrectionResult, TieBreak, TTestResult } from "./tcav/stats.js";
export { BUILTIN_CONCEPTS, BUILTIN_CONCEPT_DESCRIPTIONS, builtinConcept, holeArea, isBuiltinConcept, slant, strokeWidth } from "./tcav/concepts.js";
export type { BuiltinConceptName, BuiltinConceptOptions } from "./tcav/concepts.js";
export { trainCav } from "./tcav/cav.js";
export type { ActivationMatrix, Cav, CavOptions } from "./tcav/cav.js";
// Where TCAV can cut a model; kept here for TCAV users, defined beside the model helpers.
export { cuttableLayers } from "@dl/tensor-core";
export { directionalDerivatives, tcavMagnitudeScore, tcavScore } from "./tcav/sensitivity.js";
export { nullHistogramBars, scoreSpread, significanceMark, tcavBars, tcavReportSections } from "./tcav/report.js";
export { concatImageSets, concatImageSources, imageSetFromNdArray, prepareTcavInputs } from "./tcav/inputs.js";
export type { TcavInputOptions } from "./tcav/inputs.js";
export { DEFAULT_SETS_PER_TASK, MIN_CONCEPT_IMAGES, applyCorrection, conceptStatistics, drawTcavSets, mergeTcav, nullDrawsForSignificance, prepareTcav, requiredPoolSize, runTcav, runTcavTask, scoreLayer, tcavFromLayerData, tcavTasks } from "./tcav/tcav.js";
export type { ConceptSet, ConceptSource, ImageSet, ImageSource, LayerData, LayerScores, RunScores, TcavDraws, TcavOptions, TcavPValues, TcavPlan, TcavPlanSummary, TcavResult, TcavRow, TcavStatisticsOptions, TcavTask, TcavTaskResult } from "./tcav/tcav.js";
// t-SNE (owner: tsne/)
export {
  AUTO_EXACT_MAX_POINTS,
  DEFAULT_ITERATIONS,
  HYBRID_BH_COST_RATIO,
  LOCALITY_MIN_POINTS,
  TSNE_METHODS,
  TSNE_METRICS,
  computeAffinities,
  hybridRepulsion,
  repulsionFor,
  tsne,
  tsneTransform,
} from "./tsne/tsne.js";
export type { GradientMethod, TransformOptions, TsneMethod, TsneMetric, TsneModel, TsneOptions, TsneResult } from "./tsne/tsne.js";
export { APPROXIMATE_KNN_MIN_POINTS, EXACT_KNN_MAX_POINTS, exactKnn, knnGraph, matmulKnn, queryKnn, rpForestKnn, vpTreeKnn } from "./tsne/knn.js";
export type { KnnGraph, KnnMethod, KnnOptions, RpForestOptions } from "./tsne/knn.js";
export { conditionalAffinities, symmetrizeAffinities } from "./tsne/affinities.js";
export type { ConditionalAffinities, SparseMatrix } from "./tsne/affinities.js";
export { exactRepulsion, klFromParts, tsneGradient } from "./tsne/gradient.js";
export type { RepulsionFn } from "./tsne/gradient.js";
export { BH_GROUP_SIZE, SpaceTree, barnesHutRepulsion } from "./tsne/spaceTree.js";
export { fftRepulsion } from "./tsne/fftRepulsion.js";
export type { FftInterpolationOptions } from "./tsne/fftRepulsion.js";
export { EXACT_PCA_MAX_DIMS, pca, symmetricEigen } from "./tsne/pca.js";
export type { PcaResult } from "./tsne/pca.js";
export { klDivergence, knnAccuracy, trustworthiness } from "./tsne/metrics.js";
export type { TrustworthinessOptions } from "./tsne/metrics.js";
export { MIN_POINTS, maxPerplexity, normalizeRows, validateLabels, validateMatrix } from "./tsne/validate.js";
export { tsneWithMetrics } from "./tsne/pipeline.js";
export type { TsneWithMetrics, TsneWithMetricsOptions } from "./tsne/pipeline.js";
// Layer-by-layer embeddings (owner: embed/)
export { MAX_GRID_POINTS, assignToGrid, greedyGridFill, gridCost, gridShape } from "./embed/gridAssignment.js";
export type { GridAssignment } from "./embed/gridAssignment.js";
export { procrustes } from "./embed/procrustes.js";
export type { ProcrustesResult } from "./embed/procrustes.js";
export { layerEmbeddings, reduceFeatures } from "./embed/layerEmbeddings.js";
export type { LayerEmbedding, LayerEmbeddingOptions } from "./embed/layerEmbeddings.js";
export { compareGrids, explorerHtml, gridMosaic, layerEmbeddingSections, pointMosaic } from "./embed/pictures.js";
export type { GridComparison } from "./embed/pictures.js";
