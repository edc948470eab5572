import type * as tf from "@tensorflow/tfjs-core";
import * as tfl from "@tensorflow/tfjs-layers";

import { DlError, listNames, type Rng } from "@dl/tensor-core";

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
}

export function parseGanArch(name: string): GanArch {
  if ((GAN_ARCHS as readonly string[]).includes(name)) return name as GanArch;
  throw new DlError("INVALID_ARGUMENT", `Unknown GAN architecture "${name}". Valid: ${listNames(GAN_ARCHS)}.`);
}

/** Sensible defaults for MNIST-sized images. */
export function imageGanConfig(arch: GanArch, conditional: boolean): GanConfig {
  return {
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
}

const size = (shape: readonly number[]): number => shape.reduce((a, b) => a * b, 1);

function dense(units: number, name: string, rng: Rng, activation?: "tanh" | "linear"): tfl.layers.Layer {
  return tfl.layers.dense({ units, name, kernelInitializer: tfl.initializers.glorotUniform({ seed: rng.tfSeed() }), ...(activation ? { activation } : {}) });
}

function labelBranch(config: GanConfig, prefix: string, rng: Rng): { input: tfl.SymbolicTensor; embedded: tfl.SymbolicTensor } {
  const input = tfl.input({ shape: [1], name: `${prefix}_label` });
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
  if (config.numClasses > 0) {
    const label = labelBranch(config, "g", rng);
    inputs.push(label.input);
    h = tfl.layers.concatenate({ name: "g_concat" }).apply([z, label.embedded]) as tfl.SymbolicTensor;
  }
  const outUnits = size(config.dataShape);
  if (config.arch === "mlp") {
    config.hidden.forEach((units, i) => {
      h = dense(units, `g_dense${i + 1}`, rng).apply(h) as tfl.SymbolicTensor;
      h = tfl.layers.leakyReLU({ alpha: 0.2, name: `g_lrelu${i + 1}` }).apply(h) as tfl.SymbolicTensor;
    });
    h = dense(outUnits, "g_out", rng, config.outputActivation).apply(h) as tfl.SymbolicTensor;
    if (config.dataShape.length > 1) h = tfl.layers.reshape({ targetShape: config.dataShape, name: "g_reshape" }).apply(h) as tfl.SymbolicTensor;
  } else {
    const [height, width, channels] = config.dataShape as [number, number, number];
    if (config.dataShape.length !== 3 || height % 4 !== 0 || width % 4 !== 0) {
      throw new DlError("INVALID_ARGUMENT", `The DCGAN needs image data [H, W, C] with H and W divisible by 4; got [${config.dataShape.join(", ")}]. Use --arch mlp.`);
    }
    h = dense((height / 4) * (width / 4) * 128, "g_project", rng).apply(h) as tfl.SymbolicTensor;
    h = tfl.layers.batchNormalization({ name: "g_bn0" }).apply(h) as tfl.SymbolicTensor;
    h = tfl.layers.reLU({ name: "g_relu0" }).apply(h) as tfl.SymbolicTensor;
    h = tfl.layers.reshape({ targetShape: [height / 4, width / 4, 128], name: "g_reshape" }).apply(h) as tfl.SymbolicTensor;
    h = tfl.layers
      .conv2dTranspose({ filters: 64, kernelSize: 4, strides: 2, padding: "same", name: "g_deconv1", kernelInitializer: tfl.initializers.glorotUniform({ seed: rng.tfSeed() }) })
      .apply(h) as tfl.SymbolicTensor;
    h = tfl.layers.batchNormalization({ name: "g_bn1" }).apply(h) as tfl.SymbolicTensor;
    h = tfl.layers.reLU({ name: "g_relu1" }).apply(h) as tfl.SymbolicTensor;
    h = tfl.layers
      .conv2dTranspose({ filters: channels, kernelSize: 4, strides: 2, padding: "same", activation: config.outputActivation, name: "g_out", kernelInitializer: tfl.initializers.glorotUniform({ seed: rng.tfSeed() }) })
      .apply(h) as tfl.SymbolicTensor;
  }
  return tfl.model({ inputs, outputs: h, name: `generator_${config.arch}` });
}

/** D: data point (and label) → logit of "real". Inputs are [x] or [x, label]. */
export function createDiscriminator(config: GanConfig, rng: Rng): tfl.LayersModel {
  const x = tfl.input({ shape: config.dataShape, name: "d_x" });
  const inputs: tfl.SymbolicTensor[] = [x];
  const label = config.numClasses > 0 ? labelBranch(config, "d", rng) : undefined;
  if (label) inputs.push(label.input);
  let h: tfl.SymbolicTensor;
  if (config.arch === "mlp") {
    h = config.dataShape.length > 1 ? (tfl.layers.flatten({ name: "d_flatten" }).apply(x) as tfl.SymbolicTensor) : x;
    if (label) h = tfl.layers.concatenate({ name: "d_concat" }).apply([h, label.embedded]) as tfl.SymbolicTensor;
    [...config.hidden].reverse().forEach((units, i) => {
      h = dense(units, `d_dense${i + 1}`, rng).apply(h) as tfl.SymbolicTensor;
      h = tfl.layers.leakyReLU({ alpha: 0.2, name: `d_lrelu${i + 1}` }).apply(h) as tfl.SymbolicTensor;
    });
  } else {
    const [height, width] = config.dataShape as [number, number, number];
    h = x;
    if (label) {
      // The label enters the first conv layer as an extra image channel.
      let plane = dense(height * width, "d_label_plane", rng).apply(label.embedded) as tfl.SymbolicTensor;
      plane = tfl.layers.reshape({ targetShape: [height, width, 1], name: "d_label_reshape" }).apply(plane) as tfl.SymbolicTensor;
      h = tfl.layers.concatenate({ name: "d_concat" }).apply([x, plane]) as tfl.SymbolicTensor;
    }
    h = tfl.layers.conv2d({ filters: 64, kernelSize: 4, strides: 2, padding: "same", name: "d_conv1", kernelInitializer: tfl.initializers.glorotUniform({ seed: rng.tfSeed() }) }).apply(h) as tfl.SymbolicTensor;
    h = tfl.layers.leakyReLU({ alpha: 0.2, name: "d_lrelu1" }).apply(h) as tfl.SymbolicTensor;
    h = tfl.layers.conv2d({ filters: 128, kernelSize: 4, strides: 2, padding: "same", name: "d_conv2", kernelInitializer: tfl.initializers.glorotUniform({ seed: rng.tfSeed() }) }).apply(h) as tfl.SymbolicTensor;
    h = tfl.layers.leakyReLU({ alpha: 0.2, name: "d_lrelu2" }).apply(h) as tfl.SymbolicTensor;
    h = tfl.layers.flatten({ name: "d_flatten" }).apply(h) as tfl.SymbolicTensor;
  }
  let logit = dense(1, "d_logit", rng).apply(h) as tfl.SymbolicTensor;
  if (label && config.projection === true) {
    const features = h.shape[h.shape.length - 1] ?? 0;
    let e = tfl.layers
      .embedding({ inputDim: config.numClasses, outputDim: features, name: "d_projection_embedding", embeddingsInitializer: tfl.initializers.glorotUniform({ seed: rng.tfSeed() }) })
      .apply(label.input) as tfl.SymbolicTensor;
    e = tfl.layers.flatten({ name: "d_projection_flat" }).apply(e) as tfl.SymbolicTensor;
    const projection = tfl.layers.dot({ axes: 1, name: "d_projection" }).apply([h, e]) as tfl.SymbolicTensor;
    logit = tfl.layers.add({ name: "d_logit_total" }).apply([logit, projection]) as tfl.SymbolicTensor;
  }
  return tfl.model({ inputs, outputs: logit, name: `discriminator_${config.arch}` });
}

export function trainableVariables(model: tfl.LayersModel): tf.Variable[] {
  return model.trainableWeights.map((w) => w.read() as tf.Variable);
}
