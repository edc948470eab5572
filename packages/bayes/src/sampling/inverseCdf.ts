import * as tf from "@tensorflow/tfjs-core";

import { DlError } from "@dl/tensor-core";

import { type SampleShape, broadcastShapes, normalizeSampleShape, openUniform } from "../distributions/distribution.js";

export interface InvertOptions {
  /** Support bounds (default −∞, ∞); finite bounds seed the bracket. */
  lower?: number;
  upper?: number;
  /** Stop when the bracket or step is below this relative size (default 1e-12). */
  tolerance?: number;
  maxIterations?: number;
}

/**
 * x with F(x) = u for a scalar CDF on plain numbers: expand a bracket until it holds u, then
 * Newton steps safeguarded by bisection (a step leaving the bracket, or a zero density, bisects).
 */
export function invertCdfScalar(
  u: number,
  cdf: (x: number) => number,
  pdf: (x: number) => number,
  options: InvertOptions = {},
): number {
  if (!(u > 0 && u < 1)) {
    throw new DlError("INVALID_ARGUMENT", `invertCdfScalar needs 0 < u < 1, got ${u}.`);
  }
  const lowerBound = options.lower ?? -Infinity;
  const upperBound = options.upper ?? Infinity;
  const tolerance = options.tolerance ?? 1e-12;
  let lo = Number.isFinite(lowerBound) ? lowerBound : Math.min(-1, upperBound - 1);
  let hi = Number.isFinite(upperBound) ? upperBound : Math.max(1, lowerBound + 1);
  for (let step = 1; !Number.isFinite(lowerBound) && cdf(lo) > u; step *= 2) lo -= step;
  for (let step = 1; !Number.isFinite(upperBound) && cdf(hi) < u; step *= 2) hi += step;
  let x = 0.5 * (lo + hi);
  const maxIterations = options.maxIterations ?? 200;
  for (let i = 0; i < maxIterations; i++) {
    const f = cdf(x) - u;
    if (f === 0) return x;
    if (f < 0) lo = x;
    else hi = x;
    const p = pdf(x);
    let next = p > 0 ? x - f / p : Number.NaN;
    if (!(next > lo && next < hi)) next = 0.5 * (lo + hi);
    if (Math.abs(next - x) <= tolerance * (1 + Math.abs(x)) || hi - lo <= tolerance * (1 + Math.abs(x))) return next;
    x = next;
  }
  return x;
}

/**
 * A family given by its CDF as differentiable tfjs ops: `cdf(x, params)` elementwise with
 * broadcasting. `icdf` (closed form) is used when present; otherwise the CDF is inverted numerically.
 */
export interface CdfFamily {
  cdf: (x: tf.Tensor, params: readonly tf.Tensor[]) => tf.Tensor;
  /** Log density; defaults to log ∂F/∂x by autodiff. */
  logProb?: (x: tf.Tensor, params: readonly tf.Tensor[]) => tf.Tensor;
  /** Closed-form quantile F⁻¹(u; θ), differentiable in θ. */
  icdf?: (u: tf.Tensor, params: readonly tf.Tensor[]) => tf.Tensor;
  lower?: number;
  upper?: number;
}

export interface InverseCdfSampleOptions {
  /** Newton/bisection iterations of the numeric inversion (default 60). */
  iterations?: number;
  /** Force numeric inversion even when `icdf` is given (to compare both paths). */
  forceNumeric?: boolean;
}

function densityOf(family: CdfFamily, x: tf.Tensor, params: readonly tf.Tensor[]): tf.Tensor {
  if (family.logProb !== undefined) return tf.exp(family.logProb(x, params));
  return tf.grad((xx: tf.Tensor) => family.cdf(xx, params))(x);
}

/** Vectorised safeguarded Newton on float32 tensors; no gradient flows through it. */
function numericInverse(family: CdfFamily, u: tf.Tensor, params: readonly tf.Tensor[], iterations: number): tf.Tensor {
  return tf.tidy(() => {
    const fixed = params.map((p) => tf.broadcastTo(p, u.shape));
    const shape = u.shape;
    const expand = (start: number, dir: 1 | -1): tf.Tensor => {
      // Doubling search for a finite end of the bracket, elementwise.
      let bound = tf.fill(shape, start);
      let step = 1;
      for (let i = 0; i < 64; i++) {
        const f = family.cdf(bound, fixed);
        const outside = dir < 0 ? tf.greater(f, u) : tf.less(f, u);
        if (!tf.any(outside).dataSync()[0]) break;
        bound = tf.where(outside, tf.add(bound, dir * step), bound);
        step *= 2;
      }
      return bound;
    };
    const lowerFinite = Number.isFinite(family.lower ?? -Infinity);
    const upperFinite = Number.isFinite(family.upper ?? Infinity);
    let lo = lowerFinite ? tf.fill(shape, family.lower ?? 0) : expand(upperFinite ? (family.upper ?? 0) - 1 : -1, -1);
    let hi = upperFinite ? tf.fill(shape, family.upper ?? 0) : expand(lowerFinite ? (family.lower ?? 0) + 1 : 1, 1);
    let x = tf.mul(0.5, tf.add(lo, hi));
    for (let i = 0; i < iterations; i++) {
      const next = tf.tidy(() => {
        const f = tf.sub(family.cdf(x, fixed), u);
        const below = tf.less(f, 0);
        const newLo = tf.where(below, x, lo);
        const newHi = tf.where(below, hi, x);
        const p = densityOf(family, x, fixed);
        const newton = tf.sub(x, tf.div(f, p));
        const ok = tf.logicalAnd(tf.logicalAnd(tf.greater(newton, newLo), tf.less(newton, newHi)), tf.isFinite(newton));
        return [newLo, newHi, tf.where(ok, newton, tf.mul(0.5, tf.add(newLo, newHi)))] as const;
      });
      lo.dispose();
      hi.dispose();
      x.dispose();
      [lo, hi, x] = next;
    }
    return x;
  });
}

/** Sums a broadcast gradient back to a parameter's own shape. */
function reduceToShape(g: tf.Tensor, shape: readonly number[]): tf.Tensor {
  const axes = tf.broadcast_util.getReductionAxes([...shape], g.shape);
  const summed = axes.length > 0 ? tf.sum(g, axes) : g;
  return tf.reshape(summed, [...shape]);
}

/**
 * Samples `sampleShape ++ broadcast(params)` values by inverse-CDF sampling, x = F⁻¹(U; θ), with
 * pathwise gradients. Closed-form `icdf` differentiates directly; the numeric inversion
 * differentiates by the implicit function theorem, dx/dθ = −(∂F/∂θ)(x) / p(x).
 */
export function inverseCdfSample(
  family: CdfFamily,
  params: readonly tf.Tensor[],
  sampleShape: SampleShape,
  seed: number,
  options: InverseCdfSampleOptions = {},
): tf.Tensor {
  const batch = broadcastShapes("inverseCdfSample", ...params.map((p) => p.shape));
  const shape = [...normalizeSampleShape(sampleShape), ...batch];
  return tf.tidy(() => {
    const u = openUniform(shape, seed);
    if (family.icdf !== undefined && options.forceNumeric !== true) return family.icdf(u, params);
    const iterations = options.iterations ?? 60;
    // The inversion and ∂F/∂θ run on detached copies: tfjs records no tape inside a customGrad
    // forward pass, and the root-finding iterations must not enter the caller's tape either.
    const detached = params.map((p) => tf.tensor(p.dataSync(), p.shape, p.dtype));
    const x = numericInverse(family, u, detached, iterations);
    const broadcastTheta = detached.map((p) => tf.broadcastTo(p, shape));
    // ∂F/∂θ at the solution, elementwise (F is elementwise in broadcast θ).
    const partials = tf.grads((...ps: tf.Tensor[]) => tf.sum(family.cdf(x, ps)))(broadcastTheta);
    const density = densityOf(family, x, broadcastTheta);
    const pathwise = partials.map((g) => tf.neg(tf.div(g, density)));
    const sampler = tf.customGrad((...args: (tf.Tensor | tf.GradSaveFunc)[]) => {
      const save = args[args.length - 1] as tf.GradSaveFunc;
      const theta = args.slice(0, -1) as tf.Tensor[];
      save(pathwise);
      return {
        value: tf.clone(x),
        gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => saved.map((d, i) => reduceToShape(tf.mul(dy, d), theta[i]?.shape ?? [])),
      };
    });
    return sampler(...params);
  });
}
