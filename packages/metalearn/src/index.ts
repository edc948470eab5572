// @dl/metalearn — the public surface: the four experiments (few-shot, temperature sweep, sinusoid
// regression, fine-tuning), the episode sampler, the metalearners and classifiers they compare, and the
// names the CLI parses. Feature pipelines, tuning constants and helpers are imported by path.
export type { AccuracySummary } from "./types.js";

// Episodes.
export { createEpisodeSampler, gatherImages } from "./tasks/episodes.js";
export type { Episode, EpisodeSampler, EpisodeSamplerOptions, EpisodeSpec } from "./tasks/episodes.js";

// Few-shot classifiers and metalearners.
export type { DistanceMetric } from "./matching/distances.js";
export { attentionWeights, assertTemperature, softNearestNeighbourLogProbs } from "./matching/softNearestNeighbour.js";
export type { SoftNearestNeighbourOptions, Temperature } from "./matching/softNearestNeighbour.js";
export { mahalanobisLogProbs } from "./matching/mahalanobis.js";
export { transductiveLogProbs } from "./matching/transductive.js";
export { prototypicalLogits } from "./proto/prototypes.js";
export type { EmbeddingArch, EmbeddingOptions, LabelledVectors } from "./matching/embedding.js";
export { metaTrain } from "./matching/metaTrain.js";
export type { MetaLearner, MetaTrainHistoryEntry, MetaTrainOptions, TrainableMethod } from "./matching/metaTrain.js";
export { EVALUATED_CLASSIFIERS, FEATURE_CENTRINGS, FEW_SHOT_METHODS, evaluateFewShot } from "./matching/evaluate.js";
export type { EvaluatedClassifier, FeatureCentring, FewShotEvaluation, FewShotEvaluationOptions, FewShotMethod } from "./matching/evaluate.js";

// Experiments.
export { EMBEDDING_TRAININGS, parseEmbeddingTraining, runFewShotExperiment } from "./matching/experiment.js";
export type { EmbeddingTraining, ExampleEpisode, FewShotExperimentOptions, FewShotExperimentResult, TrainingHistoryEntry } from "./matching/experiment.js";
export { runTemperatureSweep } from "./matching/temperatureSweep.js";
export type { KnnPoint, TemperaturePoint, TemperatureSweepOptions, TemperatureSweepResult } from "./matching/temperatureSweep.js";
export { nadarayaWatson } from "./regression/nadarayaWatson.js";
export type { RegressionEpisode, SinusoidTask } from "./regression/sinusoid.js";
export { runSinusoidExperiment } from "./regression/experiment.js";
export type { RegressionCurve, SinusoidExperimentOptions, SinusoidExperimentResult } from "./regression/experiment.js";
export { LayerwiseOptimizer } from "./finetune/layerwiseOptimizer.js";
export type { LayerGroup, LayerwiseOptimizerOptions } from "./finetune/layerwiseOptimizer.js";
export { FINE_TUNE_STRATEGIES, runFineTuneExperiment } from "./finetune/experiment.js";
export type { FineTuneExperimentOptions, FineTuneExperimentResult, FineTuneStrategy } from "./finetune/experiment.js";
