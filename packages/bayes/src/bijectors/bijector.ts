import * as tf from "@tensorflow/tfjs-core";
import "@dl/tensor-core";

/**
 * An invertible map on vectors (event rank 1, shape [..., d]) with log-determinants of its
 * Jacobian, as TFP's bijectors: `forwardLogDetJacobian(x) = log|det ∂f/∂x|` with shape [...].
 */
export interface Bijector {
  readonly name: string;
  forward(x: tf.Tensor): tf.Tensor;
  inverse(y: tf.Tensor): tf.Tensor;
  forwardLogDetJacobian(x: tf.Tensor): tf.Tensor;
  inverseLogDetJacobian(y: tf.Tensor): tf.Tensor;
  /** y = f(x) and log|det ∂f/∂x| in one pass (flows use this while training). */
  forwardAndLogDet(x: tf.Tensor): { y: tf.Tensor; logDet: tf.Tensor };
  /** Variables an optimiser should train (empty for fixed bijectors). */
  readonly trainableVariables: readonly tf.Variable[];
}

/** Implements the derived methods from `forwardAndLogDet` and `inverse`. */
export abstract class BaseBijector implements Bijector {
  abstract readonly name: string;
  abstract readonly trainableVariables: readonly tf.Variable[];
  abstract forwardAndLogDet(x: tf.Tensor): { y: tf.Tensor; logDet: tf.Tensor };
  abstract inverse(y: tf.Tensor): tf.Tensor;

  forward(x: tf.Tensor): tf.Tensor {
    return tf.tidy(() => this.forwardAndLogDet(x).y);
  }

  forwardLogDetJacobian(x: tf.Tensor): tf.Tensor {
    return tf.tidy(() => this.forwardAndLogDet(x).logDet);
  }

  // log|det ∂f⁻¹/∂y| = −log|det ∂f/∂x| at x = f⁻¹(y).
  inverseLogDetJacobian(y: tf.Tensor): tf.Tensor {
    return tf.tidy(() => tf.neg(this.forwardLogDetJacobian(this.inverse(y))));
  }

  dispose(): void {
    for (const v of this.trainableVariables) v.dispose();
  }
}

/** f = bₙ ∘ … ∘ b₁ (the first bijector in the list is applied first, unlike TFP's Chain). */
export class Chain extends BaseBijector {
  readonly name = "Chain";
  readonly bijectors: readonly Bijector[];

  constructor(bijectors: readonly Bijector[]) {
    super();
    this.bijectors = bijectors;
  }

  get trainableVariables(): readonly tf.Variable[] {
    return this.bijectors.flatMap((b) => b.trainableVariables);
  }

  forwardAndLogDet(x: tf.Tensor): { y: tf.Tensor; logDet: tf.Tensor } {
    return tf.tidy(() => {
      let y = x;
      let logDet: tf.Tensor = tf.zeros(x.shape.slice(0, -1));
      for (const b of this.bijectors) {
        const step = b.forwardAndLogDet(y);
        y = step.y;
        logDet = tf.add(logDet, step.logDet);
      }
      return { y, logDet };
    });
  }

  inverse(y: tf.Tensor): tf.Tensor {
    return tf.tidy(() => {
      let x = y;
      for (let i = this.bijectors.length - 1; i >= 0; i--) x = (this.bijectors[i] as Bijector).inverse(x);
      return x;
    });
  }
}
