// @dl/bayes — TFP-shaped distributions, bijectors, flows and VAEs for TensorFlow.js. The public surface:
// distributions, bijectors and the entry points with their option and result types; float64 scalar
// special functions, shape helpers, sample-gradient kernels and tuning constants are internal. Shared by the
// browser entry (index.ts) and the Node entry (index.node.ts), which differ only in how heavy libraries load.
export { digamma, lbeta, lgamma, log1p, logNdtr, ndtr, ndtri } from "./special/ops.js";
export { Distribution } from "./distributions/distribution.js";
export type { DistributionOptions, SampleShape, TensorLike } from "./distributions/distribution.js";
export { Cauchy, Exponential, Gumbel, Laplace, LogNormal, Logistic, Normal, Uniform, Weibull } from "./distributions/univariate.js";
export { StudentT } from "./distributions/studentT.js";
export { Dirichlet } from "./distributions/dirichlet.js";
export { klDivergence } from "./distributions/kl.js";
export { Beta, Gamma } from "./distributions/gammaBeta.js";
export { Bernoulli, Categorical, Poisson } from "./distributions/discrete.js";
export { MixtureSameFamily, MultivariateNormalDiag, MultivariateNormalTriL } from "./distributions/multivariate.js";
export { inverseCdfSample } from "./sampling/inverseCdf.js";
export type { CdfFamily, InverseCdfSampleOptions, InvertOptions } from "./sampling/inverseCdf.js";
export { fitGaussianMixture, mixtureResponsibilities } from "./mixture/gaussianMixture.js";
export { parseMixtureSpec } from "./mixture/mixtureSpec.js";
export type {
  FitGaussianMixtureOptions,
  FitGaussianMixtureResult,
  GaussianMixture,
  MixturePosterior,
  Points,
} from "./mixture/gaussianMixture.js";
export { BaseBijector, Chain } from "./bijectors/bijector.js";
export type { Bijector } from "./bijectors/bijector.js";
export { AffineScaleTril } from "./bijectors/affine.js";
export { Planar } from "./bijectors/planar.js";
export { Radial } from "./bijectors/radial.js";
export { RealNvpCoupling } from "./bijectors/realNvp.js";
export { TransformedDistribution } from "./bijectors/transformed.js";
export { PlanarStack } from "./bijectors/planarStack.js";
export { DISTRIBUTION_NAMES, DISTRIBUTION_PARAMETER_NAMES, createDistribution, sampleNamed } from "./distributions/registry.js";
export type { NamedSample } from "./distributions/registry.js";
export { laplaceRows, mvnDiagRows, normalRows, parseDistribution } from "./distributions/rowSpec.js";
export type { RowDistribution } from "./distributions/rowSpec.js";
export { ENERGY_NAMES, energy, logNormaliser, parseEnergyName, targetDensityGrid } from "./flows/energies.js";
export type { EnergyName, Grid } from "./flows/energies.js";
export { estimateKl, fitPlanarFlow } from "./flows/fitFlow.js";
export { FLOW_PICTURE_GRID, flowLossChart, flowPictures } from "./flows/figures.js";
export type { FlowLossChart, FlowPictures } from "./flows/figures.js";
export type { FitFlowOptions, FitFlowResult, KlEstimate } from "./flows/fitFlow.js";
export { VAE_FAMILIES, parseVaeFamily } from "./vae/families.js";
export type { VaeFamily, VariationalFamily } from "./vae/families.js";
export { Vae, createEncoder, decodeRows, elboPerImage, encodeRows, iwaeLogLikelihood, refineLocal, sampleImages, trainEncoder, trainVae } from "./vae/vae.js";
export type { Encoder, RefineOptions, TrainVaeOptions, TrainVaeResult, VaeConfig, VaeLikelihood, VaeRows } from "./vae/vae.js";
export { measureGaps, vaeGapRow } from "./gaps/gaps.js";
export type { GapRow, GapsResult, VaeExperimentOptions } from "./gaps/gaps.js";
export { measureEncoderCapacity } from "./gaps/encoders.js";
export type { EncoderCapacityOptions, EncoderCapacityResult, EncoderWidthRow, MeanCi, SviRow } from "./gaps/encoders.js";
export { encoderCapacityReport, gapBars, gapReport, gapTable } from "./gaps/report.js";
