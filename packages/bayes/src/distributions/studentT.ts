import * as tf from "@tensorflow/tfjs-core";

import digamma from "@stdlib/math-base-special-digamma";

import { libraries } from "../platform/libraries.js";
import { lbeta, log1p } from "../special/ops.js";
import { lbetaScalar } from "../special/scalar.js";
import {
  Distribution,
  type DistributionOptions,
  POSITIVE,
  type SampleShape,
  type TensorLike,
  broadcastShapes,
  normalizeSampleShape,
} from "./distribution.js";
import { hostBinary, standardGammaWithGradient } from "./gammaBeta.js";

/** P(T ≤ t) for t ≤ 0: ½ I_{ν/(ν+t²)}(ν/2, ½), or through the complement t²/(ν+t²) when that is the smaller. */
function lowerTail(t: number, df: number): number {
  const betainc = libraries.get("betainc");
  const t2 = t * t;
  const x = df / (df + t2);
  const y = t2 / (df + t2);
  return x < 0.5 ? 0.5 * betainc(x, df / 2, 0.5, true, false) : 0.5 * betainc(y, 0.5, df / 2, true, true);
}

/** P(T ≤ t), each side from its own tail. */
export function studentTCdfScalar(t: number, df: number): number {
  if (Number.isNaN(t)) return Number.NaN;
  return t <= 0 ? lowerTail(t, df) : 1 - lowerTail(-t, df);
}

export function studentTSurvivalScalar(t: number, df: number): number {
  return studentTCdfScalar(-t, df);
}

/** t with P(T ≤ t) = p: invert I_y(½, ν/2) = 1 − 2q (y = t²/(ν + t²)) or, far out, I_x(ν/2, ½) = 2q. */
export function studentTQuantileScalar(p: number, df: number): number {
  if (p <= 0) return -Infinity;
  if (p >= 1) return Infinity;
  const q = p < 0.5 ? p : 1 - p;
  const betaincinv = libraries.get("betaincinv");
  const y = betaincinv(2 * q, 0.5, df / 2, true);
  let t2: number;
  if (y > 0.5) {
    const x = betaincinv(2 * q, df / 2, 0.5, false);
    t2 = (df * (1 - x)) / x;
  } else {
    t2 = (df * y) / (1 - y);
  }
  const t = Math.sqrt(t2);
  return p < 0.5 ? -t : t;
}

/** StudentT(df ν, loc, scale), reparameterized: loc + scale·Z/√(G/ν), G ~ Gamma(ν/2, ½) with implicit gradients. */
export class StudentT extends Distribution {
  readonly name = "StudentT";
  readonly reparameterized = true;
  readonly eventShape: readonly number[] = [];
  readonly df: tf.Tensor;
  readonly loc: tf.Tensor;
  readonly scale: tf.Tensor;
  readonly batchShape: readonly number[];
  override readonly hasCdf: boolean = true;

  constructor(params: { df: TensorLike; loc?: TensorLike; scale?: TensorLike }, options?: DistributionOptions) {
    super(options);
    this.df = this.param("df", params.df, POSITIVE);
    this.loc = this.param("loc", params.loc ?? 0);
    this.scale = this.param("scale", params.scale ?? 1, POSITIVE);
    this.batchShape = broadcastShapes(this.name, this.df.shape, this.loc.shape, this.scale.shape);
  }

  private standardize(x: tf.Tensor): tf.Tensor {
    return tf.div(tf.sub(x, this.loc), this.scale);
  }

  sample(sampleShape: SampleShape, seed: number): tf.Tensor {
    const shape = [...normalizeSampleShape(sampleShape), ...this.batchShape];
    return tf.tidy(() => {
      const z = tf.randomNormal(shape, 0, 1, "float32", seed);
      const halfDf = tf.broadcastTo(tf.mul(0.5, this.df), shape);
      const chi2 = tf.mul(2, standardGammaWithGradient(halfDf, (seed ^ 0x9e3779b9) >>> 0));
      return tf.add(this.loc, tf.mul(this.scale, tf.div(z, tf.sqrt(tf.div(chi2, this.df)))));
    });
  }

  // −log B(½, ν/2) − ½ log ν − log s − (ν + 1)/2 · log1p(z²/ν); the Stirling-corrected lbeta keeps large ν exact
  // (lgamma((ν+1)/2) − lgamma(ν/2) would cancel).
  logProb(x: tf.Tensor): tf.Tensor {
    return tf.tidy(() => {
      const nu = this.df;
      const z = this.standardize(x);
      const kernel = tf.mul(tf.mul(0.5, tf.add(nu, 1)), log1p(tf.div(tf.square(z), nu)));
      return tf.neg(tf.add(tf.add(lbeta(tf.scalar(0.5), tf.mul(0.5, nu)), tf.mul(0.5, tf.log(nu))), tf.add(tf.log(this.scale), kernel)));
    });
  }

  /** Host float64 (@stdlib betainc), each tail from its own side; not differentiable. */
  override cdf(x: tf.Tensor): tf.Tensor {
    return tf.tidy(() => hostBinary(this.standardize(x), this.df, this.df, (t, nu) => studentTCdfScalar(t, nu)));
  }

  override logCdf(x: tf.Tensor): tf.Tensor {
    return tf.tidy(() => hostBinary(this.standardize(x), this.df, this.df, (t, nu) => Math.log(studentTCdfScalar(t, nu))));
  }

  override survivalFunction(x: tf.Tensor): tf.Tensor {
    return tf.tidy(() => hostBinary(this.standardize(x), this.df, this.df, (t, nu) => studentTSurvivalScalar(t, nu)));
  }

  override logSurvivalFunction(x: tf.Tensor): tf.Tensor {
    return tf.tidy(() => hostBinary(this.standardize(x), this.df, this.df, (t, nu) => Math.log(studentTSurvivalScalar(t, nu))));
  }

  /** loc + scale·t_ν⁻¹(p), with t_ν⁻¹ on the host (@stdlib betaincinv); differentiable in loc and scale only. */
  override icdf(p: tf.Tensor): tf.Tensor {
    return tf.tidy(() => tf.add(this.loc, tf.mul(this.scale, hostBinary(p, this.df, this.df, (pi, nu) => studentTQuantileScalar(pi, nu)))));
  }

  /** loc for ν > 1, NaN otherwise (TFP with allow_nan_stats). */
  mean(): tf.Tensor {
    return tf.tidy(() => {
      const m = tf.broadcastTo(this.loc, [...this.batchShape]);
      return tf.where(tf.broadcastTo(tf.greater(this.df, 1), m.shape), m, tf.fill(m.shape, Number.NaN));
    });
  }

  /** s²ν/(ν − 2) for ν > 2, ∞ for 1 < ν ≤ 2, NaN for ν ≤ 1. */
  variance(): tf.Tensor {
    return tf.tidy(() => {
      const shape = [...this.batchShape];
      const nu = tf.broadcastTo(this.df, shape);
      const finite = tf.broadcastTo(tf.div(tf.mul(tf.square(this.scale), this.df), tf.sub(this.df, 2)), shape);
      return tf.where(tf.greater(nu, 2), finite, tf.where(tf.greater(nu, 1), tf.fill(shape, Infinity), tf.fill(shape, Number.NaN)));
    });
  }

  /** (ν+1)/2·(ψ((ν+1)/2) − ψ(ν/2)) + ½ log ν + log B(ν/2, ½) + log s, in float64 on the host (not differentiable). */
  override entropy(): tf.Tensor {
    return tf.tidy(() => {
      const standard = hostBinary(this.df, this.df, this.df, (nu) => {
        const h = nu / 2;
        return (h + 0.5) * (digamma(h + 0.5) - digamma(h)) + 0.5 * Math.log(nu) + lbetaScalar(h, 0.5);
      });
      return tf.broadcastTo(tf.add(standard, tf.log(this.scale)), [...this.batchShape]);
    });
  }
}
