import type * as tfl from "@tensorflow/tfjs-layers";

import { DEFAULT_SEED, DlError, predictClasses, type ImageDataset, type RunOptions } from "@dl/tensor-core";

import { evaluateGenerator, type GeneratorEvaluation } from "../evaluate/generatorEvaluation.js";
import { createGan, generate, trainGan, type Gan, type GanEpochRecord } from "./gan.js";
import { imageGanConfig, type GanArch } from "./networks.js";

export interface ImageGanOptions extends RunOptions {
  train: ImageDataset;
  /** Real images for the evaluation (the test split); needs 2 × evalSamples images for the final scores. */
  evaluationSet?: ImageDataset;
  /** The classifier that scores samples (per-label accuracy, features); no scores without it. */
  classifier?: tfl.LayersModel;
  arch?: GanArch;
  conditional?: boolean;
  /** Train until this many epochs are complete. */
  epochs: number;
  stepsPerEpoch?: number;
  /** Continue this GAN (from a checkpoint) instead of a new one. */
  resume?: Gan;
  /** Conditional samples scored per epoch (default 500). */
  epochSamples?: number;
  /** Samples for the final Fréchet distance and precision/recall (default 1000). */
  finalSamples?: number;
  onEpoch?: (epoch: ImageGanEpoch, gan: Gan) => void | Promise<void>;
}

export interface ImageGanEpoch {
  record: GanEpochRecord;
  /** The sample grid of this epoch: images in [0, 1] (fixed noise), one row per label when conditional. */
  grid: { images: Float32Array; count: number; columns: number; height: number; width: number };
}

export interface ImageGanResult {
  gan: Gan;
  history: GanEpochRecord[];
  final?: GeneratorEvaluation;
  seconds: number;
}

const toUnit = (images: Float32Array): Float32Array => images.map((v) => Math.min(1, Math.max(0, (v + 1) / 2)));

/** Sample grid: ten samples per label (rows = labels) for a conditional GAN, else 100 samples. */
export function sampleGrid(gan: Gan, seed = 7): ImageGanEpoch["grid"] {
  const [height = 28, width = 28] = gan.config.dataShape;
  const classes = gan.config.numClasses;
  const count = classes > 0 ? classes * 10 : 100;
  const labels = classes > 0 ? Int32Array.from({ length: count }, (_, i) => Math.floor(i / 10)) : undefined;
  return { images: toUnit(generate(gan, count, { seed, ...(labels ? { labels } : {}) })), count, columns: 10, height, width };
}

/** Conditional samples with balanced labels, in [0, 1]. */
export function generateImages(gan: Gan, count: number, seed: number, label?: number): { images: Float32Array; labels?: Int32Array } {
  const classes = gan.config.numClasses;
  if (classes === 0) {
    if (label !== undefined) throw new DlError("INVALID_ARGUMENT", "This GAN is unconditional: it takes no label. Train with --conditional to sample by label.");
    return { images: toUnit(generate(gan, count, { seed })) };
  }
  const labels = Int32Array.from({ length: count }, (_, i) => label ?? i % classes);
  return { images: toUnit(generate(gan, count, { seed, labels })), labels };
}

/**
 * Refuses to continue a GAN on data other than the dataset its checkpoint records (a different
 * dataset, or a label count a conditional GAN was not built for), in one line naming both and how to
 * fix it. A checkpoint that records no dataset (written before this check) is accepted.
 */
export function assertResumableOn(gan: Gan, data: { name: string; classes: number }, where = "The checkpoint"): void {
  const was = gan.trainedOn?.name;
  if (was !== undefined && was !== data.name) {
    // Dataset names carry their split (mnist/train); --data takes the dataset alone.
    const flag = (name: string): string => name.replace(/\/[^/]*$/, "");
    throw new DlError("INVALID_ARGUMENT", `${where} was trained on ${was}, not ${data.name}: resume with --data ${flag(was)}, or train ${flag(data.name)} into a new --out.`, {
      details: { checkpoint: was, requested: data.name },
    });
  }
  if (gan.config.numClasses > 0 && gan.config.numClasses !== data.classes) {
    throw new DlError("INVALID_ARGUMENT", `${where} is a conditional GAN for ${gan.config.numClasses} labels, but ${data.name} has ${data.classes}: resume on the dataset it was trained on, or use a new --out.`);
  }
}

/**
 * Trains an MLP or DCGAN (optionally conditional) on an image dataset, scoring each epoch with the
 * classifier (per-label accuracy of conditional samples) and the final generator with the Fréchet
 * distance, its real-vs-real baseline, and k-NN precision/recall.
 */
export async function trainImageGan(opts: ImageGanOptions): Promise<ImageGanResult> {
  const { train } = opts;
  const conditional = opts.resume ? opts.resume.config.numClasses > 0 : (opts.conditional ?? false);
  const gan = opts.resume ?? createGan({ ...imageGanConfig(opts.arch ?? "mlp", conditional), numClasses: conditional ? train.classNames.length : 0 }, opts.seed ?? DEFAULT_SEED);
  if (opts.resume) assertResumableOn(opts.resume, { name: train.name, classes: train.classNames.length });
  const [h, w, c] = gan.config.dataShape;
  if (h !== train.height || w !== train.width || c !== train.channels) {
    throw new DlError("SHAPE_MISMATCH", `The GAN makes ${gan.config.dataShape.join("×")} images but the data are ${train.height}×${train.width}×${train.channels}.`);
  }
  gan.trainedOn = { name: train.name, count: train.count };
  const points = train.images.map((v) => 2 * v - 1);
  const started = performance.now();
  const epochSamples = opts.epochSamples ?? 500;
  const history = await trainGan(gan, { points, count: train.count, ...(conditional ? { labels: train.labels } : {}) }, {
    epochs: opts.epochs,
    ...(opts.stepsPerEpoch === undefined ? {} : { stepsPerEpoch: opts.stepsPerEpoch }),
    ...(opts.seed === undefined ? {} : { seed: opts.seed }),
    ...(opts.onProgress ? { onProgress: opts.onProgress } : {}),
    ...(opts.signal ? { signal: opts.signal } : {}),
    onEpoch: async (record, g) => {
      const metrics: Record<string, number> = { elapsedSeconds: (performance.now() - started) / 1000 };
      if (opts.classifier && conditional) {
        const { images, labels } = generateImages(g, epochSamples, 1000 + record.epoch);
        const predicted = await predictClasses(opts.classifier, images, epochSamples);
        const hits = new Array<number>(g.config.numClasses).fill(0);
        labels?.forEach((l, i) => {
          if (predicted[i] === l) hits[l] = (hits[l] ?? 0) + 1;
        });
        const per = hits.map((x) => x / (epochSamples / g.config.numClasses));
        metrics["labelAccuracy"] = per.reduce((a, b) => a + b, 0) / per.length;
        per.forEach((a, l) => (metrics[`labelAccuracy_${l}`] = a));
      }
      record.metrics = metrics;
      await opts.onEpoch?.({ record, grid: sampleGrid(g) }, g);
    },
  });
  let final: GeneratorEvaluation | undefined;
  if (opts.classifier && opts.evaluationSet) {
    const n = Math.min(opts.finalSamples ?? 1000, Math.floor(opts.evaluationSet.count / 2));
    opts.onProgress?.({ phase: "evaluate", step: 0, total: 1 });
    const { images, labels } = generateImages(gan, n, 99);
    final = await evaluateGenerator(opts.classifier, images, n, opts.evaluationSet, labels);
    opts.onProgress?.({ phase: "evaluate", step: 1, total: 1 });
  }
  return { gan, history, seconds: (performance.now() - started) / 1000, ...(final ? { final } : {}) };
}
