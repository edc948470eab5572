import * as tf from "@tensorflow/tfjs-core";

import { createRng } from "@dl/tensor-core";

import { log1p } from "../special/ops.js";
import { BaseBijector } from "./bijector.js";
import { ownedVariable } from "../variables.js";

/**
 * Radial flow f(z) = z + β h(α, r)(z − z₀), h = 1/(α + r), r = ‖z − z₀‖ (Rezende & Mohamed 2015,
 * eq. 14), with α = softplus(α′) > 0 and β = −α + softplus(β′) ≥ −α for invertibility.
 */
export class Radial extends BaseBijector {
  readonly name = "Radial";
  readonly z0: tf.Variable;
  readonly alphaRaw: tf.Variable;
  readonly betaRaw: tf.Variable;
  readonly trainableVariables: readonly tf.Variable[];
  private readonly dimension: number;

  constructor(params: { dimension: number; seed: number; initScale?: number }) {
    super();
    const rng = createRng(params.seed);
    const scale = params.initScale ?? 0.5;
    this.dimension = params.dimension;
    this.z0 = ownedVariable(tf.tensor1d(Float32Array.from({ length: params.dimension }, () => scale * rng.normal())));
    this.alphaRaw = ownedVariable(tf.scalar(rng.normal() * 0.1));
    this.betaRaw = ownedVariable(tf.scalar(rng.normal() * 0.1));
    this.trainableVariables = [this.z0, this.alphaRaw, this.betaRaw];
  }

  private coefficients(): { alpha: tf.Tensor; beta: tf.Tensor } {
    const alpha = tf.softplus(this.alphaRaw);
    return { alpha, beta: tf.add(tf.neg(alpha), tf.softplus(this.betaRaw)) };
  }

  // log|det| = (d − 1) log(1 + βh) + log(1 + βh + βh′r), h′ = −1/(α + r)² (eq. 15).
  forwardAndLogDet(z: tf.Tensor): { y: tf.Tensor; logDet: tf.Tensor } {
    return tf.tidy(() => {
      const { alpha, beta } = this.coefficients();
      const diff = tf.sub(z, this.z0);
      const r = tf.sqrt(tf.add(tf.sum(tf.square(diff), -1), 1e-12));
      const h = tf.reciprocal(tf.add(alpha, r));
      const betaH = tf.mul(beta, h);
      const y = tf.add(z, tf.mul(tf.expandDims(betaH, -1), diff));
      const hPrimeR = tf.neg(tf.mul(tf.square(h), r));
      const logDet = tf.add(
        tf.mul(this.dimension - 1, log1p(betaH)),
        tf.log(tf.add(tf.add(1, betaH), tf.mul(beta, hPrimeR))),
      );
      return { y, logDet };
    });
  }

  // ‖y − z₀‖ = r(1 + β/(α + r)) is a quadratic in r: r² + (α + β − r_y) r − α r_y = 0.
  inverse(y: tf.Tensor): tf.Tensor {
    return tf.tidy(() => {
      const { alpha, beta } = this.coefficients();
      const diff = tf.sub(y, this.z0);
      const ry = tf.sqrt(tf.sum(tf.square(diff), -1));
      const p = tf.sub(tf.add(alpha, beta), ry);
      const r = tf.mul(0.5, tf.add(tf.neg(p), tf.sqrt(tf.add(tf.square(p), tf.mul(4, tf.mul(alpha, ry))))));
      const factor = tf.add(1, tf.div(beta, tf.add(alpha, r)));
      return tf.add(this.z0, tf.div(diff, tf.expandDims(factor, -1)));
    });
  }
}
