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
