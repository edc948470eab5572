import * as tf from "@tensorflow/tfjs-core";

import { DlError } from "@dl/tensor-core";

import { Distribution, type SampleShape } from "../distributions/distribution.js";
import type { Bijector } from "./bijector.js";

/** The distribution of y = f(x), x ~ base: log p(y) = log p_base(f⁻¹(y)) + log|det ∂f⁻¹/∂y|. */
export class TransformedDistribution extends Distribution {
  readonly name = "TransformedDistribution";
  readonly distribution: Distribution;
  readonly bijector: Bijector;
  readonly batchShape: readonly number[];
  readonly eventShape: readonly number[];
  readonly reparameterized: boolean;

  constructor(params: { distribution: Distribution; bijector: Bijector }) {
    super();
    this.distribution = params.distribution;
    this.bijector = params.bijector;
    this.batchShape = params.distribution.batchShape;
    this.eventShape = params.distribution.eventShape;
    this.reparameterized = params.distribution.reparameterized;
  }

  sample(sampleShape: SampleShape, seed: number): tf.Tensor {
    return tf.tidy(() => this.bijector.forward(this.distribution.sample(sampleShape, seed)));
  }

  /** Samples and their log-density in one forward pass (no inverse needed: what flows train with). */
  sampleAndLogProb(sampleShape: SampleShape, seed: number): { sample: tf.Tensor; logProb: tf.Tensor } {
    return tf.tidy(() => {
      const x = this.distribution.sample(sampleShape, seed);
      const { y, logDet } = this.bijector.forwardAndLogDet(x);
      return { sample: y, logProb: tf.sub(this.distribution.logProb(x), logDet) };
    });
  }

  logProb(y: tf.Tensor): tf.Tensor {
    return tf.tidy(() => {
      const x = this.bijector.inverse(y);
      return tf.sub(this.distribution.logProb(x), this.bijector.forwardLogDetJacobian(x));
    });
  }

  /** Monte Carlo is the only general route; use sample() and average. */
  mean(): tf.Tensor {
    return this.notClosedForm("mean");
  }

  variance(): tf.Tensor {
    return this.notClosedForm("variance");
  }

  private notClosedForm(what: string): never {
    throw new DlError("NOT_SUPPORTED", `TransformedDistribution has no closed-form ${what}; estimate it from samples.`);
  }
}
