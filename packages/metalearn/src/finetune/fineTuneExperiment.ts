import * as tfl from "@tensorflow/tfjs-layers";

import { assertArgument, createRng, throwIfAborted, type Rng, type RunOptions } from "@dl/tensor-core";

import { meanConfidenceInterval } from "../stats.js";
import { DEFAULT_CLASS_SPLIT, gatherImages, indicesByClass, selectClasses } from "../tasks/episodes.js";
import * as tf from "@tensorflow/tfjs-core";
import type { LabelledImages } from "@dl/tensor-core";

import type { AccuracySummary } from "../types.js";
import { LayerwiseOptimizer, discriminativeLearningRates, gradualUnfreezingStage, layerGroupsOf } from "./layerwiseOptimizer.js";

export const FINE_TUNE_STRATEGIES = ["frozen", "uniform", "discriminative", "gradual-unfreezing", "scratch", "slice", "fastai"] as const;
/**
 * frozen: only the new head trains; uniform: every layer at one rate; discriminative: rate/decay per
 * layer downward (ULMFiT's ÷2.6); gradual-unfreezing: discriminative rates, unfreezing one more layer
 * per stage from the top; scratch: no pretraining (the same network from random weights, uniform
 * rate); slice: fastai's `slice(lr)` (the body at lr/10, the head at lr); fastai: fastai's
 * `fine_tune` (head alone first, then everything at `slice(lr/2/lr_mult, lr/2)`, lr_mult = 100).
 */
export type FineTuneStrategy = (typeof FINE_TUNE_STRATEGIES)[number];

/** The five strategies of ULMFiT's ablation that `runFineTuneExperiment` compares by default. */
export const ULMFIT_STRATEGIES: readonly FineTuneStrategy[] = ["frozen", "uniform", "discriminative", "gradual-unfreezing", "scratch"];

export interface FineTuneExperimentOptions extends RunOptions {
  /** Labelled examples per target class. */
  shots: number;
  lrDecay?: number;
  learningRate?: number;
  /** Fine-tuning steps (full batch over the shots), default 150. */
  steps?: number;
  seeds?: number;
  pretrainEpochs?: number;
  sourceClasses?: readonly number[];
  targetClasses?: readonly number[];
  /** Which strategies to compare (default `ULMFIT_STRATEGIES`). */
  strategies?: readonly FineTuneStrategy[];
}

export interface FineTuneExperimentResult {
  shots: number;
  lrDecay: number;
  learningRate: number;
  seeds: number;
  /** Source-task test accuracy of the pretrained network. */
  pretrainAccuracy: number;
  layerGroups: string[];
  discriminativeRates: number[];
  strategies: { strategy: FineTuneStrategy; accuracy: AccuracySummary; perSeed: number[] }[];
  seconds: number;
}

const HIDDEN = [256, 128, 64] as const;
/** The fine-tuned networks: the MLP (784 → 256 → 128 → 64 → head) or a small CNN (conv 8 → conv 16 → dense 64 → head). */
export const FINE_TUNE_ARCHS = ["mlp", "cnn"] as const;
export type FineTuneArch = (typeof FINE_TUNE_ARCHS)[number];
/** Layer groups of either network (three body layers and the head), each with its own rate. */
export const FINE_TUNE_LAYER_GROUPS = 4;
/** fastai `fine_tune`'s default ratio of the top to the bottom rate after unfreezing. */
export const FASTAI_LR_MULT = 100;
/** Share of the steps `fastai` spends on the head alone (fastai: `freeze_epochs = 1` of typically 1 + 3). */
const FASTAI_FROZEN_SHARE = 0.25;
const PRETRAIN_BATCH = 128;

function classifier(inputShape: readonly number[], classes: number, seed: number, arch: FineTuneArch = "mlp"): tfl.LayersModel {
  const rng = createRng(seed);
  const m = tfl.sequential();
  const he = (): ReturnType<typeof tfl.initializers.heNormal> => tfl.initializers.heNormal({ seed: rng.tfSeed() });
  if (arch === "cnn") {
    // 28×28 → 26×26×8 → 13×13×8 → 11×11×16 → 5×5×16 → 64: about the MLP's multiply-adds per image.
    m.add(tfl.layers.conv2d({ inputShape: [...inputShape], filters: 8, kernelSize: 3, activation: "relu", kernelInitializer: he(), name: "conv1" }));
    m.add(tfl.layers.maxPooling2d({ poolSize: 2, name: "pool1" }));
    m.add(tfl.layers.conv2d({ filters: 16, kernelSize: 3, activation: "relu", kernelInitializer: he(), name: "conv2" }));
    m.add(tfl.layers.maxPooling2d({ poolSize: 2, name: "pool2" }));
    m.add(tfl.layers.flatten({ name: "flatten" }));
    m.add(tfl.layers.dense({ units: 64, activation: "relu", kernelInitializer: he(), name: "dense1" }));
  } else {
    m.add(tfl.layers.flatten({ inputShape: [...inputShape], name: "flatten" }));
    HIDDEN.forEach((units, i) => m.add(tfl.layers.dense({ units, activation: "relu", kernelInitializer: he(), name: `dense${i + 1}` })));
  }
  m.add(tfl.layers.dense({ units: classes, kernelInitializer: tfl.initializers.glorotUniform({ seed: rng.tfSeed() }), name: "head" }));
  return m;
}

function relabel(labels: Int32Array, classes: readonly number[]): Int32Array {
  return Int32Array.from(labels, (y) => classes.indexOf(y));
}

function accuracyOn(model: tfl.LayersModel, ds: LabelledImages, labels: Int32Array): number {
  const shape = [ds.height, ds.width, ds.channels] as const;
  const size = shape[0] * shape[1] * shape[2];
  let correct = 0;
  for (let start = 0; start < ds.count; start += 1000) {
    const n = Math.min(1000, ds.count - start);
    const pred = tf.tidy(() => tf.argMax(model.apply(tf.tensor4d(ds.images.subarray(start * size, (start + n) * size), [n, ...shape])) as tf.Tensor2D, 1).dataSync());
    for (let i = 0; i < n; i++) if (pred[i] === labels[start + i]) correct++;
  }
  return correct / ds.count;
}

function crossEntropy(model: tfl.LayersModel, x: tf.Tensor, y: tf.Tensor): tf.Scalar {
  return tf.losses.softmaxCrossEntropy<tf.Tensor, tf.Scalar>(y, model.apply(x, { training: true }) as tf.Tensor);
}

/** A classifier's body (hidden layers' weights, owned: dispose them) and its accuracy on the source test images. */
export interface PretrainedBody {
  arch: FineTuneArch;
  weights: tf.Tensor[];
  sourceAccuracy: number;
}

/** Pretrains the MLP on `classes` of `train` (Adam 1e-3, batches of 128) and keeps its body. */
export async function pretrainBody(
  train: LabelledImages,
  test: LabelledImages,
  classes: readonly number[],
  options: Omit<RunOptions, "seed"> & { epochs: number; rng: Rng; phase?: string; arch?: FineTuneArch },
): Promise<PretrainedBody> {
  const { rng } = options;
  const arch = options.arch ?? "mlp";
  const shape = [train.height, train.width, train.channels] as const;
  const source = selectClasses(train, classes);
  const sourceLabels = relabel(source.labels, classes);
  const model = classifier(shape, classes.length, rng.nextUint32(), arch);
  const adam = tf.train.adam(1e-3);
  const batch = PRETRAIN_BATCH;
  const phase = options.phase ?? "pretrain";
  try {
    for (let epoch = 0; epoch < options.epochs; epoch++) {
      const order = rng.permutation(source.count);
      for (let start = 0; start + batch <= source.count; start += batch) {
        const idx = order.subarray(start, start + batch);
        tf.tidy(() => {
          const x = tf.tensor4d(gatherImages(source, idx), [batch, ...shape]);
          const y = tf.oneHot(tf.tensor1d(Int32Array.from(idx, (i) => sourceLabels[i] as number), "int32"), classes.length);
          adam.minimize(() => crossEntropy(model, x, y), false, model.trainableWeights.map((w) => w.read() as tf.Variable));
        });
        if ((start / batch) % 50 === 0 || start + 2 * batch > source.count) {
          // Whole batches only: the last one of an epoch ends the epoch's share of the total.
          const done = start + 2 * batch > source.count ? source.count : start + batch;
          options.onProgress?.({ phase, step: epoch * source.count + done, total: options.epochs * source.count });
          throwIfAborted(options.signal);
          await new Promise((resolve) => setTimeout(resolve, 0));
        }
      }
    }
    const sourceTest = selectClasses(test, classes);
    const sourceAccuracy = accuracyOn(model, sourceTest, relabel(sourceTest.labels, classes));
    // Everything below the head (its kernel and bias are the last two weights).
    return { arch, weights: model.getWeights().slice(0, -2).map((w) => w.clone()), sourceAccuracy };
  } finally {
    adam.dispose();
    model.dispose();
  }
}

/** fastai's `slice(lo, hi)` over n groups: geometrically even rates from lo to hi (`even_mults`); `slice(hi)` alone: hi/10 below the head. */
export function sliceLearningRates(groupCount: number, hi: number, lo?: number): number[] {
  if (lo === undefined) return Array.from({ length: groupCount }, (_, i) => (i === groupCount - 1 ? hi : hi / 10));
  return discriminativeLearningRates(groupCount, hi, groupCount === 1 ? 1 : (hi / lo) ** (1 / (groupCount - 1)));
}

/** The labelled target set of one seed, and the test images it is scored on. */
export interface FineTuneTask {
  x: Float32Array;
  labels: Int32Array;
  classes: number;
  shape: readonly [number, number, number];
  test: LabelledImages;
  testLabels: Int32Array;
}

/** Fine-tunes a new classifier (pretrained `body`, or none for scratch) under one strategy and returns its test accuracy. */
export function fineTuneAccuracy(
  task: FineTuneTask,
  body: readonly tf.Tensor[] | undefined,
  strategy: FineTuneStrategy,
  options: { headSeed: number; learningRate: number; lrDecay: number; steps: number; arch?: FineTuneArch },
): number {
  const { learningRate, lrDecay, steps } = options;
  const model = classifier(task.shape, task.classes, options.headSeed, options.arch ?? "mlp");
  if (strategy !== "scratch") {
    assertArgument(body !== undefined, () => `Strategy "${strategy}" needs a pretrained body.`);
    model.setWeights([...body, ...model.getWeights().slice(-2)]);
  }
  const groups = layerGroupsOf(model);
  const x = tf.tensor4d(task.x, [task.labels.length, ...task.shape]);
  const y = tf.tidy(() => tf.oneHot(tf.tensor1d(task.labels, "int32"), task.classes));
  const uniform = groups.map(() => learningRate);
  const phases: { rates: number[]; steps: number; trainable?: (step: number) => number[] }[] = [];
  switch (strategy) {
    case "frozen":
      phases.push({ rates: uniform, steps, trainable: () => [groups.length - 1] });
      break;
    case "uniform":
    case "scratch":
      phases.push({ rates: uniform, steps });
      break;
    case "discriminative":
      phases.push({ rates: discriminativeLearningRates(groups.length, learningRate, lrDecay), steps });
      break;
    case "gradual-unfreezing": {
      const stageLength = Math.ceil(steps / groups.length);
      phases.push({ rates: discriminativeLearningRates(groups.length, learningRate, lrDecay), steps, trainable: (step) => gradualUnfreezingStage(groups.length, Math.floor(step / stageLength)) });
      break;
    }
    case "slice":
      phases.push({ rates: sliceLearningRates(groups.length, learningRate), steps });
      break;
    case "fastai": {
      // fastai fine_tune: freeze → fit(base_lr); base_lr /= 2; unfreeze → fit(slice(base_lr / lr_mult, base_lr)).
      const frozenSteps = Math.round(steps * FASTAI_FROZEN_SHARE);
      phases.push({ rates: uniform, steps: frozenSteps, trainable: () => [groups.length - 1] });
      phases.push({ rates: sliceLearningRates(groups.length, learningRate / 2, learningRate / 2 / FASTAI_LR_MULT), steps: steps - frozenSteps });
      break;
    }
  }
  try {
    for (const phase of phases) {
      const opt = new LayerwiseOptimizer(groups, { learningRates: phase.rates, createOptimizer: (lr) => tf.train.adam(lr) });
      try {
        for (let step = 0; step < phase.steps; step++) {
          if (phase.trainable !== undefined) opt.setTrainable(phase.trainable(step));
          opt.minimize(() => crossEntropy(model, x, y));
        }
      } finally {
        opt.dispose();
      }
    }
    return accuracyOn(model, task.test, task.testLabels);
  } finally {
    tf.dispose([x, y]);
    model.dispose();
  }
}

/** K labelled examples of each target class (relabelled 0..C−1), drawn with `rng`. */
export function sampleTask(target: LabelledImages, byClass: ReadonlyMap<number, Int32Array>, targetClasses: readonly number[], labelsPerClass: number, rng: Rng, test: LabelledImages, testLabels: Int32Array): FineTuneTask {
  const picked = Int32Array.from(
    targetClasses.flatMap((c) => {
      const pool = byClass.get(c) as Int32Array;
      assertArgument(labelsPerClass <= pool.length, () => `Class ${c} has ${pool.length} training images; ask for at most ${pool.length} labels per class.`);
      return [...rng.sample(pool.length, labelsPerClass)].map((i) => pool[i] as number);
    }),
  );
  return {
    x: gatherImages(target, picked),
    labels: relabel(Int32Array.from(picked, (i) => target.labels[i] as number), targetClasses),
    classes: targetClasses.length,
    shape: [target.height, target.width, target.channels],
    test,
    testLabels,
  };
}

/** The test images of `classes` and their labels relabelled 0..C−1. */
export function targetTestSet(test: LabelledImages, classes: readonly number[]): { test: LabelledImages; testLabels: Int32Array } {
  const selected = selectClasses(test, classes);
  return { test: selected, testLabels: relabel(selected.labels, classes) };
}

/**
 * Transfer with few labels (Howard & Ruder 2018): pretrain a classifier on the source classes, then
 * fine-tune it on K labelled examples per target class under each strategy, over several seeds.
 */
export async function runFineTuneExperiment(train: LabelledImages, test: LabelledImages, options: FineTuneExperimentOptions): Promise<FineTuneExperimentResult> {
  const started = performance.now();
  const sourceClasses = options.sourceClasses ?? DEFAULT_CLASS_SPLIT.metaTrain;
  const targetClasses = options.targetClasses ?? DEFAULT_CLASS_SPLIT.metaTest;
  const lrDecay = options.lrDecay ?? 2.6;
  const learningRate = options.learningRate ?? 1e-3;
  const steps = options.steps ?? 150;
  const seeds = options.seeds ?? 5;
  const strategies = options.strategies ?? ULMFIT_STRATEGIES;
  const rng = createRng(options.seed);

  const pretrained = await pretrainBody(train, test, sourceClasses, { epochs: options.pretrainEpochs ?? 2, rng, ...(options.onProgress === undefined ? {} : { onProgress: options.onProgress }), ...(options.signal === undefined ? {} : { signal: options.signal }) });
  const target = selectClasses(train, targetClasses);
  const { test: targetTest, testLabels } = targetTestSet(test, targetClasses);
  const byClass = indicesByClass(target.labels);
  const perSeed = new Map<FineTuneStrategy, number[]>(strategies.map((s) => [s, []]));
  const discriminative = discriminativeLearningRates(FINE_TUNE_LAYER_GROUPS, learningRate, lrDecay);
  try {
    for (let s = 0; s < seeds; s++) {
      const seedRng = rng.fork();
      const task = sampleTask(target, byClass, targetClasses, options.shots, seedRng, targetTest, testLabels);
      const headSeed = seedRng.nextUint32();
      for (const strategy of strategies) (perSeed.get(strategy) as number[]).push(fineTuneAccuracy(task, pretrained.weights, strategy, { headSeed, learningRate, lrDecay, steps }));
      options.onProgress?.({ phase: "fine-tune", step: s + 1, total: seeds });
      throwIfAborted(options.signal);
      await new Promise((resolve) => setTimeout(resolve, 0));
    }
  } finally {
    tf.dispose(pretrained.weights);
  }
  return {
    shots: options.shots,
    lrDecay,
    learningRate,
    seeds,
    pretrainAccuracy: pretrained.sourceAccuracy,
    layerGroups: [...HIDDEN.map((_, i) => `dense${i + 1}`), "head"],
    discriminativeRates: discriminative,
    strategies: strategies.map((strategy) => {
      const values = perSeed.get(strategy) as number[];
      return { strategy, accuracy: meanConfidenceInterval(values), perSeed: values };
    }),
    seconds: (performance.now() - started) / 1000,
  };
}
