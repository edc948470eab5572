import { Vae, decodeRows, encodeRows, trainVae } from "@dl/bayes";
import { DlError, createRng, listNames, type RunOptions } from "@dl/tensor-core";

import { countModes, grid25Mixture, sampleGrid25, type ModeCoverage } from "../evaluate/modes.js";
import { createGan, generate, trainGan } from "../train/gan.js";
import { applyRows, createBiGan, trainBiGan } from "../train/bigan.js";
import type { GanConfig } from "../train/networks.js";

export const ENCODER_METHODS = ["bigan", "vae"] as const;
export type EncoderMethod = (typeof ENCODER_METHODS)[number];

export function parseEncoderMethod(name: string): EncoderMethod {
  if ((ENCODER_METHODS as readonly string[]).includes(name)) return name as EncoderMethod;
  throw new DlError("INVALID_ARGUMENT", `Unknown encoder method "${name}". Valid: ${listNames(ENCODER_METHODS)}.`);
}

/** Data for the z|x comparison: rows in [0, 1] (`unit`, images) or real-valued (`real`). */
export interface EncoderData {
  points: Float32Array;
  count: number;
  dim: number;
  scale: "unit" | "real";
}

export interface EncoderComparison {
  method: EncoderMethod;
  /** Mean ‖x − dec(enc(x))‖² on held-out points (dec = G for BiGAN). */
  reconstructionError: number;
  /** Mean ‖x − dec(enc(x′))‖² for a random other x′: what an encoder that ignores x scores. */
  randomPairError: number;
  /** reconstructionError / randomPairError: < 1 means z carries information about x. */
  ratio: number;
  heldOut: number;
  steps: number;
  seconds: number;
  /** For the BiGAN: the generator's samples and the encoder codes of held-out points (first 500). */
  generated?: Float32Array;
}

export interface CompareEncoderOptions extends RunOptions {
  steps?: number;
  latentDim?: number;
  hidden?: number[];
  /** Points kept out of training for the reconstruction test (default 500). */
  heldOut?: number;
}

/**
 * Fits an encoder for z|x — a BiGAN/ALI encoder trained adversarially or a VAE's q(z|x) — and scores
 * how well x is reconstructed from its code against a random-pair baseline.
 */
export async function compareEncoder(method: EncoderMethod, data: EncoderData, opts: CompareEncoderOptions = {}): Promise<EncoderComparison> {
  const heldOut = Math.min(opts.heldOut ?? 500, Math.floor(data.count / 5));
  const trainCount = data.count - heldOut;
  const rng = createRng(opts.seed);
  const order = rng.permutation(data.count);
  const take = (from: number, n: number): Float32Array => {
    const out = new Float32Array(n * data.dim);
    for (let i = 0; i < n; i++) {
      const j = order[from + i] as number;
      out.set(data.points.subarray(j * data.dim, (j + 1) * data.dim), i * data.dim);
    }
    return out;
  };
  const train = take(0, trainCount);
  const test = take(trainCount, heldOut);
  const latentDim = opts.latentDim ?? (data.dim > 16 ? 16 : 2);
  const hidden = opts.hidden ?? (data.dim > 16 ? [512, 256] : [128, 128]);
  const steps = opts.steps ?? 3000;
  const started = performance.now();
  let reconstruct: (x: Float32Array, codesFrom: Float32Array) => Float32Array;
  let generated: Float32Array | undefined;
  let dispose: () => void;
  const seed = rng.tfSeed();
  const progress = { ...(opts.onProgress ? { onProgress: opts.onProgress } : {}), ...(opts.signal ? { signal: opts.signal } : {}) };
  if (method === "vae") {
    // @dl/bayes's VAE (diagonal-Gaussian q(z|x), two hidden layers of the first hidden width).
    const width = hidden[0] ?? 128;
    const vae = new Vae({ family: "diag", inputDim: data.dim, latentDim, hidden: width, encoderHidden: width, likelihood: data.scale === "unit" ? "bernoulli" : "gaussian", seed });
    await trainVae(vae, { points: train, count: trainCount, dim: data.dim }, { steps, batchSize: 64, binarize: false, seed, ...progress });
    reconstruct = (_x, from) => decodeRows(vae, encodeRows(vae, from));
    dispose = () => vae.dispose();
  } else {
    // The BiGAN's G has a tanh output for images, so they are trained in [−1, 1].
    const toModel = (x: Float32Array): Float32Array => (data.scale === "unit" ? x.map((v) => 2 * v - 1) : x);
    const fromModel = (x: Float32Array): Float32Array => (data.scale === "unit" ? x.map((v) => (v + 1) / 2) : x);
    const bigan = createBiGan(
      { dataDim: data.dim, latentDim, hidden, outputActivation: data.scale === "unit" ? "tanh" : "linear", learningRate: data.scale === "unit" ? 2e-4 : 1e-3, beta1: 0.5, batchSize: 64 },
      seed,
    );
    await trainBiGan(bigan, toModel(train), trainCount, { steps, seed, ...progress });
    reconstruct = (_x, from) => fromModel(applyRows(bigan.generator, applyRows(bigan.encoder, toModel(from), data.dim), latentDim));
    const z = Float32Array.from({ length: 500 * latentDim }, () => rng.normal());
    generated = fromModel(applyRows(bigan.generator, z, latentDim));
    dispose = () => bigan.dispose();
  }
  try {
    const recon = reconstruct(test, test);
    const shuffled = new Float32Array(test.length);
    const perm = rng.permutation(heldOut);
    for (let i = 0; i < heldOut; i++) {
      // A derangement-ish pairing: shift by one inside the permutation so x′ ≠ x.
      const j = perm[(i + 1) % heldOut] as number;
      shuffled.set(test.subarray(j * data.dim, (j + 1) * data.dim), i * data.dim);
    }
    const other = reconstruct(shuffled, shuffled);
    let err = 0;
    let base = 0;
    for (let i = 0; i < heldOut * data.dim; i++) {
      err += ((test[i] as number) - (recon[i] as number)) ** 2;
      base += ((test[i] as number) - (other[i] as number)) ** 2;
    }
    return {
      method,
      reconstructionError: err / heldOut,
      randomPairError: base / heldOut,
      ratio: err / base,
      heldOut,
      steps,
      seconds: (performance.now() - started) / 1000,
      ...(generated ? { generated } : {}),
    };
  } finally {
    dispose();
  }
}

export interface ModeCoverageRun {
  method: "gan" | "bigan";
  seed: number;
  coverage: ModeCoverage;
}

/** Trains a GAN or BiGAN on the grid of 25 Gaussians and counts the modes its samples cover. */
export async function grid25ModeCoverage(method: "gan" | "bigan", seed: number, opts: RunOptions & { steps?: number; samples?: number; sigma?: number } = {}): Promise<ModeCoverageRun> {
  const rng = createRng(seed);
  const sigma = opts.sigma ?? 0.1;
  const count = 20000;
  const points = sampleGrid25(count, rng, sigma);
  const steps = opts.steps ?? 3000;
  const n = opts.samples ?? 2500;
  const progress = { ...(opts.onProgress ? { onProgress: opts.onProgress } : {}), ...(opts.signal ? { signal: opts.signal } : {}) };
  let samples: Float32Array;
  if (method === "gan") {
    const config: GanConfig = { arch: "mlp", dataShape: [2], latentDim: 2, numClasses: 0, labelEmbedding: 0, hidden: [128, 128], outputActivation: "linear", learningRate: 1e-3, beta1: 0.5, batchSize: 100, realLabel: 1 };
    const gan = createGan(config, seed);
    try {
      await trainGan(gan, { points, count }, { epochs: 1, stepsPerEpoch: steps, seed, ...progress });
      samples = generate(gan, n, { seed: seed + 1 });
    } finally {
      gan.dispose();
    }
  } else {
    const bigan = createBiGan({ dataDim: 2, latentDim: 2, hidden: [128, 128], outputActivation: "linear", learningRate: 1e-3, beta1: 0.5, batchSize: 100 }, seed);
    try {
      await trainBiGan(bigan, points, count, { steps, seed, ...progress });
      samples = applyRows(bigan.generator, Float32Array.from({ length: 2 * n }, () => rng.normal()), 2);
    } finally {
      bigan.dispose();
    }
  }
  return { method, seed, coverage: countModes(samples, grid25Mixture(sigma)) };
}
