import * as tf from "@tensorflow/tfjs-core";

import { DlError } from "@dl/tensor-core";

import { digamma, lbeta, lgamma, log1pmx } from "../special/ops.js";
import type { Bernoulli, Categorical } from "./discrete.js";
import { type Dirichlet, lmultivariateBeta } from "./dirichlet.js";
import type { Distribution } from "./distribution.js";
import type { Beta, Gamma } from "./gammaBeta.js";
import type { Exponential, Laplace, LogNormal, Normal, Uniform } from "./univariate.js";

type Kl = (p: Distribution, q: Distribution) => tf.Tensor;

/** KL(N(μp, σp²) ‖ N(μq, σq²)) = ½((μp − μq)/σq)² + ½(r² − 1 − 2 log r), r = σp/σq, with expm1 so p ≈ q stays exact. */
function klLocScaleNormal(p: Normal | LogNormal, q: Normal | LogNormal): tf.Tensor {
  const logR = tf.sub(tf.log(p.scale), tf.log(q.scale));
  const diff = tf.div(tf.sub(p.loc, q.loc), q.scale);
  return tf.add(tf.mul(0.5, tf.square(diff)), tf.mul(0.5, tf.sub(tf.expm1(tf.mul(2, logR)), tf.mul(2, logR))));
}

/** Closed forms (TFP's kl_divergence registrations), keyed "P‖Q" by distribution name. */
const PAIRS: Readonly<Record<string, Kl>> = {
  "Normal‖Normal": (p, q) => klLocScaleNormal(p as Normal, q as Normal),
  "LogNormal‖LogNormal": (p, q) => klLocScaleNormal(p as LogNormal, q as LogNormal),
  // λq/λp − 1 − log(λq/λp) = −log1pmx(λq/λp − 1).
  "Exponential‖Exponential": (p, q) => tf.neg(log1pmx(tf.sub(tf.div((q as Exponential).rate, (p as Exponential).rate), 1))),
  "Gamma‖Gamma": (p, q) => {
    const { concentration: ap, rate: bp } = p as Gamma;
    const { concentration: aq, rate: bq } = q as Gamma;
    return tf.add(
      tf.add(tf.mul(tf.sub(ap, aq), digamma(ap)), tf.sub(lgamma(aq), lgamma(ap))),
      tf.add(tf.mul(aq, tf.sub(tf.log(bp), tf.log(bq))), tf.mul(ap, tf.div(tf.sub(bq, bp), bp))),
    );
  },
  "Beta‖Beta": (p, q) => {
    const { concentration1: ap, concentration0: bp } = p as Beta;
    const { concentration1: aq, concentration0: bq } = q as Beta;
    const total = tf.add(ap, bp);
    return tf.add(
      tf.add(tf.sub(lbeta(aq, bq), lbeta(ap, bp)), tf.mul(tf.sub(ap, aq), digamma(ap))),
      tf.add(tf.mul(tf.sub(bp, bq), digamma(bp)), tf.mul(tf.sub(tf.add(aq, bq), total), digamma(total))),
    );
  },
  "Laplace‖Laplace": (p, q) => {
    const lp = p as Laplace;
    const lq = q as Laplace;
    const distance = tf.abs(tf.sub(lp.loc, lq.loc));
    return tf.add(
      tf.add(tf.sub(tf.log(lq.scale), tf.log(lp.scale)), tf.div(distance, lq.scale)),
      tf.sub(tf.mul(tf.div(lp.scale, lq.scale), tf.exp(tf.neg(tf.div(distance, lp.scale)))), 1),
    );
  },
  "Uniform‖Uniform": (p, q) => {
    const up = p as Uniform;
    const uq = q as Uniform;
    const value = tf.sub(tf.log(tf.sub(uq.high, uq.low)), tf.log(tf.sub(up.high, up.low)));
    const inside = tf.logicalAnd(tf.lessEqual(uq.low, up.low), tf.greaterEqual(uq.high, up.high));
    const shape = tf.broadcast_util.assertAndGetBroadcastShape(value.shape, inside.shape);
    return tf.where(tf.broadcastTo(inside, shape), tf.broadcastTo(value, shape), tf.fill(shape, Infinity));
  },
  // Σ over {1, 0} of p·(log p − log q), with 0·log 0 = 0 for probs 0 or 1.
  "Bernoulli‖Bernoulli": (p, q) => {
    const lp = (p as Bernoulli).logits;
    const lq = (q as Bernoulli).logits;
    const term = (w: tf.Tensor, logW: tf.Tensor, logV: tf.Tensor): tf.Tensor =>
      tf.where(tf.equal(w, 0), tf.zerosLike(w), tf.mul(w, tf.sub(logW, logV)));
    const logSig = (l: tf.Tensor): tf.Tensor => tf.neg(tf.softplus(tf.neg(l)));
    const one = term(tf.sigmoid(lp), logSig(lp), logSig(lq));
    const zero = term(tf.sigmoid(tf.neg(lp)), logSig(tf.neg(lp)), logSig(tf.neg(lq)));
    return tf.add(one, zero);
  },
  "Categorical‖Categorical": (p, q) => {
    const logP = tf.logSoftmax((p as Categorical).logits);
    const logQ = tf.logSoftmax((q as Categorical).logits);
    const w = tf.exp(logP);
    return tf.sum(tf.where(tf.equal(w, 0), tf.zerosLike(w), tf.mul(w, tf.sub(logP, logQ))), -1);
  },
  "Dirichlet‖Dirichlet": (p, q) => {
    const a = (p as Dirichlet).concentration;
    const b = (q as Dirichlet).concentration;
    const a0 = tf.sum(a, -1, true);
    const cross = tf.sum(tf.mul(tf.sub(a, b), tf.sub(digamma(a), digamma(a0))), -1);
    return tf.add(tf.sub(lmultivariateBeta(b), lmultivariateBeta(a)), cross);
  },
};

/** The pairs `klDivergence` knows in closed form. */
export const KL_PAIRS: readonly string[] = Object.keys(PAIRS);

/** KL(p ‖ q) in closed form, batch-broadcast (TFP's `kl_divergence`); NOT_SUPPORTED for other pairs. */
export function klDivergence(p: Distribution, q: Distribution): tf.Tensor {
  const kl = PAIRS[`${p.name}‖${q.name}`];
  if (kl === undefined) {
    throw new DlError(
      "NOT_SUPPORTED",
      `No closed-form KL divergence for ${p.name}‖${q.name}; pairs with one: ${KL_PAIRS.join(", ")}. Estimate it as mean(p.logProb(x) − q.logProb(x)) over samples x of p.`,
    );
  }
  return tf.tidy(() => kl(p, q));
}
