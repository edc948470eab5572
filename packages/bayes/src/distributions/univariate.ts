import * as tf from "@tensorflow/tfjs-core";

import { DlError } from "@dl/tensor-core";

import { lgamma, ndtri } from "../special/ops.js";
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

  override cdf(x: tf.Tensor): tf.Tensor {
    return tf.tidy(() => tf.mul(0.5, tf.add(1, tf.erf(tf.div(tf.sub(x, this.loc), tf.mul(this.scale, Math.SQRT2))))));
  }

  override icdf(p: tf.Tensor): tf.Tensor {
    return tf.tidy(() => tf.add(this.loc, tf.mul(this.scale, ndtri(p))));
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

  override icdf(p: tf.Tensor): tf.Tensor {
    return tf.tidy(() => tf.add(this.low, tf.mul(p, tf.sub(this.high, this.low))));
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

  // −log(1 − p)/λ, with log1p so small p keep their precision.
  override icdf(p: tf.Tensor): tf.Tensor {
    return tf.tidy(() => tf.div(tf.neg(tf.log1p(tf.neg(p))), this.rate));
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
    return tf.tidy(() => {
      const z = this.standardize(x);
      const half = tf.mul(0.5, tf.exp(tf.neg(tf.abs(z))));
      return tf.where(tf.less(z, 0), half, tf.sub(1, half));
    });
  }

  override icdf(p: tf.Tensor): tf.Tensor {
    return tf.tidy(() => {
      const centred = tf.sub(p, 0.5);
      return tf.sub(this.loc, tf.mul(tf.mul(this.scale, tf.sign(centred)), tf.log1p(tf.mul(-2, tf.abs(centred)))));
    });
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

  override icdf(p: tf.Tensor): tf.Tensor {
    return tf.tidy(() => tf.add(this.loc, tf.mul(this.scale, tf.sub(tf.log(p), tf.log1p(tf.neg(p))))));
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
      return tf.neg(tf.add(tf.log1p(tf.square(z)), tf.log(tf.mul(Math.PI, this.scale))));
    });
  }

  override cdf(x: tf.Tensor): tf.Tensor {
    return tf.tidy(() => tf.add(0.5, tf.div(tf.atan(this.standardize(x)), Math.PI)));
  }

  override icdf(p: tf.Tensor): tf.Tensor {
    return tf.tidy(() => tf.add(this.loc, tf.mul(this.scale, tf.tan(tf.mul(Math.PI, tf.sub(p, 0.5))))));
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
    return tf.tidy(() => tf.exp(tf.neg(tf.exp(tf.neg(this.standardize(x))))));
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

  logProb(x: tf.Tensor): tf.Tensor {
    return tf.tidy(() => {
      const k = this.concentration;
      const logZ = tf.log(tf.div(x, this.scale));
      const value = tf.sub(
        tf.add(tf.log(tf.div(k, this.scale)), tf.mul(tf.sub(k, 1), logZ)),
        tf.exp(tf.mul(k, logZ)),
      );
      return restrict(tf.greater(x, 0), value);
    });
  }

  override cdf(x: tf.Tensor): tf.Tensor {
    return tf.tidy(() => {
      const power = tf.pow(tf.div(tf.relu(x), this.scale), this.concentration);
      return tf.neg(tf.expm1(tf.neg(power)));
    });
  }

  override icdf(p: tf.Tensor): tf.Tensor {
    return tf.tidy(() => tf.mul(this.scale, tf.pow(tf.neg(tf.log1p(tf.neg(p))), tf.reciprocal(this.concentration))));
  }

  mean(): tf.Tensor {
    return tf.tidy(() =>
      tf.broadcastTo(tf.mul(this.scale, tf.exp(lgamma(tf.add(1, tf.reciprocal(this.concentration))))), [...this.batchShape]),
    );
  }

  variance(): tf.Tensor {
    return tf.tidy(() => {
      const inv = tf.reciprocal(this.concentration);
      const g1 = tf.exp(lgamma(tf.add(1, inv)));
      const g2 = tf.exp(lgamma(tf.add(1, tf.mul(2, inv))));
      return tf.broadcastTo(tf.mul(tf.square(this.scale), tf.sub(g2, tf.square(g1))), [...this.batchShape]);
    });
  }
}
