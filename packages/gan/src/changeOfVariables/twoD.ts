import * as tf from "@tensorflow/tfjs-core";


import { DlError, createRng, listNames, type RunOptions } from "@dl/tensor-core";

import type { RowDistribution } from "@dl/bayes";
import { parseExpression, type Expression } from "./expression.js";

/** Built-in invertible 2-D maps (x1, x2) ↦ (y1, y2). */
export const BUILTIN_MAPS_2D: Readonly<Record<string, readonly [string, string]>> = {
  // Triangular, so invertible whenever each diagonal entry of the Jacobian keeps its sign.
  banana: ["0.5*x1 + 0.2*x1^3", "exp(0.3*x1) * x2 + 0.5*x1^2"],
  tanh: ["tanh(x1)", "tanh(x2)"],
  shear: ["x1 + 0.5*tanh(x2)", "x2"],
};

export interface Map2D {
  y1: Expression;
  y2: Expression;
}

/** A 2-D map from a built-in name, a pair of expressions in x1, x2, or the two written as one string "E1; E2". */
export function resolveMap2d(f: string | readonly [string, string]): Map2D {
  const parts = typeof f === "string" ? f.split(";").map((s) => s.trim()) : [];
  const pair = typeof f !== "string" ? f : parts.length === 2 ? ([parts[0] ?? "", parts[1] ?? ""] as const) : BUILTIN_MAPS_2D[f.trim()];
  if (pair === undefined) {
    throw new DlError("INVALID_ARGUMENT", `Unknown 2-D map "${String(f)}". Give two expressions in x1, x2 or one of ${listNames(Object.keys(BUILTIN_MAPS_2D))}.`);
  }
  return { y1: parseExpression(pair[0], ["x1", "x2"]), y2: parseExpression(pair[1], ["x1", "x2"]) };
}

/** f and its Jacobian determinant at n points (n × 2), by tfjs autodiff. */
export function jacobian2d(map: Map2D, points: ArrayLike<number>): { y: Float64Array; jacobian: Float64Array; logAbsDet: Float64Array } {
  const n = Math.floor(points.length / 2);
  const x1 = Float32Array.from({ length: n }, (_, i) => points[2 * i] as number);
  const x2 = Float32Array.from({ length: n }, (_, i) => points[2 * i + 1] as number);
  const [y1, y2, g1, g2] = tf.tidy(() => {
    const a = tf.tensor1d(x1);
    const b = tf.tensor1d(x2);
    // The zero term keeps a gradient path to both inputs when a component ignores one of them.
    const path = (u: tf.Tensor, v: tf.Tensor): tf.Tensor => tf.mul(tf.add(u, v), 0);
    const f1 = (u: tf.Tensor, v: tf.Tensor): tf.Tensor => tf.sum(tf.add(map.y1.evaluateTensor([u, v]), path(u, v)));
    const f2 = (u: tf.Tensor, v: tf.Tensor): tf.Tensor => tf.sum(tf.add(map.y2.evaluateTensor([u, v]), path(u, v)));
    const grad1 = tf.grads(f1)([a, b]);
    const grad2 = tf.grads(f2)([a, b]);
    return [
      tf.add(map.y1.evaluateTensor([a, b]), tf.zerosLike(a)).dataSync(),
      tf.add(map.y2.evaluateTensor([a, b]), tf.zerosLike(a)).dataSync(),
      tf.stack(grad1.map((g) => tf.add(g, tf.zerosLike(a))), 1).dataSync(),
      tf.stack(grad2.map((g) => tf.add(g, tf.zerosLike(a))), 1).dataSync(),
    ];
  });
  const y = new Float64Array(2 * n);
  const jacobian = new Float64Array(4 * n);
  const logAbsDet = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    y[2 * i] = y1?.[i] ?? Number.NaN;
    y[2 * i + 1] = y2?.[i] ?? Number.NaN;
    const j11 = g1?.[2 * i] ?? Number.NaN;
    const j12 = g1?.[2 * i + 1] ?? Number.NaN;
    const j21 = g2?.[2 * i] ?? Number.NaN;
    const j22 = g2?.[2 * i + 1] ?? Number.NaN;
    jacobian.set([j11, j12, j21, j22], 4 * i);
    logAbsDet[i] = Math.log(Math.abs(j11 * j22 - j12 * j21));
  }
  return { y, jacobian, logAbsDet };
}

/**
 * Inverts y = f(x) for n points by Newton's method with the autodiff Jacobian, started from the
 * nearest image of a coarse x grid. Returns x (n × 2) and whether each point converged.
 */
export function invert2d(map: Map2D, base: RowDistribution, ys: ArrayLike<number>, iterations = 40): { x: Float64Array; converged: Uint8Array } {
  const n = Math.floor(ys.length / 2);
  const [[lo1, hi1], [lo2, hi2]] = base.bulk() as [[number, number], [number, number]];
  const g = 60;
  const gridPts = new Float64Array(2 * g * g);
  for (let i = 0; i < g; i++) {
    for (let j = 0; j < g; j++) {
      gridPts[2 * (i * g + j)] = lo1 + ((hi1 - lo1) * i) / (g - 1);
      gridPts[2 * (i * g + j) + 1] = lo2 + ((hi2 - lo2) * j) / (g - 1);
    }
  }
  const gridY = new Float64Array(2 * g * g);
  for (let k = 0; k < g * g; k++) {
    gridY[2 * k] = map.y1.evaluate([gridPts[2 * k] as number, gridPts[2 * k + 1] as number]);
    gridY[2 * k + 1] = map.y2.evaluate([gridPts[2 * k] as number, gridPts[2 * k + 1] as number]);
  }
  const x = new Float64Array(2 * n);
  for (let i = 0; i < n; i++) {
    let best = 0;
    let bestD = Infinity;
    for (let k = 0; k < g * g; k++) {
      const d = ((gridY[2 * k] as number) - (ys[2 * i] as number)) ** 2 + ((gridY[2 * k + 1] as number) - (ys[2 * i + 1] as number)) ** 2;
      if (d < bestD) {
        bestD = d;
        best = k;
      }
    }
    x[2 * i] = gridPts[2 * best] as number;
    x[2 * i + 1] = gridPts[2 * best + 1] as number;
  }
  const converged = new Uint8Array(n);
  for (let it = 0; it < iterations && !converged.every((c) => c === 1); it++) {
    const { jacobian } = jacobian2d(map, x);
    for (let i = 0; i < n; i++) {
      const x1 = x[2 * i] as number;
      const x2 = x[2 * i + 1] as number;
      // Residual in float64 (the tfjs Jacobian is float32, which only slows the last digits).
      const r1 = map.y1.evaluate([x1, x2]) - (ys[2 * i] as number);
      const r2 = map.y2.evaluate([x1, x2]) - (ys[2 * i + 1] as number);
      const [a, b, c, d] = [jacobian[4 * i] as number, jacobian[4 * i + 1] as number, jacobian[4 * i + 2] as number, jacobian[4 * i + 3] as number];
      const det = a * d - b * c;
      if (!Number.isFinite(det) || det === 0) continue;
      const dx1 = (d * r1 - b * r2) / det;
      const dx2 = (-c * r1 + a * r2) / det;
      x[2 * i] = x1 - dx1;
      x[2 * i + 1] = x2 - dx2;
      converged[i] = Math.hypot(r1, r2) < 1e-11 * (1 + Math.hypot(ys[2 * i] as number, ys[2 * i + 1] as number)) ? 1 : 0;
    }
  }
  return { x, converged };
}

/** p_y(y) = p_x(f⁻¹(y)) / |det J_f(f⁻¹(y))| for an invertible 2-D map. */
export function pushforwardDensity2d(map: Map2D, base: RowDistribution, ys: ArrayLike<number>): Float64Array {
  if (base.dim !== 2) throw new DlError("SHAPE_MISMATCH", `The base density must be 2-D for a 2-D map; ${base.spec} has ${base.dim} dimensions.`);
  const { x } = invert2d(map, base, ys);
  const { logAbsDet, y } = jacobian2d(map, x);
  const logPx = base.logProb(x);
  return Float64Array.from(logPx, (lp, i) => {
    // A point off the image of f (Newton failed) has density 0.
    const miss = Math.hypot((y[2 * i] as number) - (ys[2 * i] as number), (y[2 * i + 1] as number) - (ys[2 * i + 1] as number));
    return miss > 1e-3 ? 0 : Math.exp(lp - (logAbsDet[i] as number));
  });
}

export interface ChangeOfVariables2DResult {
  f: [string, string];
  base: string;
  /** Bin edges along y1 and y2, and histogram densities (bins × bins, row = y1 bin). */
  histogram: { edges1: Float64Array; edges2: Float64Array; density: Float64Array; counts: Int32Array };
  /** Analytic p_y at bin centres. */
  analytic: Float64Array;
  samples: number;
  /** Σ_bins |sample share − ∫_bin p_y| + the same for the mass outside the histogram. */
  l1: number;
  /** E[l1] from sampling alone if p_y is right: Σ_b √(2 P_b (1 − P_b) / (π N)). */
  samplingL1: number;
}

/** Pushes 2-D samples through f and compares their 2-D histogram with the analytic density. */
export function changeOfVariables2d(f: string | readonly [string, string] | Map2D, base: RowDistribution, opts: RunOptions & { samples?: number; bins?: number } = {}): ChangeOfVariables2DResult {
  const map = typeof f === "object" && "y1" in f ? f : resolveMap2d(f);
  const n = opts.samples ?? 100_000;
  const bins = opts.bins ?? 6;
  const rng = createRng(opts.seed);
  const xs = base.sample(n, rng);
  const { y } = jacobian2d(map, xs);
  const range = (d: number): [number, number] => {
    const v = Float64Array.from({ length: n }, (_, i) => y[2 * i + d] as number).sort();
    return [v[Math.floor(0.001 * (n - 1))] as number, v[Math.ceil(0.999 * (n - 1))] as number];
  };
  const [a1, b1] = range(0);
  const [a2, b2] = range(1);
  const w1 = (b1 - a1) / bins;
  const w2 = (b2 - a2) / bins;
  const counts = new Int32Array(bins * bins);
  let outside = 0;
  for (let i = 0; i < n; i++) {
    const u = y[2 * i] as number;
    const v = y[2 * i + 1] as number;
    if (!(u >= a1 && u <= b1 && v >= a2 && v <= b2)) {
      outside++;
      continue;
    }
    const b = Math.min(bins - 1, Math.floor((u - a1) / w1)) * bins + Math.min(bins - 1, Math.floor((v - a2) / w2));
    counts[b] = (counts[b] as number) + 1;
  }
  // ∫_bin p_y by 6×6 Gauss–Legendre on each of `sub`² sub-cells of a bin (edge bins of tanh are steep).
  const gl = [-0.9324695142, -0.6612093865, -0.2386191861, 0.2386191861, 0.6612093865, 0.9324695142];
  const glw = [0.1713244924, 0.360761573, 0.4679139346, 0.4679139346, 0.360761573, 0.1713244924];
  const sub = 2;
  const nodes: number[] = [];
  const weights: number[] = [];
  for (let c = 0; c < sub; c++) {
    gl.forEach((s, i) => {
      nodes.push((c + 0.5 + 0.5 * s) / sub);
      weights.push((glw[i] as number) / (2 * sub));
    });
  }
  const q = nodes.length;
  const pts = new Float64Array(2 * bins * bins * q * q);
  let k = 0;
  for (let i = 0; i < bins; i++) {
    for (let j = 0; j < bins; j++) {
      for (const s of nodes) {
        for (const t of nodes) {
          pts[k++] = a1 + w1 * (i + s);
          pts[k++] = a2 + w2 * (j + t);
        }
      }
    }
  }
  const dens = pushforwardDensity2d(map, base, pts);
  const analytic = new Float64Array(bins * bins);
  let l1 = 0;
  let inside = 0;
  let samplingL1 = 0;
  for (let b = 0; b < bins * bins; b++) {
    let mass = 0;
    for (let s = 0; s < q; s++) for (let t = 0; t < q; t++) mass += (weights[s] as number) * (weights[t] as number) * (dens[b * q * q + s * q + t] as number);
    mass *= w1 * w2;
    analytic[b] = mass / (w1 * w2);
    inside += mass;
    l1 += Math.abs((counts[b] as number) / n - mass);
    samplingL1 += expectedAbsDeviation(mass, n);
  }
  l1 += Math.abs(outside / n - Math.max(0, 1 - inside));
  return {
    f: [map.y1.text, map.y2.text],
    base: base.spec,
    histogram: {
      edges1: Float64Array.from({ length: bins + 1 }, (_, i) => a1 + i * w1),
      edges2: Float64Array.from({ length: bins + 1 }, (_, i) => a2 + i * w2),
      density: Float64Array.from(counts, (c) => c / (n * w1 * w2)),
      counts,
    },
    analytic,
    samples: n,
    l1,
    samplingL1,
  };
}

/** Mean |share − P| of a binomial share with n draws (normal approximation). */
export function expectedAbsDeviation(p: number, n: number): number {
  const q = Math.min(Math.max(p, 0), 1);
  return Math.sqrt((2 * q * (1 - q)) / (Math.PI * n));
}
