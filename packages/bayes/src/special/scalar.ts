// Float64 special functions on plain numbers: references for tests, and the numerics behind
// implicit reparameterization gradients (which run on host values, not tensors). The functions
// themselves come from @stdlib; what stays here has no library: derivatives in the shape parameters.

import betaln from "@stdlib/math-base-special-betaln";
import digamma from "@stdlib/math-base-special-digamma";
import erfc from "@stdlib/math-base-special-erfc";
import gammainc from "@stdlib/math-base-special-gammainc";
import gammaincinv from "@stdlib/math-base-special-gammaincinv";
import gammaln from "@stdlib/math-base-special-gammaln";

import { libraries } from "../platform/libraries.js";

/** log|Γ(x)| (@stdlib gammaln). */
export function lgammaScalar(x: number): number {
  return gammaln(x);
}

/** ψ(x) = d/dx log Γ(x) (@stdlib digamma). */
export function digammaScalar(x: number): number {
  return digamma(x);
}

/** log B(a, b) (@stdlib betaln). */
export function lbetaScalar(a: number, b: number): number {
  return betaln(a, b);
}

const EPS = 1e-15;
const MAX_ITERATIONS = 100000;

/**
 * Above this shape @stdlib's gammainc is wrong near the mode (gammainc(2000, 2000) = 0.4941, the truth is
 * 0.5030: see the package README), so larger shapes use the series / continued fraction below.
 */
const STDLIB_GAMMAINC_MAX_SHAPE = 500;

/** Regularized lower incomplete gamma P(a, x). */
export function regularizedGammaP(a: number, x: number): number {
  if (x <= 0) return 0;
  if (!Number.isFinite(x)) return 1;
  if (a <= STDLIB_GAMMAINC_MAX_SHAPE) return gammainc(x, a, true, false);
  return incompleteGammaPQ(a, x).p;
}

/** Regularized upper incomplete gamma Q(a, x) = 1 − P(a, x), without the cancellation in the upper tail. */
export function regularizedGammaQ(a: number, x: number): number {
  if (x <= 0) return 1;
  if (!Number.isFinite(x)) return 0;
  if (a <= STDLIB_GAMMAINC_MAX_SHAPE) return gammainc(x, a, true, true);
  return incompleteGammaPQ(a, x).q;
}

/**
 * x with P(a, x) = p (or Q(a, x) = 1 − p above the median, where 1 − p is exact): @stdlib gammaincinv,
 * polished by Newton steps on our P/Q for shapes where @stdlib's own gammainc is off.
 */
export function gammaQuantileScalar(p: number, a: number): number {
  if (p <= 0) return 0;
  if (p >= 1) return Infinity;
  const upper = p > 0.5;
  const target = upper ? 1 - p : p;
  let x = gammaincinv(target, a, upper);
  if (a <= STDLIB_GAMMAINC_MAX_SHAPE) return x;
  for (let i = 0; i < 20 && x > 0 && Number.isFinite(x); i++) {
    const density = Math.exp((a - 1) * Math.log(x) - x - gammaln(a));
    const miss = upper ? target - regularizedGammaQ(a, x) : regularizedGammaP(a, x) - target;
    const step = miss / density;
    x -= step;
    if (Math.abs(step) <= 1e-15 * x) break;
  }
  return x;
}

/** P and Q (Numerical Recipes §6.2): the series gives P below x = a + 1, Lentz's continued fraction Q above. */
function incompleteGammaPQ(a: number, x: number): { p: number; q: number } {
  const logPrefactor = a * Math.log(x) - x - gammaln(a);
  if (x < a + 1) {
    let term = 1 / a;
    let sum = term;
    for (let n = 1; n < MAX_ITERATIONS; n++) {
      term *= x / (a + n);
      sum += term;
      if (Math.abs(term) < Math.abs(sum) * EPS) break;
    }
    const p = sum * Math.exp(logPrefactor);
    return { p, q: 1 - p };
  }
  const q = Math.exp(logPrefactor) * gammaContinuedFraction(a, x);
  return { p: 1 - q, q };
}

function gammaContinuedFraction(a: number, x: number): number {
  const tiny = 1e-300;
  let b = x + 1 - a;
  let c = 1 / tiny;
  let d = 1 / b;
  let h = d;
  for (let i = 1; i < MAX_ITERATIONS; i++) {
    const an = -i * (i - a);
    b += 2;
    d = an * d + b;
    if (Math.abs(d) < tiny) d = tiny;
    c = b + an / c;
    if (Math.abs(c) < tiny) c = tiny;
    d = 1 / d;
    const delta = d * c;
    h *= delta;
    if (Math.abs(delta - 1) < EPS) break;
  }
  return h;
}

/**
 * ∂P(a, x)/∂a from the series P = Σₙ x^(a+n) e^(−x) / Γ(a+n+1): each term differentiates to
 * itself times (log x − ψ(a+n+1)); terms are formed in log space so nothing under- or overflows
 * near the bulk of the distribution.
 */
export function regularizedGammaPDerivativeA(a: number, x: number): number {
  if (x <= 0 || !Number.isFinite(x)) return 0;
  const logX = Math.log(x);
  let logTerm = a * logX - x - gammaln(a + 1);
  let psi = digamma(a + 1);
  let sum = 0;
  let peak = -Infinity;
  for (let n = 0; n < MAX_ITERATIONS; n++) {
    const term = Math.exp(logTerm);
    const contribution = term * (logX - psi);
    sum += contribution;
    peak = Math.max(peak, logTerm);
    // Past the peak terms shrink geometrically; stop once they no longer matter.
    if (n > x - a && logTerm < peak - 40) break;
    logTerm += logX - Math.log(a + n + 1);
    psi += 1 / (a + n + 1);
  }
  return sum;
}

/** Regularized incomplete beta I_x(a, b) (@stdlib betainc). */
export function regularizedBeta(x: number, a: number, b: number): number {
  if (x <= 0) return 0;
  if (x >= 1) return 1;
  return libraries.get("betainc")(x, a, b, true, false);
}

/**
 * ∂I_x(a, b)/∂a and ∂/∂b. The continued fraction is accurate to ~1e-15, so a Richardson-extrapolated
 * central difference (error O(h⁴) + ε/h) gives ~1e-10; no closed form exists (Figurnov et al. 2018 §3
 * differentiate the series for the same reason).
 */
export function regularizedBetaDerivatives(x: number, a: number, b: number): { da: number; db: number } {
  if (x <= 0 || x >= 1) return { da: 0, db: 0 };
  const central = (f: (h: number) => number, h: number): number => (f(h) - f(-h)) / (2 * h);
  const richardson = (f: (h: number) => number, h: number): number => (4 * central(f, h / 2) - central(f, h)) / 3;
  const ha = 1e-4 * Math.min(1, a);
  const hb = 1e-4 * Math.min(1, b);
  return {
    da: richardson((h) => regularizedBeta(x, a + h, b), ha),
    db: richardson((h) => regularizedBeta(x, a, b + h), hb),
  };
}

/** Standard normal CDF Φ(z) = ½ erfc(−z/√2). */
export function normalCdfScalar(z: number): number {
  return 0.5 * erfc(-z / Math.SQRT2);
}

/** erfc (@stdlib erfc). */
export function erfcScalar(x: number): number {
  return erfc(x);
}
