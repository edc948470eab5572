import * as tf from "@tensorflow/tfjs-core";
import * as tfl from "@tensorflow/tfjs-layers";

import { DlError, listNames, type Rng } from "@dl/tensor-core";

import type { StandingStatistics } from "./standingStatistics.js";

export const GAN_ARCHS = ["mlp", "dcgan"] as const;
export type GanArch = (typeof GAN_ARCHS)[number];

/** Everything needed to rebuild a GAN's networks; stored with checkpoints. */
export interface GanConfig {
  arch: GanArch;
  /** Shape of one data point, e.g. [28, 28, 1] or [2]. */
  dataShape: number[];
  latentDim: number;
  /** 0 for an unconditional GAN; else the number of labels (conditional GAN, Mirza & Osindero 2014). */
  numClasses: number;
  /** Width of the label embedding concatenated into the first layer of G and D. */
  labelEmbedding: number;
  /** MLP widths of G (D uses them reversed). */
  hidden: number[];
  /**
   * DCGAN only: G's channels at H/4 and at H/2 (D's two conv layers use them reversed); default [128, 64].
   * Narrower layers make a conv step affordable on a CPU.
   */
  convChannels?: [number, number];
  /** `tanh` for images scaled to [−1, 1]; `linear` for real-valued toy data. */
  outputActivation: "tanh" | "linear";
  learningRate: number;
  beta1: number;
  batchSize: number;
  /** One-sided label smoothing for real samples in D's loss (Salimans et al. 2016). */
  realLabel: number;
  /**
   * Conditional D only: add a projection term ⟨embed(y), φ(x, y)⟩ to D's logit (Miyato & Koyama
   * 2018) on top of the first-layer concatenation; it makes label adherence much faster to learn.
   */
  projection?: boolean;
  /**
   * Decay of an exponential moving average of G's weights used for sampling (0 or absent: none).
   * Averaging damps the oscillation of adversarial training (Yazıcı et al. 2019).
   */
  emaDecay?: number;
  /**
   * Minibatch standard deviation (Karras et al. 2018, §3) as one more feature of D's last hidden layer,
   * computed over groups of this many samples (0 or absent: off). Training draws each group with one
   * label, so D sees the spread of a label's samples and can tell a collapsed label from real data.
   */
  minibatchStdGroup?: number;
  /**
   * PacGAN (Lin et al. 2018): D judges `pack` samples at once, concatenated (MLP only; 1 or absent: off).
   * Training draws the samples of a pack with one label, so a label's collapse is visible to D.
   */
  pack?: number;
  /**
   * Weight λ of the mode-seeking term (Mao et al. 2019, MSGAN): G is penalised by λ / (‖ΔG‖₁/‖Δz‖₁)
   * over pairs of samples of one label, so it cannot ignore z. 0 or absent: off.
   */
  modeSeeking?: number;
  /** Batch normalisation after each hidden layer of the MLP G (as DCGAN's G has; Radford et al. 2016). */
  gBatchNorm?: boolean;
  /** D's learning rate where it differs from G's (two time-scale update rule, Heusel et al. 2017). */
  dLearningRate?: number;
  /**
   * Both learning rates decayed at the end of training, against the swing of the last epochs: constant until `start` × the
   * run's steps (epochs × steps per epoch, as `trainGan` is asked for), then falling linearly to `final` × their value at the
   * end of the run. Set from the step index before every step, so a resume to the same epochs repeats it exactly; absent: constant.
   * No recipe uses it: on Fashion-MNIST with `cbn-r1-conv-lazy` it raised the final Fréchet distance (see the README).
   */
  learningRateDecay?: LearningRateDecay;
  /**
   * Updates of D per update of G (Goodfellow et al. 2014, Algorithm 1's k), each on a fresh real batch and draw of z;
   * 1 or absent: alternate. A step (`gan.step`) counts G's updates.
   */
  dSteps?: number;
  /** Adversarial loss: non-saturating (Goodfellow et al. 2014) or hinge (Lim & Ye 2017). Default non-saturating. */
  loss?: GanLoss;
  /**
   * DiffAugment (Zhao et al. 2020) for image data: before D sees a real or a generated batch, each image is
   * shifted by up to `translate` pixels in x and y (uncovered pixels become background) and a square of
   * `cutout` pixels at a random place is blanked. The same differentiable transforms are applied to G's samples
   * in G's step, so D cannot memorise a small training set and G is not taught to make augmented images.
   */
  augment?: { translate: number; cutout: number };
  /**
   * Spectral normalisation of D's dense layers (Miyato et al. 2018): each kernel W is used as W / σ(W), σ its
   * largest singular value estimated by one power-iteration step per training pass, so D is 1-Lipschitz per layer.
   */
  spectralNorm?: boolean;
  /**
   * Conditional batch norm in the MLP G (de Vries et al. 2017; as in Miyato & Koyama 2018 and BigGAN): after each
   * hidden layer, batch statistics then a per-label gain and bias, so every label has its own scale of every unit.
   */
  conditionalBatchNorm?: boolean;
  /**
   * MLP G on images only: a trainable 3×3 convolution (one channel in, one out, no bias) between G's last dense layer
   * and its output activation, initialised to the binomial blur [1, 2, 1]ᵀ[1, 2, 1] / 16. The dense layer's per-pixel
   * weights start (Glorot) and are updated independently, which shows as pixel speckle; through the convolution each
   * pixel's value and gradient is shared with its neighbours, while the kernel can still learn to sharpen.
   */
  gOutputConv?: boolean;
  /** Weight γ of the R1 penalty γ/2 · E‖∇ₓD(x)‖² on real data (Mescheder et al. 2018, eq. 9); 0 or absent: off. */
  r1Gamma?: number;
  /**
   * Lazy R1 (Karras et al. 2020, StyleGAN2 §3.1): the R1 penalty enters every `r1Interval`-th update of D only, with its
   * weight multiplied by `r1Interval`, so its gradient-of-a-gradient is paid 1 / r1Interval as often. 1 or absent: every update.
   */
  r1Interval?: number;
  /**
   * MLP arch on images only: G made of convolutions instead of dense layers (D stays the MLP D). z and the label
   * embedding → dense to H/4 × W/4 × channels[0] → batch norm (conditional when `conditionalBatchNorm`: a gain and
   * bias per label and channel) → ReLU → ×2 upsampling → 3×3 conv to channels[1] → batch norm → ReLU → ×2 upsampling →
   * 3×3 conv to the image's channels → output activation. `nearest`: nearest-neighbour upsampling then the 3×3 conv;
   * `transposed`: one 4×4 transposed convolution of stride 2 in place of the two. `hidden` is not used by G.
   */
  convGenerator?: { channels: [number, number]; upsample: ConvUpsample };
  /**
   * MLP G on images only: a residual refinement after G's last dense layer, x + conv3×3(LeakyReLU(conv3×3(x))) with
   * this many channels between the two convolutions (the second initialised to zero, so G starts as the plain MLP G),
   * then the output activation. 0 or absent: off.
   */
  gRefineChannels?: number;
  /**
   * MLP arch on images only: D made of convolutions instead of dense layers (G is unchanged). x, with the label as an
   * extra image channel (a dense map of its embedding to H × W) → 4×4 conv of stride 2 to channels[0] → LeakyReLU(0.2)
   * → 4×4 conv of stride 2 to channels[1] → LeakyReLU(0.2) → flatten → logit, plus the projection term when `projection`
   * is on: the DCGAN's D with its own widths, so the R1 penalty and the projection head act on a D that judges local
   * structure. `hidden` is not used by D.
   */
  convDiscriminator?: { channels: [number, number] };
  /**
   * Sampling only: after training (`trainImageGan`, before its final scores) and when a checkpoint is sampled (`dl gan
   * sample`), the sampling G's batch-norm statistics are recomputed as BigGAN's standing statistics (see
   * `applyStandingStatistics`); the per-epoch scores and the checkpoints keep the moving averages. Absent: the moving averages.
   */
  standingStatistics?: StandingStatistics;
}

/**
 * A linear decay of both learning rates over the end of a run (see `GanConfig.learningRateDecay`): `start`, in [0, 1), is the
 * fraction of the run's steps after which the rates fall; `final`, in [0, 1], the fraction of the rates they reach at its end.
 */
export interface LearningRateDecay {
  start: number;
  final: number;
}

/** How the conv generator doubles its feature maps' size (see `GanConfig.convGenerator`). */
export type ConvUpsample = "nearest" | "transposed";
const CONV_UPSAMPLES: readonly ConvUpsample[] = ["nearest", "transposed"];

export const GAN_LOSSES = ["nonsaturating", "hinge"] as const;
export type GanLoss = (typeof GAN_LOSSES)[number];

export function parseGanArch(name: string): GanArch {
  if ((GAN_ARCHS as readonly string[]).includes(name)) return name as GanArch;
  throw new DlError("INVALID_ARGUMENT", `Unknown GAN architecture "${name}". Valid: ${listNames(GAN_ARCHS)}.`);
}

export const IMAGE_GAN_RECIPES = ["projection", "packed", "augmented", "cbn-r1", "cbn-r1-conv", "cbn-r1-conv-lazy"] as const;
/**
 * `projection`: the default, faithful to its labels; `packed`: PacGAN4, more diverse within a label but less
 * faithful to it; `augmented`: `projection` with DiffAugment (translation ±3 px, a 14 px cutout); `cbn-r1`:
 * `projection` with conditional batch norm in G, the R1 penalty (γ = 1) on D and a learning rate of 5·10⁻⁴;
 * `cbn-r1-conv`: `cbn-r1` with the conv generator (`convGenerator`: 32 then 16 channels, transposed convolutions,
 * conditional batch norm per channel) beside the MLP D; `cbn-r1-conv-lazy`: `cbn-r1-conv` with G at 10⁻³, D at 2·10⁻³,
 * lazy R1 (`r1Interval` 16), an EMA of G with decay 0.95 and standing batch-norm statistics for sampling
 * (`standingStatistics`, 25 batches of 256).
 */
export type ImageGanRecipe = (typeof IMAGE_GAN_RECIPES)[number];

/**
 * Defaults for MNIST-sized images. `projection` (the default): non-saturating loss, one learning rate,
 * label smoothing, a projection discriminator and an EMA of G — 97.8 % per-label accuracy on MNIST but each
 * label collapses to a few images (recall 0.00); `packed` lets the MLP D judge packs of 4 samples of one label
 * (PacGAN), so a collapsed label is visible to it — recall 0.27 and Fréchet 47 instead of 99, at 72 % per-label
 * accuracy; `augmented` adds DiffAugment (translation ±3 px, a 14 px cutout) before D — the lowest Fréchet distance
 * of the three and recall rising after ≈ 2,000 steps, at ≈ 80 % per-label accuracy; `cbn-r1` adds conditional batch
 * norm in G, R1 (γ = 1) on D and a 2.5 × learning rate — in 6,400 steps (< 8 CPU minutes) recall ≈ 0.8 and Fréchet
 * ≈ 1.1–1.4 × real-vs-real at ≈ 96 % per-label accuracy untruncated, and every MNIST goal of issue 17 on three seeds with
 * the truncation rule (`chooseTruncation`; see the README); `cbn-r1-conv` is `cbn-r1` with the conv generator
 * (`convGenerator`, 32/16 channels, transposed convolutions) beside the MLP D — on Fashion-MNIST, with D at 10⁻³, recall
 * 0.69 and Fréchet 4.9 × real-vs-real in 8,000 steps (< 10 CPU minutes) where the MLP G reached 0.47 and 6.9 ×;
 * `cbn-r1-conv-lazy` doubles its rates (G 10⁻³, D 2·10⁻³), pays R1 on every 16th D update only, averages G with decay
 * 0.95 and samples with standing batch-norm statistics — recall 0.70–0.73 and Fréchet 3.3–3.6 × (mean over six draws of z) in
 * 8,800 steps (529–545 CPU s, seeds 1 and 2). The default stays `projection`, whose cached checkpoint the tour and
 * the playground show.
 */
export function imageGanConfig(arch: GanArch, conditional: boolean, recipe: ImageGanRecipe = "projection"): GanConfig {
  const projection: GanConfig = {
    arch,
    dataShape: [28, 28, 1],
    latentDim: 64,
    numClasses: conditional ? 10 : 0,
    labelEmbedding: 16,
    hidden: [256, 512],
    outputActivation: "tanh",
    learningRate: 2e-4,
    beta1: 0.5,
    batchSize: 64,
    realLabel: 0.9,
    projection: conditional,
    emaDecay: 0.995,
  };
  if (recipe === "projection") return projection;
  if (recipe === "augmented") return { ...projection, augment: { translate: 3, cutout: 14 } };
  // 2.5 × the learning rate of the others: on MNIST it reaches at 2,400 steps what 2·10⁻⁴ reached at 4,000 (see the README).
  if (recipe === "cbn-r1") return { ...projection, conditionalBatchNorm: conditional, r1Gamma: 1, learningRate: 5e-4 };
  if (recipe === "cbn-r1-conv" || recipe === "cbn-r1-conv-lazy") {
    if (arch !== "mlp") throw new DlError("INVALID_ARGUMENT", `The ${recipe} recipe puts its conv generator beside the MLP discriminator; use --arch mlp with it, not ${arch}.`);
    const conv: GanConfig = { ...imageGanConfig(arch, conditional, "cbn-r1"), convGenerator: { channels: [32, 16], upsample: "transposed" } };
    // Twice the rates of cbn-r1-conv with TTUR (G 5·10⁻⁴, D 10⁻³), R1 on every 16th D update only, a shorter EMA of G (its
    // lag, ≈ 1 / (1 − decay) steps, costs more at the doubled rates) and samples drawn with standing batch-norm statistics
    // from 25 batches of 256 (see the README).
    return recipe === "cbn-r1-conv"
      ? conv
      : { ...conv, learningRate: 1e-3, dLearningRate: 2e-3, r1Interval: 16, emaDecay: 0.95, standingStatistics: { batches: 25, batchSize: 256 } };
  }
  return { ...projection, pack: arch === "mlp" ? 4 : 1 };
}

export function parseImageGanRecipe(name: string): ImageGanRecipe {
  if ((IMAGE_GAN_RECIPES as readonly string[]).includes(name)) return name as ImageGanRecipe;
  throw new DlError("INVALID_ARGUMENT", `Unknown GAN recipe "${name}". Valid: ${listNames(IMAGE_GAN_RECIPES)}.`);
}

/**
 * Appends to each row the mean over features of the standard deviation within its group of `group`
 * consecutive rows (Karras et al. 2018, §3): a collapsed group has a small value D can see.
 */
class MinibatchStd extends tfl.layers.Layer {
  static readonly className = "DlMinibatchStd";
  readonly group: number;

  constructor(args: { group: number; name?: string }) {
    super(args);
    this.group = args.group;
  }

  override computeOutputShape(inputShape: tfl.Shape | tfl.Shape[]): tfl.Shape {
    const shape = (Array.isArray(inputShape[0]) ? inputShape[0] : inputShape) as tfl.Shape;
    return [shape[0] ?? null, (shape[1] ?? 0) + 1];
  }

  override call(inputs: tf.Tensor | tf.Tensor[]): tf.Tensor {
    return tf.tidy(() => {
      const x = (Array.isArray(inputs) ? inputs[0] : inputs) as tf.Tensor2D;
      const [n, features] = x.shape;
      // A batch that does not split into whole groups (a last, short one) is one group.
      const g = n % this.group === 0 ? this.group : n;
      const grouped = tf.reshape(x, [n / g, g, features]);
      const variance = tf.mean(tf.square(tf.sub(grouped, tf.mean(grouped, 1, true))), 1);
      const spread = tf.mean(tf.sqrt(tf.add(variance, 1e-8)), 1, true);
      return tf.concat([x, tf.reshape(tf.tile(tf.expandDims(spread, 1), [1, g, 1]), [n, 1])], 1);
    });
  }

  override getConfig(): tf.serialization.ConfigDict {
    return { ...super.getConfig(), group: this.group };
  }
}
tf.serialization.registerClass(MinibatchStd);

/**
 * A dense layer whose kernel W ([in, out]) is divided by its spectral norm (Miyato et al. 2018, Algorithm 1). `u`
 * (non-trainable, saved with the weights) estimates W's top right singular vector; a training pass takes one
 * power-iteration step u ← Wᵀv / ‖Wᵀv‖ with v = Wu / ‖Wu‖ and then σ = ‖Wu‖ = vᵀWu. u carries no gradient, so
 * ∂σ/∂W = v uᵀ as in the paper; an inference pass uses u as it stands.
 */
class SpectralDense extends tfl.layers.Layer {
  static readonly className = "DlSpectralDense";
  readonly units: number;
  readonly seed: number;
  readonly activationName: "linear" | "tanh";
  private kernel?: tfl.LayerVariable;
  private bias?: tfl.LayerVariable;
  private u?: tfl.LayerVariable;

  constructor(args: { units: number; seed: number; activation?: "linear" | "tanh"; name?: string }) {
    super(args);
    this.units = args.units;
    this.seed = args.seed;
    this.activationName = args.activation ?? "linear";
  }

  override build(inputShape: tfl.Shape | tfl.Shape[]): void {
    const shape = (Array.isArray(inputShape[0]) ? inputShape[0] : inputShape) as tfl.Shape;
    const inputs = shape[shape.length - 1] ?? 0;
    this.kernel = this.addWeight("kernel", [inputs, this.units], "float32", tfl.initializers.glorotUniform({ seed: this.seed }));
    this.bias = this.addWeight("bias", [this.units], "float32", tfl.initializers.zeros());
    this.u = this.addWeight("u", [this.units, 1], "float32", tfl.initializers.randomNormal({ stddev: 1, seed: this.seed + 1 }), undefined, false);
    this.built = true;
  }

  override computeOutputShape(inputShape: tfl.Shape | tfl.Shape[]): tfl.Shape {
    const shape = (Array.isArray(inputShape[0]) ? inputShape[0] : inputShape) as tfl.Shape;
    return [...shape.slice(0, -1), this.units];
  }

  override call(inputs: tf.Tensor | tf.Tensor[], kwargs: Record<string, unknown>): tf.Tensor {
    return tf.tidy(() => {
      const x = (Array.isArray(inputs) ? inputs[0] : inputs) as tf.Tensor2D;
      const kernel = (this.kernel as tfl.LayerVariable).read() as tf.Tensor2D;
      const u = this.u as tfl.LayerVariable;
      if (kwargs["training"] === true) {
        // The new u is written to a variable outside the gradient's variable list: no gradient flows through it.
        u.write(tf.tidy(() => normalise(tf.matMul(kernel, normalise(tf.matMul(kernel, u.read() as tf.Tensor2D)), true, false))));
      }
      const sigma = tf.norm(tf.matMul(kernel, u.read()));
      const y = tf.add(tf.matMul(x, tf.div(kernel, sigma)), (this.bias as tfl.LayerVariable).read());
      return this.activationName === "tanh" ? tf.tanh(y) : y;
    });
  }

  override getConfig(): tf.serialization.ConfigDict {
    return { ...super.getConfig(), units: this.units, seed: this.seed, activation: this.activationName };
  }
}
tf.serialization.registerClass(SpectralDense);

const normalise = (v: tf.Tensor2D): tf.Tensor2D => tf.div(v, tf.add(tf.norm(v), 1e-12));

const size = (shape: readonly number[]): number => shape.reduce((a, b) => a * b, 1);

/** x·W + b as one fused product whose gradient (@dl/tensor-core's, for the kernel) computes only what backprop asks for. */
function linear(x: tf.Tensor2D, w: tf.Tensor2D, b: tf.Tensor1D): tf.Tensor2D {
  const [m, k] = x.shape;
  const n = w.shape[1];
  const attrs = { transposeA: false, transposeB: false, activation: "linear", leakyreluAlpha: 0 };
  const out = tf.engine().runKernel<tf.Tensor>("_FusedMatMul", { a: tf.reshape(x, [1, m, k]), b: tf.reshape(w, [1, k, n]), bias: b }, attrs);
  return tf.reshape(out, [m, n]);
}

/**
 * D's dense layer: tfjs-layers' dense (Glorot-uniform kernel, zero bias, linear; same weights, names and initial values)
 * whose gradient skips what it is not asked for. tfjs-layers' dense differentiates through tf.fused.matMul, which
 * computes dL/dx, dL/dW and dL/db together: in G's step D's weight gradients (≈ 8 % of a cGAN step's products) were
 * computed and thrown away. On [x, e] (a label embedding beside x) it is the dense layer of concatenate([x, e]) — one
 * kernel of the joint width — computed as x·W[:dx] + e·W[dx:] + b, so D's step (which needs dL/de, not dL/dx) skips the
 * product dy·W[:dx]ᵀ (128 × 512 · 512 × 784, ≈ 12 %) that concatenate + dense computed and threw away.
 */
class LazyDense extends tfl.layers.Layer {
  static readonly className = "DlLazyDense";
  readonly units: number;
  private readonly seed: number | undefined;
  private kernel: tfl.LayerVariable | undefined;
  private bias: tfl.LayerVariable | undefined;

  constructor(args: { units: number; seed?: number; name?: string }) {
    super(args);
    this.units = args.units;
    this.seed = args.seed;
  }

  override build(inputShape: tfl.Shape | tfl.Shape[]): void {
    const shapes = (Array.isArray(inputShape[0]) ? inputShape : [inputShape]) as tfl.Shape[];
    const width = shapes.reduce((sum, shape) => sum + (shape[shape.length - 1] ?? 0), 0);
    this.kernel = this.addWeight("kernel", [width, this.units], "float32", tfl.initializers.glorotUniform({ seed: this.seed }));
    this.bias = this.addWeight("bias", [this.units], "float32", tfl.initializers.zeros());
    this.built = true;
  }

  override computeOutputShape(inputShape: tfl.Shape | tfl.Shape[]): tfl.Shape {
    const first = (Array.isArray(inputShape[0]) ? inputShape[0] : inputShape) as tfl.Shape;
    return [first[0] ?? null, this.units];
  }

  override call(inputs: tf.Tensor | tf.Tensor[]): tf.Tensor {
    return tf.tidy(() => {
      const w = this.kernel?.read() as tf.Tensor2D;
      const b = this.bias?.read() as tf.Tensor1D;
      const list = (Array.isArray(inputs) ? inputs : [inputs]) as tf.Tensor2D[];
      const [x, e] = list as [tf.Tensor2D, tf.Tensor2D | undefined];
      if (e === undefined) return linear(x, w, b);
      const [wx, we] = tf.split(w, [x.shape[1], e.shape[1]], 0) as [tf.Tensor2D, tf.Tensor2D];
      return tf.add(linear(x, wx, b), tf.matMul(e, we));
    });
  }

  override getConfig(): tf.serialization.ConfigDict {
    return { ...super.getConfig(), units: this.units };
  }
}
tf.serialization.registerClass(LazyDense);

/** D's dense layer: spectrally normalised (one input) when asked, else the LazyDense above (one or two inputs). */
function dDense(units: number, name: string, rng: Rng, spectral: boolean): tfl.layers.Layer {
  if (spectral) return new SpectralDense({ units, name, seed: rng.tfSeed() });
  return new LazyDense({ units, name, seed: rng.tfSeed() });
}

function dense(units: number, name: string, rng: Rng, activation?: "tanh" | "linear"): tfl.layers.Layer {
  return tfl.layers.dense({ units, name, kernelInitializer: tfl.initializers.glorotUniform({ seed: rng.tfSeed() }), ...(activation ? { activation } : {}) });
}

function labelBranch(config: GanConfig, prefix: string, rng: Rng, count = 1): { input: tfl.SymbolicTensor; embedded: tfl.SymbolicTensor } {
  const input = tfl.input({ shape: [count], name: `${prefix}_label` });
  const emb = tfl.layers
    .embedding({ inputDim: config.numClasses, outputDim: config.labelEmbedding, name: `${prefix}_label_embedding`, embeddingsInitializer: tfl.initializers.randomNormal({ stddev: 1, seed: rng.tfSeed() }) })
    .apply(input) as tfl.SymbolicTensor;
  return { input, embedded: tfl.layers.flatten({ name: `${prefix}_label_flat` }).apply(emb) as tfl.SymbolicTensor };
}

/** G: z (and label) → data point. Inputs are [z] or [z, label]. */
export function createGenerator(config: GanConfig, rng: Rng): tfl.LayersModel {
  const z = tfl.input({ shape: [config.latentDim], name: "g_z" });
  const inputs: tfl.SymbolicTensor[] = [z];
  let h: tfl.SymbolicTensor = z;
  let labelInput: tfl.SymbolicTensor | undefined;
  if (config.numClasses > 0) {
    const label = labelBranch(config, "g", rng);
    inputs.push(label.input);
    labelInput = label.input;
    h = tfl.layers.concatenate({ name: "g_concat" }).apply([z, label.embedded]) as tfl.SymbolicTensor;
  }
  const outUnits = size(config.dataShape);
  const conditionalBn = config.conditionalBatchNorm === true && labelInput !== undefined;
  // Batch statistics, then (conditional batch norm) h ⊙ γ_y + β_y: a gain (initially 1) and bias (initially 0) per label and unit or channel.
  const batchNorm = (x: tfl.SymbolicTensor, units: number, index: number): tfl.SymbolicTensor => {
    let y = tfl.layers.batchNormalization({ name: `g_bn${index}` }).apply(x) as tfl.SymbolicTensor;
    if (!conditionalBn || labelInput === undefined) return y;
    const perLabel = (what: "gain" | "bias"): tfl.SymbolicTensor => {
      const e = tfl.layers
        .embedding({ inputDim: config.numClasses, outputDim: units, name: `g_cbn${index}_${what}`, embeddingsInitializer: what === "gain" ? tfl.initializers.ones() : tfl.initializers.zeros() })
        .apply(labelInput) as tfl.SymbolicTensor;
      // [n, 1, units] → [n, units] for a dense layer, [n, 1, 1, channels] (broadcast over the image) for a conv layer.
      const target = x.shape.length === 4 ? [1, 1, units] : [units];
      return tfl.layers.reshape({ targetShape: target, name: `g_cbn${index}_${what}_flat` }).apply(e) as tfl.SymbolicTensor;
    };
    y = tfl.layers.multiply({ name: `g_cbn${index}_scale` }).apply([y, perLabel("gain")]) as tfl.SymbolicTensor;
    return tfl.layers.add({ name: `g_cbn${index}_shift` }).apply([y, perLabel("bias")]) as tfl.SymbolicTensor;
  };
  const conv = (filters: number, name: string, extra: { kernelSize?: number; strides?: number; transposed?: boolean; activation?: "tanh" | "linear"; zero?: boolean } = {}): tfl.layers.Layer => {
    const args = {
      filters,
      kernelSize: extra.kernelSize ?? 3,
      strides: extra.strides ?? 1,
      padding: "same" as const,
      name,
      kernelInitializer: extra.zero === true ? tfl.initializers.zeros() : tfl.initializers.glorotUniform({ seed: rng.tfSeed() }),
      ...(extra.activation ? { activation: extra.activation } : {}),
    };
    return extra.transposed === true ? tfl.layers.conv2dTranspose(args) : tfl.layers.conv2d(args);
  };
  if (config.arch !== "mlp" && (config.convGenerator !== undefined || (config.gRefineChannels ?? 0) > 0)) {
    throw new DlError("INVALID_ARGUMENT", `convGenerator and gRefineChannels replace or refine the MLP G; the ${config.arch} arch has its own conv G. Use arch mlp with them.`);
  }
  if (config.arch === "mlp" && config.convGenerator !== undefined) {
    const [height, width, channels] = quarterableImage(config.dataShape, "The conv generator", "Drop convGenerator for other data.");
    const { channels: convChannels, upsample } = config.convGenerator;
    const [wide, narrow] = convChannels;
    if (!convChannels.every((c) => Number.isInteger(c) && c >= 1) || !(CONV_UPSAMPLES as readonly string[]).includes(upsample)) {
      throw new DlError("INVALID_ARGUMENT", `The conv generator needs two whole channel counts ≥ 1 and an upsampling of ${listNames(CONV_UPSAMPLES)}; got channels [${convChannels.join(", ")}], upsampling "${String(upsample)}".`);
    }
    h = dense((height / 4) * (width / 4) * wide, "g_project", rng).apply(h) as tfl.SymbolicTensor;
    h = tfl.layers.reshape({ targetShape: [height / 4, width / 4, wide], name: "g_reshape" }).apply(h) as tfl.SymbolicTensor;
    h = tfl.layers.reLU({ name: "g_relu1" }).apply(batchNorm(h, wide, 1)) as tfl.SymbolicTensor;
    const up = (x: tfl.SymbolicTensor, filters: number, index: number, activation?: "tanh" | "linear"): tfl.SymbolicTensor => {
      if (upsample === "transposed") return conv(filters, `g_conv${index}`, { kernelSize: 4, strides: 2, transposed: true, ...(activation ? { activation } : {}) }).apply(x) as tfl.SymbolicTensor;
      const wider = tfl.layers.upSampling2d({ size: [2, 2], name: `g_up${index}` }).apply(x) as tfl.SymbolicTensor;
      return conv(filters, `g_conv${index}`, activation ? { activation } : {}).apply(wider) as tfl.SymbolicTensor;
    };
    h = tfl.layers.reLU({ name: "g_relu2" }).apply(batchNorm(up(h, narrow, 1), narrow, 2)) as tfl.SymbolicTensor;
    h = up(h, channels, 2, config.outputActivation);
  } else if (config.arch === "mlp") {
    config.hidden.forEach((units, i) => {
      h = dense(units, `g_dense${i + 1}`, rng).apply(h) as tfl.SymbolicTensor;
      if (config.gBatchNorm === true || conditionalBn) h = batchNorm(h, units, i + 1);
      h = tfl.layers.leakyReLU({ alpha: 0.2, name: `g_lrelu${i + 1}` }).apply(h) as tfl.SymbolicTensor;
    });
    const outputConv = config.gOutputConv === true;
    const refine = config.gRefineChannels ?? 0;
    if (!(Number.isInteger(refine) && refine >= 0)) throw new DlError("INVALID_ARGUMENT", `gRefineChannels must be a whole number ≥ 0 (0: off), got ${refine}.`);
    if ((outputConv || refine > 0) && config.dataShape.length !== 3) {
      throw new DlError("INVALID_ARGUMENT", `${outputConv ? "gOutputConv" : "gRefineChannels"} needs image data [H, W, C]; got [${config.dataShape.join(", ")}]. Turn it off for other data.`);
    }
    const late = outputConv || refine > 0;
    h = dense(outUnits, "g_out", rng, late ? undefined : config.outputActivation).apply(h) as tfl.SymbolicTensor;
    if (config.dataShape.length > 1) h = tfl.layers.reshape({ targetShape: config.dataShape, name: "g_reshape" }).apply(h) as tfl.SymbolicTensor;
    const channels = config.dataShape[2] ?? 1;
    if (outputConv) {
      h = tfl.layers
        .conv2d({ filters: channels, kernelSize: 3, padding: "same", useBias: false, ...(refine > 0 ? {} : { activation: config.outputActivation }), name: "g_out_conv" })
        .apply(h) as tfl.SymbolicTensor;
    }
    if (refine > 0) {
      let r = conv(refine, "g_refine1").apply(h) as tfl.SymbolicTensor;
      r = tfl.layers.leakyReLU({ alpha: 0.2, name: "g_refine_lrelu" }).apply(r) as tfl.SymbolicTensor;
      r = conv(channels, "g_refine2", { zero: true }).apply(r) as tfl.SymbolicTensor;
      h = tfl.layers.add({ name: "g_refine_residual" }).apply([h, r]) as tfl.SymbolicTensor;
      h = tfl.layers.activation({ activation: config.outputActivation, name: "g_out_activation" }).apply(h) as tfl.SymbolicTensor;
    }
  } else {
    const [height, width, channels] = quarterableImage(config.dataShape, "The DCGAN", "Use --arch mlp.");
    const [wide, narrow] = config.convChannels ?? [128, 64];
    h = dense((height / 4) * (width / 4) * wide, "g_project", rng).apply(h) as tfl.SymbolicTensor;
    h = tfl.layers.batchNormalization({ name: "g_bn0" }).apply(h) as tfl.SymbolicTensor;
    h = tfl.layers.reLU({ name: "g_relu0" }).apply(h) as tfl.SymbolicTensor;
    h = tfl.layers.reshape({ targetShape: [height / 4, width / 4, wide], name: "g_reshape" }).apply(h) as tfl.SymbolicTensor;
    h = tfl.layers
      .conv2dTranspose({ filters: narrow, kernelSize: 4, strides: 2, padding: "same", name: "g_deconv1", kernelInitializer: tfl.initializers.glorotUniform({ seed: rng.tfSeed() }) })
      .apply(h) as tfl.SymbolicTensor;
    h = tfl.layers.batchNormalization({ name: "g_bn1" }).apply(h) as tfl.SymbolicTensor;
    h = tfl.layers.reLU({ name: "g_relu1" }).apply(h) as tfl.SymbolicTensor;
    h = tfl.layers
      .conv2dTranspose({ filters: channels, kernelSize: 4, strides: 2, padding: "same", activation: config.outputActivation, name: "g_out", kernelInitializer: tfl.initializers.glorotUniform({ seed: rng.tfSeed() }) })
      .apply(h) as tfl.SymbolicTensor;
  }
  const generator = tfl.model({ inputs, outputs: h, name: `generator_${config.arch}` });
  if (config.arch === "mlp" && config.gOutputConv === true) {
    const blur = binomialBlurKernel(config.dataShape[2] ?? 1);
    generator.getLayer("g_out_conv").setWeights([blur]);
    blur.dispose();
  }
  return generator;
}

/** [H, W, C] of image data whose sides halve twice (both conv generators start at H/4 × W/4); one line naming `who` and the fix otherwise. */
function quarterableImage(dataShape: readonly number[], who: string, fix: string): [number, number, number] {
  const [height = Number.NaN, width = Number.NaN] = dataShape;
  if (dataShape.length !== 3 || height % 4 !== 0 || width % 4 !== 0) {
    throw new DlError("INVALID_ARGUMENT", `${who} needs image data [H, W, C] with H and W divisible by 4; got [${dataShape.join(", ")}]. ${fix}`);
  }
  return dataShape as [number, number, number];
}

/** The 3×3 binomial blur [1, 2, 1]ᵀ[1, 2, 1] / 16 per channel (no mixing between channels), as a conv2d kernel [3, 3, C, C]. */
function binomialBlurKernel(channels: number): tf.Tensor4D {
  const taps = [1, 2, 1];
  const values = new Float32Array(9 * channels * channels);
  for (let i = 0; i < 3; i++) for (let j = 0; j < 3; j++) for (let c = 0; c < channels; c++) values[((i * 3 + j) * channels + c) * channels + c] = ((taps[i] as number) * (taps[j] as number)) / 16;
  return tf.tensor4d(values, [3, 3, channels, channels]);
}

/** D: data point (and label) → logit of "real". Inputs are [x] or [x, label]. */
export function createDiscriminator(config: GanConfig, rng: Rng): tfl.LayersModel {
  const pack = config.pack ?? 1;
  const spectral = config.spectralNorm === true;
  if (spectral && config.arch !== "mlp") throw new DlError("INVALID_ARGUMENT", "Spectral normalisation is implemented for the MLP discriminator only; use --arch mlp or turn spectralNorm off.");
  if ((spectral || pack > 1) && config.convDiscriminator !== undefined) {
    throw new DlError("INVALID_ARGUMENT", `${spectral ? "Spectral normalisation" : `Packing (pack ${pack})`} is implemented for the MLP discriminator only; drop convDiscriminator or turn ${spectral ? "spectralNorm" : "pack"} off.`);
  }
  if (config.arch !== "mlp" && config.convDiscriminator !== undefined) {
    throw new DlError("INVALID_ARGUMENT", `convDiscriminator replaces the MLP D; the ${config.arch} arch has its own conv D. Use arch mlp with it.`);
  }
  if (pack > 1 && config.arch !== "mlp") throw new DlError("INVALID_ARGUMENT", `Packing (pack ${pack}) is implemented for the MLP discriminator only; use --arch mlp or pack 1.`);
  // A packed D reads `pack` flattened samples side by side, and their `pack` labels.
  const x = tfl.input({ shape: pack > 1 ? [pack * size(config.dataShape)] : config.dataShape, name: "d_x" });
  const inputs: tfl.SymbolicTensor[] = [x];
  const label = config.numClasses > 0 ? labelBranch(config, "d", rng, pack) : undefined;
  if (label) inputs.push(label.input);
  let h: tfl.SymbolicTensor;
  if (config.convDiscriminator !== undefined) {
    quarterableImage(config.dataShape, "The conv discriminator", "Drop convDiscriminator for other data.");
    const { channels } = config.convDiscriminator;
    if (!(channels.length === 2 && channels.every((c) => Number.isInteger(c) && c >= 1))) {
      throw new DlError("INVALID_ARGUMENT", `The conv discriminator needs two whole channel counts ≥ 1; got channels [${channels.join(", ")}].`);
    }
    h = convDiscriminatorTrunk(config, x, label?.embedded, channels, rng);
  } else if (config.arch === "mlp") {
    h = config.dataShape.length > 1 && pack === 1 ? (tfl.layers.flatten({ name: "d_flatten" }).apply(x) as tfl.SymbolicTensor) : x;
    if (label && (config.hidden.length === 0 || spectral)) h = tfl.layers.concatenate({ name: "d_concat" }).apply([h, label.embedded]) as tfl.SymbolicTensor;
    [...config.hidden].reverse().forEach((units, i) => {
      // With a label, the first layer is dense(concatenate([x, embed(y)])) as two products (LazyDense); a
      // spectrally normalised layer takes the concatenation as one input.
      h = dDense(units, `d_dense${i + 1}`, rng, spectral).apply(label && i === 0 && !spectral ? [h, label.embedded] : h) as tfl.SymbolicTensor;
      h = tfl.layers.leakyReLU({ alpha: 0.2, name: `d_lrelu${i + 1}` }).apply(h) as tfl.SymbolicTensor;
    });
  } else {
    const [wide, narrow] = config.convChannels ?? [128, 64];
    h = convDiscriminatorTrunk(config, x, label?.embedded, [narrow, wide], rng);
  }
  if ((config.minibatchStdGroup ?? 0) > 1) h = new MinibatchStd({ group: config.minibatchStdGroup ?? 1, name: "d_minibatch_std" }).apply(h) as tfl.SymbolicTensor;
  let logit = dDense(1, "d_logit", rng, spectral).apply(h) as tfl.SymbolicTensor;
  if (label && config.projection === true) {
    const features = h.shape[h.shape.length - 1] ?? 0;
    let e = tfl.layers
      .embedding({ inputDim: config.numClasses, outputDim: features, name: "d_projection_embedding", embeddingsInitializer: tfl.initializers.glorotUniform({ seed: rng.tfSeed() }) })
      .apply(label.input) as tfl.SymbolicTensor;
    // The pack's labels agree in training; their mean embedding is the label's.
    e = (pack > 1 ? tfl.layers.globalAveragePooling1d({ name: "d_projection_mean" }) : tfl.layers.flatten({ name: "d_projection_flat" })).apply(e) as tfl.SymbolicTensor;
    const projection = tfl.layers.dot({ axes: 1, name: "d_projection" }).apply([h, e]) as tfl.SymbolicTensor;
    logit = tfl.layers.add({ name: "d_logit_total" }).apply([logit, projection]) as tfl.SymbolicTensor;
  }
  return tfl.model({ inputs, outputs: logit, name: `discriminator_${config.arch}` });
}

/**
 * The conv D's trunk (the DCGAN's D, and the MLP arch's under `convDiscriminator`): the label, when there is one, as an
 * extra image channel, then two 4×4 convolutions of stride 2 with `channels` filters, each followed by LeakyReLU(0.2), then
 * flatten: the features the logit and the projection term read.
 */
function convDiscriminatorTrunk(config: GanConfig, x: tfl.SymbolicTensor, labelEmbedded: tfl.SymbolicTensor | undefined, channels: [number, number], rng: Rng): tfl.SymbolicTensor {
  const [height, width] = config.dataShape as [number, number, number];
  let h = x;
  if (labelEmbedded) {
    let plane = dense(height * width, "d_label_plane", rng).apply(labelEmbedded) as tfl.SymbolicTensor;
    plane = tfl.layers.reshape({ targetShape: [height, width, 1], name: "d_label_reshape" }).apply(plane) as tfl.SymbolicTensor;
    h = tfl.layers.concatenate({ name: "d_concat" }).apply([x, plane]) as tfl.SymbolicTensor;
  }
  channels.forEach((filters, i) => {
    h = tfl.layers.conv2d({ filters, kernelSize: 4, strides: 2, padding: "same", name: `d_conv${i + 1}`, kernelInitializer: tfl.initializers.glorotUniform({ seed: rng.tfSeed() }) }).apply(h) as tfl.SymbolicTensor;
    h = tfl.layers.leakyReLU({ alpha: 0.2, name: `d_lrelu${i + 1}` }).apply(h) as tfl.SymbolicTensor;
  });
  return tfl.layers.flatten({ name: "d_flatten" }).apply(h) as tfl.SymbolicTensor;
}

export function trainableVariables(model: tfl.LayersModel): tf.Variable[] {
  return model.trainableWeights.map((w) => w.read() as tf.Variable);
}
