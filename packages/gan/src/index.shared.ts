// @dl/gan — the public surface: entry points, their option and result types, and the names the apps
// use. Internals (networks, optimisers, quadrature, Fréchet pieces, low-dimensional GAN parts) are
// imported by path inside the package. Shared by the browser entry (index.ts) and the Node entry
// (index.node.ts), which differ only in how mathjs loads.

// Change of variables (1-D and 2-D pushforwards of a base density).
export { changeOfVariables1d, pushforward1d, resolveMap1d } from "./changeOfVariables/oneD.js";
export type { ChangeOfVariables1DResult, ChangeOfVariablesOptions, Pushforward1D, PushforwardOptions } from "./changeOfVariables/oneD.js";
export { changeOfVariables2d } from "./changeOfVariables/twoD.js";
export type { ChangeOfVariables2DResult, Map2D } from "./changeOfVariables/twoD.js";
export { changeOfVariablesReport1d, changeOfVariablesReport2d } from "./changeOfVariables/report.js";
export type { ChangeOfVariablesReport } from "./changeOfVariables/report.js";

// Density-ratio estimation by classification.
export { fitDensityRatio, logRatioError } from "./densityRatio/densityRatio.js";
export type { DensityRatioEstimate, DensityRatioOptions, RatioClassifier } from "./densityRatio/densityRatio.js";
export type { RatioFeatures } from "./densityRatio/features.js";

// GAN and conditional GAN training on images or points.
export { GAN_ARCHS, IMAGE_GAN_RECIPES, imageGanConfig, parseGanArch, parseImageGanRecipe } from "./train/networks.js";
export type { ConvUpsample, GanArch, GanConfig, GanLoss, ImageGanRecipe, LearningRateDecay } from "./train/networks.js";
export { createGan, ganCheckpointState, generate, restoreGan, trainGan } from "./train/gan.js";
export type { Gan, GanCheckpointState, GanData, GanEpochRecord, GanTrainingData, TrainGanOptions } from "./train/gan.js";
export { MAX_SCORE_DRAWS, assertResumableOn, chooseTruncation, fixedLatentGrid, generateImages, interpolationGrid, sampleGrid, scoreDraws, trainImageGan } from "./train/imageGan.js";
export type { DrawScores, DrawSpread, ImageGanEpoch, ImageGanOptions, ImageGanResult, TruncationChoice, TruncationRule } from "./train/imageGan.js";
export { applyStandingStatistics } from "./train/standingStatistics.js";
export type { StandingStatistics } from "./train/standingStatistics.js";
export { ganLossSeries, ganQualitySeries, labelAccuracyBars, latentCaption } from "./train/report.js";
export { createBiGan, trainBiGan } from "./train/bigan.js";
export type { BiGan, BiGanConfig, BiGanHistoryRecord } from "./train/bigan.js";

// Evaluation: generator quality, mode coverage on the grid of 25 Gaussians.
export { evaluateGenerator } from "./evaluate/generatorEvaluation.js";
export type { EvaluateGeneratorOptions, GeneratorEvaluation, RealReference } from "./evaluate/generatorEvaluation.js";
export type { PrecisionRecall } from "./evaluate/precisionRecall.js";
export { sampleGrid25 } from "./evaluate/modes.js";
export type { ModeCoverage } from "./evaluate/modes.js";
export { GRID25_METHODS, GRID25_POINT_CLASSES, grid25Config, grid25Points, parseGrid25Method, runGrid25, summariseGrid25, summariseModeCounts } from "./evaluate/grid25.js";
export type { Grid25Method, Grid25Options, Grid25Run, Grid25Summary, ModeCountSummary } from "./evaluate/grid25.js";

// The sampling generator alone (config + float32 weights): shipped to browsers, cached by the tour.
export { restoreGenerator, snapshotGenerator } from "./snapshot/generatorSnapshot.js";
export type { GeneratorSnapshot } from "./snapshot/generatorSnapshot.js";

// Saving and loading checkpoints, and the cached default cGAN: the Node-only subpath @dl/gan/checkpoint (src/checkpoint/index.ts).

// Which model gives z|x: BiGAN encoder vs @dl/bayes's VAE.
export { ENCODER_METHODS, compareEncoder, grid25ModeCoverage, parseEncoderMethod } from "./encoderComparison/compareEncoder.js";
export type { CompareEncoderOptions, EncoderComparison, EncoderData, EncoderMethod, ModeCoverageRun } from "./encoderComparison/compareEncoder.js";
