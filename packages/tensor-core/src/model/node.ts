// Node-only part of the model module (fs, paths); never reached from the browser entry.
export { directoryIOHandler, loadLayersModel, saveModel } from "./directory.js";
export { loadModel } from "./loadModel.js";
export type { LoadModelOptions } from "./loadModel.js";
export { defaultTrainingRecipe, loadDefaultModel } from "./defaultModel.js";
export type { DefaultModel, LoadDefaultModelOptions, TrainingRecord } from "./defaultModel.js";
