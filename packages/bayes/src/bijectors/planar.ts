import * as tf from "@tensorflow/tfjs-core";

import { createRng } from "@dl/tensor-core";

import { BaseBijector } from "./bijector.js";
import { ownedVariable } from "../variables.js";

/**
 * Planar flow f(z) = z + û tanh(wᵀz + b) (Rezende & Mohamed 2015, eq. 10), with
 * û = u + (m(wᵀu) − wᵀu) w/‖w‖², m(a) = −1 + softplus(a), so wᵀû ≥ −1 and f is invertible (App. A.1).
 */
export class Planar extends BaseBijector {
  readonly name = "Planar";
  readonly w: tf.Variable;
  readonly u: tf.Variable;
  readonly b: tf.Variable;
  readonly trainableVariables: readonly tf.Variable[];

  constructor(params: { dimension: number; seed: number; initScale?: number }) {
    super();
    const rng = createRng(params.seed);
    const scale = params.initScale ?? 0.1;
    const init = (): Float32Array => Float32Array.from({ length: params.dimension }, () => scale * rng.normal());
    this.w = ownedVariable(tf.tensor1d(init()));
    this.u = ownedVariable(tf.tensor1d(init()));
    this.b = ownedVariable(tf.scalar(0));
    this.trainableVariables = [this.w, this.u, this.b];
  }

  /** û, the constrained u. */
  uHat(): tf.Tensor {
    return tf.tidy(() => {
      const wu = tf.sum(tf.mul(this.w, this.u));
      const m = tf.sub(tf.softplus(wu), 1);
      return tf.add(this.u, tf.mul(tf.div(tf.sub(m, wu), tf.sum(tf.square(this.w))), this.w));
    });
  }

  // log|det| = log|1 + ûᵀψ(z)|, ψ(z) = tanh′(wᵀz + b) w (eq. 11–12).
  forwardAndLogDet(z: tf.Tensor): { y: tf.Tensor; logDet: tf.Tensor } {
    return tf.tidy(() => {
      const uHat = this.uHat();
      const a = tf.add(tf.sum(tf.mul(z, this.w), -1), this.b);
      const h = tf.tanh(a);
      const y = tf.add(z, tf.mul(tf.expandDims(h, -1), uHat));
      const hPrime = tf.sub(1, tf.square(h));
      const wu = tf.sum(tf.mul(this.w, uHat));
      const logDet = tf.log(tf.abs(tf.add(1, tf.mul(hPrime, wu))));
      return { y, logDet };
    });
  }

  /**
   * No closed form: the component along w solves wᵀy = a + wᵀû tanh(a + b) (monotone in a since
   * wᵀû ≥ −1), bracketed by |wᵀû|; bisection-safeguarded Newton, then z = y − û tanh(a + b).
   */
  inverse(y: tf.Tensor): tf.Tensor {
    return tf.tidy(() => {
      const uHat = this.uHat();
      const wu = tf.sum(tf.mul(this.w, uHat));
      const wy = tf.sum(tf.mul(y, this.w), -1);
      const reach = tf.abs(wu);
      let lo = tf.sub(wy, reach);
      let hi = tf.add(wy, reach);
      let a = wy;
      for (let i = 0; i < 60; i++) {
        const next = tf.tidy(() => {
          const t = tf.tanh(tf.add(a, this.b));
          const g = tf.sub(tf.add(a, tf.mul(wu, t)), wy);
          const below = tf.less(g, 0);
          const newLo = tf.where(below, a, lo);
          const newHi = tf.where(below, hi, a);
          const slope = tf.add(1, tf.mul(wu, tf.sub(1, tf.square(t))));
          const newton = tf.sub(a, tf.div(g, slope));
          const inside = tf.logicalAnd(tf.greater(newton, newLo), tf.less(newton, newHi));
          return [newLo, newHi, tf.where(inside, newton, tf.mul(0.5, tf.add(newLo, newHi)))] as const;
        });
        [lo, hi, a] = next;
      }
      return tf.sub(y, tf.mul(tf.expandDims(tf.tanh(tf.add(a, this.b)), -1), uHat));
    });
  }
}
