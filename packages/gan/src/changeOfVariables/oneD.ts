import * as tf from "@tensorflow/tfjs-core";


import { DlError, createRng, listNames, type RunOptions } from "@dl/tensor-core";

import type { RowDistribution } from "@dl/bayes";
import { parseExpression, type Expression } from "./expression.js";
import { tanhSinhNodes } from "./quadrature.js";
import { expectedAbsDeviation } from "./twoD.js";

/** Built-in maps by name; anything else is parsed as an expression in x. */
export const BUILTIN_MAPS_1D: Readonly<Record<string, string>> = {
  tanh: "tanh(x)",
  sigmoid: "sigmoid(x)",
  cubic: "x^3",
  exp: "exp(x)",
  square: "x^2",
};

export function resolveMap1d(f: string): Expression {
  const text = BUILTIN_MAPS_1D[f.trim()] ?? f;
  if (text.trim() === "") throw new DlError("INVALID_ARGUMENT", `Empty map. Give an expression in x or one of ${listNames(Object.keys(BUILTIN_MAPS_1D))}.`);
  return parseExpression(text, ["x"]);
}

/** The density of y = f(x), x ~ base, by the change-of-variables formula summed over inverse branches. */
export interface Pushforward1D {
  f: string;
  base: string;
  monotone: boolean;
  /** x where f′ changes sign (the ends of the inverse branches). */
  turningPoints: number[];
  /** f at turning points and at zeros of f′: p_y may be infinite there. */
  criticalValues: number[];
  explanation: string;
  /** p_y at the given y values. */
  density(ys: ArrayLike<number>): Float64Array;
  /** All preimages f⁻¹(y) of each y (numeric inversion by bracketing on a grid plus bisection). */
  preimages(y: number): number[];
}

/** Base mass below which a region is numerically irrelevant (grid quadrature over the bulk). */
const NEGLIGIBLE_MASS = 1e-6;

const percent = (mass: number): string => `${(100 * mass).toPrecision(3)} %`;

/**
 * y = f(x) has a density only if f is defined on (almost) all of the base's mass and flat on none
 * of it: a NaN region drops mass silently (sqrt on N(0, 1) loses half), and a flat piece puts a point
 * mass at its value (0·x is a Dirac at 0), which no density describes. Isolated points (1/x at 0,
 * sin(x)/x at 0) have no mass and pass.
 */
function assertDensityExists(expr: Expression, base: RowDistribution, grid: Float64Array, fGrid: Float64Array): void {
  const n = grid.length;
  const h = ((grid[n - 1] as number) - (grid[0] as number)) / (n - 1);
  const weights = Array.from(base.logProb(grid), (lp) => Math.exp(lp) * h);
  let nanMass = 0;
  let nanCount = 0;
  let nanLo = Infinity;
  let nanHi = -Infinity;
  let flatMass = 0;
  let flatLo = Infinity;
  let flatHi = -Infinity;
  let flatValue = Number.NaN;
  for (let i = 0; i < n; i++) {
    const x = grid[i] as number;
    const fx = fGrid[i] as number;
    if (Number.isNaN(fx)) {
      nanMass += weights[i] as number;
      nanCount++;
      nanLo = Math.min(nanLo, x);
      nanHi = Math.max(nanHi, x);
    }
    if (i + 1 < n && Number.isFinite(fx) && fx === fGrid[i + 1]) {
      flatMass += 0.5 * ((weights[i] as number) + (weights[i + 1] as number));
      flatLo = Math.min(flatLo, x);
      flatHi = Math.max(flatHi, grid[i + 1] as number);
      flatValue = fx;
    }
  }
  const at = (v: number): string => String(Number(v.toPrecision(4)));
  if (nanCount >= 2 && nanMass > NEGLIGIBLE_MASS) {
    throw new DlError(
      "INVALID_ARGUMENT",
      `f(x) = ${expr.text} is undefined for x in [${at(nanLo)}, ${at(nanHi)}], which holds about ${percent(nanMass)} of ${base.spec}'s mass, so y = f(x) has no density there. Use a map defined on the whole line (e.g. sqrt(abs(x)), exp(x)) or a base inside its domain.`,
    );
  }
  if (flatMass > NEGLIGIBLE_MASS) {
    throw new DlError(
      "INVALID_ARGUMENT",
      `f(x) = ${expr.text} is constant (f = ${at(flatValue)}) for x in [${at(flatLo)}, ${at(flatHi)}], which holds about ${percent(flatMass)} of ${base.spec}'s mass, so y = f(x) has a point mass there that no density describes. Use a map that is strictly monotone on pieces (e.g. tanh(x), x^3, x^2).`,
    );
  }
}

export interface PushforwardOptions {
  /** Points of the bracketing grid over the base's bulk (default 4001). */
  gridSize?: number;
}

export function pushforward1d(f: Expression | string, base: RowDistribution, opts: PushforwardOptions = {}): Pushforward1D {
  if (base.dim !== 1) throw new DlError("SHAPE_MISMATCH", `The base density must be 1-D for a 1-D map; ${base.spec} has ${base.dim} dimensions.`);
  const expr = typeof f === "string" ? resolveMap1d(f) : f;
  const gridSize = opts.gridSize ?? 4001;
  const [lo, hi] = base.bulk()[0] as [number, number];
  const baseGrid = Float64Array.from({ length: gridSize }, (_, i) => lo + ((hi - lo) * i) / (gridSize - 1));
  const fBase = baseGrid.map((x) => expr.evaluate([x]));
  const slopes = derivative(expr, baseGrid);
  if (!fBase.some(Number.isFinite)) throw new DlError("NON_FINITE", `f(x) = ${expr.text} is not finite anywhere on [${lo}, ${hi}], where ${base.spec} has its mass.`);
  assertDensityExists(expr, base, baseGrid, fBase);

  const turningPoints: number[] = [];
  const criticalValues: number[] = [];
  let lastSigned = -1;
  for (let i = 0; i < gridSize; i++) {
    const s = slopes[i] as number;
    if (s === 0 || !Number.isFinite(s)) continue;
    if (lastSigned >= 0 && (slopes[lastSigned] as number) * s < 0) {
      const x = bisect((x) => derivativeNumber(expr, x), baseGrid[lastSigned] as number, baseGrid[i] as number);
      turningPoints.push(x);
      criticalValues.push(expr.evaluate([x]));
    }
    lastSigned = i;
  }
  // Turning points join the grid, so f is monotone on every cell and each branch is bracketed even
  // for y next to an extremum.
  const grid = Float64Array.from([...baseGrid, ...turningPoints]).sort();
  const fGrid = grid.map((x) => expr.evaluate([x]));
  const fGridSize = grid.length;
  // Zeros of f′ where f keeps its direction (x³ at 0): a local minimum of |f′| near zero.
  const maxSlope = slopes.reduce((m, s) => Math.max(m, Number.isFinite(s) ? Math.abs(s) : 0), 0);
  for (let i = 1; i + 1 < gridSize; i++) {
    const s = Math.abs(slopes[i] as number);
    if (s <= Math.abs(slopes[i - 1] as number) && s < Math.abs(slopes[i + 1] as number) && s < 1e-6 * maxSlope) {
      criticalValues.push(fBase[i] as number);
    }
  }
  const monotone = turningPoints.length === 0;
  const explanation = monotone
    ? `f(x) = ${expr.text} is monotone where ${base.spec} has its mass, so each y has one preimage and p_y(y) = p_x(f⁻¹(y)) / |f′(f⁻¹(y))|; where f is flat (small |f′|) probability piles up.`
    : `f(x) = ${expr.text} is not monotone: it turns at x ≈ ${turningPoints.map((t) => t.toPrecision(4)).join(", ")}, so a y can have ${turningPoints.length + 1} preimages. The change of variables then sums over the inverse branches: p_y(y) = Σ_k p_x(x_k) / |f′(x_k)| over all x_k with f(x_k) = y; p_y is infinite at the turning values ${criticalValues.map((c) => c.toPrecision(4)).join(", ")}.`;

  const preimages = (y: number): number[] => {
    const roots: number[] = [];
    for (let i = 0; i + 1 < fGridSize; i++) {
      const a = (fGrid[i] as number) - y;
      const b = (fGrid[i + 1] as number) - y;
      if (!Number.isFinite(a) || !Number.isFinite(b)) continue;
      if (a === 0) roots.push(grid[i] as number);
      else if (a * b < 0) roots.push(bisect((x) => expr.evaluate([x]) - y, grid[i] as number, grid[i + 1] as number));
    }
    if ((fGrid[fGridSize - 1] as number) === y) roots.push(grid[fGridSize - 1] as number);
    return roots;
  };

  const density = (ys: ArrayLike<number>): Float64Array => {
    const owner: number[] = [];
    const roots: number[] = [];
    for (let j = 0; j < ys.length; j++) {
      for (const r of preimages(ys[j] as number)) {
        owner.push(j);
        roots.push(r);
      }
    }
    const out = new Float64Array(ys.length);
    if (roots.length === 0) return out;
    const slope = derivative(expr, Float64Array.from(roots));
    const logPx = base.logProb(roots);
    for (let k = 0; k < roots.length; k++) {
      // p_y(y) = Σ p_x(x_k) |f′(x_k)|⁻¹ (change of variables, summed over branches).
      const term = Math.exp((logPx[k] as number) - Math.log(Math.abs(slope[k] as number)));
      const j = owner[k] as number;
      if (Number.isFinite(term)) out[j] = (out[j] as number) + term;
    }
    return out;
  };

  return { f: expr.text, base: base.spec, monotone, turningPoints, criticalValues, explanation, density, preimages };
}

/** f′ at each x by tfjs autodiff (the map is elementwise, so ∂Σf/∂x_i = f′(x_i)). */
export function derivative(expr: Expression, xs: ArrayLike<number>): Float64Array {
  const values = tf.tidy(() => {
    const x = tf.tensor1d(Float32Array.from(xs));
    const grad = tf.grad((v: tf.Tensor) => tf.sum(expr.evaluateTensor([v])));
    return grad(x).dataSync();
  });
  return Float64Array.from(values);
}

function derivativeNumber(expr: Expression, x: number): number {
  // Central difference in float64, used only to locate turning points precisely.
  const h = 1e-6 * Math.max(1, Math.abs(x));
  return (expr.evaluate([x + h]) - expr.evaluate([x - h])) / (2 * h);
}

function bisect(g: (x: number) => number, a: number, b: number): number {
  let ga = g(a);
  for (let i = 0; i < 80 && b - a > 1e-15 * Math.max(1, Math.abs(a)); i++) {
    const m = 0.5 * (a + b);
    const gm = g(m);
    if (gm === 0) return m;
    if (ga * gm < 0) b = m;
    else {
      a = m;
      ga = gm;
    }
  }
  return 0.5 * (a + b);
}

export interface ChangeOfVariablesOptions extends RunOptions, PushforwardOptions {
  /** Samples pushed through f for the histogram (default 1e5). */
  samples?: number;
  bins?: number;
  /** Points of the analytic curve (default 400). */
  curvePoints?: number;
}

export interface ChangeOfVariables1DResult {
  f: string;
  base: string;
  monotone: boolean;
  turningPoints: number[];
  explanation: string;
  /** Analytic p_y on a grid over the histogram's range. */
  curve: { y: Float64Array; density: Float64Array };
  /** Histogram of f(x) for x ~ base: bin edges, densities (count / (N · width)) and counts. */
  histogram: { edges: Float64Array; density: Float64Array; counts: Int32Array };
  samples: number;
  /** Σ_bins |sample share − ∫_bin p_y| plus the same for the mass outside the range. */
  l1: number;
  /** E[l1] from sampling alone if p_y is right: Σ_b √(2 P_b (1 − P_b) / (π N)). */
  samplingL1: number;
}

/** Pushes samples through f and compares their histogram with the analytic p_y. */
export function changeOfVariables1d(f: string | Expression, base: RowDistribution, opts: ChangeOfVariablesOptions = {}): ChangeOfVariables1DResult {
  const expr = typeof f === "string" ? resolveMap1d(f) : f;
  const push = pushforward1d(expr, base, opts);
  const n = opts.samples ?? 100_000;
  const bins = opts.bins ?? 40;
  const rng = createRng(opts.seed);
  const xs = base.sample(n, rng);
  const ys = tf.tidy(() => expr.evaluateTensor([tf.tensor1d(Float32Array.from(xs))]).dataSync());
  const finite = Float64Array.from(ys).filter(Number.isFinite).sort();
  if (finite.length < n / 2) throw new DlError("NON_FINITE", `f(x) = ${expr.text} is undefined for most samples of ${base.spec}; choose a map defined on the base's support.`);
  const lo = finite[Math.floor(0.0005 * (finite.length - 1))] as number;
  const hi = finite[Math.ceil(0.9995 * (finite.length - 1))] as number;
  const width = (hi - lo) / bins;
  const edges = Float64Array.from({ length: bins + 1 }, (_, i) => lo + i * width);
  const counts = new Int32Array(bins);
  let outside = 0;
  for (const y of ys) {
    if (!(y >= lo && y <= hi)) {
      outside++;
      continue;
    }
    const b = Math.min(bins - 1, Math.floor((y - lo) / width));
    counts[b] = (counts[b] as number) + 1;
  }
  opts.onProgress?.({ phase: "integrate p_y", step: 0, total: bins });
  let l1 = 0;
  let inside = 0;
  let samplingL1 = 0;
  for (let b = 0; b < bins; b++) {
    const mass = integrate(push, edges[b] as number, edges[b + 1] as number);
    inside += mass;
    l1 += Math.abs((counts[b] as number) / n - mass);
    samplingL1 += expectedAbsDeviation(mass, n);
  }
  l1 += Math.abs(outside / n - Math.max(0, 1 - inside));
  opts.onProgress?.({ phase: "integrate p_y", step: bins, total: bins });
  const curvePoints = opts.curvePoints ?? 400;
  const cy = Float64Array.from({ length: curvePoints }, (_, i) => lo + ((hi - lo) * (i + 0.5)) / curvePoints);
  return {
    f: expr.text,
    base: base.spec,
    monotone: push.monotone,
    turningPoints: push.turningPoints,
    explanation: push.explanation,
    curve: { y: cy, density: push.density(cy) },
    histogram: { edges, density: Float64Array.from(counts, (c) => c / (n * width)), counts },
    samples: n,
    l1,
    samplingL1,
  };
}

/** ∫_a^b p_y, split at critical values (where p_y may be infinite) so each piece has singularities only at its ends. */
export function integrate(push: Pushforward1D, a: number, b: number): number {
  const cuts = [a, ...push.criticalValues.filter((c) => c > a && c < b).sort((u, v) => u - v), b];
  let total = 0;
  for (let i = 0; i + 1 < cuts.length; i++) {
    const { x, w } = tanhSinhNodes(cuts[i] as number, cuts[i + 1] as number);
    const d = push.density(x);
    for (let k = 0; k < x.length; k++) total += (w[k] as number) * (d[k] as number);
  }
  return total;
}
