import * as tf from "@tensorflow/tfjs-core";
import "@dl/tensor-core";

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

/**
 * log B(a, b). With s = min(a, b) and L = max(a, b) ≥ 10, lgamma(L) − lgamma(L + s) comes from Stirling's
 * series as −(L − ½)·log1pmx(s/L) + s/(2L) − s·log(s + L) + corr(L) − corr(s + L) (TFP's
 * log_gamma_difference idea): lgamma(0.5) + lgamma(1e3) − lgamma(1000.5) would cancel 5900-sized terms.
 */
export function lbeta(a: tf.Tensor, b: tf.Tensor): tf.Tensor {
  return tf.tidy(() => {
    const direct = tf.sub(tf.add(lgamma(a), lgamma(b)), lgamma(tf.add(a, b)));
    const s = tf.minimum(a, b);
    const bigL = tf.maximum(a, b);
    const L = tf.maximum(bigL, 10);
    const n = tf.add(s, L);
    const difference = tf.add(
      tf.sub(tf.div(s, tf.mul(2, L)), tf.mul(tf.sub(L, 0.5), log1pmx(tf.div(s, L)))),
      tf.sub(tf.sub(stirlingCorrection(L), stirlingCorrection(n)), tf.mul(s, tf.log(n))),
    );
    return tf.where(tf.greaterEqual(bigL, 10), tf.add(lgamma(s), difference), direct);
  });
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
    // TFP's convention at the ends of the support: Φ⁻¹(0) = −∞, Φ⁻¹(1) = +∞.
    const ends = tf.where(tf.lessEqual(p, 0), tf.fill(p.shape, -Infinity), tf.fill(p.shape, Infinity));
    return tf.where(tf.logicalOr(tf.lessEqual(p, 0), tf.greaterEqual(p, 1)), ends, tf.where(inCentre, central, tail));
  });
}

/**
 * log(1 + x), accurate for tiny |x| on every backend. The wasm backend computes log1p as
 * log(1 + x), so log1p(−1e-10) = 0 there; Goldberg's correction log(u)·x/(u − 1), u = 1 + x,
 * cancels the rounding of u exactly (Goldberg 1991, Theorem 4).
 */
export function log1p(x: tf.Tensor): tf.Tensor {
  const op = tf.customGrad((...args: (tf.Tensor | tf.GradSaveFunc)[]) => {
    const [input, save] = args as [tf.Tensor, tf.GradSaveFunc];
    save([input]);
    const value = tf.tidy(() => {
      const u = tf.add(1, input);
      const shifted = tf.sub(u, 1);
      const corrected = tf.mul(tf.log(u), tf.div(input, tf.where(tf.equal(shifted, 0), tf.onesLike(shifted), shifted)));
      // u = 1 (|x| below half an ulp of 1): log1p(x) = x; u = ∞: the ratio is ∞/∞.
      return tf.where(tf.equal(shifted, 0), input, tf.where(tf.equal(u, Infinity), u, corrected));
    });
    return { value, gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => tf.div(dy, tf.add(1, saved[0] ?? tf.scalar(0))) };
  });
  return op(x);
}

/** log(1 + x) − x without cancellation: its Taylor series for |x| < 0.25, the direct form elsewhere. */
export function log1pmx(x: tf.Tensor): tf.Tensor {
  return tf.tidy(() => {
    const small = tf.less(tf.abs(x), 0.25);
    const xs = tf.where(small, x, tf.zerosLike(x));
    // −x²/2 + x³/3 − x⁴/4 + …, 16 terms: 0.25¹⁸/18 < 1e-12.
    let series: tf.Tensor = tf.scalar(0);
    for (let n = 17; n >= 2; n--) series = tf.mul(tf.add(series, (n % 2 === 0 ? -1 : 1) / n), xs);
    series = tf.mul(series, xs);
    const xd = tf.where(small, tf.onesLike(x), x);
    return tf.where(small, series, tf.sub(log1p(xd), xd));
  });
}

/** x·log(y) with 0·log(0) = 0 (TFP's xlogy): densities at a support endpoint with exponent 0. */
export function xlogy(x: tf.Tensor, y: tf.Tensor): tf.Tensor {
  return tf.tidy(() => {
    const zero = tf.equal(x, 0);
    const safeY = tf.where(zero, tf.onesLike(y), y);
    const value = tf.mul(x, tf.log(safeY));
    return tf.where(tf.broadcastTo(zero, value.shape), tf.zerosLike(value), value);
  });
}

/** x·log(1 + y) with 0·log(0) = 0. */
export function xlog1py(x: tf.Tensor, y: tf.Tensor): tf.Tensor {
  return tf.tidy(() => {
    const zero = tf.equal(x, 0);
    const safeY = tf.where(zero, tf.zerosLike(y), y);
    const value = tf.mul(x, log1p(safeY));
    return tf.where(tf.broadcastTo(zero, value.shape), tf.zerosLike(value), value);
  });
}

// erfc(x) = t·exp(−x² + P(t)), t = 1/(1 + x/2): Numerical Recipes' erfcc, relative error < 1.2e-7 for x ≥ 0.
const ERFC_P = [0.17087277, -0.82215223, 1.48851587, -1.13520398, 0.27886807, -0.18628806, 0.09678418, 0.37409196, 1.00002368, -1.26551223];

/** log erfc(x) for x ≥ 0 (inputs below 0 are treated as 0), never underflowing. */
function logErfcPositive(x: tf.Tensor): tf.Tensor {
  return tf.tidy(() => {
    const xp = tf.relu(x);
    const t = tf.reciprocal(tf.add(1, tf.mul(0.5, xp)));
    return tf.add(tf.log(t), tf.sub(horner(t, ERFC_P), tf.square(xp)));
  });
}

/** erfc(x) for x ≥ 0, relative error ~1e-7 down to the float32 underflow (x ≈ 9.2); 0 at +∞. */
function erfcPositive(x: tf.Tensor): tf.Tensor {
  return tf.tidy(() => {
    // Past 12 erfc is below float32's smallest subnormal; the cap keeps ∞ − ∞ out of the split below.
    const xp = tf.clipByValue(x, 0, 12);
    // exp(−x²) split as exp(−h²)·exp(−(x − h)(x + h)) with h = x to 8 fractional bits, so h² is exact.
    const h = tf.div(tf.floor(tf.mul(xp, 256)), 256);
    const t = tf.reciprocal(tf.add(1, tf.mul(0.5, xp)));
    const rest = tf.sub(horner(t, ERFC_P), tf.mul(tf.sub(xp, h), tf.add(xp, h)));
    return tf.mul(tf.mul(t, tf.exp(tf.neg(tf.square(h)))), tf.exp(rest));
  });
}

const TWO_OVER_SQRT_PI = 2 / Math.sqrt(Math.PI);

/** erf(x) for |x| ≤ 0.5 by its Maclaurin series (tfjs' erf has an absolute error of ~1e-7 near 0). */
function erfSmall(x: tf.Tensor): tf.Tensor {
  return tf.tidy(() => {
    const x2 = tf.square(x);
    // Σ (−1)ⁿ x^(2n+1) / (n! (2n+1)), n ≤ 8: the next term is < 3e-11 at |x| = 0.5.
    let acc: tf.Tensor = tf.scalar(0);
    for (let n = 8; n >= 0; n--) {
      let factorial = 1;
      for (let k = 2; k <= n; k++) factorial *= k;
      acc = tf.add(tf.mul(acc, x2), (n % 2 === 0 ? 1 : -1) / (factorial * (2 * n + 1)));
    }
    return tf.mul(tf.mul(acc, x), TWO_OVER_SQRT_PI);
  });
}

/** Φ(z), the standard normal cdf, with relative accuracy in the lower tail down to float32 underflow. */
export function ndtr(z: tf.Tensor): tf.Tensor {
  return tf.tidy(() => {
    const w = tf.mul(z, Math.SQRT1_2);
    const central = tf.add(0.5, tf.mul(0.5, erfSmall(tf.clipByValue(w, -0.5, 0.5))));
    const lower = tf.mul(0.5, erfcPositive(tf.neg(w)));
    const upper = tf.sub(1, tf.mul(0.5, erfcPositive(w)));
    return tf.where(tf.less(w, -0.5), lower, tf.where(tf.greater(w, 0.5), upper, central));
  });
}

/** log Φ(z) without underflow: log(½ erfc(−z/√2)) in the lower tail, log1p(−½ erfc(z/√2)) in the upper. */
export function logNdtr(z: tf.Tensor): tf.Tensor {
  return tf.tidy(() => {
    const w = tf.mul(z, Math.SQRT1_2);
    const lower = tf.add(logErfcPositive(tf.neg(w)), -Math.LN2);
    const upper = log1p(tf.mul(-0.5, erfcPositive(w)));
    const central = tf.log(tf.add(0.5, tf.mul(0.5, erfSmall(tf.clipByValue(w, -0.5, 0.5)))));
    return tf.where(tf.less(w, -0.5), lower, tf.where(tf.greater(w, 0.5), upper, central));
  });
}

/** log Σ exp(x) along `axis`; −∞ (not NaN) when every term is −∞. */
export function logSumExp(x: tf.Tensor, axis: number): tf.Tensor {
  return tf.tidy(() => {
    const m = tf.max(x, axis, true);
    const safeM = tf.where(tf.isFinite(m), m, tf.zerosLike(m));
    const s = tf.log(tf.sum(tf.exp(tf.sub(x, safeM)), axis, true));
    return tf.squeeze(tf.add(s, safeM), [axis < 0 ? x.rank + axis : axis]);
  });
}

/** Stirling's correction lgamma(a) − [(a − ½)log a − a + ½ log 2π] for a ≥ 10 (error < 1e-12 there). */
export function stirlingCorrection(a: tf.Tensor): tf.Tensor {
  return tf.tidy(() => {
    const inv = tf.reciprocal(a);
    const inv2 = tf.square(inv);
    return tf.mul(inv, tf.add(1 / 12, tf.mul(inv2, tf.add(-1 / 360, tf.mul(inv2, tf.add(1 / 1260, tf.mul(inv2, -1 / 1680)))))));
  });
}
