import * as tf from "@tensorflow/tfjs-core";
import * as tfl from "@tensorflow/tfjs-layers";

import "../tfjs/gradients.js";

import { DlError, cancelPoint, createRng, type RunOptions } from "@dl/tensor-core";

import { Adam } from "../tfjs/adam.js";
import { trainableVariables } from "../train/networks.js";

/**
 * A small Gaussian-encoder VAE (Kingma & Welling 2014), local to @dl/gan because @dl/bayes has no
 * VAE yet; it only serves the z|x comparison with the BiGAN encoder.
 */
export interface Vae {
  dataDim: number;
  latentDim: number;
  likelihood: "bernoulli" | "gaussian";
  /** x → [μ, log σ²] (2 × latentDim). */
  encoder: tfl.LayersModel;
  /** z → logits (bernoulli) or mean (gaussian). */
  decoder: tfl.LayersModel;
  dispose(): void;
}

function mlp(inputDim: number, hidden: readonly number[], outDim: number, name: string, seed: () => number): tfl.LayersModel {
  const input = tfl.input({ shape: [inputDim] });
  let h = input;
  hidden.forEach((units, i) => {
    h = tfl.layers.dense({ units, activation: "relu", name: `${name}_dense${i + 1}`, kernelInitializer: tfl.initializers.glorotUniform({ seed: seed() }) }).apply(h) as tfl.SymbolicTensor;
  });
  const out = tfl.layers.dense({ units: outDim, name: `${name}_out`, kernelInitializer: tfl.initializers.glorotUniform({ seed: seed() }) }).apply(h) as tfl.SymbolicTensor;
  return tfl.model({ inputs: input, outputs: out, name });
}

export function createVae(dataDim: number, latentDim: number, hidden: readonly number[], likelihood: Vae["likelihood"], seed: number): Vae {
  const rng = createRng(seed);
  const encoder = mlp(dataDim, hidden, 2 * latentDim, "vae_encoder", () => rng.tfSeed());
  const decoder = mlp(latentDim, [...hidden].reverse(), dataDim, "vae_decoder", () => rng.tfSeed());
  return { dataDim, latentDim, likelihood, encoder, decoder, dispose: () => (encoder.dispose(), decoder.dispose()) };
}

/** Maximises the ELBO: E_q[log p(x|z)] − KL(q(z|x) ‖ N(0, I)), reparameterised. */
export async function trainVae(vae: Vae, points: Float32Array, count: number, opts: RunOptions & { steps: number; batchSize?: number; learningRate?: number; observationScale?: number }): Promise<number[]> {
  if (points.length !== count * vae.dataDim) throw new DlError("SHAPE_MISMATCH", `VAE data: ${points.length} values for ${count} × ${vae.dataDim}.`);
  const rng = createRng(opts.seed);
  const optimizer = new Adam([...trainableVariables(vae.encoder), ...trainableVariables(vae.decoder)], { learningRate: opts.learningRate ?? 1e-3 });
  const batch = Math.min(opts.batchSize ?? 64, count);
  const buffer = new Float32Array(batch * vae.dataDim);
  const sigma = opts.observationScale ?? 0.1;
  const losses: number[] = [];
  const stopPoint = cancelPoint(opts.signal);
  try {
    for (let step = 0; step < opts.steps; step++) {
      await stopPoint();
      for (let b = 0; b < batch; b++) {
        const i = rng.int(count);
        buffer.set(points.subarray(i * vae.dataDim, (i + 1) * vae.dataDim), b * vae.dataDim);
      }
      const seed = rng.tfSeed();
      const loss = tf.tidy(() => {
        const x = tf.tensor2d(buffer, [batch, vae.dataDim]);
        const eps = tf.randomNormal([batch, vae.latentDim], 0, 1, "float32", seed);
        return optimizer.step(() => {
          const stats = vae.encoder.apply(x) as tf.Tensor2D;
          const mu = tf.slice(stats, [0, 0], [batch, vae.latentDim]);
          const logVar = tf.slice(stats, [0, vae.latentDim], [batch, vae.latentDim]);
          const z = tf.add(mu, tf.mul(tf.exp(tf.mul(logVar, 0.5)), eps));
          const out = vae.decoder.apply(z) as tf.Tensor;
          // −log p(x|z) per point: Bernoulli cross-entropy on logits, or Gaussian with fixed σ.
          const nll =
            vae.likelihood === "bernoulli"
              ? tf.sum(tf.sub(tf.softplus(out), tf.mul(x, out)), 1)
              : tf.div(tf.sum(tf.square(tf.sub(x, out)), 1), 2 * sigma * sigma);
          const kl = tf.mul(tf.sum(tf.sub(tf.add(tf.square(mu), tf.exp(logVar)), tf.add(logVar, 1)), 1), 0.5);
          return tf.mean(tf.add(nll, kl));
        });
      });
      if (step % 50 === 0 || step === opts.steps - 1) {
        losses.push(loss);
        opts.onProgress?.({ phase: "vae", step: step + 1, total: opts.steps, metrics: { negElbo: loss } });
        await tf.nextFrame();
      }
    }
  } finally {
    optimizer.dispose();
  }
  return losses;
}

/** Posterior means μ(x) for rows of `points`. */
export function vaeEncode(vae: Vae, points: Float32Array): Float32Array {
  const n = points.length / vae.dataDim;
  return tf.tidy(() => tf.slice(vae.encoder.apply(tf.tensor2d(points, [n, vae.dataDim])) as tf.Tensor2D, [0, 0], [n, vae.latentDim]).dataSync() as Float32Array);
}

/** Decoder means for latent rows. */
export function vaeDecode(vae: Vae, latents: Float32Array): Float32Array {
  const n = latents.length / vae.latentDim;
  return tf.tidy(() => {
    const out = vae.decoder.apply(tf.tensor2d(latents, [n, vae.latentDim])) as tf.Tensor;
    return (vae.likelihood === "bernoulli" ? tf.sigmoid(out) : out).dataSync() as Float32Array;
  });
}
