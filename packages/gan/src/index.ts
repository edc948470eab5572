export { fitDensityRatio, logRatioFromLogit } from "./densityRatio/densityRatio.js";
export type { DensityRatioEstimate, DensityRatioOptions, RatioClassifier } from "./densityRatio/densityRatio.js";
export type { RatioFeatures } from "./densityRatio/features.js";
export { fitLogisticRegression } from "./densityRatio/logisticRegression.js";
export type { LogisticFit } from "./densityRatio/logisticRegression.js";
export { laplace, mvnDiag, normal, parseDistribution } from "./distributions/distributions.js";
export type { Distribution } from "./distributions/distributions.js";
export { Adam } from "./tfjs/adam.js";
export type { AdamConfig, AdamState } from "./tfjs/adam.js";
