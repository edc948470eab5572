import * as tf from "@tensorflow/tfjs-core";


import { DlError, cancelPoint, createRng, type Rng, type RunOptions } from "@dl/tensor-core";

import { Adam } from "./adam.js";

/**
 * A GAN for low-dimensional data (the 2-D toy mixtures) written with plain tfjs ops, so that the
 * stabilisers the field uses against mode collapse can be switched on one at a time:
 * PacGAN packing, the R1 gradient penalty, spectral normalisation, minibatch standard deviation,
 * two-time-scale learning rates and an exponential moving average of G.
 */
export interface LowDimGanConfig {
  dataDim: number;
  latentDim: number;
  /** Hidden widths of G; D uses `discriminatorHidden`. */
  generatorHidden: number[];
  discriminatorHidden: number[];
  batchSize: number;
  /** Learning rates of G and D; different values are the two-time-scale update rule (Heusel et al. 2017). */
  generatorLearningRate: number;
  discriminatorLearningRate: number;
  beta1: number;
  beta2: number;
  /** PacGAN (Lin et al. 2018): D sees `pack` samples concatenated, all real or all generated. 1 = off. */
  pack: number;
  /** R1 penalty γ/2·E‖∇ₓD(x)‖² on real data (Mescheder et al. 2018). 0 = off. */
  r1: number;
  /** Spectral normalisation of D's weights by one power iteration per step (Miyato et al. 2018). */
  spectralNorm: boolean;
  /** Minibatch standard deviation as an extra feature of D's last hidden layer (Karras et al. 2018). */
  minibatchStd: boolean;
  /** Decay of the EMA of G's weights used for sampling (Yazıcı et al. 2019); 0 = off. */
  emaDecay: number;
  /**
   * D reads random Fourier features [x, sin 2πBx, cos 2πBx] of each sample (B: `fourierFeatures` rows
   * with N(0, fourierScale²) entries, fixed by the seed; Tancik et al. 2020) instead of x alone: a small
   * MLP resolves narrow modes far sooner. 0 = off.
   */
  fourierFeatures: number;
  fourierScale: number;
  /**
   * BiGAN / ALI (Donahue et al. 2017; Dumoulin et al. 2017): an encoder E is trained with G, and D
   * tells pairs (x, E(x)) from (G(z), z), so E learns to invert G (z|x).
   */
  bigan?: boolean;
  /** Hidden widths of E (BiGAN only; default: G's reversed). */
  encoderHidden?: number[];
}

/**
 * The plain objective the seed discusses: non-saturating loss, one sample per D decision, no
 * penalty, one learning rate — the configuration that collapses onto a few modes.
 */
export const PLAIN_GRID_GAN: LowDimGanConfig = {
  dataDim: 2,
  latentDim: 2,
  generatorHidden: [128, 128],
  discriminatorHidden: [128, 128],
  batchSize: 100,
  generatorLearningRate: 1e-3,
  discriminatorLearningRate: 1e-3,
  beta1: 0.5,
  beta2: 0.999,
  pack: 1,
  r1: 0,
  spectralNorm: false,
  minibatchStd: false,
  emaDecay: 0,
  fourierFeatures: 0,
  fourierScale: 1,
};

/**
 * The stabilised configuration that covers the grid of 25 (see the README's ablation table):
 * PacGAN4, R1 (γ = 1), a Fourier-feature D, a third hidden layer in G and an EMA of G.
 */
export const STABLE_GRID_GAN: LowDimGanConfig = {
  ...PLAIN_GRID_GAN,
  generatorHidden: [128, 128, 128],
  batchSize: 128,
  pack: 4,
  r1: 1,
  beta2: 0.9,
  emaDecay: 0.99,
  fourierFeatures: 32,
  fourierScale: 0.15,
};

/** One dense layer of the toy networks. */
export interface LowDimLayer {
  w: tf.Variable;
  b: tf.Variable;
  /** Power-iteration vector for spectral normalisation. */
  u?: tf.Variable;
}

export interface LowDimGan {
  readonly config: LowDimGanConfig;
  readonly generator: LowDimLayer[];
  readonly discriminator: LowDimLayer[];
  /** Averaged copy of G's weights (emaDecay > 0). */
  readonly generatorEma?: LowDimLayer[];
  /** BiGAN: E(x) → z. */
  readonly encoder?: LowDimLayer[];
  /** Fourier projection B of D's input, [dataDim, fourierFeatures]. */
  readonly fourier?: tf.Tensor2D;
  dispose(): void;
}

function createMlp(dims: readonly number[], rng: Rng, spectral: boolean, trainable = true): LowDimLayer[] {
  const layers: LowDimLayer[] = [];
  for (let i = 0; i + 1 < dims.length; i++) {
    const fanIn = dims[i] as number;
    const fanOut = dims[i + 1] as number;
    const limit = Math.sqrt(6 / (fanIn + fanOut));
    const seed = rng.tfSeed();
    layers.push({
      w: tf.tidy(() => tf.variable(tf.randomUniform([fanIn, fanOut], -limit, limit, "float32", seed), trainable)),
      b: tf.tidy(() => tf.variable(tf.zeros([fanOut]), trainable)),
      ...(spectral ? { u: tf.tidy(() => tf.variable(tf.randomNormal([fanOut, 1], 0, 1, "float32", rng.tfSeed()), false)) } : {}),
    });
  }
  return layers;
}

const layerVars = (layers: readonly LowDimLayer[]): tf.Variable[] => layers.flatMap((l) => [l.w, l.b]);

function disposeLayers(layers: readonly LowDimLayer[]): void {
  for (const l of layers) {
    l.w.dispose();
    l.b.dispose();
    l.u?.dispose();
  }
}

export function createLowDimGan(config: LowDimGanConfig, seed: number): LowDimGan {
  assertLowDimGanConfig(config);
  const rng = createRng(seed);
  const gDims = [config.latentDim, ...config.generatorHidden, config.dataDim];
  const generator = createMlp(gDims, rng, false);
  const dHidden = config.discriminatorHidden;
  const fourier = config.fourierFeatures > 0 ? tf.randomNormal<tf.Rank.R2>([config.dataDim, config.fourierFeatures], 0, 2 * Math.PI * config.fourierScale, "float32", rng.tfSeed()) : undefined;
  const sampleWidth = fourier ? config.dataDim + 2 * config.fourierFeatures : config.dataDim;
  const encoder = config.bigan === true ? createMlp([config.dataDim, ...(config.encoderHidden ?? [...config.generatorHidden].reverse()), config.latentDim], rng, false) : undefined;
  const dDims = [(sampleWidth + (encoder ? config.latentDim : 0)) * config.pack, ...dHidden, 1];
  const discriminator = createMlp(dDims, rng, config.spectralNorm);
  if (config.minibatchStd && dHidden.length > 0) {
    // The last layer reads one extra feature: the minibatch standard deviation.
    const last = discriminator[discriminator.length - 1] as LowDimLayer;
    const w = tf.tidy(() => tf.variable(tf.concat([last.w, tf.zeros([1, 1])], 0)));
    last.w.dispose();
    last.w = w;
  }
  let generatorEma: LowDimLayer[] | undefined;
  if (config.emaDecay > 0) {
    generatorEma = generator.map((l) => tf.tidy(() => ({ w: tf.variable(l.w.clone(), false), b: tf.variable(l.b.clone(), false) })));
  }
  return {
    config,
    generator,
    discriminator,
    ...(generatorEma ? { generatorEma } : {}),
    ...(fourier ? { fourier } : {}),
    ...(encoder ? { encoder } : {}),
    dispose() {
      fourier?.dispose();
      if (encoder) disposeLayers(encoder);
      disposeLayers(generator);
      disposeLayers(discriminator);
      if (generatorEma) disposeLayers(generatorEma);
    },
  };
}

function assertLowDimGanConfig(c: LowDimGanConfig): void {
  const positiveInts: [string, number][] = [
    ["dataDim", c.dataDim],
    ["latentDim", c.latentDim],
    ["batchSize", c.batchSize],
    ["pack", c.pack],
  ];
  for (const [name, v] of positiveInts) if (!(Number.isInteger(v) && v >= 1)) throw new DlError("INVALID_ARGUMENT", `GAN ${name} must be a positive integer, got ${v}.`);
  if (c.batchSize % c.pack !== 0) throw new DlError("INVALID_ARGUMENT", `The batch size (${c.batchSize}) must be a multiple of the packing degree (${c.pack}).`);
  if (!(c.r1 >= 0) || !(c.emaDecay >= 0 && c.emaDecay < 1)) throw new DlError("INVALID_ARGUMENT", `r1 must be ≥ 0 and emaDecay in [0, 1); got ${c.r1} and ${c.emaDecay}.`);
}

function generatorForward(layers: readonly LowDimLayer[], z: tf.Tensor2D): tf.Tensor2D {
  let h: tf.Tensor2D = z;
  layers.forEach((l, i) => {
    h = tf.add(tf.matMul(h, l.w), l.b);
    if (i < layers.length - 1) h = tf.relu(h);
  });
  return h;
}

/** One power iteration per layer (outside the gradient tape): returns σ̂(W) per layer and updates u. */
function spectralSigmas(layers: readonly LowDimLayer[]): tf.Scalar[] {
  return layers.map((l) =>
    tf.tidy(() => {
      const u = l.u as tf.Variable;
      const v = tf.div<tf.Tensor2D>(tf.matMul(l.w, u), tf.add(tf.norm(tf.matMul(l.w, u)), 1e-12));
      const wtv = tf.matMul(l.w, v, true, false);
      const uNew = tf.div(wtv, tf.add(tf.norm(wtv), 1e-12));
      u.assign(uNew);
      return tf.sum<tf.Scalar>(tf.mul(v, tf.matMul(l.w, uNew)));
    }),
  );
}

function discriminatorForward(gan: LowDimGan, x: tf.Tensor2D, sigmas: readonly tf.Scalar[] | undefined): tf.Tensor2D {
  const layers = gan.discriminator;
  let h: tf.Tensor2D = x;
  layers.forEach((l, i) => {
    if (i === layers.length - 1 && gan.config.minibatchStd && layers.length > 1) {
      const sd = tf.mean(tf.sqrt(tf.add(tf.moments(h, 0).variance, 1e-8)));
      h = tf.concat([h, tf.mul<tf.Tensor2D>(tf.onesLike(tf.slice(h, [0, 0], [-1, 1])), sd)], 1);
    }
    const sigma = sigmas?.[i];
    const w = sigma ? tf.div(l.w, sigma) : l.w;
    h = tf.add(tf.matMul(h, w), l.b);
    // leakyReLU(0.2) written as 0.6x + 0.4|x|: its gradient is itself differentiable, as R1 needs.
    if (i < layers.length - 1) h = tf.add(tf.mul(h, 0.6), tf.mul(tf.abs(h), 0.4));
  });
  return h;
}

/** [n·pack, dim] → [n, pack·width]: features of consecutive samples form one packed D input. */
function dInput(gan: LowDimGan, x: tf.Tensor2D, z?: tf.Tensor2D): tf.Tensor2D {
  let f = x;
  if (gan.fourier) {
    const proj = tf.matMul(x, gan.fourier);
    // x itself stays beside its Fourier features: far from the data D is then roughly linear in x and
    // its gradient still points G back towards the data (with sin/cos alone G can wander off and stay).
    f = tf.concat([x, tf.sin(proj), tf.cos(proj)], 1) as tf.Tensor2D;
  }
  if (z) f = tf.concat([f, z], 1);
  const pack = gan.config.pack;
  return pack === 1 ? f : tf.reshape(f, [f.shape[0] / pack, f.shape[1] * pack]);
}

export interface LowDimGanRecord {
  step: number;
  dLoss: number;
  gLoss: number;
}

/**
 * Trains with the non-saturating losses (Goodfellow et al. 2014), plus whichever stabilisers the
 * config switches on. Batches are drawn with replacement from `points` (rows of `dataDim`).
 */
export async function trainLowDimGan(gan: LowDimGan, points: Float32Array, opts: RunOptions & { steps: number }): Promise<LowDimGanRecord[]> {
  const { config } = gan;
  const count = points.length / config.dataDim;
  if (!Number.isInteger(count) || count < 1) throw new DlError("SHAPE_MISMATCH", `GAN data has ${points.length} values, not a whole number of ${config.dataDim}-D points.`);
  const rng = createRng(opts.seed);
  const dOpt = new Adam(layerVars(gan.discriminator), { learningRate: config.discriminatorLearningRate, beta1: config.beta1, beta2: config.beta2 });
  const gOpt = new Adam([...layerVars(gan.generator), ...layerVars(gan.encoder ?? [])], { learningRate: config.generatorLearningRate, beta1: config.beta1, beta2: config.beta2 });
  const batch = config.batchSize;
  const buffer = new Float32Array(batch * config.dataDim);
  const history: LowDimGanRecord[] = [];
  const stopPoint = cancelPoint(opts.signal);
  try {
    for (let step = 0; step < opts.steps; step++) {
      await stopPoint();
      for (let b = 0; b < batch; b++) {
        const i = rng.int(count);
        buffer.set(points.subarray(i * config.dataDim, (i + 1) * config.dataDim), b * config.dataDim);
      }
      const seedD = rng.tfSeed();
      const seedG = rng.tfSeed();
      const [dLoss, gLoss] = tf.tidy(() => {
        const sigmas = config.spectralNorm ? spectralSigmas(gan.discriminator) : undefined;
        const encoder = gan.encoder;
        const d = (x: tf.Tensor2D, z?: tf.Tensor2D): tf.Tensor2D => discriminatorForward(gan, dInput(gan, x, z), sigmas);
        const xReal = tf.tensor2d(buffer, [batch, config.dataDim]);
        const zD = tf.randomNormal<tf.Rank.R2>([batch, config.latentDim], 0, 1, "float32", seedD);
        const fake = generatorForward(gan.generator, zD);
        const codes = encoder ? generatorForward(encoder, xReal) : undefined;
        const ld = dOpt.step(() => {
          const realLogits = d(xReal, codes);
          const fakeLogits = d(fake, encoder ? zD : undefined);
          let loss = tf.add<tf.Scalar>(tf.mean(tf.softplus(tf.neg(realLogits))), tf.mean(tf.softplus(fakeLogits)));
          if (config.r1 > 0) {
            const grads = codes
              ? tf.grads((x: tf.Tensor, z: tf.Tensor) => tf.sum(d(x as tf.Tensor2D, z as tf.Tensor2D)))([xReal, codes])
              : [tf.grad((x: tf.Tensor) => tf.sum(d(x as tf.Tensor2D)))(xReal)];
            const squared = grads.reduce((acc: tf.Tensor, g) => tf.add(acc, tf.sum(tf.square(g))), tf.scalar(0));
            loss = tf.add(loss, tf.mul(config.r1 / 2 / (batch / config.pack), squared));
          }
          return loss;
        });
        const zG = tf.randomNormal<tf.Rank.R2>([batch, config.latentDim], 0, 1, "float32", seedG);
        const lg = gOpt.step(() => {
          const fakeLoss = tf.mean(tf.softplus(tf.neg(d(generatorForward(gan.generator, zG), encoder ? zG : undefined))));
          // BiGAN: E is trained to make (x, E(x)) look generated, with the labels swapped as for G.
          return (encoder ? tf.add(fakeLoss, tf.mean(tf.softplus(d(xReal, generatorForward(encoder, xReal))))) : fakeLoss) as tf.Scalar;
        });
        return [ld, lg];
      });
      if (gan.generatorEma) {
        const decay = config.emaDecay;
        tf.tidy(() => {
          (gan.generatorEma as LowDimLayer[]).forEach((avg, i) => {
            const src = gan.generator[i] as LowDimLayer;
            avg.w.assign(tf.add(tf.mul(avg.w, decay), tf.mul(src.w, 1 - decay)));
            avg.b.assign(tf.add(tf.mul(avg.b, decay), tf.mul(src.b, 1 - decay)));
          });
        });
      }
      if (step % 100 === 0 || step === opts.steps - 1) {
        history.push({ step: step + 1, dLoss: dLoss ?? Number.NaN, gLoss: gLoss ?? Number.NaN });
        opts.onProgress?.({ phase: gan.config.bigan ? "bigan" : "gan", step: step + 1, total: opts.steps, metrics: { dLoss: dLoss ?? Number.NaN, gLoss: gLoss ?? Number.NaN } });
        await tf.nextFrame();
      }
    }
  } finally {
    dOpt.dispose();
    gOpt.dispose();
  }
  return history;
}

/** n samples (rows of dataDim) from the averaged generator when there is one. */
export function sampleLowDimGan(gan: LowDimGan, n: number, seed: number): Float32Array {
  const layers = gan.generatorEma ?? gan.generator;
  return tf.tidy(() => generatorForward(layers, tf.randomNormal([n, gan.config.latentDim], 0, 1, "float32", createRng(seed).tfSeed())).dataSync() as Float32Array);
}

/** E applied to data rows (BiGAN only). */
export function encodeLowDim(gan: LowDimGan, x: Float32Array): Float32Array {
  if (!gan.encoder) throw new DlError("INVALID_ARGUMENT", "This GAN has no encoder; create it with bigan: true.");
  const encoder = gan.encoder;
  const n = x.length / gan.config.dataDim;
  return tf.tidy(() => generatorForward(encoder, tf.tensor2d(x, [n, gan.config.dataDim])).dataSync() as Float32Array);
}

/** G applied to given latent rows (for interpolations and fixed-z plots). */
export function applyLowDimGenerator(gan: LowDimGan, z: Float32Array): Float32Array {
  const layers = gan.generatorEma ?? gan.generator;
  const n = z.length / gan.config.latentDim;
  return tf.tidy(() => generatorForward(layers, tf.tensor2d(z, [n, gan.config.latentDim])).dataSync() as Float32Array);
}

export interface RejectionOptions extends RunOptions {
  /** Training steps of the real-vs-generated classifier (default 1500). */
  steps?: number;
  /** Percentile of the calibration logits used as the bound M (default 0.99; Azadi et al. use the max). */
  boundQuantile?: number;
}

/**
 * Discriminator rejection sampling (Azadi et al. 2019) with the density-ratio trick: a classifier
 * D̃ trained to tell data from G's samples (G frozen) estimates r(x) = p*(x)/p_G(x) = exp(logit D̃(x));
 * G's samples are accepted with probability min(1, r̂(x)/M). Exact rejection sampling from p* when
 * r̂ is exact and bounded by M, so it removes the off-mode samples of a generator that covers the modes.
 */
export class RejectionSampler {
  private constructor(
    private readonly gan: LowDimGan,
    private readonly classifier: LowDimGan,
    readonly logBound: number,
    /** Share of G's samples accepted on the calibration set. */
    readonly acceptance: number,
  ) {}

  static async fit(gan: LowDimGan, points: Float32Array, opts: RejectionOptions = {}): Promise<RejectionSampler> {
    const rng = createRng(opts.seed);
    const { config } = gan;
    // The classifier is a second D (packing 1, no penalty) trained with G frozen: plain supervised learning.
    const classifier = createLowDimGan({ ...config, bigan: false, pack: 1, r1: 0, spectralNorm: false, minibatchStd: false, emaDecay: 0, fourierFeatures: Math.max(config.fourierFeatures, 64), fourierScale: config.fourierFeatures > 0 ? config.fourierScale : 1 }, rng.tfSeed());
    const steps = opts.steps ?? 1500;
    const count = points.length / config.dataDim;
    const batch = 256;
    const opt = new Adam(layerVars(classifier.discriminator), { learningRate: 1e-3 });
    const buffer = new Float32Array(batch * config.dataDim);
    const sampler = gan.generatorEma ?? gan.generator;
    const stopPoint = cancelPoint(opts.signal);
    try {
      for (let step = 0; step < steps; step++) {
        await stopPoint();
        for (let b = 0; b < batch; b++) {
          const i = rng.int(count);
          buffer.set(points.subarray(i * config.dataDim, (i + 1) * config.dataDim), b * config.dataDim);
        }
        const seed = rng.tfSeed();
        opt.step(() => {
          const real = discriminatorForward(classifier, dInput(classifier, tf.tensor2d(buffer, [batch, config.dataDim])), undefined);
          const fake = discriminatorForward(classifier, dInput(classifier, generatorForward(sampler, tf.randomNormal([batch, config.latentDim], 0, 1, "float32", seed))), undefined);
          return tf.add<tf.Scalar>(tf.mean(tf.softplus(tf.neg(real))), tf.mean(tf.softplus(fake)));
        });
        if (step % 100 === 0 || step === steps - 1) {
          opts.onProgress?.({ phase: "rejection classifier", step: step + 1, total: steps });
          await tf.nextFrame();
        }
      }
    } finally {
      opt.dispose();
    }
    const calibration = sampleLowDimGan(gan, 10_000, rng.tfSeed());
    const logits = Array.from(logitsOf(classifier, calibration)).sort((a, b) => a - b);
    const logBound = logits[Math.min(logits.length - 1, Math.floor((opts.boundQuantile ?? 0.99) * logits.length))] as number;
    const acceptance = logits.reduce((a, l) => a + Math.min(1, Math.exp(l - logBound)), 0) / logits.length;
    return new RejectionSampler(gan, classifier, logBound, acceptance);
  }

  /** n accepted samples (rows of dataDim). */
  sample(n: number, seed: number): Float32Array {
    const rng = createRng(seed);
    const dim = this.gan.config.dataDim;
    const out = new Float32Array(n * dim);
    let filled = 0;
    for (let round = 0; filled < n; round++) {
      if (round > 1000) throw new DlError("NOT_SUPPORTED", `Rejection sampling accepted only ${filled} of ${n} samples.`);
      const chunk = Math.max(256, Math.ceil((1.2 * (n - filled)) / Math.max(this.acceptance, 0.01)));
      const proposals = sampleLowDimGan(this.gan, chunk, rng.tfSeed());
      const logits = logitsOf(this.classifier, proposals);
      for (let i = 0; i < chunk && filled < n; i++) {
        if (rng.next() < Math.exp(Math.min(0, (logits[i] as number) - this.logBound))) {
          out.set(proposals.subarray(i * dim, (i + 1) * dim), filled * dim);
          filled++;
        }
      }
    }
    return out;
  }

  dispose(): void {
    this.classifier.dispose();
  }
}

function logitsOf(classifier: LowDimGan, x: Float32Array): Float32Array {
  const n = x.length / classifier.config.dataDim;
  return tf.tidy(() => discriminatorForward(classifier, dInput(classifier, tf.tensor2d(x, [n, classifier.config.dataDim])), undefined).dataSync() as Float32Array);
}
