import * as tf from "@tensorflow/tfjs-core";

import { DEFAULT_SEED, createRng, throwIfAborted } from "@dl/tensor-core";
import type { ImageDataset, RunOptions } from "@dl/tensor-core";

import type { VaeFamily } from "../vae/families.js";
import { Vae, binarize, elboPerImage, imagesToMatrix, iwaeLogLikelihood, refineLocal, trainVae } from "../vae/vae.js";

export interface VaeExperimentOptions extends RunOptions {
  latentDim?: number;
  hidden?: number;
  encoderHidden?: number;
  flowLayers?: number;
  epochs?: number;
  batchSize?: number;
  learningRate?: number;
  /** Train on at most this many images (stratification is the caller's business). */
  trainCount?: number;
  /** Size of the fixed test subset (default 200). */
  testCount?: number;
  /** Importance samples of the IWAE estimate of log p(x) (default 1000). */
  iwaeK?: number;
  /** Samples for each ELBO estimate (default 100). */
  elboSamples?: number;
  /** Steps of per-datapoint optimisation for q* (default 300). */
  localSteps?: number;
  /** Steps after which the semi-amortized ELBO is reported (default 0, 5, 20, 50, localSteps). */
  refineCheckpoints?: readonly number[];
}

export interface GapRow {
  /** e.g. "diag", "diag (encoder ×2.5)". */
  model: string;
  family: VaeFamily;
  encoderHidden: number;
  /** Mean IWAE log p̂(x) over the test subset, proposal q*. */
  logLikelihood: number;
  /** Mean L[q*] (per-datapoint optimised parameters). */
  elboOptimal: number;
  /** Mean L[q] (amortized encoder). */
  elbo: number;
  /** log p̂(x) − L[q*]. */
  approximationGap: number;
  /** L[q*] − L[q]. */
  amortizationGap: number;
  /** Semi-amortized: ELBO after K SVI steps from the encoder's output; share of the amortization gap recovered. */
  refinement: { steps: number; elbo: number; recovered: number }[];
  trainElbo: number;
  trainSeconds: number;
  evalSeconds: number;
}

export function mean(values: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < values.length; i++) s += values[i] ?? 0;
  return s / values.length;
}

export function subset(ds: ImageDataset, count: number | undefined, seed: number): ImageDataset {
  if (count === undefined || count >= ds.count) return ds;
  const idx = createRng(seed).sample(ds.count, count);
  const d = ds.height * ds.width * ds.channels;
  const images = new Float32Array(count * d);
  const labels = new Int32Array(count);
  idx.forEach((j, i) => {
    images.set(ds.images.subarray(j * d, (j + 1) * d), i * d);
    labels[i] = ds.labels[j] ?? 0;
  });
  return { ...ds, images, labels, count };
}

/** The same binarized test images for every model and run (fixed seeds, independent of the run's seed): [count, D]. */
export function fixedTestImages(test: ImageDataset, count: number): tf.Tensor {
  const testSet = subset(test, count, 2018);
  return tf.tidy(() => binarize(imagesToMatrix(testSet), 2018));
}

/** Trains one VAE and measures L[q], L[q*], log p̂(x) and the semi-amortized path on a fixed test subset. */
export async function vaeGapRow(
  family: VaeFamily,
  train: ImageDataset,
  test: ImageDataset,
  options: VaeExperimentOptions & { label?: string },
): Promise<GapRow & { vae: Vae; testImages: tf.Tensor }> {
  const seed = options.seed ?? DEFAULT_SEED;
  const rng = createRng(seed);
  const inputDim = train.height * train.width * train.channels;
  const vae = new Vae({
    family,
    inputDim,
    latentDim: options.latentDim ?? 8,
    hidden: options.hidden ?? 200,
    encoderHidden: options.encoderHidden ?? 200,
    flowLayers: options.flowLayers ?? 4,
    seed: rng.nextUint32(),
  });
  const trained = await trainVae(vae, subset(train, options.trainCount, seed), {
    epochs: options.epochs ?? 10,
    batchSize: options.batchSize ?? 100,
    learningRate: options.learningRate ?? 1e-3,
    seed: rng.nextUint32(),
    ...(options.onProgress === undefined ? {} : { onProgress: options.onProgress }),
    ...(options.signal === undefined ? {} : { signal: options.signal }),
  });
  const evalStart = performance.now();
  const x = fixedTestImages(test, options.testCount ?? 200);
  const samples = options.elboSamples ?? 100;
  const localSteps = options.localSteps ?? 300;
  const checkpoints = [...new Set([...(options.refineCheckpoints ?? [0, 5, 20, 50]), localSteps])].filter((c) => c <= localSteps).sort((a, b) => a - b);
  const evalSeed = rng.nextUint32();
  const lambdaAmortized = tf.tidy(() => vae.encode(x));
  const path: { steps: number; elbo: number }[] = [];
  options.onProgress?.({ phase: `refine ${options.label ?? family}`, step: 0, total: localSteps });
  const lambdaStar = refineLocal(vae, x, lambdaAmortized, {
    steps: localSteps,
    seed: rng.nextUint32(),
    checkpoints,
    onCheckpoint: (steps, lambda) => {
      path.push({ steps, elbo: mean(elboPerImage(vae, x, lambda, samples, evalSeed)) });
      options.onProgress?.({ phase: `refine ${options.label ?? family}`, step: steps, total: localSteps });
    },
    ...(options.signal === undefined ? {} : { signal: options.signal }),
  });
  throwIfAborted(options.signal);
  const elbo = path.find((p) => p.steps === 0)?.elbo ?? mean(elboPerImage(vae, x, lambdaAmortized, samples, evalSeed));
  const elboOptimal = path.find((p) => p.steps === localSteps)?.elbo ?? mean(elboPerImage(vae, x, lambdaStar, samples, evalSeed));
  options.onProgress?.({ phase: `iwae ${options.label ?? family}`, step: 0, total: 1 });
  const logLikelihood = mean(iwaeLogLikelihood(vae, x, lambdaStar, options.iwaeK ?? 1000, rng.nextUint32()));
  options.onProgress?.({ phase: `iwae ${options.label ?? family}`, step: 1, total: 1 });
  lambdaAmortized.dispose();
  lambdaStar.dispose();
  const amortizationGap = elboOptimal - elbo;
  return {
    model: options.label ?? family,
    family,
    encoderHidden: vae.config.encoderHidden,
    logLikelihood,
    elboOptimal,
    elbo,
    approximationGap: logLikelihood - elboOptimal,
    amortizationGap,
    refinement: path.map((p) => ({ ...p, recovered: amortizationGap > 0 ? (p.elbo - elbo) / amortizationGap : Number.NaN })),
    trainElbo: trained.history[trained.history.length - 1]?.elbo ?? Number.NaN,
    trainSeconds: trained.seconds,
    evalSeconds: (performance.now() - evalStart) / 1000,
    vae,
    testImages: x,
  };
}

export interface GapsResult {
  rows: GapRow[];
  config: Required<Omit<VaeExperimentOptions, "onProgress" | "signal" | "seed" | "refineCheckpoints">> & { seed: number; largerEncoderHidden: number };
  seconds: number;
}

/**
 * The approximation and amortization gaps of Cremer, Li & Duvenaud (2018) for each encoder family,
 * plus the diagonal family with a larger encoder, on one fixed test subset.
 */
export async function measureGaps(
  train: ImageDataset,
  test: ImageDataset,
  options: VaeExperimentOptions & { families?: readonly VaeFamily[]; largerEncoderFactor?: number } = {},
): Promise<GapsResult> {
  const start = performance.now();
  const families = options.families ?? ["diag", "full", "planar"];
  const encoderHidden = options.encoderHidden ?? 200;
  const largerEncoderHidden = Math.round(encoderHidden * (options.largerEncoderFactor ?? 2.5));
  const runs: { family: VaeFamily; label: string; encoderHidden: number }[] = [
    ...families.map((f) => ({ family: f, label: f, encoderHidden })),
    { family: "diag", label: `diag (encoder ×${options.largerEncoderFactor ?? 2.5})`, encoderHidden: largerEncoderHidden },
  ];
  const rows: GapRow[] = [];
  for (const run of runs) {
    const { vae, testImages, ...row } = await vaeGapRow(run.family, train, test, { ...options, encoderHidden: run.encoderHidden, label: run.label });
    vae.dispose();
    testImages.dispose();
    rows.push(row);
  }
  return {
    rows,
    config: {
      latentDim: options.latentDim ?? 8,
      hidden: options.hidden ?? 200,
      encoderHidden,
      flowLayers: options.flowLayers ?? 4,
      epochs: options.epochs ?? 10,
      batchSize: options.batchSize ?? 100,
      learningRate: options.learningRate ?? 1e-3,
      trainCount: options.trainCount ?? train.count,
      testCount: options.testCount ?? 200,
      iwaeK: options.iwaeK ?? 1000,
      elboSamples: options.elboSamples ?? 100,
      localSteps: options.localSteps ?? 300,
      seed: options.seed ?? DEFAULT_SEED,
      largerEncoderHidden,
    },
    seconds: (performance.now() - start) / 1000,
  };
}
