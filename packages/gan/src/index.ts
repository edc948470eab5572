export { fitDensityRatio, logRatioFromLogit } from "./densityRatio/densityRatio.js";
export type { DensityRatioEstimate, DensityRatioOptions, RatioClassifier } from "./densityRatio/densityRatio.js";
export type { RatioFeatures } from "./densityRatio/features.js";
export { fitLogisticRegression } from "./densityRatio/logisticRegression.js";
export type { LogisticFit } from "./densityRatio/logisticRegression.js";
export { laplace, mvnDiag, normal, parseDistribution } from "./distributions/distributions.js";
export type { Distribution } from "./distributions/distributions.js";
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
