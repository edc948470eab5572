import * as tf from "@tensorflow/tfjs-core";

import { DlError, type Rng, createRng } from "@dl/tensor-core";

import { lgamma, log1p, log1pmx, stirlingCorrection, xlogy } from "../special/ops.js";
import { lgammaScalar, regularizedGammaP, regularizedGammaQ } from "../special/scalar.js";
import {
  Distribution,
  type DistributionOptions,
  POSITIVE,
  PROBABILITY,
  type SampleShape,
  type TensorLike,
  normalizeSampleShape,
  openUniform,
} from "./distribution.js";
import { hostBinary } from "./gammaBeta.js";

type LogitsOrProbs = { logits: TensorLike; probs?: never } | { probs: TensorLike; logits?: never };

function oneOf(name: string, params: LogitsOrProbs): void {
  const hasLogits = (params as { logits?: unknown }).logits !== undefined;
  const hasProbs = (params as { probs?: unknown }).probs !== undefined;
  if (hasLogits === hasProbs) {
    throw new DlError("INVALID_ARGUMENT", `${name} needs exactly one of logits or probs, got ${hasLogits ? "both" : "neither"}.`);
  }
}

/** Bernoulli(logits | probs); samples are int32 0/1 and not reparameterized. */
export class Bernoulli extends Distribution {
  readonly name = "Bernoulli";
  readonly reparameterized = false;
  readonly eventShape: readonly number[] = [];
  readonly logits: tf.Tensor;
  readonly batchShape: readonly number[];

  constructor(params: LogitsOrProbs, options?: DistributionOptions) {
    super(options);
    oneOf(this.name, params);
    if (params.logits !== undefined) {
      this.logits = this.param("logits", params.logits);
    } else {
      const probs = this.param("probs", params.probs, PROBABILITY);
      // probs 0 and 1 become logits −∞ and +∞, which logProb and entropy handle without NaN.
      this.logits = tf.tidy(() => tf.sub(tf.log(probs), log1p(tf.neg(probs))));
      this.adopt(this.logits);
    }
    this.batchShape = [...this.logits.shape];
  }

  get probs(): tf.Tensor {
    return tf.sigmoid(this.logits);
  }

  sample(sampleShape: SampleShape, seed: number): tf.Tensor {
    const shape = [...normalizeSampleShape(sampleShape), ...this.batchShape];
    return tf.tidy(() => tf.cast(tf.less(openUniform(shape, seed), tf.sigmoid(this.logits)), "int32"));
  }

  // log σ(logits) for x = 1, log σ(−logits) for x = 0: finite or −∞ even at logits ±∞ (x·logits − softplus would be ∞ − ∞).
  logProb(x: tf.Tensor): tf.Tensor {
    return tf.tidy(() => {
      const one = tf.equal(tf.cast(x, "float32"), 1);
      const shape = tf.broadcast_util.assertAndGetBroadcastShape(one.shape, this.logits.shape);
      const logP = tf.broadcastTo(tf.neg(tf.softplus(tf.neg(this.logits))), shape);
      const logQ = tf.broadcastTo(tf.neg(tf.softplus(this.logits)), shape);
      return tf.where(tf.broadcastTo(one, shape), logP, logQ);
    });
  }

  /** −p log p − (1 − p) log(1 − p), 0 at p ∈ {0, 1}. */
  override entropy(): tf.Tensor {
    return tf.tidy(() => {
      const p = tf.sigmoid(this.logits);
      const q = tf.sigmoid(tf.neg(this.logits));
      const term = (w: tf.Tensor, logW: tf.Tensor): tf.Tensor => tf.where(tf.equal(w, 0), tf.zerosLike(w), tf.mul(w, logW));
      return tf.neg(tf.add(term(p, tf.neg(tf.softplus(tf.neg(this.logits)))), term(q, tf.neg(tf.softplus(this.logits)))));
    });
  }

  override readonly hasCdf: boolean = true;

  override cdf(x: tf.Tensor): tf.Tensor {
    return tf.tidy(() => {
      const xf = tf.cast(x, "float32");
      const q = tf.sigmoid(tf.neg(this.logits));
      return tf.where(tf.less(xf, 0), tf.zerosLike(xf), tf.where(tf.less(xf, 1), tf.broadcastTo(q, xf.shape), tf.onesLike(xf)));
    });
  }

  mean(): tf.Tensor {
    return tf.sigmoid(this.logits);
  }

  variance(): tf.Tensor {
    return tf.tidy(() => {
      const p = tf.sigmoid(this.logits);
      return tf.mul(p, tf.sub(1, p));
    });
  }
}

/** Categorical over {0, …, K−1} (logits | probs, last axis K); int32 samples, not reparameterized. */
export class Categorical extends Distribution {
  readonly name = "Categorical";
  readonly reparameterized = false;
  readonly eventShape: readonly number[] = [];
  readonly logits: tf.Tensor;
  readonly batchShape: readonly number[];
  readonly numCategories: number;

  constructor(params: LogitsOrProbs, options?: DistributionOptions) {
    super(options);
    oneOf(this.name, params);
    const raw = params.logits ?? params.probs;
    if (typeof raw === "number" || raw.rank === 0) {
      throw new DlError("SHAPE_MISMATCH", "Categorical needs a vector (or batch of vectors) of logits or probs, got a scalar.");
    }
    if (params.logits !== undefined) {
      this.logits = this.param("logits", params.logits);
    } else {
      const probs = this.param("probs", params.probs);
      if (this.validateArgs) assertSimplex(probs);
      this.logits = tf.log(probs);
      this.adopt(this.logits);
    }
    this.numCategories = this.logits.shape[this.logits.rank - 1] ?? 0;
    this.batchShape = this.logits.shape.slice(0, -1);
  }

  /** Normalised log-probabilities, shape batchShape ++ [K]. */
  logProbs(): tf.Tensor {
    return tf.logSoftmax(this.logits);
  }

  get probs(): tf.Tensor {
    return tf.softmax(this.logits);
  }

  sample(sampleShape: SampleShape, seed: number): tf.Tensor {
    const dims = normalizeSampleShape(sampleShape);
    const n = dims.reduce((a, b) => a * b, 1);
    return tf.tidy(() => {
      const batch = this.batchShape.reduce((a, b) => a * b, 1);
      const flat = tf.reshape<tf.Rank.R2>(this.logSoftmaxFlat(), [batch, this.numCategories]);
      if (n === 0) return tf.zeros([...dims, ...this.batchShape], "int32");
      const draws = tf.multinomial(flat, n, seed, false) as tf.Tensor2D; // [batch, n]
      return tf.reshape(tf.transpose(draws), [...dims, ...this.batchShape]);
    });
  }

  private logSoftmaxFlat(): tf.Tensor {
    return tf.logSoftmax(this.logits);
  }

  // Selects log pₓ with a mask, not a one-hot product: 0·log 0 would be NaN for a zero-probability category.
  logProb(x: tf.Tensor): tf.Tensor {
    return tf.tidy(() => {
      const oneHot = tf.oneHot(tf.cast(x, "int32"), this.numCategories);
      const logProbs = tf.logSoftmax(this.logits);
      const shape = tf.broadcast_util.assertAndGetBroadcastShape(oneHot.shape, logProbs.shape);
      const picked = tf.where(tf.broadcastTo(tf.equal(oneHot, 1), shape), tf.broadcastTo(logProbs, shape), tf.zeros(shape));
      return tf.sum(picked, -1);
    });
  }

  /** −Σ pₖ log pₖ, with 0·log 0 = 0. */
  override entropy(): tf.Tensor {
    return tf.tidy(() => {
      const logProbs = tf.logSoftmax(this.logits);
      const p = tf.exp(logProbs);
      return tf.neg(tf.sum(tf.where(tf.equal(p, 0), tf.zerosLike(p), tf.mul(p, logProbs)), -1));
    });
  }

  /** Mean of the category index. */
  mean(): tf.Tensor {
    return tf.tidy(() => tf.sum(tf.mul(tf.softmax(this.logits), tf.range(0, this.numCategories)), -1));
  }

  /** Variance of the category index. */
  variance(): tf.Tensor {
    return tf.tidy(() => {
      const p = tf.softmax(this.logits);
      const k = tf.range(0, this.numCategories);
      const m = tf.sum(tf.mul(p, k), -1, true);
      return tf.sum(tf.mul(p, tf.square(tf.sub(k, m))), -1);
    });
  }
}

function assertSimplex(probs: tf.Tensor): void {
  const sums = tf.tidy(() => tf.sum(probs, -1).dataSync());
  const values = probs.dataSync();
  if (values.some((v) => !(v >= 0))) {
    throw new DlError("INVALID_ARGUMENT", "Categorical: probs must be non-negative.");
  }
  for (const s of sums) {
    if (Math.abs(s - 1) > 1e-5) {
      throw new DlError("INVALID_ARGUMENT", `Categorical: probs must sum to 1 along the last axis, found a sum of ${s}. Normalise them or pass logits.`);
    }
  }
}

const HALF_LOG_TWO_PI = 0.5 * Math.log(2 * Math.PI);

/** One Poisson(λ) draw: multiplication (inversion) for λ < 10, PTRS transformed rejection above (Hörmann 1993). */
export function samplePoisson(lambda: number, rng: Rng): number {
  if (lambda < 10) {
    const limit = Math.exp(-lambda);
    let k = 0;
    let product = rng.next();
    while (product > limit) {
      k += 1;
      product *= rng.next();
    }
    return k;
  }
  const slam = Math.sqrt(lambda);
  const logLambda = Math.log(lambda);
  const b = 0.931 + 2.53 * slam;
  const a = -0.059 + 0.02483 * b;
  const invAlpha = 1.1239 + 1.1328 / (b - 3.4);
  const vr = 0.9277 - 3.6224 / (b - 2);
  for (;;) {
    const u = rng.next() - 0.5;
    const v = rng.next();
    const us = 0.5 - Math.abs(u);
    const k = Math.floor(((2 * a) / us + b) * u + lambda + 0.43);
    if (us >= 0.07 && v <= vr) return k;
    if (k < 0 || (us < 0.013 && v > us)) continue;
    if (Math.log(v) + Math.log(invAlpha) - Math.log(a / (us * us) + b) <= -lambda + k * logLambda - lgammaScalar(k + 1)) return k;
  }
}

/** Poisson(rate λ) over {0, 1, …}; float32 samples as in TFP, not reparameterized. */
export class Poisson extends Distribution {
  readonly name = "Poisson";
  readonly reparameterized = false;
  readonly eventShape: readonly number[] = [];
  readonly rate: tf.Tensor;
  readonly batchShape: readonly number[];
  override readonly hasCdf: boolean = true;

  constructor(params: { rate: TensorLike }, options?: DistributionOptions) {
    super(options);
    this.rate = this.param("rate", params.rate, POSITIVE);
    this.batchShape = [...this.rate.shape];
  }

  sample(sampleShape: SampleShape, seed: number): tf.Tensor {
    const shape = [...normalizeSampleShape(sampleShape), ...this.batchShape];
    return tf.tidy(() => {
      const rates = tf.broadcastTo(this.rate, shape).dataSync();
      const rng = createRng(seed);
      const out = new Float32Array(rates.length);
      for (let i = 0; i < out.length; i++) out[i] = samplePoisson(rates[i] ?? 0, rng);
      return tf.tensor(out, shape, "float32");
    });
  }

  // k log λ − λ − lgamma(k + 1); for k ≥ 10 Stirling's series gives k·log1pmx(λ/k − 1) − ½ log 2πk − corr(k),
  // free of the cancelling 1e5-sized terms at large λ. −∞ off the non-negative integers.
  logProb(x: tf.Tensor): tf.Tensor {
    return tf.tidy(() => {
      const k = tf.cast(x, "float32");
      const valid = tf.logicalAnd(tf.greaterEqual(k, 0), tf.equal(k, tf.floor(k)));
      const kSafe = tf.where(valid, k, tf.zerosLike(k));
      const direct = tf.sub(tf.sub(xlogy(kSafe, this.rate), this.rate), lgamma(tf.add(kSafe, 1)));
      const useStirling = tf.logicalAnd(valid, tf.greaterEqual(k, 10));
      const kL = tf.where(useStirling, k, tf.fill(k.shape, 10));
      const stirling = tf.sub(
        tf.mul(kL, log1pmx(tf.sub(tf.div(this.rate, kL), 1))),
        tf.add(tf.add(tf.mul(0.5, tf.log(kL)), HALF_LOG_TWO_PI), stirlingCorrection(kL)),
      );
      const shape = tf.broadcast_util.assertAndGetBroadcastShape(direct.shape, stirling.shape);
      const value = tf.where(tf.broadcastTo(useStirling, shape), tf.broadcastTo(stirling, shape), tf.broadcastTo(direct, shape));
      return tf.where(tf.broadcastTo(valid, shape), value, tf.fill(shape, -Infinity));
    });
  }

  /** P(X ≤ k) = Q(⌊k⌋ + 1, λ), in float64 on the host (not differentiable). */
  override cdf(x: tf.Tensor): tf.Tensor {
    return hostBinary(tf.cast(x, "float32"), this.rate, this.rate, (k, lambda) => (k < 0 ? 0 : regularizedGammaQ(Math.floor(k) + 1, lambda)));
  }

  override logCdf(x: tf.Tensor): tf.Tensor {
    return hostBinary(tf.cast(x, "float32"), this.rate, this.rate, (k, lambda) =>
      k < 0 ? -Infinity : Math.log(regularizedGammaQ(Math.floor(k) + 1, lambda)),
    );
  }

  override survivalFunction(x: tf.Tensor): tf.Tensor {
    return hostBinary(tf.cast(x, "float32"), this.rate, this.rate, (k, lambda) => (k < 0 ? 1 : regularizedGammaP(Math.floor(k) + 1, lambda)));
  }

  override logSurvivalFunction(x: tf.Tensor): tf.Tensor {
    return hostBinary(tf.cast(x, "float32"), this.rate, this.rate, (k, lambda) =>
      k < 0 ? 0 : Math.log(regularizedGammaP(Math.floor(k) + 1, lambda)),
    );
  }

  mean(): tf.Tensor {
    return tf.clone(this.rate);
  }

  variance(): tf.Tensor {
    return tf.clone(this.rate);
  }
}
