import * as tf from "@tensorflow/tfjs-core";

import { DlError } from "@dl/tensor-core";

import { lgamma, log1p, logNdtr, ndtr, ndtri, xlogy } from "../special/ops.js";
import {
  Distribution,
  type DistributionOptions,
  POSITIVE,
  type SampleShape,
  type TensorLike,
  broadcastShapes,
  normalizeSampleShape,
  openUniform,
} from "./distribution.js";

const HALF_LOG_TWO_PI = 0.5 * Math.log(2 * Math.PI);
const EULER_GAMMA = 0.5772156649015329;
const HALF_LOG_TWO_PI_E = 0.5 * Math.log(2 * Math.PI * Math.E);

/** A scalar-event continuous distribution; by default samples through its closed-form quantile. */
abstract class ScalarDistribution extends Distribution {
  readonly eventShape: readonly number[] = [];
  readonly reparameterized: boolean = true;
  abstract override readonly batchShape: readonly number[];

  override readonly hasCdf: boolean = true;

  sample(sampleShape: SampleShape, seed: number): tf.Tensor {
    const shape = [...normalizeSampleShape(sampleShape), ...this.batchShape];
    return tf.tidy(() => this.icdf(openUniform(shape, seed)));
  }
}

/** A location-scale family: x = loc + scale·z for a standard variable z. */
abstract class LocScaleDistribution extends ScalarDistribution {
  readonly name: string;
  readonly loc: tf.Tensor;
  readonly scale: tf.Tensor;
  readonly batchShape: readonly number[];

  constructor(name: string, params: { loc: TensorLike; scale: TensorLike }, options?: DistributionOptions) {
    super(options);
    // Set before param(): its error messages name the distribution.
    this.name = name;
    this.loc = this.param("loc", params.loc);
    this.scale = this.param("scale", params.scale, POSITIVE);
    this.batchShape = broadcastShapes(name, this.loc.shape, this.scale.shape);
  }

  /** z = (x − loc) / scale. */
  protected standardize(x: tf.Tensor): tf.Tensor {
    return tf.div(tf.sub(x, this.loc), this.scale);
  }
}

/** Normal(loc, scale). */
export class Normal extends LocScaleDistribution {
  constructor(params: { loc: TensorLike; scale: TensorLike }, options?: DistributionOptions) {
    super("Normal", params, options);
  }

  override sample(sampleShape: SampleShape, seed: number): tf.Tensor {
    const shape = [...normalizeSampleShape(sampleShape), ...this.batchShape];
    return tf.tidy(() => tf.add(this.loc, tf.mul(this.scale, tf.randomNormal(shape, 0, 1, "float32", seed))));
  }

  logProb(x: tf.Tensor): tf.Tensor {
    return tf.tidy(() => {
      const z = this.standardize(x);
      return tf.sub(tf.mul(-0.5, tf.square(z)), tf.add(tf.log(this.scale), HALF_LOG_TWO_PI));
    });
  }

  // Φ through erfc in each tail, so the far tails keep their relative accuracy (TFP's ndtr / log_ndtr).
  override cdf(x: tf.Tensor): tf.Tensor {
    return tf.tidy(() => ndtr(this.standardize(x)));
  }

  override logCdf(x: tf.Tensor): tf.Tensor {
    return tf.tidy(() => logNdtr(this.standardize(x)));
  }

  override survivalFunction(x: tf.Tensor): tf.Tensor {
    return tf.tidy(() => ndtr(tf.neg(this.standardize(x))));
  }

  override logSurvivalFunction(x: tf.Tensor): tf.Tensor {
    return tf.tidy(() => logNdtr(tf.neg(this.standardize(x))));
  }

  override icdf(p: tf.Tensor): tf.Tensor {
    return tf.tidy(() => tf.add(this.loc, tf.mul(this.scale, ndtri(p))));
  }

  override entropy(): tf.Tensor {
    return tf.tidy(() => tf.broadcastTo(tf.add(tf.log(this.scale), HALF_LOG_TWO_PI_E), [...this.batchShape]));
  }

  mean(): tf.Tensor {
    return tf.tidy(() => tf.broadcastTo(this.loc, [...this.batchShape]));
  }

  variance(): tf.Tensor {
    return tf.tidy(() => tf.broadcastTo(tf.square(this.scale), [...this.batchShape]));
  }
}

/** Uniform(low, high). */
export class Uniform extends ScalarDistribution {
  readonly name = "Uniform";
  readonly low: tf.Tensor;
  readonly high: tf.Tensor;
  readonly batchShape: readonly number[];

  constructor(params: { low?: TensorLike; high?: TensorLike } = {}, options?: DistributionOptions) {
    super(options);
    this.low = this.param("low", params.low ?? 0);
    this.high = this.param("high", params.high ?? 1);
    if (typeof params.low !== "object" && typeof params.high !== "object") {
      const low = params.low ?? 0;
      const high = params.high ?? 1;
      if (!(high > low)) {
        this.dispose();
        throw new DlError("INVALID_ARGUMENT", `Uniform: high must be > low, got low = ${low}, high = ${high}. Swap or widen them.`);
      }
    }
    this.batchShape = broadcastShapes(this.name, this.low.shape, this.high.shape);
  }

  logProb(x: tf.Tensor): tf.Tensor {
    return tf.tidy(() => {
      const inside = tf.logicalAnd(tf.greaterEqual(x, this.low), tf.lessEqual(x, this.high));
      const density = tf.neg(tf.log(tf.sub(this.high, this.low)));
      return tf.where(inside, tf.broadcastTo(density, inside.shape), tf.fill(inside.shape, -Infinity));
    });
  }

  override cdf(x: tf.Tensor): tf.Tensor {
    return tf.tidy(() => tf.clipByValue(tf.div(tf.sub(x, this.low), tf.sub(this.high, this.low)), 0, 1));
  }

  override survivalFunction(x: tf.Tensor): tf.Tensor {
    return tf.tidy(() => tf.clipByValue(tf.div(tf.sub(this.high, x), tf.sub(this.high, this.low)), 0, 1));
  }

  override logSurvivalFunction(x: tf.Tensor): tf.Tensor {
    return tf.tidy(() => tf.log(this.survivalFunction(x)));
  }

  override icdf(p: tf.Tensor): tf.Tensor {
    return tf.tidy(() => tf.add(this.low, tf.mul(p, tf.sub(this.high, this.low))));
  }

  override entropy(): tf.Tensor {
    return tf.tidy(() => tf.broadcastTo(tf.log(tf.sub(this.high, this.low)), [...this.batchShape]));
  }

  mean(): tf.Tensor {
    return tf.tidy(() => tf.broadcastTo(tf.mul(0.5, tf.add(this.low, this.high)), [...this.batchShape]));
  }

  variance(): tf.Tensor {
    return tf.tidy(() => tf.broadcastTo(tf.div(tf.square(tf.sub(this.high, this.low)), 12), [...this.batchShape]));
  }
}

/** −∞ where `support` is false. */
function restrict(support: tf.Tensor, logDensity: tf.Tensor): tf.Tensor {
  const shape = tf.broadcast_util.assertAndGetBroadcastShape(support.shape, logDensity.shape);
  return tf.where(tf.broadcastTo(support, shape), tf.broadcastTo(logDensity, shape), tf.fill(shape, -Infinity));
}

/** Exponential(rate). */
export class Exponential extends ScalarDistribution {
  readonly name = "Exponential";
  readonly rate: tf.Tensor;
  readonly batchShape: readonly number[];

  constructor(params: { rate: TensorLike }, options?: DistributionOptions) {
    super(options);
    this.rate = this.param("rate", params.rate, POSITIVE);
    this.batchShape = [...this.rate.shape];
  }

  logProb(x: tf.Tensor): tf.Tensor {
    return tf.tidy(() => restrict(tf.greaterEqual(x, 0), tf.sub(tf.log(this.rate), tf.mul(this.rate, x))));
  }

  override cdf(x: tf.Tensor): tf.Tensor {
    return tf.tidy(() => tf.neg(tf.expm1(tf.neg(tf.mul(this.rate, tf.relu(x))))));
  }

  override logCdf(x: tf.Tensor): tf.Tensor {
    return tf.tidy(() => tf.log(this.cdf(x)));
  }

  override survivalFunction(x: tf.Tensor): tf.Tensor {
    return tf.tidy(() => tf.exp(this.logSurvivalFunction(x)));
  }

  override logSurvivalFunction(x: tf.Tensor): tf.Tensor {
    return tf.tidy(() => tf.neg(tf.mul(this.rate, tf.relu(x))));
  }

  // −log(1 − p)/λ, with a log1p that keeps small p exact on every backend.
  override icdf(p: tf.Tensor): tf.Tensor {
    return tf.tidy(() => tf.div(tf.neg(log1p(tf.neg(p))), this.rate));
  }

  override entropy(): tf.Tensor {
    return tf.tidy(() => tf.sub(1, tf.log(this.rate)));
  }

  mean(): tf.Tensor {
    return tf.tidy(() => tf.reciprocal(this.rate));
  }

  variance(): tf.Tensor {
    return tf.tidy(() => tf.reciprocal(tf.square(this.rate)));
  }
}

/** Laplace(loc, scale). */
export class Laplace extends LocScaleDistribution {
  constructor(params: { loc: TensorLike; scale: TensorLike }, options?: DistributionOptions) {
    super("Laplace", params, options);
  }

  logProb(x: tf.Tensor): tf.Tensor {
    return tf.tidy(() =>
      tf.sub(tf.neg(tf.div(tf.abs(tf.sub(x, this.loc)), this.scale)), tf.log(tf.mul(2, this.scale))),
    );
  }

  override cdf(x: tf.Tensor): tf.Tensor {
    return tf.tidy(() => laplaceLower(this.standardize(x)));
  }

  override logCdf(x: tf.Tensor): tf.Tensor {
    return tf.tidy(() => laplaceLogLower(this.standardize(x)));
  }

  override survivalFunction(x: tf.Tensor): tf.Tensor {
    return tf.tidy(() => laplaceLower(tf.neg(this.standardize(x))));
  }

  override logSurvivalFunction(x: tf.Tensor): tf.Tensor {
    return tf.tidy(() => laplaceLogLower(tf.neg(this.standardize(x))));
  }

  // Each half from its own tail: loc + s·log(2p) below the median, loc − s·log(2(1 − p)) above
  // (p − ½ would cancel for p < 3e-8).
  override icdf(p: tf.Tensor): tf.Tensor {
    return tf.tidy(() => {
      const below = tf.less(p, 0.5);
      const tailP = tf.where(below, p, tf.sub(1, p));
      const magnitude = tf.mul(this.scale, tf.log(tf.mul(2, tailP)));
      return tf.add(this.loc, tf.where(below, magnitude, tf.neg(magnitude)));
    });
  }

  override entropy(): tf.Tensor {
    return tf.tidy(() => tf.broadcastTo(tf.add(1, tf.log(tf.mul(2, this.scale))), [...this.batchShape]));
  }

  mean(): tf.Tensor {
    return tf.tidy(() => tf.broadcastTo(this.loc, [...this.batchShape]));
  }

  variance(): tf.Tensor {
    return tf.tidy(() => tf.broadcastTo(tf.mul(2, tf.square(this.scale)), [...this.batchShape]));
  }
}

/** Logistic(loc, scale). */
export class Logistic extends LocScaleDistribution {
  constructor(params: { loc: TensorLike; scale: TensorLike }, options?: DistributionOptions) {
    super("Logistic", params, options);
  }

  // log p = −z − 2 softplus(−z) − log s, stable for both tails.
  logProb(x: tf.Tensor): tf.Tensor {
    return tf.tidy(() => {
      const z = this.standardize(x);
      return tf.sub(tf.sub(tf.neg(z), tf.mul(2, tf.softplus(tf.neg(z)))), tf.log(this.scale));
    });
  }

  override cdf(x: tf.Tensor): tf.Tensor {
    return tf.tidy(() => tf.sigmoid(this.standardize(x)));
  }

  override logCdf(x: tf.Tensor): tf.Tensor {
    return tf.tidy(() => tf.neg(tf.softplus(tf.neg(this.standardize(x)))));
  }

  override survivalFunction(x: tf.Tensor): tf.Tensor {
    return tf.tidy(() => tf.sigmoid(tf.neg(this.standardize(x))));
  }

  override logSurvivalFunction(x: tf.Tensor): tf.Tensor {
    return tf.tidy(() => tf.neg(tf.softplus(this.standardize(x))));
  }

  override icdf(p: tf.Tensor): tf.Tensor {
    return tf.tidy(() => tf.add(this.loc, tf.mul(this.scale, tf.sub(tf.log(p), log1p(tf.neg(p))))));
  }

  override entropy(): tf.Tensor {
    return tf.tidy(() => tf.broadcastTo(tf.add(tf.log(this.scale), 2), [...this.batchShape]));
  }

  mean(): tf.Tensor {
    return tf.tidy(() => tf.broadcastTo(this.loc, [...this.batchShape]));
  }

  variance(): tf.Tensor {
    return tf.tidy(() => tf.broadcastTo(tf.mul((Math.PI * Math.PI) / 3, tf.square(this.scale)), [...this.batchShape]));
  }
}

/** Cauchy(loc, scale); mean and variance are undefined (NaN, as TFP with allow_nan_stats). */
export class Cauchy extends LocScaleDistribution {
  constructor(params: { loc: TensorLike; scale: TensorLike }, options?: DistributionOptions) {
    super("Cauchy", params, options);
  }

  logProb(x: tf.Tensor): tf.Tensor {
    return tf.tidy(() => {
      const z = this.standardize(x);
      return tf.neg(tf.add(log1p(tf.square(z)), tf.log(tf.mul(Math.PI, this.scale))));
    });
  }

  override cdf(x: tf.Tensor): tf.Tensor {
    return tf.tidy(() => cauchyLower(this.standardize(x)));
  }

  override logCdf(x: tf.Tensor): tf.Tensor {
    return tf.tidy(() => {
      const z = this.standardize(x);
      return tf.where(tf.less(z, 0), tf.log(cauchyLower(z)), log1p(tf.neg(cauchyLower(tf.neg(z)))));
    });
  }

  override survivalFunction(x: tf.Tensor): tf.Tensor {
    return tf.tidy(() => cauchyLower(tf.neg(this.standardize(x))));
  }

  override logSurvivalFunction(x: tf.Tensor): tf.Tensor {
    return tf.tidy(() => {
      const z = this.standardize(x);
      return tf.where(tf.greater(z, 0), tf.log(cauchyLower(tf.neg(z))), log1p(tf.neg(cauchyLower(z))));
    });
  }

  // loc ∓ s / tan(π·tail p) from the nearer tail: tan(π(p − ½)) passes π/2 in float32 for p < 3e-8.
  override icdf(p: tf.Tensor): tf.Tensor {
    return tf.tidy(() => {
      const below = tf.less(p, 0.5);
      const tailP = tf.where(below, p, tf.sub(1, p));
      // cot(πq), as tan(π(½ − q)) near the median where ½ − q is exact.
      const cot = tf.where(
        tf.greater(tailP, 0.25),
        tf.tan(tf.mul(Math.PI, tf.sub(0.5, tailP))),
        tf.reciprocal(tf.tan(tf.mul(Math.PI, tailP))),
      );
      const magnitude = tf.mul(this.scale, cot);
      return tf.add(this.loc, tf.where(below, tf.neg(magnitude), magnitude));
    });
  }

  override entropy(): tf.Tensor {
    return tf.tidy(() => tf.broadcastTo(tf.log(tf.mul(4 * Math.PI, this.scale)), [...this.batchShape]));
  }

  mean(): tf.Tensor {
    return tf.fill([...this.batchShape], Number.NaN);
  }

  variance(): tf.Tensor {
    return tf.fill([...this.batchShape], Number.NaN);
  }
}

/** Gumbel(loc, scale) (maximum-value type I). */
export class Gumbel extends LocScaleDistribution {
  constructor(params: { loc: TensorLike; scale: TensorLike }, options?: DistributionOptions) {
    super("Gumbel", params, options);
  }

  logProb(x: tf.Tensor): tf.Tensor {
    return tf.tidy(() => {
      const z = this.standardize(x);
      return tf.sub(tf.neg(tf.add(z, tf.exp(tf.neg(z)))), tf.log(this.scale));
    });
  }

  override cdf(x: tf.Tensor): tf.Tensor {
    return tf.tidy(() => tf.exp(this.logCdf(x)));
  }

  override logCdf(x: tf.Tensor): tf.Tensor {
    return tf.tidy(() => tf.neg(tf.exp(tf.neg(this.standardize(x)))));
  }

  override survivalFunction(x: tf.Tensor): tf.Tensor {
    return tf.tidy(() => tf.neg(tf.expm1(this.logCdf(x))));
  }

  override logSurvivalFunction(x: tf.Tensor): tf.Tensor {
    return tf.tidy(() => tf.log(this.survivalFunction(x)));
  }

  override entropy(): tf.Tensor {
    return tf.tidy(() => tf.broadcastTo(tf.add(tf.log(this.scale), EULER_GAMMA + 1), [...this.batchShape]));
  }

  override icdf(p: tf.Tensor): tf.Tensor {
    return tf.tidy(() => tf.sub(this.loc, tf.mul(this.scale, tf.log(tf.neg(tf.log(p))))));
  }

  mean(): tf.Tensor {
    return tf.tidy(() => tf.broadcastTo(tf.add(this.loc, tf.mul(EULER_GAMMA, this.scale)), [...this.batchShape]));
  }

  variance(): tf.Tensor {
    return tf.tidy(() => tf.broadcastTo(tf.mul((Math.PI * Math.PI) / 6, tf.square(this.scale)), [...this.batchShape]));
  }
}

/** Weibull(concentration k, scale λ). */
export class Weibull extends ScalarDistribution {
  readonly name = "Weibull";
  readonly concentration: tf.Tensor;
  readonly scale: tf.Tensor;
  readonly batchShape: readonly number[];

  constructor(params: { concentration: TensorLike; scale: TensorLike }, options?: DistributionOptions) {
    super(options);
    this.concentration = this.param("concentration", params.concentration, POSITIVE);
    this.scale = this.param("scale", params.scale, POSITIVE);
    this.batchShape = broadcastShapes(this.name, this.concentration.shape, this.scale.shape);
  }

  // log(k/λ) + (k − 1)·log(x/λ) − (x/λ)^k, with 0·log 0 = 0 so x = 0 gives +∞, log(k/λ) or −∞ as k <, =, > 1 (TFP, SciPy).
  logProb(x: tf.Tensor): tf.Tensor {
    return tf.tidy(() => {
      const k = this.concentration;
      const z = tf.div(tf.relu(x), this.scale);
      const value = tf.sub(tf.add(tf.log(tf.div(k, this.scale)), xlogy(tf.sub(k, 1), z)), tf.pow(z, k));
      return restrict(tf.greaterEqual(x, 0), value);
    });
  }

  /** (x/λ)^k, the cumulative hazard. */
  private hazard(x: tf.Tensor): tf.Tensor {
    return tf.pow(tf.div(tf.relu(x), this.scale), this.concentration);
  }

  override cdf(x: tf.Tensor): tf.Tensor {
    return tf.tidy(() => tf.neg(tf.expm1(tf.neg(this.hazard(x)))));
  }

  override logCdf(x: tf.Tensor): tf.Tensor {
    return tf.tidy(() => tf.log(this.cdf(x)));
  }

  override survivalFunction(x: tf.Tensor): tf.Tensor {
    return tf.tidy(() => tf.exp(tf.neg(this.hazard(x))));
  }

  override logSurvivalFunction(x: tf.Tensor): tf.Tensor {
    return tf.tidy(() => tf.neg(this.hazard(x)));
  }

  override icdf(p: tf.Tensor): tf.Tensor {
    return tf.tidy(() => tf.mul(this.scale, tf.pow(tf.neg(log1p(tf.neg(p))), tf.reciprocal(this.concentration))));
  }

  // γ(1 − 1/k) + log(λ/k) + 1.
  override entropy(): tf.Tensor {
    return tf.tidy(() => {
      const k = this.concentration;
      const value = tf.add(tf.mul(EULER_GAMMA, tf.sub(1, tf.reciprocal(k))), tf.add(tf.log(tf.div(this.scale, k)), 1));
      return tf.broadcastTo(value, [...this.batchShape]);
    });
  }

  mean(): tf.Tensor {
    return tf.tidy(() =>
      tf.broadcastTo(tf.mul(this.scale, tf.exp(lgamma(tf.add(1, tf.reciprocal(this.concentration))))), [...this.batchShape]),
    );
  }

  // λ²(Γ(1 + 2/k) − Γ(1 + 1/k)²) = λ²Γ(1 + 1/k)²·expm1(D); for k ≥ 10 D comes from its series, where the difference would cancel.
  variance(): tf.Tensor {
    return tf.tidy(() => {
      const inv = tf.reciprocal(this.concentration);
      const g1 = tf.exp(lgamma(tf.add(1, inv)));
      const g2 = tf.exp(lgamma(tf.add(1, tf.mul(2, inv))));
      const direct = tf.sub(g2, tf.square(g1));
      const eps = tf.minimum(inv, 0.1);
      const series = tf.mul(tf.square(g1), tf.expm1(weibullVarianceExponent(eps)));
      const reduced = tf.where(tf.greaterEqual(this.concentration, 10), series, direct);
      return tf.broadcastTo(tf.mul(tf.square(this.scale), reduced), [...this.batchShape]);
    });
  }
}

const ZETA = [
  1.6449340668482264, 1.2020569031595942, 1.0823232337111381, 1.03692775514337, 1.017343061984449, 1.0083492773819227, 1.0040773561979444, 1.0020083928260821, 1.0009945751278182, 1.0004941886041194, 1.000246086553308, 1.0001227133475785, 1.0000612481350586,
];
// lgamma(1 + ε) = −γε + Σⱼ≥₂ (−1)ʲ ζ(j) εʲ / j (A&S 6.1.33), so D = lgamma(1 + 2ε) − 2 lgamma(1 + ε) = Σⱼ≥₂ (−1)ʲ ζ(j)(2ʲ − 2) εʲ / j.
const D_COEFFICIENTS = ZETA.map((zeta, i) => {
  const j = i + 2;
  return ((j % 2 === 0 ? 1 : -1) * zeta * (2 ** j - 2)) / j;
});

/** D(ε) for ε ≤ 0.1 (13 terms: the next is below 1e-12). */
function weibullVarianceExponent(eps: tf.Tensor): tf.Tensor {
  let acc: tf.Tensor = tf.scalar(0);
  for (let i = D_COEFFICIENTS.length - 1; i >= 0; i--) acc = tf.mul(tf.add(acc, D_COEFFICIENTS[i] ?? 0), eps);
  return tf.mul(acc, eps);
}

/** Laplace P(Z ≤ z) from its own side: ½eᶻ below 0, 1 − ½e⁻ᶻ above. */
function laplaceLower(z: tf.Tensor): tf.Tensor {
  const half = tf.mul(0.5, tf.exp(tf.neg(tf.abs(z))));
  return tf.where(tf.less(z, 0), half, tf.sub(1, half));
}

function laplaceLogLower(z: tf.Tensor): tf.Tensor {
  return tf.where(tf.less(z, 0), tf.sub(z, Math.LN2), log1p(tf.mul(-0.5, tf.exp(tf.neg(tf.abs(z))))));
}

/** Cauchy P(Z ≤ z): atan(−1/z)/π in the lower tail (no ½ + atan(z)/π cancellation), the direct form elsewhere. */
function cauchyLower(z: tf.Tensor): tf.Tensor {
  const farBelow = tf.less(z, -1);
  const safe = tf.where(farBelow, z, tf.fill(z.shape, -1));
  return tf.where(farBelow, tf.div(tf.atan(tf.div(-1, safe)), Math.PI), tf.add(0.5, tf.div(tf.atan(z), Math.PI)));
}

/** LogNormal(loc, scale): log X ~ Normal(loc, scale). */
export class LogNormal extends LocScaleDistribution {
  constructor(params: { loc: TensorLike; scale: TensorLike }, options?: DistributionOptions) {
    super("LogNormal", params, options);
  }

  override sample(sampleShape: SampleShape, seed: number): tf.Tensor {
    const shape = [...normalizeSampleShape(sampleShape), ...this.batchShape];
    return tf.tidy(() => tf.exp(tf.add(this.loc, tf.mul(this.scale, tf.randomNormal(shape, 0, 1, "float32", seed)))));
  }

  /** z = (log x − loc)/scale, with x ≤ 0 mapped to −∞. */
  private logStandardize(x: tf.Tensor): tf.Tensor {
    return tf.div(tf.sub(tf.log(tf.relu(x)), this.loc), this.scale);
  }

  logProb(x: tf.Tensor): tf.Tensor {
    return tf.tidy(() => {
      const positive = tf.greater(x, 0);
      const logX = tf.log(tf.where(positive, x, tf.onesLike(x)));
      const z = tf.div(tf.sub(logX, this.loc), this.scale);
      const value = tf.sub(tf.mul(-0.5, tf.square(z)), tf.add(tf.add(tf.log(this.scale), HALF_LOG_TWO_PI), logX));
      return restrict(positive, value);
    });
  }

  override cdf(x: tf.Tensor): tf.Tensor {
    return tf.tidy(() => ndtr(this.logStandardize(x)));
  }

  override logCdf(x: tf.Tensor): tf.Tensor {
    return tf.tidy(() => logNdtr(this.logStandardize(x)));
  }

  override survivalFunction(x: tf.Tensor): tf.Tensor {
    return tf.tidy(() => ndtr(tf.neg(this.logStandardize(x))));
  }

  override logSurvivalFunction(x: tf.Tensor): tf.Tensor {
    return tf.tidy(() => logNdtr(tf.neg(this.logStandardize(x))));
  }

  override icdf(p: tf.Tensor): tf.Tensor {
    return tf.tidy(() => tf.exp(tf.add(this.loc, tf.mul(this.scale, ndtri(p)))));
  }

  mean(): tf.Tensor {
    return tf.tidy(() => tf.broadcastTo(tf.exp(tf.add(this.loc, tf.mul(0.5, tf.square(this.scale)))), [...this.batchShape]));
  }

  // (e^{σ²} − 1)·e^{2μ + σ²}, with expm1 for small σ.
  variance(): tf.Tensor {
    return tf.tidy(() => {
      const s2 = tf.square(this.scale);
      return tf.broadcastTo(tf.mul(tf.expm1(s2), tf.exp(tf.add(tf.mul(2, this.loc), s2))), [...this.batchShape]);
    });
  }

  override entropy(): tf.Tensor {
    return tf.tidy(() => tf.broadcastTo(tf.add(tf.add(this.loc, tf.log(this.scale)), HALF_LOG_TWO_PI_E), [...this.batchShape]));
  }
}
