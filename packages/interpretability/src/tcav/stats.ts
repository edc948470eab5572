// Significance tests, multiple-testing corrections and effect sizes for TCAV scores (pure TS).
// Installs how @stdlib's distributions load on this platform (Node: on first use; browser: with the bundle).
import "#tcavLibraries";

import { DlError, assertArgument, createRng, listNames } from "@dl/tensor-core";

import { libraries } from "./libraries.js";

/** Which tail a test looks at: `greater` asks "is the statistic larger than under the null?". */
export type Alternative = "greater" | "less" | "two-sided";
export const ALTERNATIVES: readonly Alternative[] = ["greater", "less", "two-sided"];

export type Correction = "none" | "bonferroni" | "holm" | "bh";
export const CORRECTIONS: readonly Correction[] = ["none", "bonferroni", "holm", "bh"];

export interface TTestResult {
  /** The t statistic. */
  statistic: number;
  /** Degrees of freedom (Welch–Satterthwaite for the two-sample test). */
  df: number;
  pValue: number;
  /** Estimated mean (one-sample) or difference of means a − b (two-sample). */
  estimate: number;
  /** Standard error of `estimate`. */
  standardError: number;
}

export interface ConfidenceInterval {
  estimate: number;
  lower: number;
  upper: number;
  /** Coverage, e.g. 0.95. */
  level: number;
}

export function mean(xs: ArrayLike<number>): number {
  assertArgument(xs.length > 0, "The mean of an empty sample is undefined; pass at least one value.");
  let s = 0;
  for (let i = 0; i < xs.length; i++) s += xs[i] as number;
  return s / xs.length;
}

/** Unbiased sample variance (divisor n − 1). */
export function variance(xs: ArrayLike<number>): number {
  assertArgument(xs.length > 1, () => `A sample variance needs at least 2 values, got ${xs.length}.`);
  const m = mean(xs);
  let s = 0;
  for (let i = 0; i < xs.length; i++) {
    const d = (xs[i] as number) - m;
    s += d * d;
  }
  return s / (xs.length - 1);
}

export function standardDeviation(xs: ArrayLike<number>): number {
  return Math.sqrt(variance(xs));
}

function assertAlternative(alternative: Alternative): void {
  if (!ALTERNATIVES.includes(alternative)) {
    throw new DlError("INVALID_ARGUMENT", `Unknown alternative "${String(alternative)}"; use ${listNames(ALTERNATIVES)}.`);
  }
}

function assertFinite(xs: ArrayLike<number>, what: string): void {
  for (let i = 0; i < xs.length; i++) {
    if (!Number.isFinite(xs[i])) throw new DlError("NON_FINITE", `${what} holds a non-finite value at index ${i}; remove NaN/Infinity first.`);
  }
}

/** A secondary statistic that orders null draws tied with the observation on the primary one. */
export interface TieBreak {
  observed: number;
  nullSample: ArrayLike<number>;
}

/**
 * Empirical p-value of `observed` against a sample from the null distribution, with the +1
 * correction that keeps it valid (never 0): (1 + #{null ≥ observed}) / (n + 1) for `greater`
 * (Phipson & Smyth 2010, eq. 2). `two-sided` doubles the smaller tail, capped at 1. With `tieBreak`,
 * draws equal on the primary statistic are compared on the secondary one (lexicographic order), which
 * keeps the test exact under exchangeability and restores power when the primary statistic saturates.
 */
export function empiricalPValue(observed: number, nullSample: ArrayLike<number>, alternative: Alternative = "greater", tieBreak?: TieBreak): number {
  assertAlternative(alternative);
  assertArgument(nullSample.length > 0, "An empirical p-value needs at least one null draw.");
  assertArgument(Number.isFinite(observed), () => `The observed statistic must be finite, got ${observed}.`);
  assertFinite(nullSample, "The null sample");
  if (tieBreak !== undefined) {
    assertArgument(tieBreak.nullSample.length === nullSample.length, () => `The tie-break sample has ${tieBreak.nullSample.length} values but the null sample ${nullSample.length}; give one per null draw.`);
    assertFinite(tieBreak.nullSample, "The tie-break sample");
  }
  let atLeast = 0;
  let atMost = 0;
  for (let i = 0; i < nullSample.length; i++) {
    const v = nullSample[i] as number;
    if (v === observed && tieBreak !== undefined) {
      const t = tieBreak.nullSample[i] as number;
      if (t >= tieBreak.observed) atLeast++;
      if (t <= tieBreak.observed) atMost++;
      continue;
    }
    if (v >= observed) atLeast++;
    if (v <= observed) atMost++;
  }
  const n = nullSample.length;
  const upper = (1 + atLeast) / (n + 1);
  const lower = (1 + atMost) / (n + 1);
  switch (alternative) {
    case "greater":
      return upper;
    case "less":
      return lower;
    case "two-sided":
      return Math.min(1, 2 * Math.min(upper, lower));
  }
}

/** p-value of a t statistic; tails computed through symmetry so tiny p-values keep precision. */
function tPValue(t: number, df: number, alternative: Alternative): number {
  if (Number.isNaN(t)) return 1;
  const tCdf = libraries.get("tCdf");
  switch (alternative) {
    case "greater":
      return tCdf(-t, df);
    case "less":
      return tCdf(t, df);
    case "two-sided":
      return Math.min(1, 2 * tCdf(-Math.abs(t), df));
  }
}

/**
 * One-sample t-test of H0: mean = mu0 — the test of Kim et al. 2018 (§3.3) applied to TCAV scores
 * across runs with mu0 = 0.5. A sample with zero spread gives t = ±∞ (p = 0) or NaN (p = 1) when it
 * sits exactly at mu0.
 */
export function oneSampleTTest(sample: ArrayLike<number>, mu0: number, alternative: Alternative = "two-sided"): TTestResult {
  assertAlternative(alternative);
  assertArgument(sample.length >= 2, () => `A one-sample t-test needs at least 2 values, got ${sample.length}.`);
  assertFinite(sample, "The sample");
  const n = sample.length;
  const m = mean(sample);
  const se = Math.sqrt(variance(sample) / n);
  const diff = m - mu0;
  const statistic = se === 0 ? (diff === 0 ? Number.NaN : Math.sign(diff) * Number.POSITIVE_INFINITY) : diff / se;
  return { statistic, df: n - 1, pValue: tPValue(statistic, n - 1, alternative), estimate: m, standardError: se };
}

/**
 * Welch's two-sample t-test of H0: mean(a) = mean(b) with unequal variances; df by the
 * Welch–Satterthwaite formula: (va/na + vb/nb)² / ((va/na)²/(na−1) + (vb/nb)²/(nb−1)).
 */
export function welchTTest(a: ArrayLike<number>, b: ArrayLike<number>, alternative: Alternative = "two-sided"): TTestResult {
  assertAlternative(alternative);
  assertArgument(a.length >= 2 && b.length >= 2, () => `Welch's t-test needs at least 2 values per sample, got ${a.length} and ${b.length}.`);
  assertFinite(a, "The first sample");
  assertFinite(b, "The second sample");
  const qa = variance(a) / a.length;
  const qb = variance(b) / b.length;
  const se = Math.sqrt(qa + qb);
  const diff = mean(a) - mean(b);
  const df = se === 0 ? a.length + b.length - 2 : (qa + qb) ** 2 / ((qa * qa) / (a.length - 1) + (qb * qb) / (b.length - 1));
  const statistic = se === 0 ? (diff === 0 ? Number.NaN : Math.sign(diff) * Number.POSITIVE_INFINITY) : diff / se;
  return { statistic, df, pValue: tPValue(statistic, df, alternative), estimate: diff, standardError: se };
}

/** Exact binomial tail P(X ≥ k) for X ~ Binomial(n, p): the p-value of "k successes is too many". */
export function binomialUpperTail(k: number, n: number, p: number): number {
  assertArgument(Number.isInteger(k) && Number.isInteger(n) && n >= 0, () => `binomialUpperTail needs integers k and n ≥ 0, got k=${k}, n=${n}.`);
  assertArgument(p >= 0 && p <= 1, () => `A probability must lie in [0, 1], got ${p}.`);
  if (k <= 0) return 1;
  if (k > n) return 0;
  return 1 - libraries.get("binomialCdf")(k - 1, n, p);
}

/**
 * The largest count of rejections out of `n` tests at level `alpha` that is still consistent with
 * a true rate ≤ alpha: the smallest k with P(X ≥ k+1) ≤ 1 − confidence, X ~ Binomial(n, alpha).
 */
export function binomialUpperMargin(n: number, alpha: number, confidence = 0.99): number {
  for (let k = 0; k <= n; k++) {
    if (binomialUpperTail(k + 1, n, alpha) <= 1 - confidence) return k;
  }
  return n;
}

export interface CorrectionResult {
  /** Adjusted p-values, in the input order (monotone as in R's p.adjust). */
  adjusted: Float64Array;
  /** adjusted ≤ alpha. */
  significant: boolean[];
}

/**
 * Adjusted p-values for a family of tests: Bonferroni (m·p), Holm's step-down (Holm 1979) or
 * Benjamini–Hochberg's step-up FDR control (BH 1995); identical to R's `p.adjust`.
 */
export function adjustPValues(pValues: ArrayLike<number>, correction: Correction): Float64Array {
  if (!CORRECTIONS.includes(correction)) {
    throw new DlError("INVALID_ARGUMENT", `Unknown correction "${String(correction)}"; use ${listNames(CORRECTIONS)}.`);
  }
  const m = pValues.length;
  for (let i = 0; i < m; i++) {
    const p = pValues[i] as number;
    if (!(p >= 0 && p <= 1)) throw new DlError("INVALID_ARGUMENT", `p-value ${i} is ${p}; p-values must lie in [0, 1].`);
  }
  const out = new Float64Array(m);
  if (m === 0) return out;
  const order = Array.from({ length: m }, (_, i) => i).sort((i, j) => (pValues[i] as number) - (pValues[j] as number));
  switch (correction) {
    case "none":
      for (let i = 0; i < m; i++) out[i] = pValues[i] as number;
      return out;
    case "bonferroni":
      for (let i = 0; i < m; i++) out[i] = Math.min(1, m * (pValues[i] as number));
      return out;
    case "holm": {
      // Step-down: adjusted p_(i) = max_{j ≤ i} min(1, (m − j + 1) p_(j)).
      let running = 0;
      order.forEach((idx, rank) => {
        running = Math.max(running, Math.min(1, (m - rank) * (pValues[idx] as number)));
        out[idx] = running;
      });
      return out;
    }
    case "bh": {
      // Step-up: adjusted p_(i) = min_{j ≥ i} min(1, m p_(j) / j).
      let running = 1;
      for (let rank = m - 1; rank >= 0; rank--) {
        const idx = order[rank] as number;
        running = Math.min(running, Math.min(1, (m * (pValues[idx] as number)) / (rank + 1)));
        out[idx] = running;
      }
      return out;
    }
  }
}

/** Adjusts and decides at level `alpha`. */
export function correctPValues(pValues: ArrayLike<number>, correction: Correction, alpha: number): CorrectionResult {
  assertArgument(alpha > 0 && alpha < 1, () => `alpha must lie in (0, 1), got ${alpha}.`);
  const adjusted = adjustPValues(pValues, correction);
  return { adjusted, significant: Array.from(adjusted, (p) => p <= alpha) };
}

/** Cohen's d with the pooled standard deviation: (mean a − mean b) / s_pooled. */
export function cohensD(a: ArrayLike<number>, b: ArrayLike<number>): number {
  assertArgument(a.length >= 2 && b.length >= 2, "Cohen's d needs at least 2 values per sample.");
  const pooled = ((a.length - 1) * variance(a) + (b.length - 1) * variance(b)) / (a.length + b.length - 2);
  const diff = mean(a) - mean(b);
  if (pooled === 0) return diff === 0 ? 0 : Math.sign(diff) * Number.POSITIVE_INFINITY;
  return diff / Math.sqrt(pooled);
}

/** Welch confidence interval for mean(a) − mean(b): diff ± t_{1−(1−level)/2, df} · se. */
export function meanDifferenceCI(a: ArrayLike<number>, b: ArrayLike<number>, level = 0.95): ConfidenceInterval {
  assertArgument(level > 0 && level < 1, () => `A confidence level must lie in (0, 1), got ${level}.`);
  const test = welchTTest(a, b);
  const half = test.standardError === 0 ? 0 : libraries.get("tQuantile")(1 - (1 - level) / 2, test.df) * test.standardError;
  return { estimate: test.estimate, lower: test.estimate - half, upper: test.estimate + half, level };
}

/** Percentile-bootstrap interval for mean(a) − mean(b), resampling each group independently. */
export function bootstrapMeanDifferenceCI(
  a: ArrayLike<number>,
  b: ArrayLike<number>,
  options: { level?: number; resamples?: number; seed?: number } = {},
): ConfidenceInterval {
  const level = options.level ?? 0.95;
  const resamples = options.resamples ?? 2000;
  assertArgument(level > 0 && level < 1, () => `A confidence level must lie in (0, 1), got ${level}.`);
  assertArgument(Number.isInteger(resamples) && resamples >= 100, () => `Use at least 100 bootstrap resamples, got ${resamples}.`);
  assertArgument(a.length >= 1 && b.length >= 1, "Both samples need at least one value.");
  const rng = createRng(options.seed);
  const diffs = new Float64Array(resamples);
  for (let r = 0; r < resamples; r++) {
    let sa = 0;
    for (let i = 0; i < a.length; i++) sa += a[rng.int(a.length)] as number;
    let sb = 0;
    for (let i = 0; i < b.length; i++) sb += b[rng.int(b.length)] as number;
    diffs[r] = sa / a.length - sb / b.length;
  }
  diffs.sort();
  return { estimate: mean(a) - mean(b), lower: quantileSorted(diffs, (1 - level) / 2), upper: quantileSorted(diffs, 1 - (1 - level) / 2), level };
}

/** Linear-interpolation quantile (type 7, numpy's default) of a sorted array. */
export function quantileSorted(sorted: ArrayLike<number>, q: number): number {
  assertArgument(sorted.length > 0 && q >= 0 && q <= 1, "quantileSorted needs a non-empty sample and q in [0, 1].");
  const pos = q * (sorted.length - 1);
  const lo = Math.floor(pos);
  const hi = Math.min(sorted.length - 1, lo + 1);
  const frac = pos - lo;
  return (sorted[lo] as number) * (1 - frac) + (sorted[hi] as number) * frac;
}
