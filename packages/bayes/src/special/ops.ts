import * as tf from "@tensorflow/tfjs-core";
import "../tfjsGradients.js";

// tfjs has no lgamma/digamma/erfinv; these are built from differentiable ops so autodiff works.

const SHIFT = 6;
const HALF_LOG_TWO_PI = 0.5 * Math.log(2 * Math.PI);

/** log Γ(x) for x > 0: shift to x + 6, then Stirling's series (error < 3e-9 at the shifted point). */
export function lgamma(x: tf.Tensor): tf.Tensor {
  return tf.tidy(() => {
    let logProduct = tf.log(x);
    for (let k = 1; k < SHIFT; k++) logProduct = tf.add(logProduct, tf.log(tf.add(x, k)));
    const z = tf.add(x, SHIFT);
    const inv = tf.reciprocal(z);
    const inv2 = tf.square(inv);
    // Stirling: (z − ½) log z − z + ½ log 2π + 1/(12z) − 1/(360z³) + 1/(1260z⁵).
    const series = tf.mul(inv, tf.add(1 / 12, tf.mul(inv2, tf.add(-1 / 360, tf.mul(inv2, 1 / 1260)))));
    const stirling = tf.add(tf.sub(tf.mul(tf.sub(z, 0.5), tf.log(z)), z), tf.add(series, HALF_LOG_TWO_PI));
    return tf.sub(stirling, logProduct);
  });
}

/** ψ(x) for x > 0: recurrence to x + 6, then the asymptotic series (A&S 6.3.18). */
export function digamma(x: tf.Tensor): tf.Tensor {
  return tf.tidy(() => {
    let shift = tf.reciprocal(x);
    for (let k = 1; k < SHIFT; k++) shift = tf.add(shift, tf.reciprocal(tf.add(x, k)));
    const z = tf.add(x, SHIFT);
    const inv2 = tf.reciprocal(tf.square(z));
    const tail = tf.mul(inv2, tf.sub(1 / 12, tf.mul(inv2, tf.sub(1 / 120, tf.mul(inv2, 1 / 252)))));
    return tf.sub(tf.sub(tf.sub(tf.log(z), tf.div(0.5, z)), tail), shift);
  });
}

/** log B(a, b) = lgamma(a) + lgamma(b) − lgamma(a + b). */
export function lbeta(a: tf.Tensor, b: tf.Tensor): tf.Tensor {
  return tf.tidy(() => tf.sub(tf.add(lgamma(a), lgamma(b)), lgamma(tf.add(a, b))));
}

const ACKLAM_A = [-3.969683028665376e1, 2.209460984245205e2, -2.759285104469687e2, 1.38357751867269e2, -3.066479806614716e1, 2.506628277459239];
const ACKLAM_B = [-5.447609879822406e1, 1.615858368580409e2, -1.556989798598866e2, 6.680131188771972e1, -1.328068155288572e1];
const ACKLAM_C = [-7.784894002430293e-3, -3.223964580411365e-1, -2.400758277161838, -2.549732539343734, 4.374664141464968, 2.938163982698783];
const ACKLAM_D = [7.784695709041462e-3, 3.224671290700398e-1, 2.445134137142996, 3.754408661907416];
const P_LOW = 0.02425;

function horner(x: tf.Tensor, coefficients: readonly number[]): tf.Tensor {
  let acc: tf.Tensor = tf.scalar(coefficients[0] ?? 0);
  for (let i = 1; i < coefficients.length; i++) acc = tf.add(tf.mul(acc, x), coefficients[i] ?? 0);
  return acc;
}

/** Φ⁻¹(p), the standard normal quantile (Acklam's rational approximation, relative error < 1.2e-9). */
export function ndtri(p: tf.Tensor): tf.Tensor {
  return tf.tidy(() => {
    const q = tf.sub(p, 0.5);
    const r = tf.square(q);
    const central = tf.div(tf.mul(horner(r, ACKLAM_A), q), tf.add(tf.mul(horner(r, ACKLAM_B), r), 1));
    // Tails: use the smaller of p, 1 − p so one formula serves both sides.
    const tailP = tf.clipByValue(tf.minimum(p, tf.sub(1, p)), 1e-37, 0.5);
    const s = tf.sqrt(tf.mul(-2, tf.log(tailP)));
    const tailMagnitude = tf.div(horner(s, ACKLAM_C), tf.add(tf.mul(horner(s, ACKLAM_D), s), 1));
    const tail = tf.where(tf.less(p, 0.5), tailMagnitude, tf.neg(tailMagnitude));
    const inCentre = tf.logicalAnd(tf.greaterEqual(p, P_LOW), tf.lessEqual(p, 1 - P_LOW));
    return tf.where(inCentre, central, tail);
  });
}
