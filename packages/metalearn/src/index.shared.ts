// @dl/metalearn — the public surface: the four experiments (few-shot, temperature sweep, sinusoid
// regression, fine-tuning), the episode sampler, the metalearners and classifiers they compare, and the
// names the CLI parses. Feature pipelines, tuning constants and helpers are imported by path. Shared by the browser
// entry (index.ts) and the Node entry (index.node.ts), which differ only in how @stdlib's t quantile loads.
export type { AccuracySummary } from "./types.js";
// Mean and 95 % Student-t interval over runs (episodes, seeds); dl sweep reports with it too.
export { meanConfidenceInterval } from "./stats.js";

// Episodes.
export { createEpisodeSampler, gatherImages } from "./tasks/episodes.js";
export type { Episode, EpisodeSampler, EpisodeSamplerOptions, EpisodeSpec } from "./tasks/episodes.js";

// Few-shot classifiers and metalearners.
export type { DistanceMetric } from "./classifiers/distances.js";
export { attentionWeights, assertTemperature, softNearestNeighbourLogProbs } from "./classifiers/softNearestNeighbour.js";
export type { SoftNearestNeighbourOptions, Temperature } from "./classifiers/softNearestNeighbour.js";
export { mahalanobisLogProbs } from "./classifiers/mahalanobis.js";
export { transductiveLogProbs } from "./classifiers/transductive.js";
export { prototypicalLogits } from "./classifiers/prototypes.js";
export type { LogisticRegressionOptions } from "./classifiers/logisticRegression.js";
export { EMBEDDING_ARCHS, parseEmbeddingArch } from "./matching/embedding.js";
export type { EmbeddingArch, EmbeddingOptions, LabelledVectors } from "./matching/embedding.js";
export { metaTrain } from "./matching/metaTrain.js";
export type { MetaLearner, MetaTrainHistoryEntry, MetaTrainOptions, TrainableMethod } from "./matching/metaTrain.js";
export { EVALUATED_CLASSIFIERS, FEATURE_CENTRINGS, FEW_SHOT_METHODS, evaluateFewShot, parseFewShotMethod } from "./fewShot/evaluate.js";
export type { EvaluatedClassifier, FeatureCentring, FewShotAccuracies, FewShotClassifierOptions, FewShotEvaluation, FewShotEvaluationOptions, FewShotMethod } from "./fewShot/evaluate.js";

// Experiments.
export { EMBEDDING_TRAININGS, parseEmbeddingTraining, runFewShotExperiment } from "./fewShot/fewShotExperiment.js";
export type { EmbeddingTraining, ExampleEpisode, FewShotExperimentOptions, FewShotExperimentResult, TrainingHistoryEntry } from "./fewShot/fewShotExperiment.js";
export { PRETRAIN_HEADS } from "./pretrain/supervised.js";
export { parseImageWarps } from "./pretrain/embedding.js";
export type { ImageWarp } from "./pretrain/embedding.js";
export type { PretrainHead } from "./pretrain/supervised.js";
export { fewShotAccuracyBars, fewShotFigures, fewShotReportSection } from "./fewShot/report.js";
export type { FewShotFigures, FewShotReportContext } from "./fewShot/report.js";
export { runTemperatureSweep } from "./fewShot/temperatureSweep.js";
export type { KnnPoint, TemperaturePoint, TemperatureSweepOptions, TemperatureSweepResult } from "./fewShot/temperatureSweep.js";
export { nadarayaWatson } from "./regression/nadarayaWatson.js";
export type { RegressionEpisode, SinusoidTask } from "./regression/sinusoid.js";
export { runSinusoidExperiment } from "./regression/sinusoidExperiment.js";
export type { RegressionCurve, SinusoidExperimentOptions, SinusoidExperimentResult } from "./regression/sinusoidExperiment.js";
export { LayerwiseOptimizer } from "./finetune/layerwiseOptimizer.js";
export type { LayerGroup, LayerwiseOptimizerOptions } from "./finetune/layerwiseOptimizer.js";
export { FINE_TUNE_ARCHS, FINE_TUNE_STRATEGIES, runFineTuneExperiment } from "./finetune/fineTuneExperiment.js";
export { classSetLabel, parseClassSet, runFineTuneGrid } from "./finetune/transferGrid.js";
export type { ClassSet, FineTuneGridCell, FineTuneGridOptions, FineTuneGridResult } from "./finetune/transferGrid.js";
export type { FineTuneArch, FineTuneExperimentOptions, FineTuneExperimentResult, FineTuneStrategy } from "./finetune/fineTuneExperiment.js";
