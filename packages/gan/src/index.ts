export { fitDensityRatio, logRatioError, logRatioFromLogit } from "./densityRatio/densityRatio.js";
export type { DensityRatioEstimate, DensityRatioOptions, RatioClassifier } from "./densityRatio/densityRatio.js";
export type { RatioFeatures } from "./densityRatio/features.js";
export { fitLogisticRegression } from "./densityRatio/logisticRegression.js";
export type { LogisticFit } from "./densityRatio/logisticRegression.js";
export { Adam } from "./tfjs/adam.js";
export type { AdamConfig, AdamState } from "./tfjs/adam.js";
export {
  BUILTIN_MAPS_1D,
  changeOfVariables1d,
  derivative,
  integrate,
  pushforward1d,
  resolveMap1d,
} from "./changeOfVariables/oneD.js";
export type { ChangeOfVariables1DResult, ChangeOfVariablesOptions, Pushforward1D, PushforwardOptions } from "./changeOfVariables/oneD.js";
export {
  BUILTIN_MAPS_2D,
  changeOfVariables2d,
  expectedAbsDeviation,
  invert2d,
  jacobian2d,
  pushforwardDensity2d,
  resolveMap2d,
} from "./changeOfVariables/twoD.js";
export type { ChangeOfVariables2DResult, Map2D } from "./changeOfVariables/twoD.js";
export { EXPRESSION_FUNCTIONS, parseExpression } from "./expr/expression.js";
export type { Expression } from "./expr/expression.js";
export { featureMoments, frechetDistance, frechetDistanceFromFeatures, sqrtmPsd } from "./evaluate/frechet.js";
export type { GaussianMoments } from "./evaluate/frechet.js";
export { precisionRecall } from "./evaluate/precisionRecall.js";
export type { PrecisionRecall } from "./evaluate/precisionRecall.js";
export { evaluateGenerator, penultimateLayer } from "./evaluate/generatorEvaluation.js";
export type { EvaluateGeneratorOptions, GeneratorEvaluation } from "./evaluate/generatorEvaluation.js";
export { GAN_ARCHS, createDiscriminator, createGenerator, imageGanConfig, parseGanArch, trainableVariables } from "./train/networks.js";
export type { GanArch, GanConfig } from "./train/networks.js";
export { createGan, ganCheckpointState, generate, restoreGan, trainGan } from "./train/gan.js";
export type { Gan, GanCheckpointState, GanData, GanEpochRecord, TrainGanOptions } from "./train/gan.js";
export { generateImages, sampleGrid, trainImageGan } from "./train/imageGan.js";
export type { ImageGanEpoch, ImageGanOptions, ImageGanResult } from "./train/imageGan.js";
export { applyRows, createBiGan, trainBiGan } from "./train/bigan.js";
export type { BiGan, BiGanConfig, BiGanHistoryRecord } from "./train/bigan.js";
export { ENCODER_METHODS, compareEncoder, grid25ModeCoverage, parseEncoderMethod } from "./encoders/compare.js";
export type { CompareEncoderOptions, EncoderComparison, EncoderData, EncoderMethod, ModeCoverageRun } from "./encoders/compare.js";
export { countModes, grid25Mixture, sampleGrid25 } from "./evaluate/modes.js";
export type { ModeCoverage } from "./evaluate/modes.js";
export { GRID25_METHODS, grid25Config, parseGrid25Method, runGrid25, summariseGrid25 } from "./evaluate/grid25.js";
export type { Grid25Method, Grid25Options, Grid25Run, Grid25Summary } from "./evaluate/grid25.js";
export {
  PLAIN_GRID_GAN,
  RejectionSampler,
  STABLE_GRID_GAN,
  applyLowDimGenerator,
  createLowDimGan,
  encodeLowDim,
  sampleLowDimGan,
  trainLowDimGan,
} from "./train/lowDimGan.js";
export type { LowDimGan, LowDimGanConfig, LowDimGanRecord, LowDimLayer, RejectionOptions } from "./train/lowDimGan.js";
