import * as tf from "@tensorflow/tfjs-core";

import { DlError } from "@dl/tensor-core";

import { digamma, lgamma, xlogy } from "../special/ops.js";
import { Distribution, type DistributionOptions, POSITIVE, type SampleShape, type TensorLike, normalizeSampleShape } from "./distribution.js";
import { standardGammaWithGradient } from "./gammaBeta.js";

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

  /** Σ (αᵢ − 1) log xᵢ − log B(α), with 0·log 0 = 0 on the faces of the simplex. */
  logProb(x: tf.Tensor): tf.Tensor {
    return tf.tidy(() => tf.sub(tf.sum(xlogy(tf.sub(this.concentration, 1), x), -1), lmultivariateBeta(this.concentration)));
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

  /** log B(α) + (α₀ − K)ψ(α₀) − Σ (αᵢ − 1)ψ(αᵢ). */
  override entropy(): tf.Tensor {
    return tf.tidy(() => {
      const alpha = this.concentration;
      const a0 = tf.sum(alpha, -1);
      const k = alpha.shape[alpha.rank - 1] ?? 0;
      return tf.sub(tf.add(lmultivariateBeta(alpha), tf.mul(tf.sub(a0, k), digamma(a0))), tf.sum(tf.mul(tf.sub(alpha, 1), digamma(alpha)), -1));
    });
  }
}
