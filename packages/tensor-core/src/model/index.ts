// Browser-safe part of the model module; re-exported by the package entries.
export { DEFAULT_ARCHS, createDefaultModel, parseArch } from "./architectures.js";
export type { CreateModelOptions, DefaultArch } from "./architectures.js";
export {
  activations,
  cuttableLayers,
  gradientsAtLayer,
  layerNames,
  layersBetween,
  logitsLayerName,
  modelFromLayer,
  modelUpToLayer,
  replayToLogits,
  resolveLayerNames,
} from "./layers.js";
export type { LayerActivations, ModelInput } from "./layers.js";
export { evaluateAccuracy, predictClasses, trainClassifier } from "./train.js";
export type { EpochRecord, TrainOptions, TrainResult } from "./train.js";
export { loadModelFromUrl } from "./url.js";
