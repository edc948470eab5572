// Node-only part of the model module (fs, paths); never reached from the browser entry.
export { directoryIOHandler, loadLayersModel, saveModel } from "./directory.js";
export { loadModel, resolveModelDir } from "./loadModel.js";
export type { LoadModelOptions } from "./loadModel.js";
export { DEFAULT_TRAINING, defaultModelDir, defaultTrainingRecipe, loadDefaultModel } from "./defaultModel.js";
export type { DefaultModel, LoadDefaultModelOptions, TrainingRecord } from "./defaultModel.js";
