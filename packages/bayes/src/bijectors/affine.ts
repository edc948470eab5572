import * as tf from "@tensorflow/tfjs-core";

import { DlError } from "@dl/tensor-core";

import { lowerMatVec, solveLowerTriangular } from "../distributions/multivariate.js";
import { BaseBijector } from "./bijector.js";

/** y = shift + L x with lower-triangular L (TFP's ScaleMatvecTriL + Shift). */
export class AffineScaleTril extends BaseBijector {
  readonly name = "AffineScaleTril";
  readonly shift: tf.Tensor;
  readonly scaleTril: tf.Tensor;
  readonly trainableVariables: readonly tf.Variable[];

  constructor(params: { shift: tf.Tensor; scaleTril: tf.Tensor }) {
    super();
    const d = params.shift.shape[params.shift.rank - 1] ?? 0;
    if (params.scaleTril.rank !== 2 || params.scaleTril.shape[0] !== d || params.scaleTril.shape[1] !== d) {
      throw new DlError("SHAPE_MISMATCH", `AffineScaleTril: shift [${d}] needs scaleTril [${d}, ${d}], got [${params.scaleTril.shape.join(", ")}].`);
    }
    this.shift = params.shift;
    this.scaleTril = params.scaleTril;
    this.trainableVariables = [params.shift, params.scaleTril].filter((t): t is tf.Variable => t instanceof tf.Variable);
  }

  private lower(): tf.Tensor {
    const d = this.scaleTril.shape[0] ?? 0;
    return tf.mul(this.scaleTril, tf.linalg.bandPart(tf.ones([d, d]), -1, 0));
  }

  forwardAndLogDet(x: tf.Tensor): { y: tf.Tensor; logDet: tf.Tensor } {
    return tf.tidy(() => {
      const L = this.lower();
      const d = L.shape[0] ?? 0;
      const logDet = tf.sum(tf.log(tf.abs(tf.sum(tf.mul(L, tf.eye(d)), -1))));
      return { y: tf.add(this.shift, lowerMatVec(L, x)), logDet: tf.broadcastTo(logDet, x.shape.slice(0, -1)) };
    });
  }

  inverse(y: tf.Tensor): tf.Tensor {
    return tf.tidy(() => solveLowerTriangular(this.lower(), tf.sub(y, this.shift)));
  }
}
