// Browser-safe part of the model module; re-exported by the package entries.
export { DEFAULT_ARCHS, createDefaultModel, parseArch } from "./architectures.js";
export type { CreateModelOptions, DefaultArch } from "./architectures.js";
export { SPATIAL_REDUCTIONS, activations, cuttableLayers, gradientsAtLayer, layerNames, logitsLayerName, resolveLayerNames, suggestLayers } from "./layers.js";
export { predictionsSection, topPredictions } from "./predictions.js";
export { loadModelFromFiles } from "./modelFiles.js";
export type { ModelJsonOptions } from "./modelJson.js";
export type { Prediction } from "./predictions.js";
export type { ActivationOptions, AnyModel, GradientOptions, ImageBatches, LayerActivations, ModelInput, SpatialReduction } from "./layers.js";
export { imageModel, isImageModel } from "./imageModel.js";
export type { ImageModel, ImageModelOptions, InputTransform, LogitsSource, ModelLayer } from "./imageModel.js";
export { evaluateAccuracy, predictClasses, trainClassifier } from "./train.js";
export type { EpochRecord, TrainOptions, TrainResult } from "./train.js";
export { trainingCurveFigures, trainingCurves } from "./trainingCurves.js";
export { loadModelFromUrl } from "./url.js";
export { adamUpdate, emaUpdate, unfusedAdamUpdate, unfusedEmaUpdate } from "./optimizerUpdates.js";
export type { AdamUpdateAttrs } from "./optimizerUpdates.js";
