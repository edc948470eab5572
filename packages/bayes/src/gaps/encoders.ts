import * as tf from "@tensorflow/tfjs-core";

import { DEFAULT_SEED, DlError, createRng, throwIfAborted } from "@dl/tensor-core";
import type { ImageDataset } from "@dl/tensor-core";

import { studentTQuantileScalar } from "../distributions/studentT.js";
import { Vae, binarize, createEncoder, elboPerImage, imagesToMatrix, iwaeLogLikelihood, refineLocal, trainEncoder, trainVae, type Encoder } from "../vae/vae.js";
import { fixedTestImages, mean, subset, type VaeExperimentOptions } from "./gaps.js";

export interface EncoderCapacityOptions extends VaeExperimentOptions {
  /** Hidden widths of the fresh encoders, smallest first (default 64, 256, 1024). */
  widths?: readonly number[];
  /** Hidden layers of every encoder of the width sweep (default 2, as the VAE's own). */
  encoderDepth?: number;
  /** A depth sweep as well: fresh encoders with these numbers of hidden layers at width `depthWidth` (default none). */
  depths?: readonly number[];
  /** Hidden width of the depth sweep's encoders (default 256). */
  depthWidth?: number;
  /** Encoder seeds per width: the spread the confidence intervals describe (default 3). */
  seeds?: number;
  /** Epochs of fitting each fresh encoder to the frozen decoder; with `patience`, the cap (default: `epochs`). */
  encoderEpochs?: number;
  /**
   * Learning rates each encoder chooses from by its validation ELBO, on the first seed; the other seeds use
   * the choice (default: just `learningRate`, 1e-3).
   */
  learningRates?: readonly number[];
  /**
   * Fit until the validation ELBO has not risen by `minDelta` nats for this many epochs (then the best
   * epoch's weights are kept); default: a fixed `encoderEpochs`.
   */
  patience?: number;
  /** Smallest rise of the validation ELBO that counts as progress (default 0.05 nats). */
  minDelta?: number;
  /**
   * Training images held out (disjoint from the `trainCount` images) to choose the learning rate and
   * detect the plateau on (default 500 when either is on, else none).
   */
  validationCount?: number;
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
  /** Hidden layers. */
  depth: number;
  /** Hidden widths of the encoder, e.g. [256, 256]. */
  hidden: number[];
  /** The learning rate used on every seed (the validation choice when there was a grid). */
  learningRate: number;
  /** The grid on the first seed: best validation ELBO, epochs run and clock seconds per learning rate (empty without validation). */
  learningRateSearch: { learningRate: number; validationElbo: number; epochs: number; seconds: number }[];
  /** Clock seconds of the whole search on the first seed (0 without a grid). */
  searchSeconds: number;
  /** Epochs run per seed (all of `encoderEpochs` without `patience`). */
  epochs: MeanCi;
  /** Optimiser steps per seed. */
  steps: MeanCi;
  /** Best validation ELBO per seed (NaN without validation). */
  validationElbo: MeanCi;
  parameters: number;
  /** Multiply-adds × 2 of one encoder forward pass: the test-time cost per image. */
  flopsPerImage: number;
  /** ≈ 3 × (encoder + decoder forward) × images × epochs run (backward ≈ 2 forward), mean over seeds. */
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
  /** Gap of the previous (narrower or shallower) encoder minus this one's, paired by seed; absent for the first. */
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
  /** The depth sweep at `config.depthWidth` (empty without `depths`). */
  depths: EncoderWidthRow[];
  /** SVI refinement from the smallest encoder's output, per step count. */
  svi: { fromWidth: number; samplesPerStep: number; rows: SviRow[] };
  /**
   * The widest width worth having: the first whose next wider width does not lower the amortization
   * gap significantly (95 % interval of the paired gain reaches 0); null when every step still helps.
   */
  capacityStopsHelpingAt: number | null;
  /** The same rule over the depth sweep: the deepest depth worth having (null: every step helped, or no sweep). */
  depthStopsHelpingAt: number | null;
  config: {
    widths: number[];
    encoderDepth: number;
    depths: number[];
    depthWidth: number;
    learningRates: number[];
    patience: number | null;
    minDelta: number;
    validationCount: number;
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

/** Disjoint random training and validation subsets of `ds` (validation empty when `validationCount` is 0). */
function splitTrainValidation(ds: ImageDataset, trainCount: number | undefined, validationCount: number, seed: number): { trainSet: ImageDataset; validation: ImageDataset | null } {
  if (validationCount === 0) return { trainSet: subset(ds, trainCount, seed), validation: null };
  const nTrain = Math.min(trainCount ?? ds.count, ds.count - validationCount);
  if (nTrain < 1) throw new DlError("INVALID_ARGUMENT", `validationCount ${validationCount} leaves no training images of ${ds.count}.`);
  const idx = createRng(seed).sample(ds.count, nTrain + validationCount);
  const d = ds.height * ds.width * ds.channels;
  const pick = (from: number, count: number): ImageDataset => {
    const images = new Float32Array(count * d);
    const labels = new Int32Array(count);
    for (let i = 0; i < count; i++) {
      const j = idx[from + i] ?? 0;
      images.set(ds.images.subarray(j * d, (j + 1) * d), i * d);
      labels[i] = ds.labels[j] ?? 0;
    }
    return { ...ds, images, labels, count };
  };
  return { trainSet: pick(0, nTrain), validation: pick(nTrain, validationCount) };
}

interface FitOutcome {
  encoder: Encoder;
  epochs: number;
  steps: number;
  seconds: number;
  trainElbo: number;
  validationElbo: number;
}

/**
 * Does a bigger encoder shrink the amortization gap? Trains one VAE (the decoder), computes q* per
 * test image once, then fits fresh encoders of each width (and, optionally, each depth) to the frozen
 * decoder by maximising the ELBO (Cremer, Li & Duvenaud 2018, §5.2) and measures L[q*] − L[q] per
 * encoder over seeds. Each encoder may choose its learning rate from a grid and train until its
 * validation ELBO plateaus, so that a wide encoder is not judged under-fitted. With the decoder fixed
 * the approximation gap log p̂ − L[q*] cannot depend on the encoder; it is measured anyway by refining
 * each encoder's output to q*. SVI refinement from the smallest encoder is the per-compute comparison.
 */
export async function measureEncoderCapacity(train: ImageDataset, test: ImageDataset, options: EncoderCapacityOptions = {}): Promise<EncoderCapacityResult> {
  const clock = options.clock ?? defaultClock;
  const start = performance.now();
  const widths = [...(options.widths ?? [64, 256, 1024])];
  const increasing = (list: number[], what: string): void => {
    if (list.some((w) => !Number.isInteger(w) || w < 1)) throw new DlError("INVALID_ARGUMENT", `Encoder ${what} must be positive integers, got [${list.join(", ")}].`);
    if (list.some((w, i) => i > 0 && w <= (list[i - 1] ?? 0))) throw new DlError("INVALID_ARGUMENT", `Encoder ${what} must increase, got [${list.join(", ")}]; list them smallest first.`);
  };
  if (widths.length === 0) throw new DlError("INVALID_ARGUMENT", "Encoder widths must be positive integers, got [].");
  increasing(widths, "widths");
  const depths = [...(options.depths ?? [])];
  increasing(depths, "depths");
  const depth = options.encoderDepth ?? 2;
  const depthWidth = options.depthWidth ?? 256;
  const seeds = options.seeds ?? 3;
  if (!Number.isInteger(depth) || depth < 1) throw new DlError("INVALID_ARGUMENT", `encoderDepth must be a positive integer, got ${depth}.`);
  if (!Number.isInteger(depthWidth) || depthWidth < 1) throw new DlError("INVALID_ARGUMENT", `depthWidth must be a positive integer, got ${depthWidth}.`);
  if (!Number.isInteger(seeds) || seeds < 1) throw new DlError("INVALID_ARGUMENT", `seeds must be a positive integer, got ${seeds}.`);
  const learningRates = [...new Set(options.learningRates ?? [options.learningRate ?? 1e-3])];
  if (learningRates.length === 0 || learningRates.some((r) => !(r > 0) || !Number.isFinite(r))) {
    throw new DlError("INVALID_ARGUMENT", `Learning rates must be positive numbers, got [${learningRates.join(", ")}].`);
  }
  const patience = options.patience ?? null;
  if (patience !== null && (!Number.isInteger(patience) || patience < 1)) throw new DlError("INVALID_ARGUMENT", `patience must be a positive integer, got ${patience}.`);
  const minDelta = options.minDelta ?? 0.05;
  const validationCount = options.validationCount ?? (patience !== null || learningRates.length > 1 ? 500 : 0);
  if (!Number.isInteger(validationCount) || validationCount < 0) throw new DlError("INVALID_ARGUMENT", `validationCount must be a non-negative integer, got ${validationCount}.`);
  if (validationCount === 0 && (patience !== null || learningRates.length > 1)) {
    throw new DlError("INVALID_ARGUMENT", "Choosing a learning rate or stopping on a plateau needs validation images; set validationCount > 0.");
  }
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
  const validationSamples = 10;
  const rng = createRng(seed);
  const { trainSet, validation } = splitTrainValidation(train, options.trainCount, validationCount, seed);
  const batchSize = options.batchSize ?? 100;
  const batchesPerEpoch = Math.floor(trainSet.count / Math.min(batchSize, trainSet.count));
  const runOptions = {
    batchSize,
    ...(options.onProgress === undefined ? {} : { onProgress: options.onProgress }),
    ...(options.signal === undefined ? {} : { signal: options.signal }),
  };

  const vae = new Vae({ family: "diag", inputDim: train.height * train.width * train.channels, latentDim, hidden, encoderHidden, seed: rng.nextUint32() });
  const x = fixedTestImages(test, options.testCount ?? 200);
  const xVal = validation === null ? null : tf.tidy(() => binarize(imagesToMatrix(validation), 1801));
  try {
    const trained = await trainVae(vae, trainSet, { ...runOptions, learningRate: options.learningRate ?? 1e-3, epochs, seed: rng.nextUint32() });
    const evalSeed = rng.nextUint32();
    const refineSeed = rng.nextUint32();
    const validationSeed = rng.nextUint32();
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

    /** One encoder fitted at one learning rate: to a fixed epoch count, or to its validation plateau (best epoch's weights). */
    const fit = async (sizes: number[], learningRate: number, initSeed: number, trainSeed: number): Promise<FitOutcome> => {
      const encoder = createEncoder(vae, sizes, initSeed);
      let best: tf.Tensor[] = [];
      try {
        let bestElbo = -Infinity;
        let reference = -Infinity;
        let since = 0;
        const validationElbo = (): number => {
          if (xVal === null) return Number.NaN;
          const lambda = tf.tidy(() => encoder.encode(xVal));
          const v = mean(elboPerImage(vae, xVal, lambda, validationSamples, validationSeed));
          lambda.dispose();
          return v;
        };
        const t0 = clock();
        const result = await trainEncoder(vae, encoder, trainSet, {
          ...runOptions,
          learningRate,
          epochs: encoderEpochs,
          seed: trainSeed,
          ...(xVal === null
            ? {}
            : {
                onEpochEnd: () => {
                  const v = validationElbo();
                  if (!(v > bestElbo)) {
                    since++;
                  } else {
                    bestElbo = v;
                    for (const t of best) t.dispose();
                    best = encoder.variables.map((w) => tf.clone(w));
                    if (v > reference + minDelta) {
                      reference = v;
                      since = 0;
                    } else {
                      since++;
                    }
                  }
                  return patience !== null && since >= patience ? `validation ELBO plateau (${patience} epochs under +${minDelta} nats)` : undefined;
                },
              }),
        });
        if (best.length > 0) encoder.variables.forEach((w, i) => w.assign(best[i] as tf.Tensor));
        const seconds = clock() - t0;
        const ran = result.history.length;
        return { encoder, epochs: ran, steps: ran * batchesPerEpoch, seconds, trainElbo: result.history[ran - 1]?.elbo ?? Number.NaN, validationElbo: bestElbo === -Infinity ? Number.NaN : bestElbo };
      } catch (error) {
        encoder.dispose();
        throw error;
      } finally {
        for (const t of best) t.dispose();
      }
    };

    const decoderFlops = mlpFlops([latentDim, hidden, hidden, vae.config.inputDim]);
    interface Cell {
      width: number;
      depth: number;
      gap: number[];
      elbo: number[];
      trainElbo: number[];
      validationElbo: number[];
      epochs: number[];
      trainSeconds: number[];
      learningRate: number;
      search: EncoderWidthRow["learningRateSearch"];
      searchSeconds: number;
      elboOptimalFromHere: number;
      parameters: number;
    }
    const archs: { width: number; depth: number }[] = [...widths.map((w) => ({ width: w, depth })), ...depths.map((d) => ({ width: depthWidth, depth: d }))];
    const cells = new Map<string, Cell>();
    const key = (a: { width: number; depth: number }): string => `${a.width}x${a.depth}`;
    for (const a of archs) {
      if (!cells.has(key(a))) {
        cells.set(key(a), { ...a, gap: [], elbo: [], trainElbo: [], validationElbo: [], epochs: [], trainSeconds: [], learningRate: learningRates[0] ?? 1e-3, search: [], searchSeconds: 0, elboOptimalFromHere: Number.NaN, parameters: 0 });
      }
    }
    const perSvi = sviSteps.map(() => ({ gap: [] as number[], elbo: [] as number[], recovered: [] as number[], seconds: [] as number[] }));
    const smallestKey = key({ width: widths[0] ?? 1, depth });
    const total = seeds * cells.size;
    let done = 0;
    for (const cell of cells.values()) {
      const sizes = Array.from({ length: cell.depth }, () => cell.width);
      for (let s = 0; s < seeds; s++) {
        options.onProgress?.({ phase: "encoders", step: done++, total, metrics: { width: cell.width, depth: cell.depth, seed: s } });
        // The same init and batch seeds for every encoder on seed s: the gains are paired by seed.
        const seedRng = createRng(seed + 7919 * (s + 1));
        const initSeed = seedRng.nextUint32();
        const trainSeed = seedRng.nextUint32();
        let outcome: FitOutcome;
        if (s === 0 && learningRates.length > 1) {
          let chosen: FitOutcome | null = null;
          for (const lr of learningRates) {
            let o: FitOutcome;
            try {
              o = await fit(sizes, lr, initSeed, trainSeed);
            } catch (error) {
              // A rate that diverges is a rate not chosen.
              if (!(error instanceof DlError && error.code === "NON_FINITE")) throw error;
              cell.search.push({ learningRate: lr, validationElbo: Number.NaN, epochs: Number.NaN, seconds: Number.NaN });
              continue;
            }
            cell.search.push({ learningRate: lr, validationElbo: o.validationElbo, epochs: o.epochs, seconds: o.seconds });
            cell.searchSeconds += o.seconds;
            if (chosen === null || (Number.isFinite(o.validationElbo) && !(o.validationElbo <= chosen.validationElbo))) {
              chosen?.encoder.dispose();
              chosen = o;
              cell.learningRate = lr;
            } else {
              o.encoder.dispose();
            }
          }
          if (chosen === null) throw new DlError("INVALID_ARGUMENT", "No learning rate to choose from.");
          outcome = chosen;
        } else {
          outcome = await fit(sizes, cell.learningRate, initSeed, trainSeed);
          if (s === 0) cell.search.push({ learningRate: cell.learningRate, validationElbo: outcome.validationElbo, epochs: outcome.epochs, seconds: outcome.seconds });
        }
        const { encoder } = outcome;
        try {
          cell.trainSeconds.push(outcome.seconds);
          cell.trainElbo.push(outcome.trainElbo);
          cell.validationElbo.push(outcome.validationElbo);
          cell.epochs.push(outcome.epochs);
          cell.parameters = encoder.parameterCount;
          const lambda = tf.tidy(() => encoder.encode(x));
          const elbo = mean(elboOf(lambda));
          cell.elbo.push(elbo);
          cell.gap.push(elboOptimal - elbo);
          // SVI from the smallest encoder (every seed); every encoder refined to q* on the first seed.
          const smallest = key(cell) === smallestKey;
          const refineTo = s === 0 ? localSteps : smallest ? (sviSteps[sviSteps.length - 1] ?? 0) : 0;
          if (refineTo > 0) {
            let last = clock();
            let sviTime = 0;
            const refined = refineLocal(vae, x, lambda, {
              steps: refineTo,
              seed: refineSeed,
              samples: refineSamples,
              checkpoints: smallest ? sviSteps : [],
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

    const rowOf = (a: { width: number; depth: number }, previous: { width: number; depth: number } | undefined): EncoderWidthRow => {
      const cell = cells.get(key(a));
      if (cell === undefined) throw new DlError("INVALID_ARGUMENT", `No encoder ${key(a)}.`);
      const hiddenSizes = Array.from({ length: a.depth }, () => a.width);
      const sizes = [vae.config.inputDim, ...hiddenSizes, vae.family.paramCount];
      const prev = previous === undefined ? undefined : cells.get(key(previous));
      const epochsRun = meanCi(cell.epochs);
      return {
        width: a.width,
        depth: a.depth,
        hidden: hiddenSizes,
        learningRate: cell.learningRate,
        learningRateSearch: validation === null ? [] : cell.search,
        searchSeconds: learningRates.length > 1 ? cell.searchSeconds : 0,
        epochs: epochsRun,
        steps: meanCi(cell.epochs.map((e) => e * batchesPerEpoch)),
        validationElbo: meanCi(cell.validationElbo),
        parameters: cell.parameters,
        flopsPerImage: mlpFlops(sizes),
        trainFlops: 3 * (mlpFlops(sizes) + decoderFlops) * batchesPerEpoch * Math.min(batchSize, trainSet.count) * epochsRun.mean,
        trainSeconds: meanCi(cell.trainSeconds),
        trainElbo: meanCi(cell.trainElbo),
        elbo: meanCi(cell.elbo),
        amortizationGap: meanCi(cell.gap),
        amortizationGapBySeed: [...cell.gap],
        ...(prev === undefined ? {} : { gainOverPrevious: meanCi(cell.gap.map((g, i) => (prev.gap[i] ?? Number.NaN) - g)) }),
        elboOptimalFromHere: cell.elboOptimalFromHere,
        approximationGap: logLikelihood - cell.elboOptimalFromHere,
      };
    };
    const widthArchs = widths.map((w) => ({ width: w, depth }));
    const depthArchs = depths.map((d) => ({ width: depthWidth, depth: d }));
    const rows = widthArchs.map((a, i) => rowOf(a, widthArchs[i - 1]));
    const depthRows = depthArchs.map((a, i) => rowOf(a, depthArchs[i - 1]));
    /** The last size before the first step whose paired gain's 95 % interval reaches 0. */
    const stopsAt = (list: EncoderWidthRow[], size: (r: EncoderWidthRow) => number): number | null => {
      const stop = list.findIndex((r, i) => i > 0 && (r.gainOverPrevious === undefined || r.gainOverPrevious.mean - r.gainOverPrevious.ci95 <= 0));
      const before = list[stop - 1];
      return stop < 0 || before === undefined ? null : size(before);
    };
    const smallestFlops = rows[0]?.flopsPerImage ?? 0;
    return {
      decoder: { hidden, latentDim, trainElbo: trained.history[trained.history.length - 1]?.elbo ?? Number.NaN, trainSeconds: trained.seconds },
      logLikelihood,
      elboOptimal,
      approximationGap: meanCi(Array.from(logP, (v, i) => v - (elboStar[i] ?? Number.NaN))),
      widths: rows,
      depths: depthRows,
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
      capacityStopsHelpingAt: stopsAt(rows, (r) => r.width),
      depthStopsHelpingAt: stopsAt(depthRows, (r) => r.depth),
      config: {
        widths,
        encoderDepth: depth,
        depths,
        depthWidth,
        learningRates,
        patience,
        minDelta,
        validationCount: validation?.count ?? 0,
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
    xVal?.dispose();
    vae.dispose();
  }
}
