import * as tf from "@tensorflow/tfjs-core";

import { DlError, createRng } from "@dl/tensor-core";

import { BaseBijector } from "./bijector.js";
import { ownedVariable } from "../variables.js";

/**
 * One RealNVP affine coupling layer (Dinh, Sohl-Dickstein & Bengio 2017): the first `numMasked`
 * coordinates pass through and condition y_b = x_b ⊙ exp(s(x_a)) + t(x_a) on the rest; `reverse`
 * swaps the roles so stacked layers transform every coordinate. s and t share one tanh MLP.
 */
export class RealNvpCoupling extends BaseBijector {
  readonly name = "RealNvpCoupling";
  readonly trainableVariables: readonly tf.Variable[];
  readonly w1: tf.Variable;
  readonly b1: tf.Variable;
  readonly w2: tf.Variable;
  readonly b2: tf.Variable;
  private readonly dimension: number;
  private readonly numMasked: number;
  private readonly reverse: boolean;

  constructor(params: { dimension: number; numMasked?: number; hidden?: number; reverse?: boolean; seed: number; initScale?: number }) {
    super();
    const d = params.dimension;
    const numMasked = params.numMasked ?? Math.floor(d / 2);
    if (d < 2 || numMasked < 1 || numMasked >= d) {
      throw new DlError("INVALID_ARGUMENT", `RealNvpCoupling needs dimension ≥ 2 and 1 ≤ numMasked < dimension, got ${d} and ${numMasked}.`);
    }
    this.dimension = d;
    this.numMasked = numMasked;
    this.reverse = params.reverse ?? false;
    const hidden = params.hidden ?? 16;
    const rng = createRng(params.seed);
    const conditioning = this.reverse ? d - numMasked : numMasked;
    const transformed = d - conditioning;
    const glorot = (fanIn: number, fanOut: number, scale = 1): tf.Tensor =>
      tf.tensor2d(
        Float32Array.from({ length: fanIn * fanOut }, () => scale * rng.normal() * Math.sqrt(2 / (fanIn + fanOut))),
        [fanIn, fanOut],
      );
    this.w1 = ownedVariable(glorot(conditioning, hidden));
    this.b1 = ownedVariable(tf.zeros([hidden]));
    // Small output weights start the layer near the identity.
    this.w2 = ownedVariable(glorot(hidden, 2 * transformed, params.initScale ?? 0.1));
    this.b2 = ownedVariable(tf.zeros([2 * transformed]));
    this.trainableVariables = [this.w1, this.b1, this.w2, this.b2];
  }

  private split(x: tf.Tensor): { conditioning: tf.Tensor; transformed: tf.Tensor } {
    const k = this.reverse ? this.dimension - this.numMasked : this.numMasked;
    const [first, second] = tf.split(x, [this.reverse ? this.dimension - k : k, this.reverse ? k : this.dimension - k], -1) as [
      tf.Tensor,
      tf.Tensor,
    ];
    return this.reverse ? { conditioning: second, transformed: first } : { conditioning: first, transformed: second };
  }

  private join(conditioning: tf.Tensor, transformed: tf.Tensor): tf.Tensor {
    return this.reverse ? tf.concat([transformed, conditioning], -1) : tf.concat([conditioning, transformed], -1);
  }

  private shiftAndLogScale(conditioning: tf.Tensor): { shift: tf.Tensor; logScale: tf.Tensor } {
    const lead = conditioning.shape.slice(0, -1);
    const flat = tf.reshape(conditioning, [-1, conditioning.shape[conditioning.rank - 1] ?? 0]);
    const hidden = tf.tanh(tf.add(tf.matMul(flat, this.w1), this.b1));
    const out = tf.add(tf.matMul(hidden, this.w2), this.b2);
    const half = (out.shape[1] ?? 0) / 2;
    const [shift, rawScale] = tf.split(out, [half, half], -1) as [tf.Tensor, tf.Tensor];
    // tanh keeps exp(s) in a sane range early in training.
    return { shift: tf.reshape(shift, [...lead, half]), logScale: tf.reshape(tf.tanh(rawScale), [...lead, half]) };
  }

  forwardAndLogDet(x: tf.Tensor): { y: tf.Tensor; logDet: tf.Tensor } {
    return tf.tidy(() => {
      const { conditioning, transformed } = this.split(x);
      const { shift, logScale } = this.shiftAndLogScale(conditioning);
      const y = this.join(conditioning, tf.add(tf.mul(transformed, tf.exp(logScale)), shift));
      return { y, logDet: tf.sum(logScale, -1) };
    });
  }

  inverse(y: tf.Tensor): tf.Tensor {
    return tf.tidy(() => {
      const { conditioning, transformed } = this.split(y);
      const { shift, logScale } = this.shiftAndLogScale(conditioning);
      return this.join(conditioning, tf.mul(tf.sub(transformed, shift), tf.exp(tf.neg(logScale))));
    });
  }
}
