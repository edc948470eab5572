// @dl/interpretability/tcav: concept activation vectors and their significance; loads no t-SNE code.
export { MIN_CONCEPT_IMAGES, nullDrawsForSignificance, runTcav, tcavFromLayerData } from "./tcav.js";
export type { ConceptSet, ConceptSource, ImageSet, ImageSource, LayerData, TcavOptions, TcavPValues, TcavResult, TcavRow, TcavStatisticsOptions } from "./tcav.js";
// The same run as plan → independent tasks → merge, for worker pools, job queues and shards.
export { mergeTcav, prepareTcav, runTcavTask, tcavTasks } from "./tcav.js";
export type { TcavPlan, TcavPlanSummary, TcavTask, TcavTaskResult } from "./tcav.js";
export { concatImageSets, concatImageSources, imageSetFromNdArray, prepareTcavInputs } from "./inputs.js";
export type { TcavInputOptions } from "./inputs.js";
export { trainCav } from "./cav.js";
export type { ActivationMatrix, Cav, CavOptions } from "./cav.js";
export { BUILTIN_CONCEPTS, BUILTIN_CONCEPT_DESCRIPTIONS, builtinConcept, isBuiltinConcept } from "./concepts.js";
export type { BuiltinConceptName, BuiltinConceptOptions } from "./concepts.js";
export { nullHistogramBars, tcavReportSections, tcavRowLine, tcavSummary } from "./report.js";
export { ALTERNATIVES, CORRECTIONS } from "./stats.js";
export type { Alternative, Correction } from "./stats.js";
// Where TCAV can cut a model; kept here for TCAV users, defined beside the model helpers.
export { cuttableLayers } from "@dl/tensor-core";
