import * as tf from "@tensorflow/tfjs-core";

import { DlError } from "@dl/tensor-core";

import { logSumExp } from "../special/ops.js";
import type { Categorical } from "./discrete.js";
import {
  Distribution,
  type DistributionOptions,
  POSITIVE,
  type SampleShape,
  type TensorLike,
  broadcastShapes,
  normalizeSampleShape,
} from "./distribution.js";

const LOG_TWO_PI = Math.log(2 * Math.PI);

function lastDim(t: tf.Tensor): number {
  return t.shape[t.rank - 1] ?? 0;
}

/** MultivariateNormalDiag(loc [..., d], scaleDiag [..., d]). */
export class MultivariateNormalDiag extends Distribution {
  readonly name = "MultivariateNormalDiag";
  readonly reparameterized = true;
  readonly loc: tf.Tensor;
  readonly scaleDiag: tf.Tensor;
  readonly batchShape: readonly number[];
  readonly eventShape: readonly number[];

  constructor(params: { loc: TensorLike; scaleDiag: TensorLike }, options?: DistributionOptions) {
    super(options);
    this.loc = this.param("loc", params.loc);
    this.scaleDiag = this.param("scaleDiag", params.scaleDiag, POSITIVE);
    if (this.loc.rank === 0 || this.scaleDiag.rank === 0 || lastDim(this.loc) !== lastDim(this.scaleDiag)) {
      throw new DlError(
        "SHAPE_MISMATCH",
        `MultivariateNormalDiag: loc [${this.loc.shape.join(", ")}] and scaleDiag [${this.scaleDiag.shape.join(", ")}] need the same last (event) dimension.`,
      );
    }
    const full = broadcastShapes(this.name, this.loc.shape, this.scaleDiag.shape);
    this.batchShape = full.slice(0, -1);
    this.eventShape = full.slice(-1);
  }

  sample(sampleShape: SampleShape, seed: number): tf.Tensor {
    const shape = [...normalizeSampleShape(sampleShape), ...this.batchShape, ...this.eventShape];
    return tf.tidy(() => tf.add(this.loc, tf.mul(this.scaleDiag, tf.randomNormal(shape, 0, 1, "float32", seed))));
  }

  logProb(x: tf.Tensor): tf.Tensor {
    return tf.tidy(() => {
      const z = tf.div(tf.sub(x, this.loc), this.scaleDiag);
      const d = this.eventShape[0] ?? 0;
      return tf.sub(
        tf.mul(-0.5, tf.sum(tf.square(z), -1)),
        tf.add(tf.sum(tf.log(this.scaleDiag), -1), 0.5 * d * LOG_TWO_PI),
      );
    });
  }

  mean(): tf.Tensor {
    return tf.tidy(() => tf.broadcastTo(this.loc, [...this.batchShape, ...this.eventShape]));
  }

  variance(): tf.Tensor {
    return tf.tidy(() => tf.broadcastTo(tf.square(this.scaleDiag), [...this.batchShape, ...this.eventShape]));
  }

  /** ½ d (1 + log 2π) + Σ log σᵢ. */
  override entropy(): tf.Tensor {
    return tf.tidy(() => {
      const d = this.eventShape[0] ?? 0;
      const logDet = tf.broadcastTo(tf.sum(tf.log(this.scaleDiag), -1), [...this.batchShape]);
      return tf.add(logDet, 0.5 * d * (1 + LOG_TWO_PI));
    });
  }
}

/**
 * Solves L y = r for lower-triangular L [..., d, d] by forward substitution (tfjs has no
 * triangular solve); r [..., d] broadcasts against L's batch dimensions.
 */
export function solveLowerTriangular(L: tf.Tensor, r: tf.Tensor): tf.Tensor {
  return tf.tidy(() => {
    const d = lastDim(r);
    const rows = tf.unstack(L, L.rank - 2).map((row) => tf.unstack(row, row.rank - 1));
    const rs = tf.unstack(r, r.rank - 1);
    const ys: tf.Tensor[] = [];
    for (let i = 0; i < d; i++) {
      const row = rows[i] ?? [];
      let acc = rs[i] as tf.Tensor;
      for (let j = 0; j < i; j++) acc = tf.sub(acc, tf.mul(row[j] as tf.Tensor, ys[j] as tf.Tensor));
      ys.push(tf.div(acc, row[i] as tf.Tensor));
    }
    return tf.stack(ys, -1);
  });
}

/** L z for L [..., d, d] and z [..., d] (broadcast batch). */
export function lowerMatVec(L: tf.Tensor, z: tf.Tensor): tf.Tensor {
  return tf.tidy(() => tf.sum(tf.mul(L, tf.expandDims(z, -2)), -1));
}

/** MultivariateNormalTriL(loc [..., d], scaleTril [..., d, d]) with covariance L Lᵀ. */
export class MultivariateNormalTriL extends Distribution {
  readonly name = "MultivariateNormalTriL";
  readonly reparameterized = true;
  readonly loc: tf.Tensor;
  readonly scaleTril: tf.Tensor;
  readonly batchShape: readonly number[];
  readonly eventShape: readonly number[];

  constructor(params: { loc: TensorLike; scaleTril: TensorLike }, options?: DistributionOptions) {
    super(options);
    this.loc = this.param("loc", params.loc);
    const rawTril = this.param("scaleTril", params.scaleTril);
    const d = lastDim(this.loc);
    if (this.loc.rank === 0 || rawTril.rank < 2 || rawTril.shape[rawTril.rank - 1] !== d || rawTril.shape[rawTril.rank - 2] !== d) {
      throw new DlError(
        "SHAPE_MISMATCH",
        `MultivariateNormalTriL: loc [${this.loc.shape.join(", ")}] needs scaleTril [..., ${d}, ${d}], got [${rawTril.shape.join(", ")}].`,
      );
    }
    // Only the lower triangle counts, as in TFP.
    this.scaleTril = tf.tidy(() => tf.mul(rawTril, tf.linalg.bandPart(tf.ones([d, d]), -1, 0)));
    this.adopt(this.scaleTril);
    if (this.validateArgs) {
      const diag = tf.tidy(() => tf.sum(tf.mul(this.scaleTril, tf.eye(d)), -1).dataSync());
      if (diag.some((v) => !(v > 0))) {
        throw new DlError("NOT_POSITIVE_DEFINITE", "MultivariateNormalTriL: scaleTril needs a positive diagonal.");
      }
    }
    const batch = broadcastShapes(this.name, this.loc.shape.slice(0, -1), this.scaleTril.shape.slice(0, -2));
    this.batchShape = batch;
    this.eventShape = [d];
  }

  sample(sampleShape: SampleShape, seed: number): tf.Tensor {
    const shape = [...normalizeSampleShape(sampleShape), ...this.batchShape, ...this.eventShape];
    return tf.tidy(() => tf.add(this.loc, lowerMatVec(this.scaleTril, tf.randomNormal(shape, 0, 1, "float32", seed))));
  }

  logProb(x: tf.Tensor): tf.Tensor {
    return tf.tidy(() => {
      const d = this.eventShape[0] ?? 0;
      const z = solveLowerTriangular(this.scaleTril, tf.sub(x, this.loc));
      const logDet = tf.sum(tf.log(tf.sum(tf.mul(this.scaleTril, tf.eye(d)), -1)), -1);
      return tf.sub(tf.mul(-0.5, tf.sum(tf.square(z), -1)), tf.add(logDet, 0.5 * d * LOG_TWO_PI));
    });
  }

  /** L Lᵀ, shape batchShape ++ [d, d]. */
  covariance(): tf.Tensor {
    return tf.tidy(() => tf.matMul(this.scaleTril, this.scaleTril, false, true));
  }

  mean(): tf.Tensor {
    return tf.tidy(() => tf.broadcastTo(this.loc, [...this.batchShape, ...this.eventShape]));
  }

  variance(): tf.Tensor {
    return tf.tidy(() => tf.broadcastTo(tf.sum(tf.square(this.scaleTril), -1), [...this.batchShape, ...this.eventShape]));
  }

  /** ½ d (1 + log 2π) + Σ log Lᵢᵢ. */
  override entropy(): tf.Tensor {
    return tf.tidy(() => {
      const d = this.eventShape[0] ?? 0;
      const logDet = tf.sum(tf.log(tf.sum(tf.mul(this.scaleTril, tf.eye(d)), -1)), -1);
      return tf.add(tf.broadcastTo(logDet, [...this.batchShape]), 0.5 * d * (1 + LOG_TWO_PI));
    });
  }
}

/**
 * MixtureSameFamily(mixtureDistribution: Categorical over K, componentsDistribution with batch
 * shape [..., K]); not reparameterized (the component choice is discrete).
 */
export class MixtureSameFamily extends Distribution {
  readonly name = "MixtureSameFamily";
  readonly reparameterized = false;
  readonly mixtureDistribution: Categorical;
  readonly componentsDistribution: Distribution;
  readonly batchShape: readonly number[];
  readonly eventShape: readonly number[];
  override readonly hasCdf: boolean;

  constructor(params: { mixtureDistribution: Categorical; componentsDistribution: Distribution }, options?: DistributionOptions) {
    super(options);
    this.mixtureDistribution = params.mixtureDistribution;
    this.componentsDistribution = params.componentsDistribution;
    this.hasCdf = params.componentsDistribution.hasCdf;
    const k = this.mixtureDistribution.numCategories;
    const cb = this.componentsDistribution.batchShape;
    if (cb[cb.length - 1] !== k) {
      throw new DlError(
        "SHAPE_MISMATCH",
        `MixtureSameFamily: the components' batch shape [${cb.join(", ")}] must end in the ${k} mixture components.`,
      );
    }
    this.batchShape = cb.slice(0, -1);
    this.eventShape = this.componentsDistribution.eventShape;
  }


  sample(sampleShape: SampleShape, seed: number): tf.Tensor {
    const dims = normalizeSampleShape(sampleShape);
    return tf.tidy(() => {
      const all = this.componentsDistribution.sample(dims, seed); // dims ++ batch ++ [K] ++ event
      const choice = this.mixtureDistribution.sample(dims, (seed ^ 0x5bd1e995) >>> 0); // dims ++ batch
      const k = this.mixtureDistribution.numCategories;
      const eventRank = this.eventShape.length;
      let mask = tf.oneHot(tf.cast(choice, "int32"), k); // dims ++ batch ++ [K]
      for (let i = 0; i < eventRank; i++) mask = tf.expandDims(mask, -1);
      return tf.sum(tf.mul(all, mask), -1 - eventRank);
    });
  }

  private expandToComponents(x: tf.Tensor): tf.Tensor {
    return tf.expandDims(x, x.rank - this.eventShape.length);
  }

  // log Σₖ wₖ pₖ(x), by logsumexp.
  logProb(x: tf.Tensor): tf.Tensor {
    return tf.tidy(() => {
      const componentLogProbs = this.componentsDistribution.logProb(this.expandToComponents(x));
      // Our logSumExp: −∞ where every component is −∞ (tf.logSumExp gives NaN there).
      return logSumExp(tf.add(componentLogProbs, this.mixtureDistribution.logProbs()), -1);
    });
  }

  override cdf(x: tf.Tensor): tf.Tensor {
    return tf.tidy(() =>
      tf.sum(tf.mul(this.componentsDistribution.cdf(this.expandToComponents(x)), this.mixtureDistribution.probs), -1),
    );
  }

  // log Σₖ wₖ Fₖ(x) from the components' own log cdfs, so the far tails do not underflow.
  override logCdf(x: tf.Tensor): tf.Tensor {
    return tf.tidy(() =>
      logSumExp(tf.add(this.componentsDistribution.logCdf(this.expandToComponents(x)), this.mixtureDistribution.logProbs()), -1),
    );
  }

  override survivalFunction(x: tf.Tensor): tf.Tensor {
    return tf.tidy(() =>
      tf.sum(tf.mul(this.componentsDistribution.survivalFunction(this.expandToComponents(x)), this.mixtureDistribution.probs), -1),
    );
  }

  override logSurvivalFunction(x: tf.Tensor): tf.Tensor {
    return tf.tidy(() =>
      logSumExp(
        tf.add(this.componentsDistribution.logSurvivalFunction(this.expandToComponents(x)), this.mixtureDistribution.logProbs()),
        -1,
      ),
    );
  }

  private weightsForEvent(): tf.Tensor {
    let w = this.mixtureDistribution.probs;
    for (let i = 0; i < this.eventShape.length; i++) w = tf.expandDims(w, -1);
    return w;
  }

  mean(): tf.Tensor {
    return tf.tidy(() => tf.sum(tf.mul(this.weightsForEvent(), this.componentsDistribution.mean()), -1 - this.eventShape.length));
  }

  // Law of total variance: Σ wₖ (σₖ² + μₖ²) − μ².
  variance(): tf.Tensor {
    return tf.tidy(() => {
      const w = this.weightsForEvent();
      const axis = -1 - this.eventShape.length;
      const m = this.componentsDistribution.mean();
      const second = tf.sum(tf.mul(w, tf.add(this.componentsDistribution.variance(), tf.square(m))), axis);
      return tf.sub(second, tf.square(tf.sum(tf.mul(w, m), axis)));
    });
  }
}
