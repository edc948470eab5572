// TCAV (owner: tcav/)
export { ALTERNATIVES, CORRECTIONS, adjustPValues, binomialUpperMargin, binomialUpperTail, bootstrapMeanDifferenceCI, cohensD, correctPValues, empiricalPValue, meanDifferenceCI, oneSampleTTest, welchTTest } from "./tcav/stats.js";
export type { Alternative, ConfidenceInterval, Correction, CorrectionResult, TieBreak, TTestResult } from "./tcav/stats.js";
export { BUILTIN_CONCEPTS, BUILTIN_CONCEPT_DESCRIPTIONS, builtinConcept, holeArea, isBuiltinConcept, slant, strokeWidth } from "./tcav/concepts.js";
export type { BuiltinConceptName, BuiltinConceptOptions } from "./tcav/concepts.js";
export { trainCav } from "./tcav/cav.js";
export type { ActivationMatrix, Cav, CavOptions } from "./tcav/cav.js";
export { cuttableLayers, layerActivations, layerGradients, splitModelAtLayer } from "./tcav/gradients.js";
export type { LayerSplit } from "./tcav/gradients.js";
export { directionalDerivatives, tcavMagnitudeScore, tcavScore } from "./tcav/sensitivity.js";
export { MIN_CONCEPT_IMAGES, applyCorrection, conceptStatistics, drawTcavSets, requiredPoolSize, runTcav, scoreLayer, tcavFromLayerData } from "./tcav/tcav.js";
export type { ConceptSet, ImageSet, LayerData, LayerScores, RunScores, TcavDraws, TcavOptions, TcavPValues, TcavResult, TcavRow, TcavStatisticsOptions } from "./tcav/tcav.js";
// t-SNE (owner: tsne/)
export { AUTO_EXACT_MAX_POINTS, AUTO_FFT_MIN_POINTS, TSNE_METHODS, TSNE_METRICS, computeAffinities, repulsionFor, tsne, tsneTransform } from "./tsne/tsne.js";
export type { GradientMethod, TransformOptions, TsneMethod, TsneMetric, TsneModel, TsneOptions, TsneResult } from "./tsne/tsne.js";
export { EXACT_KNN_MAX_POINTS, exactKnn, knnGraph, matmulKnn, queryKnn, vpTreeKnn } from "./tsne/knn.js";
export type { KnnGraph, KnnMethod, KnnOptions } from "./tsne/knn.js";
export { conditionalAffinities, symmetrizeAffinities } from "./tsne/affinities.js";
export type { ConditionalAffinities, SparseMatrix } from "./tsne/affinities.js";
export { exactRepulsion, klFromParts, tsneGradient } from "./tsne/gradient.js";
export type { RepulsionFn } from "./tsne/gradient.js";
export { SpaceTree, barnesHutRepulsion } from "./tsne/spaceTree.js";
export { fftRepulsion } from "./tsne/fftRepulsion.js";
export type { FftInterpolationOptions } from "./tsne/fftRepulsion.js";
export { pca, symmetricEigen } from "./tsne/pca.js";
export type { PcaResult } from "./tsne/pca.js";
export { klDivergence, knnAccuracy, trustworthiness } from "./tsne/metrics.js";
export type { TrustworthinessOptions } from "./tsne/metrics.js";
export { MIN_POINTS, maxPerplexity, normalizeRows, validateLabels, validateMatrix } from "./tsne/validate.js";
