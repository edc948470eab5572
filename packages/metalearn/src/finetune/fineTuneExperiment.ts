import * as tfl from "@tensorflow/tfjs-layers";

import { createRng, throwIfAborted, type RunOptions } from "@dl/tensor-core";

import { meanConfidenceInterval } from "../stats.js";
import { DEFAULT_CLASS_SPLIT, gatherImages, indicesByClass, selectClasses } from "../tasks/episodes.js";
import * as tf from "@tensorflow/tfjs-core";
import type { LabelledImages } from "@dl/tensor-core";

import type { AccuracySummary } from "../types.js";
import { LayerwiseOptimizer, discriminativeLearningRates, gradualUnfreezingStage, layerGroupsOf } from "./layerwiseOptimizer.js";

export const FINE_TUNE_STRATEGIES = ["frozen", "uniform", "discriminative", "gradual-unfreezing", "scratch"] as const;
/**
 * frozen: only the new head trains; uniform: every layer at one rate; discriminative: rate/decay per
 * layer downward; gradual-unfreezing: discriminative rates, unfreezing one more layer per stage from
 * the top; scratch: no pretraining (the same network from random weights, uniform rate).
 */
export type FineTuneStrategy = (typeof FINE_TUNE_STRATEGIES)[number];

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

function classifier(inputShape: readonly number[], classes: number, seed: number): tfl.LayersModel {
  const rng = createRng(seed);
  const m = tfl.sequential();
  m.add(tfl.layers.flatten({ inputShape: [...inputShape], name: "flatten" }));
  HIDDEN.forEach((units, i) => m.add(tfl.layers.dense({ units, activation: "relu", kernelInitializer: tfl.initializers.heNormal({ seed: rng.tfSeed() }), name: `dense${i + 1}` })));
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
  const rng = createRng(options.seed);
  const shape = [train.height, train.width, train.channels] as const;

  // Pretraining on the source classes.
  const source = selectClasses(train, sourceClasses);
  const sourceLabels = relabel(source.labels, sourceClasses);
  const pretrained = classifier(shape, sourceClasses.length, rng.nextUint32());
  const adam = tf.train.adam(1e-3);
  const batch = 128;
  const epochs = options.pretrainEpochs ?? 2;
  for (let epoch = 0; epoch < epochs; epoch++) {
    const order = rng.permutation(source.count);
    for (let start = 0; start + batch <= source.count; start += batch) {
      const idx = order.subarray(start, start + batch);
      tf.tidy(() => {
        const x = tf.tensor4d(gatherImages(source, idx), [batch, ...shape]);
        const y = tf.oneHot(tf.tensor1d(Int32Array.from(idx, (i) => sourceLabels[i] as number), "int32"), sourceClasses.length);
        adam.minimize(() => crossEntropy(pretrained, x, y), false, pretrained.trainableWeights.map((w) => w.read() as tf.Variable));
      });
      if ((start / batch) % 50 === 0 || start + 2 * batch > source.count) {
        // Whole batches only: the last one of an epoch ends the epoch's share of the total.
        const done = start + 2 * batch > source.count ? source.count : start + batch;
        options.onProgress?.({ phase: "pretrain", step: epoch * source.count + done, total: epochs * source.count });
        throwIfAborted(options.signal);
        await new Promise((resolve) => setTimeout(resolve, 0));
      }
    }
  }
  adam.dispose();
  const sourceTest = selectClasses(test, sourceClasses);
  const pretrainAccuracy = accuracyOn(pretrained, sourceTest, relabel(sourceTest.labels, sourceClasses));
  const bodyWeights = pretrained.getWeights().slice(0, HIDDEN.length * 2);

  const target = selectClasses(train, targetClasses);
  const targetTest = selectClasses(test, targetClasses);
  const targetTestLabels = relabel(targetTest.labels, targetClasses);
  const byClass = indicesByClass(target.labels);
  const perSeed = new Map<FineTuneStrategy, number[]>(FINE_TUNE_STRATEGIES.map((s) => [s, []]));
  let groupNames: string[] = [];
  const discriminative = discriminativeLearningRates(HIDDEN.length + 1, learningRate, lrDecay);
  try {
    for (let s = 0; s < seeds; s++) {
      const seedRng = rng.fork();
      // K labelled examples per target class for this seed.
      const picked = Int32Array.from(targetClasses.flatMap((c) => [...seedRng.sample((byClass.get(c) as Int32Array).length, options.shots)].map((i) => (byClass.get(c) as Int32Array)[i] as number)));
      const headSeed = seedRng.nextUint32();
      for (const strategy of FINE_TUNE_STRATEGIES) {
        const model = classifier(shape, targetClasses.length, headSeed);
        if (strategy !== "scratch") model.setWeights([...bodyWeights, ...model.getWeights().slice(HIDDEN.length * 2)]);
        const groups = layerGroupsOf(model);
        groupNames = groups.map((g) => g.name);
        const rates = strategy === "discriminative" || strategy === "gradual-unfreezing" ? discriminative : groups.map(() => learningRate);
        const opt = new LayerwiseOptimizer(groups, { learningRates: rates, createOptimizer: (lr) => tf.train.adam(lr) });
        if (strategy === "frozen") opt.setTrainable([groups.length - 1]);
        const x = tf.tensor4d(gatherImages(target, picked), [picked.length, ...shape]);
        const y = tf.tidy(() => tf.oneHot(tf.tensor1d(relabel(Int32Array.from(picked, (i) => target.labels[i] as number), targetClasses), "int32"), targetClasses.length));
        const stageLength = Math.ceil(steps / groups.length);
        for (let step = 0; step < steps; step++) {
          if (strategy === "gradual-unfreezing") opt.setTrainable(gradualUnfreezingStage(groups.length, Math.floor(step / stageLength)));
          opt.minimize(() => crossEntropy(model, x, y));
        }
        tf.dispose([x, y]);
        (perSeed.get(strategy) as number[]).push(accuracyOn(model, targetTest, targetTestLabels));
        opt.dispose();
        model.dispose();
      }
      options.onProgress?.({ phase: "fine-tune", step: s + 1, total: seeds });
      throwIfAborted(options.signal);
      await new Promise((resolve) => setTimeout(resolve, 0));
    }
  } finally {
    pretrained.dispose();
  }
  return {
    shots: options.shots,
    lrDecay,
    learningRate,
    seeds,
    pretrainAccuracy,
    layerGroups: groupNames,
    discriminativeRates: discriminative,
    strategies: FINE_TUNE_STRATEGIES.map((strategy) => {
      const values = perSeed.get(strategy) as number[];
      return { strategy, accuracy: meanConfidenceInterval(values), perSeed: values };
    }),
    seconds: (performance.now() - started) / 1000,
  };
}
