import * as tf from "@tensorflow/tfjs-core";
import * as tfl from "@tensorflow/tfjs-layers";


import { DlError, cancelPoint, createRng, type RunOptions } from "@dl/tensor-core";

import { Adam } from "./adam.js";
import { createGenerator, trainableVariables, type GanConfig } from "./networks.js";

export interface BiGanConfig {
  dataDim: number;
  latentDim: number;
  hidden: number[];
  outputActivation: "tanh" | "linear";
  learningRate: number;
  beta1: number;
  batchSize: number;
}

export interface BiGan {
  config: BiGanConfig;
  generator: tfl.LayersModel;
  encoder: tfl.LayersModel;
  /** D(x, z): logit that the pair came from (x, E(x)) rather than (G(z), z). */
  discriminator: tfl.LayersModel;
  dispose(): void;
}

function mlp(inputDim: number, hidden: readonly number[], outDim: number, name: string, seed: () => number, outputActivation?: "tanh" | "linear"): tfl.LayersModel {
  const input = tfl.input({ shape: [inputDim], name: `${name}_in` });
  let h = input;
  hidden.forEach((units, i) => {
    h = tfl.layers.dense({ units, name: `${name}_dense${i + 1}`, kernelInitializer: tfl.initializers.glorotUniform({ seed: seed() }) }).apply(h) as tfl.SymbolicTensor;
    h = tfl.layers.leakyReLU({ alpha: 0.2, name: `${name}_lrelu${i + 1}` }).apply(h) as tfl.SymbolicTensor;
  });
  const out = tfl.layers.dense({ units: outDim, name: `${name}_out`, kernelInitializer: tfl.initializers.glorotUniform({ seed: seed() }), ...(outputActivation ? { activation: outputActivation } : {}) }).apply(h) as tfl.SymbolicTensor;
  return tfl.model({ inputs: input, outputs: out, name });
}

export function createBiGan(config: BiGanConfig, seed: number): BiGan {
  const rng = createRng(seed);
  const ganConfig: GanConfig = {
    arch: "mlp",
    dataShape: [config.dataDim],
    latentDim: config.latentDim,
    numClasses: 0,
    labelEmbedding: 0,
    hidden: config.hidden,
    outputActivation: config.outputActivation,
    learningRate: config.learningRate,
    beta1: config.beta1,
    batchSize: config.batchSize,
    realLabel: 1,
  };
  const generator = createGenerator(ganConfig, rng.fork());
  const encoder = mlp(config.dataDim, [...config.hidden].reverse(), config.latentDim, "encoder", () => rng.tfSeed());
  const discriminator = mlp(config.dataDim + config.latentDim, [...config.hidden].reverse(), 1, "joint_discriminator", () => rng.tfSeed());
  return {
    config,
    generator,
    encoder,
    discriminator,
    dispose() {
      generator.dispose();
      encoder.dispose();
      discriminator.dispose();
    },
  };
}

export interface BiGanHistoryRecord {
  step: number;
  dLoss: number;
  geLoss: number;
}

/**
 * BiGAN / ALI (Donahue et al. 2017; Dumoulin et al. 2017): D tells (x, E(x)) from (G(z), z); G and E
 * are trained together to fool it, so E learns to invert G. Non-saturating losses for G and E.
 */
export async function trainBiGan(model: BiGan, points: Float32Array, count: number, opts: RunOptions & { steps: number }): Promise<BiGanHistoryRecord[]> {
  const { config } = model;
  if (points.length !== count * config.dataDim) throw new DlError("SHAPE_MISMATCH", `BiGAN data: ${points.length} values for ${count} × ${config.dataDim}.`);
  const rng = createRng(opts.seed);
  const dOpt = new Adam(trainableVariables(model.discriminator), { learningRate: config.learningRate, beta1: config.beta1 });
  const geOpt = new Adam([...trainableVariables(model.generator), ...trainableVariables(model.encoder)], { learningRate: config.learningRate, beta1: config.beta1 });
  const batch = Math.min(config.batchSize, count);
  const buffer = new Float32Array(batch * config.dataDim);
  const history: BiGanHistoryRecord[] = [];
  let order = rng.permutation(count);
  let cursor = 0;
  const stopPoint = cancelPoint(opts.signal);
  try {
    for (let step = 0; step < opts.steps; step++) {
      await stopPoint();
      for (let b = 0; b < batch; b++) {
        if (cursor >= count) {
          order = rng.permutation(count);
          cursor = 0;
        }
        const i = order[cursor++] as number;
        buffer.set(points.subarray(i * config.dataDim, (i + 1) * config.dataDim), b * config.dataDim);
      }
      const seedD = rng.tfSeed();
      const seedG = rng.tfSeed();
      const [dLoss, geLoss] = tf.tidy(() => {
        const x = tf.tensor2d(buffer, [batch, config.dataDim]);
        const pairLogits = (zD: tf.Tensor): { real: tf.Tensor; fake: tf.Tensor } => {
          const ex = model.encoder.apply(x) as tf.Tensor;
          const gz = model.generator.apply(zD) as tf.Tensor;
          return {
            real: model.discriminator.apply(tf.concat([x, ex], 1)) as tf.Tensor,
            fake: model.discriminator.apply(tf.concat([gz, zD], 1)) as tf.Tensor,
          };
        };
        const zD = tf.randomNormal([batch, config.latentDim], 0, 1, "float32", seedD);
        const ld = dOpt.step(() => {
          const { real, fake } = pairLogits(zD);
          return tf.add<tf.Scalar>(tf.losses.sigmoidCrossEntropy(tf.onesLike(real), real), tf.losses.sigmoidCrossEntropy(tf.zerosLike(fake), fake));
        });
        const zG = tf.randomNormal([batch, config.latentDim], 0, 1, "float32", seedG);
        const lg = geOpt.step(() => {
          const { real, fake } = pairLogits(zG);
          return tf.add<tf.Scalar>(tf.losses.sigmoidCrossEntropy(tf.zerosLike(real), real), tf.losses.sigmoidCrossEntropy(tf.onesLike(fake), fake));
        });
        return [ld, lg];
      });
      if (step % 50 === 0 || step === opts.steps - 1) {
        history.push({ step: step + 1, dLoss: dLoss ?? Number.NaN, geLoss: geLoss ?? Number.NaN });
        opts.onProgress?.({ phase: "bigan", step: step + 1, total: opts.steps, metrics: { dLoss: dLoss ?? Number.NaN, geLoss: geLoss ?? Number.NaN } });
        await tf.nextFrame();
      }
    }
  } finally {
    dOpt.dispose();
    geOpt.dispose();
  }
  return history;
}

/** Applies a model to rows of a flat buffer in chunks; returns a flat Float32Array. */
export function applyRows(model: tfl.LayersModel, rows: Float32Array, inDim: number): Float32Array {
  const n = rows.length / inDim;
  const chunks: Float32Array[] = [];
  for (let start = 0; start < n; start += 512) {
    const m = Math.min(512, n - start);
    chunks.push(tf.tidy(() => (model.apply(tf.tensor2d(rows.subarray(start * inDim, (start + m) * inDim), [m, inDim])) as tf.Tensor).dataSync() as Float32Array));
  }
  const outDim = chunks.length > 0 ? (chunks[0] as Float32Array).length / Math.min(512, n) : 0;
  const out = new Float32Array(n * outDim);
  let offset = 0;
  for (const c of chunks) {
    out.set(c, offset);
    offset += c.length;
  }
  return out;
}
