import * as tf from "@tensorflow/tfjs-core";

import { DEFAULT_SEED, DlError, createRng, throwIfAborted } from "@dl/tensor-core";
import type { ImageDataset, Rng, RunOptions } from "@dl/tensor-core";

import { type VaeFamily, type VariationalFamily, createFamily } from "./families.js";
import { ownedVariable } from "../variables.js";

const HALF_LOG_TWO_PI = 0.5 * Math.log(2 * Math.PI);

/** A dense tanh MLP on raw variables (Glorot-normal weights from a seeded stream). */
class Mlp {
  readonly weights: tf.Variable[] = [];
  readonly biases: tf.Variable[] = [];

  constructor(sizes: readonly number[], rng: Rng) {
    for (let i = 0; i + 1 < sizes.length; i++) {
      const fanIn = sizes[i] ?? 1;
      const fanOut = sizes[i + 1] ?? 1;
      const std = Math.sqrt(2 / (fanIn + fanOut));
      this.weights.push(ownedVariable(tf.tensor2d(Float32Array.from({ length: fanIn * fanOut }, () => std * rng.normal()), [fanIn, fanOut])));
      this.biases.push(ownedVariable(tf.zeros([fanOut])));
    }
  }

  apply(x: tf.Tensor): tf.Tensor {
    return tf.tidy(() => {
      const lead = x.shape.slice(0, -1);
      let h = tf.reshape(x, [-1, x.shape[x.rank - 1] ?? 0]);
      this.weights.forEach((w, i) => {
        h = tf.add(tf.matMul(h, w), this.biases[i] as tf.Variable);
        if (i + 1 < this.weights.length) h = tf.tanh(h);
      });
      return tf.reshape(h, [...lead, h.shape[1] ?? 0]);
    });
  }

  get variables(): tf.Variable[] {
    return [...this.weights, ...this.biases];
  }

  dispose(): void {
    for (const v of this.variables) v.dispose();
  }
}

export interface VaeConfig {
  family: VaeFamily;
  /** Pixels per image (784 for MNIST). */
  inputDim: number;
  latentDim?: number;
  /** Decoder hidden width (two hidden layers). */
  hidden?: number;
  /** Encoder hidden width (two hidden layers); larger reduces the amortization gap. */
  encoderHidden?: number;
  /** Planar layers of the `planar` family. */
  flowLayers?: number;
  /** p(x|z): Bernoulli on decoder logits (images in [0, 1]) or Gaussian around the decoder output with a fixed σ. */
  likelihood?: VaeLikelihood;
  /** σ of the Gaussian likelihood (ignored for Bernoulli). */
  observationScale?: number;
  seed?: number;
}

export type VaeLikelihood = "bernoulli" | "gaussian";

/** Rows of real-valued data for {@link trainVae}: `count` rows of `dim` values, row-major. */
export interface VaeRows {
  points: Float32Array;
  count: number;
  dim: number;
}

/** A VAE with a Bernoulli or Gaussian decoder p(x|z) and a standard-normal prior (Kingma & Welling 2014). */
export class Vae {
  readonly family: VariationalFamily;
  readonly encoder: Mlp;
  readonly decoder: Mlp;
  readonly config: Required<VaeConfig>;

  constructor(config: VaeConfig) {
    const full: Required<VaeConfig> = {
      latentDim: 8,
      hidden: 200,
      encoderHidden: 200,
      flowLayers: 4,
      likelihood: "bernoulli",
      observationScale: 0.1,
      seed: DEFAULT_SEED,
      ...config,
    };
    if (!(full.observationScale > 0)) throw new DlError("INVALID_ARGUMENT", `The VAE's observationScale must be > 0, got ${full.observationScale}.`);
    this.config = full;
    const rng = createRng(full.seed);
    this.family = createFamily(full.family, full.latentDim, { flowLayers: full.flowLayers });
    this.encoder = new Mlp([full.inputDim, full.encoderHidden, full.encoderHidden, this.family.paramCount], rng);
    this.decoder = new Mlp([full.latentDim, full.hidden, full.hidden, full.inputDim], rng);
  }

  get variables(): tf.Variable[] {
    return [...this.encoder.variables, ...this.decoder.variables];
  }

  /** The amortized variational parameters λ(x) [B, P]. */
  encode(x: tf.Tensor): tf.Tensor {
    return this.encoder.apply(x);
  }

  /** The location of q(z|x) (the first latentDim parameters: μ of the base Gaussian) for x [B, D] → [B, d]. */
  encodeMean(x: tf.Tensor): tf.Tensor {
    return tf.tidy(() => tf.slice(this.encode(x), [0, 0], [x.shape[0] ?? 0, this.config.latentDim]));
  }

  /** log p(x | z) + log p(z) for x [B, D] and z [S, B, d] → [S, B]. */
  logJoint(x: tf.Tensor, z: tf.Tensor): tf.Tensor {
    return tf.tidy(() => {
      const out = this.decoder.apply(z); // [S, B, D]: logits or Gaussian means
      const { likelihood, observationScale: sigma, inputDim } = this.config;
      const logLikelihood =
        likelihood === "bernoulli"
          ? tf.sum(tf.sub(tf.mul(x, out), tf.softplus(out)), -1)
          : tf.sub(tf.div(tf.sum(tf.square(tf.sub(x, out)), -1), -2 * sigma * sigma), inputDim * (Math.log(sigma) + HALF_LOG_TWO_PI));
      const logPrior = tf.sub(tf.mul(-0.5, tf.sum(tf.square(z), -1)), this.config.latentDim * HALF_LOG_TWO_PI);
      return tf.add(logLikelihood, logPrior);
    });
  }

  /** log p(x, z) − log q(z | λ) for S reparameterized samples: [S, B]. */
  elboSamples(x: tf.Tensor, lambda: tf.Tensor, samples: number, seed: number): tf.Tensor {
    return tf.tidy(() => {
      const b = x.shape[0] ?? 0;
      const eps = tf.randomNormal([samples, b, this.config.latentDim], 0, 1, "float32", seed);
      const { z, logQ } = this.family.sampleAndLogQ(lambda, eps);
      return tf.sub(this.logJoint(x, z), logQ);
    });
  }

  /** Decoder means E[x|z] for latent codes z [N, d]: Bernoulli means (sample pictures) or Gaussian means. */
  decode(z: tf.Tensor): tf.Tensor {
    return tf.tidy(() => (this.config.likelihood === "bernoulli" ? tf.sigmoid(this.decoder.apply(z)) : this.decoder.apply(z)));
  }

  dispose(): void {
    this.encoder.dispose();
    this.decoder.dispose();
  }
}

/** n images decoded from prior draws z ~ N(0, I): Bernoulli means, [n, D] row-major. */
export function sampleImages(vae: Vae, n: number, seed: number): Float32Array {
  const t = tf.tidy(() => vae.decode(tf.randomNormal([n, vae.config.latentDim], 0, 1, "float32", seed)));
  const out = Float32Array.from(t.dataSync());
  t.dispose();
  return out;
}

/** Pixels of `ds` as a [N, H·W·C] tensor in [0, 1]. */
export function imagesToMatrix(ds: ImageDataset, indices?: ArrayLike<number>): tf.Tensor2D {
  const d = ds.height * ds.width * ds.channels;
  if (indices === undefined) return tf.tensor2d(ds.images, [ds.count, d]);
  const out = new Float32Array(indices.length * d);
  for (let i = 0; i < indices.length; i++) out.set(ds.images.subarray((indices[i] ?? 0) * d, ((indices[i] ?? 0) + 1) * d), i * d);
  return tf.tensor2d(out, [indices.length, d]);
}

/** Dynamic binarization (Salakhutdinov & Murray 2008): each pixel is 1 with probability its intensity. */
export function binarize(x: tf.Tensor, seed: number): tf.Tensor {
  return tf.tidy(() => tf.cast(tf.less(tf.randomUniform(x.shape, 0, 1, "float32", seed), x), "float32"));
}

export interface TrainVaeOptions extends RunOptions {
  epochs?: number;
  /** Stop after this many optimiser steps (epochs are then as many as the steps need). */
  steps?: number;
  batchSize?: number;
  learningRate?: number;
  /** Dynamic binarization of each batch (default: for images under a Bernoulli likelihood; never for rows). */
  binarize?: boolean;
  /**
   * Called after each epoch with its mean training ELBO; a returned string stops training there (early
   * stopping, e.g. on a validation plateau) and is reported as the progress phase's `stopped` reason.
   */
  onEpochEnd?: (epoch: number, elbo: number) => string | undefined;
}

export interface TrainVaeResult {
  history: { epoch: number; elbo: number; seconds: number }[];
  seconds: number;
}

function isRows(data: ImageDataset | VaeRows): data is VaeRows {
  return "points" in data;
}

/**
 * Trains encoder and decoder jointly by maximising the single-sample ELBO, on images (dynamically
 * binarized under the Bernoulli likelihood) or on rows of real values.
 */
export async function trainVae(vae: Vae, train: ImageDataset | VaeRows, options: TrainVaeOptions = {}): Promise<TrainVaeResult> {
  return fitElbo(vae, (x) => vae.encode(x), vae.variables, train, options, "train vae");
}

/** An amortized encoder x → λ(x) apart from a VAE's own: a tanh MLP with its own variables. */
export interface Encoder {
  /** Hidden widths, input to output (e.g. [256, 256]). */
  readonly hidden: readonly number[];
  /** Number of weights and biases. */
  readonly parameterCount: number;
  encode(x: tf.Tensor): tf.Tensor;
  readonly variables: tf.Variable[];
  dispose(): void;
}

/** A fresh encoder for `vae`'s family with the given hidden widths (Glorot-normal weights from `seed`). */
export function createEncoder(vae: Vae, hidden: readonly number[], seed: number): Encoder {
  if (hidden.length === 0 || hidden.some((h) => !Number.isInteger(h) || h < 1)) {
    throw new DlError("INVALID_ARGUMENT", `Encoder hidden widths must be one or more positive integers, got [${hidden.join(", ")}].`);
  }
  const sizes = [vae.config.inputDim, ...hidden, vae.family.paramCount];
  const mlp = new Mlp(sizes, createRng(seed));
  let parameterCount = 0;
  for (let i = 0; i + 1 < sizes.length; i++) parameterCount += ((sizes[i] ?? 0) + 1) * (sizes[i + 1] ?? 0);
  return { hidden: [...hidden], parameterCount, encode: (x) => mlp.apply(x), variables: mlp.variables, dispose: () => mlp.dispose() };
}

/**
 * Fits `encoder` to `vae`'s frozen decoder by maximising the single-sample ELBO over the encoder's
 * variables alone: with the decoder fixed, encoders of different sizes face the same posteriors
 * (the protocol of Cremer, Li & Duvenaud 2018, section 5.2).
 */
export async function trainEncoder(vae: Vae, encoder: Encoder, train: ImageDataset | VaeRows, options: TrainVaeOptions = {}): Promise<TrainVaeResult> {
  return fitElbo(vae, (x) => encoder.encode(x), encoder.variables, train, options, "train encoder");
}

async function fitElbo(
  vae: Vae,
  encode: (x: tf.Tensor) => tf.Tensor,
  variables: tf.Variable[],
  train: ImageDataset | VaeRows,
  options: TrainVaeOptions,
  phase: string,
): Promise<TrainVaeResult> {
  const rows = isRows(train);
  const d = rows ? train.dim : train.height * train.width * train.channels;
  if (d !== vae.config.inputDim) {
    throw new DlError("SHAPE_MISMATCH", `The VAE expects ${vae.config.inputDim} values per ${rows ? "row" : "image"}, the data has ${d}.`);
  }
  if (rows && train.points.length !== train.count * d) {
    throw new DlError("SHAPE_MISMATCH", `VAE data: ${train.points.length} values for ${train.count} × ${d}.`);
  }
  const batchSize = Math.min(options.batchSize ?? 100, train.count);
  const batches = Math.floor(train.count / batchSize);
  const steps = options.steps ?? Infinity;
  const epochs = options.steps === undefined ? (options.epochs ?? 10) : Math.ceil(options.steps / batches);
  const binarizeBatches = options.binarize ?? (!rows && vae.config.likelihood === "bernoulli");
  const rng = createRng(options.seed);
  const optimizer = tf.train.adam(options.learningRate ?? 1e-3);
  const all = rows ? tf.tensor2d(train.points, [train.count, d]) : imagesToMatrix(train);
  const history: TrainVaeResult["history"] = [];
  const start = performance.now();
  const totalSteps = Math.min(steps, epochs * batches);
  let step = 0;
  try {
    for (let epoch = 1; epoch <= epochs && step < totalSteps; epoch++) {
      const order = rng.permutation(train.count);
      let total = 0;
      let done = 0;
      for (let bi = 0; bi < batches && step < totalSteps; bi++, step++, done++) {
        const idx = tf.tensor1d(order.subarray(bi * batchSize, (bi + 1) * batchSize), "int32");
        const x = tf.tidy(() => (binarizeBatches ? binarize(tf.gather(all, idx), rng.tfSeed()) : tf.gather(all, idx)));
        const seed = rng.tfSeed();
        const loss = optimizer.minimize(
          () => tf.tidy(() => tf.neg(tf.mean<tf.Scalar>(vae.elboSamples(x, encode(x), 1, seed)))),
          true,
          variables,
        );
        total += loss?.dataSync()[0] ?? Number.NaN;
        loss?.dispose();
        x.dispose();
        idx.dispose();
        if (bi % 20 === 0 || step + 1 === totalSteps) {
          options.onProgress?.({ phase, step: step + 1, total: totalSteps, metrics: { elbo: -total / (bi + 1) } });
        }
        // A turn of the event loop per batch (tens of ms each), so Ctrl-C is seen within one batch.
        await new Promise((resolve) => setTimeout(resolve, 0));
        throwIfAborted(options.signal);
      }
      const elbo = -total / done;
      if (!Number.isFinite(elbo)) throw new DlError("NON_FINITE", `${phase === "train vae" ? "VAE" : "Encoder"} training diverged in epoch ${epoch}; lower the learning rate.`);
      history.push({ epoch, elbo, seconds: (performance.now() - start) / 1000 });
      const stopped = options.onEpochEnd?.(epoch, elbo);
      if (stopped !== undefined && step < totalSteps) {
        options.onProgress?.({ phase, step, total: totalSteps, metrics: { elbo }, stopped });
        break;
      }
    }
    return { history, seconds: (performance.now() - start) / 1000 };
  } finally {
    all.dispose();
    optimizer.dispose();
  }
}

/** Posterior locations μ(x) for rows of `points` (n × inputDim) → n × latentDim. */
export function encodeRows(vae: Vae, points: Float32Array): Float32Array {
  const n = points.length / vae.config.inputDim;
  return readAndDispose32(tf.tidy(() => vae.encodeMean(tf.tensor2d(points, [n, vae.config.inputDim]))));
}

/** Decoder means for latent rows (n × latentDim) → n × inputDim. */
export function decodeRows(vae: Vae, latents: Float32Array): Float32Array {
  const n = latents.length / vae.config.latentDim;
  return readAndDispose32(tf.tidy(() => vae.decode(tf.tensor2d(latents, [n, vae.config.latentDim]))));
}

function readAndDispose32(t: tf.Tensor): Float32Array {
  const out = Float32Array.from(t.dataSync());
  t.dispose();
  return out;
}

function readAndDispose(t: tf.Tensor): Float32Array {
  const out = Float32Array.from(t.dataSync());
  t.dispose();
  return out;
}

/** Per-image mean ELBO over S samples: L[q] for parameters λ [B, P] → Float64Array [B]. */
export function elboPerImage(vae: Vae, x: tf.Tensor, lambda: tf.Tensor, samples: number, seed: number, chunk = 50): Float64Array {
  const b = x.shape[0] ?? 0;
  const sum = new Float64Array(b);
  const rng = createRng(seed);
  for (let done = 0; done < samples; done += chunk) {
    const s = Math.min(chunk, samples - done);
    const values = readAndDispose(tf.tidy(() => tf.sum(vae.elboSamples(x, lambda, s, rng.tfSeed()), 0)));
    values.forEach((v, i) => (sum[i] = (sum[i] ?? 0) + v));
  }
  return sum.map((v) => v / samples);
}

/**
 * IWAE bound log p̂(x) = log (1/k) Σᵢ p(x, zᵢ)/q(zᵢ|λ) (Burda, Grosse & Salakhutdinov 2016), per
 * image, with k proposals from q(·|λ) accumulated by a running log-sum-exp in chunks.
 */
export function iwaeLogLikelihood(vae: Vae, x: tf.Tensor, lambda: tf.Tensor, k: number, seed: number, chunk = 50): Float64Array {
  const b = x.shape[0] ?? 0;
  const running = new Float64Array(b).fill(-Infinity);
  const rng = createRng(seed);
  for (let done = 0; done < k; done += chunk) {
    const s = Math.min(chunk, k - done);
    const partial = readAndDispose(tf.tidy(() => tf.logSumExp(vae.elboSamples(x, lambda, s, rng.tfSeed()), 0)));
    partial.forEach((v, i) => {
      const a = running[i] ?? -Infinity;
      const m = Math.max(a, v);
      running[i] = m === -Infinity ? -Infinity : m + Math.log(Math.exp(a - m) + Math.exp(v - m));
    });
  }
  return running.map((v) => v - Math.log(k));
}

export interface RefineOptions {
  steps: number;
  learningRate?: number;
  /** Monte Carlo samples per step. */
  samples?: number;
  seed?: number;
  /** Steps after which to report the parameters (e.g. [0, 5, 20]). */
  checkpoints?: readonly number[];
  onCheckpoint?: (steps: number, lambda: tf.Tensor) => void;
  signal?: AbortSignal;
}

/**
 * Optimises the local variational parameters λ of each image (independently: the objective is a
 * sum of per-image ELBOs) from a start λ₀, with the decoder fixed: SVI refinement (Kim et al. 2018)
 * and, run long, q* of Cremer et al. (2018). Returns the refined λ (caller disposes).
 */
export function refineLocal(vae: Vae, x: tf.Tensor, lambda0: tf.Tensor, options: RefineOptions): tf.Tensor {
  const lambda = ownedVariable(tf.clone(lambda0));
  const optimizer = tf.train.adam(options.learningRate ?? 1e-2);
  const rng = createRng(options.seed);
  const samples = options.samples ?? 10;
  const checkpoints = new Set(options.checkpoints ?? []);
  try {
    if (checkpoints.has(0)) options.onCheckpoint?.(0, lambda);
    for (let step = 1; step <= options.steps; step++) {
      const seed = rng.tfSeed();
      optimizer.minimize(() => tf.tidy(() => tf.neg(tf.sum<tf.Scalar>(tf.mean(vae.elboSamples(x, lambda, samples, seed), 0)))), false, [lambda]);
      if (checkpoints.has(step)) options.onCheckpoint?.(step, lambda);
      if (step % 25 === 0) throwIfAborted(options.signal);
    }
    return tf.clone(lambda);
  } finally {
    optimizer.dispose();
    lambda.dispose();
  }
}
