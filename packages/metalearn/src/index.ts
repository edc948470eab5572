export type { AccuracySummary } from "./types.js";
export { meanConfidenceInterval } from "./stats.js";
export {
  DEFAULT_CLASS_SPLIT,
  SQUARE_SYMMETRIES,
  augmentClassesBySymmetry,
  createEpisodeSampler,
  gatherImages,
  indicesByClass,
  selectClasses,
} from "./tasks/episodes.js";
export type { Episode, EpisodeSampler, EpisodeSamplerOptions, EpisodeSpec } from "./tasks/episodes.js";
export { DISTANCE_METRICS, checkMetric, pairwiseDistances } from "./matching/distances.js";
export type { DistanceMetric } from "./matching/distances.js";
export { attentionWeights, checkTemperature, softNearestNeighbourLogProbs } from "./matching/softNearestNeighbour.js";
export type { SoftNearestNeighbourOptions, Temperature } from "./matching/softNearestNeighbour.js";
export { knnPredict } from "./matching/knn.js";
export { EMBEDDING_ARCHS, createEmbeddingNetwork, embedDataset, imagesToTensor, pixelsAsVectors } from "./matching/embedding.js";
export type { EmbeddingArch, EmbeddingOptions, LabelledVectors } from "./matching/embedding.js";
export { TRAINABLE_METHODS, episodeLogProbs, metaTrain } from "./matching/metaTrain.js";
export type { MetaLearner, MetaTrainHistoryEntry, MetaTrainOptions, TrainableMethod } from "./matching/metaTrain.js";
export { EVALUATED_CLASSIFIERS, FEATURE_CENTRINGS, FEW_SHOT_METHODS, centreOnSupport, evaluateFewShot } from "./matching/evaluate.js";
export type { EvaluatedClassifier, FeatureCentring, FewShotEvaluation, FewShotEvaluationOptions, FewShotMethod } from "./matching/evaluate.js";
export { DEFAULT_MAHALANOBIS_SHRINKAGE, mahalanobisLogProbs } from "./matching/mahalanobis.js";
export { DEFAULT_TRANSDUCTIVE_ITERATIONS, centreOnEpisode, transductiveLogProbs } from "./matching/transductive.js";
export { classPrototypes, prototypesAsLinearClassifier, prototypicalLogits } from "./proto/prototypes.js";
export { SINUSOID, sampleSinusoidEpisode, sampleSinusoidTask, sinusoidValue } from "./regression/sinusoid.js";
export type { RegressionEpisode, SinusoidTask } from "./regression/sinusoid.js";
export { nadarayaWatson } from "./regression/nadarayaWatson.js";
export { MAML_REPORTED_MSE, runSinusoidExperiment } from "./regression/experiment.js";
export type { RegressionCurve, SinusoidExperimentOptions, SinusoidExperimentResult } from "./regression/experiment.js";
export {
  LayerwiseOptimizer,
  discriminativeLearningRates,
  gradualUnfreezingStage,
  layerGroupsOf,
} from "./finetune/layerwiseOptimizer.js";
export type { LayerGroup, LayerwiseOptimizerOptions } from "./finetune/layerwiseOptimizer.js";
export { EMBEDDING_TRAININGS, checkEmbeddingTraining, runFewShotExperiment } from "./matching/experiment.js";
export type { EmbeddingTraining, ExampleEpisode, FewShotExperimentOptions, FewShotExperimentResult, TrainingHistoryEntry } from "./matching/experiment.js";
export { fitTemperature } from "./matching/fitTemperature.js";
export type { FitTemperatureOptions } from "./matching/fitTemperature.js";
export { centreAndL2Normalise, concatenateFeatures, l2NormaliseBlocks, meanFeature } from "./pretrain/cl2n.js";
export { blockFeatures } from "./pretrain/features.js";
export type { BlockFeatureSpec } from "./pretrain/features.js";
export { pretrainClassifier, shiftedBatch } from "./pretrain/supervised.js";
export type { PretrainHistoryEntry, PretrainOptions, PretrainedNetwork } from "./pretrain/supervised.js";
export { pretrainedFeatures, translateImages } from "./pretrain/embedding.js";
export type { PretrainedFeatureOptions } from "./pretrain/embedding.js";
export { runTemperatureSweep } from "./matching/temperatureSweep.js";
export type { KnnPoint, TemperaturePoint, TemperatureSweepOptions, TemperatureSweepResult } from "./matching/temperatureSweep.js";
export { FINE_TUNE_STRATEGIES, runFineTuneExperiment } from "./finetune/experiment.js";
export type { FineTuneExperimentOptions, FineTuneExperimentResult, FineTuneStrategy } from "./finetune/experiment.js";
