import * as tf from "@tensorflow/tfjs-core";


import { DlError, createRng, throwIfAborted, type RunOptions } from "@dl/tensor-core";

import type { RowDistribution } from "@dl/bayes";
import { Adam } from "../train/adam.js";
import { buildFeatures, featureCount, type RatioFeatures } from "./features.js";
import { fitLogisticRegression } from "./logisticRegression.js";

export type RatioClassifier = "logistic" | "mlp";

export interface DensityRatioOptions extends RunOptions {
  /** `logistic` (default): Newton-fitted logistic regression on `features`; `mlp`: a small tfjs network. */
  classifier?: RatioClassifier;
  /** Logistic features (default `quadratic`, exact for Gaussian pairs). */
  features?: RatioFeatures;
  /** MLP only: hidden widths (default [32, 32]). */
  hiddenUnits?: readonly number[];
  /** MLP only: full-batch Adam steps (default 1500). */
  steps?: number;
  /** MLP only: Adam learning rate (default 0.01). */
  learningRate?: number;
}

/** An estimate of r(x) = p*(x)/q(x) from a classifier D(x) = P(x came from p* | x). */
export interface DensityRatioEstimate {
  dim: number;
  /** π: the share of training samples that came from p*. */
  prior: number;
  classifier: RatioClassifier;
  /** log r̂(x) at n points (n × dim row-major). */
  logRatio(points: ArrayLike<number>): Float64Array;
  /** The classifier's D(x) at the same points. */
  probability(points: ArrayLike<number>): Float64Array;
}

/**
 * The density-ratio trick: with D(x) = P(p* | x) and π the share of p* samples,
 * r̂(x) = D/(1−D) · (1−π)/π, i.e. log r̂ = logit D + log(1−π) − log π (Sugiyama et al. 2012, §4).
 */
export function logRatioFromLogit(logitD: number, prior: number): number {
  return logitD + Math.log1p(-prior) - Math.log(prior);
}

/**
 * Fits a probabilistic classifier between samples of p* (`pSamples`) and q (`qSamples`), both
 * n × dim row-major, and turns it into a density-ratio estimate. The prior π is the sample share.
 */
export function fitDensityRatio(
  pSamples: ArrayLike<number>,
  qSamples: ArrayLike<number>,
  dim: number,
  opts: DensityRatioOptions = {},
): DensityRatioEstimate {
  if (!Number.isInteger(dim) || dim < 1) throw new DlError("INVALID_ARGUMENT", `dim must be a positive integer, got ${dim}.`);
  if (pSamples.length % dim !== 0 || qSamples.length % dim !== 0) {
    throw new DlError("SHAPE_MISMATCH", `Sample arrays must hold whole rows of ${dim} values; got ${pSamples.length} and ${qSamples.length}.`);
  }
  const nP = pSamples.length / dim;
  const nQ = qSamples.length / dim;
  if (nP < 2 || nQ < 2) throw new DlError("INVALID_ARGUMENT", `Need at least 2 samples from each distribution; got ${nP} from p* and ${nQ} from q.`);
  const n = nP + nQ;
  const prior = nP / n;
  const all = new Float64Array(n * dim);
  for (let i = 0; i < pSamples.length; i++) all[i] = pSamples[i] as number;
  for (let i = 0; i < qSamples.length; i++) all[pSamples.length + i] = qSamples[i] as number;
  for (const v of all) if (!Number.isFinite(v)) throw new DlError("NON_FINITE", "Samples contain NaN or infinity; remove them before estimating a ratio.");
  const labels = new Uint8Array(n);
  labels.fill(1, 0, nP);
  // Standardise so Newton/Adam see well-scaled features; the ratio is unchanged.
  const shift = new Float64Array(dim);
  const scale = new Float64Array(dim);
  for (let d = 0; d < dim; d++) {
    let s = 0;
    let s2 = 0;
    for (let i = 0; i < n; i++) {
      const v = all[i * dim + d] as number;
      s += v;
      s2 += v * v;
    }
    const mean = s / n;
    shift[d] = mean;
    scale[d] = Math.sqrt(Math.max(s2 / n - mean * mean, 1e-24));
  }
  const classifier = opts.classifier ?? "logistic";
  let logit: (points: ArrayLike<number>) => Float64Array;
  if (classifier === "logistic") {
    const kind = opts.features ?? "quadratic";
    const p = featureCount(kind, dim);
    const fit = fitLogisticRegression(buildFeatures(kind, all, dim, shift, scale), labels, p);
    logit = (points) => {
      const phi = buildFeatures(kind, points, dim, shift, scale);
      const m = phi.length / p;
      const out = new Float64Array(m);
      for (let i = 0; i < m; i++) {
        let eta = 0;
        for (let j = 0; j < p; j++) eta += (fit.weights[j] as number) * (phi[i * p + j] as number);
        out[i] = eta;
      }
      return out;
    };
  } else {
    logit = fitMlpLogit(all, labels, dim, shift, scale, opts);
  }
  return {
    dim,
    prior,
    classifier,
    logRatio: (points) => logit(points).map((l) => logRatioFromLogit(l, prior)),
    probability: (points) => logit(points).map((l) => 1 / (1 + Math.exp(-l))),
  };
}

function fitMlpLogit(
  all: Float64Array,
  labels: Uint8Array,
  dim: number,
  shift: Float64Array,
  scale: Float64Array,
  opts: DensityRatioOptions,
): (points: ArrayLike<number>) => Float64Array {
  const rng = createRng(opts.seed);
  const hidden = opts.hiddenUnits ?? [32, 32];
  const steps = opts.steps ?? 1500;
  const widths = [dim, ...hidden, 1];
  const params: tf.Variable[] = [];
  for (let l = 0; l + 1 < widths.length; l++) {
    const fanIn = widths[l] as number;
    const fanOut = widths[l + 1] as number;
    const seed = rng.tfSeed();
    params.push(tf.tidy(() => tf.variable(tf.randomNormal([fanIn, fanOut], 0, Math.sqrt(2 / fanIn), "float32", seed))));
    params.push(tf.tidy(() => tf.variable(tf.zeros([fanOut]))));
  }
  const standardize = (points: ArrayLike<number>): Float32Array => {
    const m = Math.floor(points.length / dim);
    const z = new Float32Array(m * dim);
    for (let i = 0; i < m * dim; i++) z[i] = ((points[i] as number) - (shift[i % dim] as number)) / (scale[i % dim] as number);
    return z;
  };
  const forward = (x: tf.Tensor2D): tf.Tensor2D => {
    let h: tf.Tensor2D = x;
    for (let l = 0; l < params.length; l += 2) {
      h = tf.add(tf.matMul(h, params[l] as tf.Variable as tf.Tensor2D), params[l + 1] as tf.Variable);
      if (l + 2 < params.length) h = tf.relu(h);
    }
    return h;
  };
  const n = labels.length;
  const x = tf.tensor2d(standardize(all), [n, dim]);
  const y = tf.tensor2d(Float32Array.from(labels), [n, 1]);
  const optimizer = new Adam(params, { learningRate: opts.learningRate ?? 0.01 });
  const batchSize = Math.min(n, 512);
  const order = rng.permutation(n);
  try {
    for (let step = 0; step < steps; step++) {
      if (step % 50 === 0) throwIfAborted(opts.signal);
      const start = (step * batchSize) % n;
      const idx = tf.tensor1d(Int32Array.from({ length: batchSize }, (_, i) => order[(start + i) % n] as number), "int32");
      const loss = optimizer.step(() => tf.losses.sigmoidCrossEntropy(tf.gather(y, idx), forward(tf.gather(x, idx))));
      idx.dispose();
      if (step % 100 === 0 || step === steps - 1) opts.onProgress?.({ phase: "fit classifier", step: step + 1, total: steps, metrics: { loss } });
    }
  } finally {
    optimizer.dispose();
    x.dispose();
    y.dispose();
  }
  // Weights are copied out so the estimate holds no tensors.
  const frozen = params.map((p) => ({ shape: p.shape, data: p.dataSync().slice() }));
  for (const p of params) p.dispose();
  return (points) => {
    const m = Math.floor(points.length / dim);
    const out = tf.tidy(() => {
      let h: tf.Tensor2D = tf.tensor2d(standardize(points), [m, dim]);
      for (let l = 0; l < frozen.length; l += 2) {
        const w = frozen[l] as { shape: number[]; data: Float32Array };
        const b = frozen[l + 1] as { shape: number[]; data: Float32Array };
        h = tf.add(tf.matMul(h, tf.tensor2d(w.data, w.shape as [number, number])), tf.tensor1d(b.data));
        if (l + 2 < frozen.length) h = tf.relu(h);
      }
      return h.dataSync();
    });
    return Float64Array.from(out);
  };
}

/**
 * Mean |log r̂ − log r| against the analytic ratio of two known densities, over fresh samples from
 * both (n each), keeping the central `1 − 2·trim` share by the true log-ratio ("the bulk").
 */
export function logRatioError(p: RowDistribution, q: RowDistribution, estimate: Pick<DensityRatioEstimate, "logRatio">, opts: { n?: number; seed?: number; trim?: number } = {}): number {
  const rng = createRng(opts.seed);
  const n = opts.n ?? 4000;
  const points = new Float64Array([...p.sample(n, rng), ...q.sample(n, rng)]);
  const logP = p.logProb(points);
  const logQ = q.logProb(points);
  const truth = logP.map((v, i) => v - (logQ[i] as number));
  const est = estimate.logRatio(points);
  const order = Array.from(truth.keys()).sort((a, b) => (truth[a] as number) - (truth[b] as number));
  const cut = Math.floor(order.length * (opts.trim ?? 0.01));
  const kept = order.slice(cut, order.length - cut);
  return kept.reduce((s, i) => s + Math.abs((est[i] as number) - (truth[i] as number)), 0) / kept.length;
}
