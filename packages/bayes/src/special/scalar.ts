// Float64 special functions on plain numbers: references for tests, and the numerics behind
// implicit reparameterization gradients (which run on host values, not tensors).

const LANCZOS_G = 7;
const LANCZOS_COEFFICIENTS = [
  0.99999999999980993, 676.5203681218851, -1259.1392167224028, 771.32342877765313, -176.61502916214059,
  12.507343278686905, -0.13857109526572012, 9.9843695780195716e-6, 1.5056327351493116e-7,
];
const HALF_LOG_TWO_PI = 0.5 * Math.log(2 * Math.PI);

/** log|Γ(x)| by the Lanczos approximation (g = 7, n = 9), reflection for x < 0.5; ~1e-15 relative. */
export function lgammaScalar(x: number): number {
  if (x < 0.5) return Math.log(Math.PI / Math.abs(Math.sin(Math.PI * x))) - lgammaScalar(1 - x);
  const z = x - 1;
  let a = LANCZOS_COEFFICIENTS[0] ?? 0;
  const t = z + LANCZOS_G + 0.5;
  for (let i = 1; i < LANCZOS_COEFFICIENTS.length; i++) a += (LANCZOS_COEFFICIENTS[i] ?? 0) / (z + i);
  return HALF_LOG_TWO_PI + (z + 0.5) * Math.log(t) - t + Math.log(a);
}

/** ψ(x) = d/dx log Γ(x): recurrence up to x ≥ 6, then the asymptotic series (Abramowitz & Stegun 6.3.18). */
export function digammaScalar(x: number): number {
  if (x <= 0 && Number.isInteger(x)) return Number.NaN;
  if (x < 0) return digammaScalar(1 - x) - Math.PI / Math.tan(Math.PI * x);
  let shift = 0;
  while (x < 6) {
    shift -= 1 / x;
    x += 1;
  }
  const inv2 = 1 / (x * x);
  return (
    shift +
    Math.log(x) -
    0.5 / x -
    inv2 * (1 / 12 - inv2 * (1 / 120 - inv2 * (1 / 252 - inv2 * (1 / 240 - inv2 / 132))))
  );
}

/** log B(a, b). */
export function lbetaScalar(a: number, b: number): number {
  return lgammaScalar(a) + lgammaScalar(b) - lgammaScalar(a + b);
}

const EPS = 1e-15;
const MAX_ITERATIONS = 100000;

/** Regularized lower incomplete gamma P(a, x) (Numerical Recipes §6.2: series below a+1, Lentz continued fraction above). */
export function regularizedGammaP(a: number, x: number): number {
  if (x <= 0) return 0;
  if (!Number.isFinite(x)) return 1;
  const logPrefactor = a * Math.log(x) - x - lgammaScalar(a);
  if (x < a + 1) {
    let term = 1 / a;
    let sum = term;
    for (let n = 1; n < MAX_ITERATIONS; n++) {
      term *= x / (a + n);
      sum += term;
      if (Math.abs(term) < Math.abs(sum) * EPS) break;
    }
    return sum * Math.exp(logPrefactor);
  }
  return 1 - Math.exp(logPrefactor) * gammaContinuedFraction(a, x);
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
  let logTerm = a * logX - x - lgammaScalar(a + 1);
  let psi = digammaScalar(a + 1);
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

/** Regularized incomplete beta I_x(a, b) (Numerical Recipes §6.4, Lentz continued fraction). */
export function regularizedBeta(x: number, a: number, b: number): number {
  if (x <= 0) return 0;
  if (x >= 1) return 1;
  const logFront = a * Math.log(x) + b * Math.log1p(-x) - lbetaScalar(a, b);
  if (x < (a + 1) / (a + b + 2)) return (Math.exp(logFront) * betaContinuedFraction(x, a, b)) / a;
  return 1 - (Math.exp(logFront) * betaContinuedFraction(1 - x, b, a)) / b;
}

function betaContinuedFraction(x: number, a: number, b: number): number {
  const tiny = 1e-300;
  const qab = a + b;
  const qap = a + 1;
  const qam = a - 1;
  let c = 1;
  let d = 1 - (qab * x) / qap;
  if (Math.abs(d) < tiny) d = tiny;
  d = 1 / d;
  let h = d;
  for (let m = 1; m < MAX_ITERATIONS; m++) {
    const m2 = 2 * m;
    let aa = (m * (b - m) * x) / ((qam + m2) * (a + m2));
    d = 1 + aa * d;
    if (Math.abs(d) < tiny) d = tiny;
    c = 1 + aa / c;
    if (Math.abs(c) < tiny) c = tiny;
    d = 1 / d;
    h *= d * c;
    aa = (-(a + m) * (qab + m) * x) / ((a + m2) * (qap + m2));
    d = 1 + aa * d;
    if (Math.abs(d) < tiny) d = tiny;
    c = 1 + aa / c;
    if (Math.abs(c) < tiny) c = tiny;
    d = 1 / d;
    const delta = d * c;
    h *= delta;
    if (Math.abs(delta - 1) < EPS) break;
  }
  return h;
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

/** Standard normal CDF Φ(z) via erfc (W. J. Cody's rational approximations through the complementary form). */
export function normalCdfScalar(z: number): number {
  return 0.5 * erfcScalar(-z / Math.SQRT2);
}

/** erfc with ~1e-14 relative accuracy: series for small |x|, continued fraction for large. */
export function erfcScalar(x: number): number {
  if (x < 0) return 2 - erfcScalar(-x);
  if (x < 2) {
    // erf Maclaurin series: 2/√π Σ (−1)ⁿ x^(2n+1) / (n! (2n+1)).
    let term = x;
    let sum = x;
    const x2 = x * x;
    for (let n = 1; n < 200; n++) {
      term *= -x2 / n;
      const add = term / (2 * n + 1);
      sum += add;
      if (Math.abs(add) < 1e-17 * Math.abs(sum)) break;
    }
    return 1 - (2 / Math.sqrt(Math.PI)) * sum;
  }
  // Lentz continued fraction for erfc (A&S 7.1.14).
  const tiny = 1e-300;
  let f = x;
  let c = x;
  let d = 0;
  for (let n = 1; n < 500; n++) {
    const an = n / 2;
    d = x + an * d;
    d = Math.abs(d) < tiny ? 1 / tiny : 1 / d;
    c = x + an / c;
    if (Math.abs(c) < tiny) c = tiny;
    const delta = c * d;
    f *= delta;
    if (Math.abs(delta - 1) < 1e-16) break;
  }
  return Math.exp(-x * x) / (f * Math.sqrt(Math.PI));
}
