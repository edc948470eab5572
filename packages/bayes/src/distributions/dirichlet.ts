import * as tf from "@tensorflow/tfjs-core";

import { DlError } from "@dl/tensor-core";

import { lgamma, log1pmx, stirlingCorrection, xlogy } from "../special/ops.js";
import { digammaScalar, lgammaScalar as gammaln } from "../special/scalar.js";
import { Distribution, type DistributionOptions, POSITIVE, type SampleShape, type TensorLike, normalizeSampleShape } from "./distribution.js";
import { standardGammaWithGradient } from "./gammaBeta.js";

const HALF_LOG_TWO_PI = 0.5 * Math.log(2 * Math.PI);
/** Above this (smallest) concentration logProb uses the Stirling-reduced form. */
const STIRLING_FROM = 10;

/** log B(α) = Σ lgamma(αᵢ) − lgamma(Σ αᵢ) over the last axis. */
export function lmultivariateBeta(alpha: tf.Tensor): tf.Tensor {
  return tf.tidy(() => tf.sub(tf.sum(lgamma(alpha), -1), lgamma(tf.sum(alpha, -1))));
}

/**
 * Dirichlet(concentration α, last axis K) on the simplex; samples are normalised Gamma draws, so they carry
 * the Gamma's implicit reparameterization gradients.
 */
export class Dirichlet extends Distribution {
  readonly name = "Dirichlet";
  readonly reparameterized = true;
  readonly concentration: tf.Tensor;
  readonly batchShape: readonly number[];
  readonly eventShape: readonly number[];

  constructor(params: { concentration: TensorLike }, options?: DistributionOptions) {
    super(options);
    if (typeof params.concentration === "number" || params.concentration.rank === 0) {
      throw new DlError("SHAPE_MISMATCH", "Dirichlet needs a vector (or batch of vectors) of concentrations, got a scalar.");
    }
    this.concentration = this.param("concentration", params.concentration, POSITIVE);
    const shape = this.concentration.shape;
    this.batchShape = shape.slice(0, -1);
    this.eventShape = shape.slice(-1);
  }

  sample(sampleShape: SampleShape, seed: number): tf.Tensor {
    const shape = [...normalizeSampleShape(sampleShape), ...this.batchShape, ...this.eventShape];
    return tf.tidy(() => {
      const g = standardGammaWithGradient(tf.broadcastTo(this.concentration, shape), seed);
      return tf.div(g, tf.sum(g, -1, true));
    });
  }

  /**
   * Σ (αᵢ − 1) log xᵢ − log B(α), with 0·log 0 = 0 on the faces of the simplex. When every αᵢ ≥ 10, Stirling's
   * series turns it into Σ αᵢ·log1pmx(uᵢ) + α₀(Σ xᵢ − 1) − Σ log xᵢ + ½(Σ log αᵢ − log α₀) − (K − 1)·½ log 2π
   * − Σ corr(αᵢ) + corr(α₀), uᵢ = xᵢα₀/αᵢ − 1 (the Beta's form), where lgamma terms of 1e5 would cancel.
   */
  logProb(x: tf.Tensor): tf.Tensor {
    return tf.tidy(() => {
      const alpha = this.concentration;
      const direct = tf.sub(tf.sum(xlogy(tf.sub(alpha, 1), x), -1), lmultivariateBeta(alpha));
      const k = alpha.shape[alpha.rank - 1] ?? 0;
      const use = tf.logicalAnd(tf.greaterEqual(tf.min(alpha, -1), STIRLING_FROM), tf.greater(tf.min(x, -1), 0));
      const aL = tf.maximum(alpha, STIRLING_FROM);
      const a0 = tf.sum(aL, -1, true);
      const shape = tf.broadcast_util.assertAndGetBroadcastShape(x.shape, aL.shape);
      // Outside its branch the Stirling form sees x = α/α₀ (u = 0), so its gradient stays finite.
      const xi = tf.where(tf.broadcastTo(tf.expandDims(use, -1), shape), tf.broadcastTo(x, shape), tf.broadcastTo(tf.div(aL, a0), shape));
      const u = tf.sub(tf.div(tf.mul(xi, a0), aL), 1);
      const a0s = tf.squeeze(a0, [-1]);
      const stirling = tf.sub(
        tf.add(
          tf.add(tf.sum(tf.mul(aL, log1pmx(u)), -1), tf.mul(a0s, tf.sub(tf.sum(xi, -1), 1))),
          tf.mul(0.5, tf.sub(tf.sum(tf.log(aL), -1), tf.log(a0s))),
        ),
        tf.add(
          tf.add(tf.sum(tf.log(xi), -1), (k - 1) * HALF_LOG_TWO_PI),
          tf.sub(tf.sum(stirlingCorrection(aL), -1), stirlingCorrection(a0s)),
        ),
      );
      const out = tf.broadcast_util.assertAndGetBroadcastShape(direct.shape, stirling.shape);
      return tf.where(tf.broadcastTo(use, out), tf.broadcastTo(stirling, out), tf.broadcastTo(direct, out));
    });
  }

  mean(): tf.Tensor {
    return tf.tidy(() => tf.div(this.concentration, tf.sum(this.concentration, -1, true)));
  }

  /** αᵢ(α₀ − αᵢ) / (α₀²(α₀ + 1)). */
  variance(): tf.Tensor {
    return tf.tidy(() => {
      const a0 = tf.sum(this.concentration, -1, true);
      return tf.div(tf.mul(this.concentration, tf.sub(a0, this.concentration)), tf.mul(tf.square(a0), tf.add(a0, 1)));
    });
  }

  /**
   * log B(α) + (α₀ − K)ψ(α₀) − Σ (αᵢ − 1)ψ(αᵢ), in float64 on the host (not differentiable): in float32
   * its terms of 1e5 cancel at large concentrations, as for the Gamma and Beta.
   */
  override entropy(): tf.Tensor {
    return tf.tidy(() => {
      const k = this.eventShape[0] ?? 0;
      const alpha = this.concentration.dataSync();
      const out = new Float32Array(alpha.length / Math.max(k, 1));
      for (let row = 0; row < out.length; row++) {
        let a0 = 0;
        let sum = 0;
        for (let i = 0; i < k; i++) {
          const a = alpha[row * k + i] ?? Number.NaN;
          a0 += a;
          sum += gammaln(a) - (a - 1) * digammaScalar(a);
        }
        out[row] = sum - gammaln(a0) + (a0 - k) * digammaScalar(a0);
      }
      return tf.tensor(out, [...this.batchShape], "float32");
    });
  }
}
