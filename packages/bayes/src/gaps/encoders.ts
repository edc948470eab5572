import * as tf from "@tensorflow/tfjs-core";

import { DEFAULT_SEED, DlError, createRng, throwIfAborted } from "@dl/tensor-core";
import type { ImageDataset } from "@dl/tensor-core";

import { studentTQuantileScalar } from "../distributions/studentT.js";
import { Vae, createEncoder, elboPerImage, iwaeLogLikelihood, refineLocal, trainEncoder, trainVae } from "../vae/vae.js";
import { fixedTestImages, mean, subset, type VaeExperimentOptions } from "./gaps.js";

export interface EncoderCapacityOptions extends VaeExperimentOptions {
  /** Hidden widths of the fresh encoders, smallest first (default 64, 256, 1024). */
  widths?: readonly number[];
  /** Hidden layers of every fresh encoder (default 2, as the VAE's own). */
  encoderDepth?: number;
  /** Encoder seeds per width: the spread the confidence intervals describe (default 3). */
  seeds?: number;
  /** Epochs of fitting each fresh encoder to the frozen decoder (default: `epochs`). */
  encoderEpochs?: number;
  /** SVI refinement steps from the smallest encoder's output to compare with (default 5, 20, 50). */
  sviSteps?: readonly number[];
  /** Seconds of compute so far, e.g. the process's CPU time (default: wall time, `performance.now()`). */
  clock?: () => number;
}

/** A mean over n runs (or images) with the half-width of its 95 % Student-t interval. */
export interface MeanCi {
  mean: number;
  ci95: number;
  n: number;
}

export interface EncoderWidthRow {
  width: number;
  /** Hidden widths of the encoder, e.g. [256, 256]. */
  hidden: number[];
  parameters: number;
  /** Multiply-adds × 2 of one encoder forward pass: the test-time cost per image. */
  flopsPerImage: number;
  /** ≈ 3 × (encoder + decoder forward) × images × epochs (backward ≈ 2 forward). */
  trainFlops: number;
  /** Clock seconds of fitting the encoder. */
  trainSeconds: MeanCi;
  /** Last-epoch training ELBO (single-sample, dynamically binarized batches). */
  trainElbo: MeanCi;
  /** L[q] of the encoder on the test subset. */
  elbo: MeanCi;
  /** L[q*] − L[q]. */
  amortizationGap: MeanCi;
  /** L[q*] − L[q] of each seed, in seed order (an unstable fit shows here). */
  amortizationGapBySeed: number[];
  /** Gap of the previous (narrower) width minus this one's, paired by seed; absent for the first. */
  gainOverPrevious?: MeanCi;
  /** L[q*] refined from this encoder's output (first seed): q* should not depend on where refinement starts. */
  elboOptimalFromHere: number;
  /** log p̂ − L[q*] with q* refined from this encoder's output (first seed). */
  approximationGap: number;
}

export interface SviRow {
  steps: number;
  /** Encoder forward pass plus `steps` refinement steps (each ≈ 3 × samples × decoder forward), per image. */
  flopsPerImage: number;
  /** Clock seconds of these steps on the whole test subset. */
  seconds: MeanCi;
  elbo: MeanCi;
  /** What is left of the amortization gap: L[q*] − L[after `steps`]. */
  amortizationGap: MeanCi;
  /** Share of the starting encoder's amortization gap recovered. */
  recovered: MeanCi;
}

export interface EncoderCapacityResult {
  /** The one decoder every encoder is fitted to. */
  decoder: { hidden: number; latentDim: number; trainElbo: number; trainSeconds: number };
  /** Mean IWAE log p̂(x) over the test subset (proposal: q* from the VAE's own encoder). */
  logLikelihood: number;
  /** Mean L[q*]: each test image's variational parameters optimised to convergence. */
  elboOptimal: number;
  /** log p̂ − L[q*] with a 95 % interval over test images: fixed by the decoder and the family, not by any encoder. */
  approximationGap: MeanCi;
  widths: EncoderWidthRow[];
  /** SVI refinement from the smallest encoder's output, per step count. */
  svi: { fromWidth: number; samplesPerStep: number; rows: SviRow[] };
  /**
   * The widest width worth having: the first whose next wider width does not lower the amortization
   * gap significantly (95 % interval of the paired gain reaches 0); null when every step still helps.
   */
  capacityStopsHelpingAt: number | null;
  config: {
    widths: number[];
    encoderDepth: number;
    seeds: number;
    encoderEpochs: number;
    epochs: number;
    trainCount: number;
    testCount: number;
    latentDim: number;
    hidden: number;
    encoderHidden: number;
    iwaeK: number;
    elboSamples: number;
    localSteps: number;
    sviSteps: number[];
    seed: number;
  };
  seconds: number;
}

/** Mean and 95 % Student-t half-width of `values` (half-width 0 for a single value). */
export function meanCi(values: readonly number[]): MeanCi {
  const n = values.length;
  const m = mean(values);
  if (n < 2) return { mean: m, ci95: 0, n };
  let ss = 0;
  for (const v of values) ss += (v - m) ** 2;
  return { mean: m, ci95: studentTQuantileScalar(0.975, n - 1) * Math.sqrt(ss / (n - 1) / n), n };
}

/** 2 × multiply-adds of a dense MLP with these layer sizes, per input row. */
export function mlpFlops(sizes: readonly number[]): number {
  let f = 0;
  for (let i = 0; i + 1 < sizes.length; i++) f += 2 * (sizes[i] ?? 0) * (sizes[i + 1] ?? 0);
  return f;
}

function defaultClock(): number {
  return performance.now() / 1000;
}

/**
 * Does a bigger encoder shrink the amortization gap? Trains one VAE (the decoder), computes q* per
 * test image once, then fits fresh encoders of each width to the frozen decoder by maximising the
 * ELBO (Cremer, Li & Duvenaud 2018, §5.2) and measures L[q*] − L[q] per width over seeds. With the
 * decoder fixed the approximation gap log p̂ − L[q*] cannot depend on the encoder; it is measured
 * anyway by refining each width's output to q*. SVI refinement from the smallest encoder is the
 * per-compute comparison.
 */
export async function measureEncoderCapacity(train: ImageDataset, test: ImageDataset, options: EncoderCapacityOptions = {}): Promise<EncoderCapacityResult> {
  const clock = options.clock ?? defaultClock;
  const start = performance.now();
  const widths = [...(options.widths ?? [64, 256, 1024])];
  if (widths.length === 0 || widths.some((w) => !Number.isInteger(w) || w < 1)) {
    throw new DlError("INVALID_ARGUMENT", `Encoder widths must be positive integers, got [${widths.join(", ")}].`);
  }
  if (widths.some((w, i) => i > 0 && w <= (widths[i - 1] ?? 0))) {
    throw new DlError("INVALID_ARGUMENT", `Encoder widths must increase, got [${widths.join(", ")}]; list them smallest first.`);
  }
  const depth = options.encoderDepth ?? 2;
  const seeds = options.seeds ?? 3;
  if (!Number.isInteger(depth) || depth < 1) throw new DlError("INVALID_ARGUMENT", `encoderDepth must be a positive integer, got ${depth}.`);
  if (!Number.isInteger(seeds) || seeds < 1) throw new DlError("INVALID_ARGUMENT", `seeds must be a positive integer, got ${seeds}.`);
  const seed = options.seed ?? DEFAULT_SEED;
  const epochs = options.epochs ?? 10;
  const encoderEpochs = options.encoderEpochs ?? epochs;
  const latentDim = options.latentDim ?? 8;
  const hidden = options.hidden ?? 200;
  const encoderHidden = options.encoderHidden ?? 200;
  const samples = options.elboSamples ?? 100;
  const localSteps = options.localSteps ?? 300;
  const sviSteps = [...new Set(options.sviSteps ?? [5, 20, 50])].filter((k) => k > 0 && k <= localSteps).sort((a, b) => a - b);
  const refineSamples = 10;
  const rng = createRng(seed);
  const trainSet = subset(train, options.trainCount, seed);
  const runOptions = {
    batchSize: options.batchSize ?? 100,
    learningRate: options.learningRate ?? 1e-3,
    ...(options.onProgress === undefined ? {} : { onProgress: options.onProgress }),
    ...(options.signal === undefined ? {} : { signal: options.signal }),
  };

  const vae = new Vae({ family: "diag", inputDim: train.height * train.width * train.channels, latentDim, hidden, encoderHidden, seed: rng.nextUint32() });
  const x = fixedTestImages(test, options.testCount ?? 200);
  try {
    const trained = await trainVae(vae, trainSet, { ...runOptions, epochs, seed: rng.nextUint32() });
    const evalSeed = rng.nextUint32();
    const refineSeed = rng.nextUint32();
    const elboOf = (lambda: tf.Tensor): Float64Array => elboPerImage(vae, x, lambda, samples, evalSeed);

    // q* once, from the VAE's own encoder; every encoder's gap is measured against it.
    options.onProgress?.({ phase: "q*", step: 0, total: 1 });
    const lambdaVae = tf.tidy(() => vae.encode(x));
    const lambdaStar = refineLocal(vae, x, lambdaVae, { steps: localSteps, seed: refineSeed, ...(options.signal === undefined ? {} : { signal: options.signal }) });
    lambdaVae.dispose();
    const elboStar = elboOf(lambdaStar);
    const logP = iwaeLogLikelihood(vae, x, lambdaStar, options.iwaeK ?? 1000, rng.nextUint32());
    lambdaStar.dispose();
    options.onProgress?.({ phase: "q*", step: 1, total: 1 });
    const elboOptimal = mean(elboStar);
    const logLikelihood = mean(logP);
    throwIfAborted(options.signal);

    const encoderSizes = (w: number): number[] => Array.from({ length: depth }, () => w);
    const decoderFlops = mlpFlops([latentDim, hidden, hidden, vae.config.inputDim]);
    const perWidth = widths.map(() => ({ gap: [] as number[], elbo: [] as number[], trainElbo: [] as number[], trainSeconds: [] as number[], elboOptimalFromHere: Number.NaN, parameters: 0 }));
    const perSvi = sviSteps.map(() => ({ gap: [] as number[], elbo: [] as number[], recovered: [] as number[], seconds: [] as number[] }));
    const total = seeds * widths.length;
    for (let s = 0; s < seeds; s++) {
      const seedRng = createRng(seed + 7919 * (s + 1));
      for (const [wi, w] of widths.entries()) {
        options.onProgress?.({ phase: "encoders", step: s * widths.length + wi, total, metrics: { width: w, seed: s } });
        const cell = perWidth[wi];
        if (cell === undefined) continue;
        const encoder = createEncoder(vae, encoderSizes(w), seedRng.nextUint32());
        try {
          const t0 = clock();
          const fit = await trainEncoder(vae, encoder, trainSet, { ...runOptions, epochs: encoderEpochs, seed: seedRng.nextUint32() });
          cell.trainSeconds.push(clock() - t0);
          cell.trainElbo.push(fit.history[fit.history.length - 1]?.elbo ?? Number.NaN);
          cell.parameters = encoder.parameterCount;
          const lambda = tf.tidy(() => encoder.encode(x));
          const elbo = mean(elboOf(lambda));
          cell.elbo.push(elbo);
          cell.gap.push(elboOptimal - elbo);
          // SVI from the smallest encoder (every seed); every width refined to q* on the first seed.
          const refineTo = s === 0 ? localSteps : wi === 0 ? (sviSteps[sviSteps.length - 1] ?? 0) : 0;
          if (refineTo > 0) {
            let last = clock();
            let sviTime = 0;
            const refined = refineLocal(vae, x, lambda, {
              steps: refineTo,
              seed: refineSeed,
              samples: refineSamples,
              checkpoints: wi === 0 ? sviSteps : [],
              onCheckpoint: (steps, l) => {
                sviTime += clock() - last;
                const k = sviSteps.indexOf(steps);
                const row = perSvi[k];
                const after = mean(elboOf(l));
                row?.elbo.push(after);
                row?.gap.push(elboOptimal - after);
                row?.recovered.push((after - elbo) / (elboOptimal - elbo));
                row?.seconds.push(sviTime);
                last = clock();
              },
              ...(options.signal === undefined ? {} : { signal: options.signal }),
            });
            if (s === 0) cell.elboOptimalFromHere = mean(elboOf(refined));
            refined.dispose();
          }
          lambda.dispose();
        } finally {
          encoder.dispose();
        }
        throwIfAborted(options.signal);
      }
    }
    options.onProgress?.({ phase: "encoders", step: total, total });

    const rows: EncoderWidthRow[] = widths.map((w, wi) => {
      const cell = perWidth[wi] ?? { gap: [], elbo: [], trainElbo: [], trainSeconds: [], elboOptimalFromHere: Number.NaN, parameters: 0 };
      const sizes = [vae.config.inputDim, ...encoderSizes(w), vae.family.paramCount];
      const previous = perWidth[wi - 1];
      return {
        width: w,
        hidden: encoderSizes(w),
        parameters: cell.parameters,
        flopsPerImage: mlpFlops(sizes),
        trainFlops: 3 * (mlpFlops(sizes) + decoderFlops) * trainSet.count * encoderEpochs,
        trainSeconds: meanCi(cell.trainSeconds),
        trainElbo: meanCi(cell.trainElbo),
        elbo: meanCi(cell.elbo),
        amortizationGap: meanCi(cell.gap),
        amortizationGapBySeed: [...cell.gap],
        ...(previous === undefined ? {} : { gainOverPrevious: meanCi(cell.gap.map((g, i) => (previous.gap[i] ?? Number.NaN) - g)) }),
        elboOptimalFromHere: cell.elboOptimalFromHere,
        approximationGap: logLikelihood - cell.elboOptimalFromHere,
      };
    });
    const smallestFlops = rows[0]?.flopsPerImage ?? 0;
    const stop = rows.findIndex((r, i) => i > 0 && (r.gainOverPrevious === undefined || r.gainOverPrevious.mean - r.gainOverPrevious.ci95 <= 0));
    return {
      decoder: { hidden, latentDim, trainElbo: trained.history[trained.history.length - 1]?.elbo ?? Number.NaN, trainSeconds: trained.seconds },
      logLikelihood,
      elboOptimal,
      approximationGap: meanCi(Array.from(logP, (v, i) => v - (elboStar[i] ?? Number.NaN))),
      widths: rows,
      svi: {
        fromWidth: widths[0] ?? 0,
        samplesPerStep: refineSamples,
        rows: sviSteps.map((steps, k) => {
          const cell = perSvi[k] ?? { gap: [], elbo: [], recovered: [], seconds: [] };
          return {
            steps,
            flopsPerImage: smallestFlops + steps * 3 * refineSamples * decoderFlops,
            seconds: meanCi(cell.seconds),
            elbo: meanCi(cell.elbo),
            amortizationGap: meanCi(cell.gap),
            recovered: meanCi(cell.recovered),
          };
        }),
      },
      capacityStopsHelpingAt: stop < 0 ? null : (widths[stop - 1] ?? null),
      config: {
        widths,
        encoderDepth: depth,
        seeds,
        encoderEpochs,
        epochs,
        trainCount: trainSet.count,
        testCount: x.shape[0] ?? 0,
        latentDim,
        hidden,
        encoderHidden,
        iwaeK: options.iwaeK ?? 1000,
        elboSamples: samples,
        localSteps,
        sviSteps,
        seed,
      },
      seconds: (performance.now() - start) / 1000,
    };
  } finally {
    x.dispose();
    vae.dispose();
  }
}
