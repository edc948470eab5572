import * as tfl from "@tensorflow/tfjs-layers";

import { cancelPoint, createRng, type RunOptions } from "@dl/tensor-core";

import { meanConfidenceInterval } from "../stats.js";
import * as tf from "@tensorflow/tfjs-core";
import type { AccuracySummary } from "../types.js";
import { nadarayaWatson } from "./nadarayaWatson.js";
import { SINUSOID, sampleSinusoidEpisode, sinusoidValue, type RegressionEpisode, type SinusoidTask } from "./sinusoid.js";

/**
 * MAML's sinusoid MSE, as numbers. Finn et al. (2017) show them only as curves (Fig. 3); the values
 * usually quoted are the reproduction in Li et al. (2017, Meta-SGD, Table 1), MAML with one step.
 */
export const MAML_REPORTED_MSE = {
  5: { mean: 1.13, ci95: 0.18 },
  10: { mean: 0.77, ci95: 0.11 },
  source: "Li et al. 2017 (Meta-SGD), Table 1: MAML on the sinusoid benchmark of Finn et al. 2017 (1 gradient step; ± 95% CI)",
} as const;

export interface SinusoidExperimentOptions extends RunOptions {
  shots: number;
  /** Meta-training episodes for the soft-NN regressor and batches for the pretrained baseline (default 2000). */
  trainSteps?: number;
  /** Held-out test tasks (default 600). */
  testTasks?: number;
  /** Query points per test task (default 100). */
  testQueries?: number;
  embeddingSize?: number;
  /** Gradient steps and learning rate of the baseline's fine-tuning on the K shots (defaults 10, 0.01 as in MAML). */
  fineTuneSteps?: number;
  fineTuneLearningRate?: number;
}

export interface RegressionCurve {
  task: SinusoidTask;
  supportX: Float32Array;
  supportY: Float32Array;
  x: Float32Array;
  truth: Float32Array;
  softNearestNeighbour: Float32Array;
  pretrainedFineTuned: Float32Array;
}

export interface SinusoidExperimentResult {
  shots: number;
  testTasks: number;
  /** MSE of Nadaraya–Watson on the learned embedding, learned temperature. */
  softNearestNeighbour: AccuracySummary;
  /** MSE of Nadaraya–Watson directly on x, temperature picked on training tasks. */
  nadarayaWatsonOnX: AccuracySummary & { temperature: number };
  /** MSE of a regressor trained on all tasks, without and with fine-tuning on the K shots. */
  pretrained: AccuracySummary;
  pretrainedFineTuned: AccuracySummary;
  /** Predicting 0 everywhere (the mean function of the task family). */
  zero: AccuracySummary;
  temperature: number;
  maml: { mean: number; ci95: number; source: string };
  curves: RegressionCurve[];
  seconds: number;
}

const GRADIENT_CLIP = 10;

function mlp(outputs: number, seed: number, hidden = 40): tfl.Sequential {
  const rng = createRng(seed);
  const m = tfl.sequential();
  m.add(tfl.layers.dense({ inputShape: [1], units: hidden, activation: "relu", kernelInitializer: tfl.initializers.heNormal({ seed: rng.tfSeed() }) }));
  m.add(tfl.layers.dense({ units: hidden, activation: "relu", kernelInitializer: tfl.initializers.heNormal({ seed: rng.tfSeed() }) }));
  m.add(tfl.layers.dense({ units: outputs, kernelInitializer: tfl.initializers.glorotUniform({ seed: rng.tfSeed() }) }));
  return m;
}

const column = (v: Float32Array): tf.Tensor2D => tf.tensor2d(v, [v.length, 1]);

function mse(predicted: ArrayLike<number>, truth: Float32Array): number {
  let s = 0;
  for (let i = 0; i < truth.length; i++) s += ((predicted[i] as number) - (truth[i] as number)) ** 2;
  return s / truth.length;
}

function predictEmbeddingNW(embedding: tfl.Sequential, ep: Pick<RegressionEpisode, "supportX" | "supportY">, x: Float32Array, temperature: number | tf.Scalar): tf.Tensor1D {
  return tf.tidy(() => {
    const zs = embedding.apply(column(ep.supportX)) as tf.Tensor2D;
    const zq = embedding.apply(column(x)) as tf.Tensor2D;
    return nadarayaWatson(zq, zs, tf.tensor1d(ep.supportY), temperature);
  });
}

/**
 * Few-shot regression on the MAML sinusoids: Nadaraya–Watson on a learned embedding with a learned
 * temperature, meta-trained on episodes, against a regressor pretrained on all tasks and fine-tuned on
 * the K shots (the baseline of Finn et al. 2017), on the same held-out tasks.
 */
export async function runSinusoidExperiment(options: SinusoidExperimentOptions): Promise<SinusoidExperimentResult> {
  const started = performance.now();
  const shots = options.shots;
  const trainSteps = options.trainSteps ?? 2000;
  const testTasks = options.testTasks ?? 600;
  const testQueries = options.testQueries ?? 100;
  const rng = createRng(options.seed);
  const trainRng = rng.fork();
  const testRng = rng.fork();
  const embedding = mlp(options.embeddingSize ?? 32, rng.nextUint32());
  const pretrained = mlp(1, rng.nextUint32());
  const logTemperatureName = `nwLogTemperature_${rng.nextUint32()}`;
  const logTemperature = tf.tidy(() => tf.variable(tf.scalar(0), true, logTemperatureName));
  const adamEmbedding = tf.train.adam(1e-3);
  const adamPretrained = tf.train.adam(1e-3);
  const embeddingVars = [...embedding.trainableWeights.map((w) => w.read() as tf.Variable), logTemperature];
  const pretrainedVars = pretrained.trainableWeights.map((w) => w.read() as tf.Variable);
  const tasksPerBatch = 4;
  const stopPoint = cancelPoint(options.signal);
  try {
    for (let step = 0; step < trainSteps; step++) {
      await stopPoint();
      tf.tidy(() => {
        // One meta-batch of tasks: the soft-NN learns from episodes, the baseline from all their points.
        const episodes = Array.from({ length: tasksPerBatch }, () => sampleSinusoidEpisode(trainRng, shots, 10));
        adamEmbedding.minimize(() => {
          const losses = episodes.map((ep) => tf.mean(tf.square(tf.sub(predictEmbeddingNW(embedding, ep, ep.queryX, tf.exp(logTemperature)), tf.tensor1d(ep.queryY)))));
          return tf.mean<tf.Scalar>(tf.stack(losses));
        }, false, embeddingVars);
        const x = Float32Array.from(episodes.flatMap((ep) => [...ep.supportX, ...ep.queryX]));
        const y = Float32Array.from(episodes.flatMap((ep) => [...ep.supportY, ...ep.queryY]));
        adamPretrained.minimize(() => tf.mean<tf.Scalar>(tf.square(tf.sub(tf.reshape(pretrained.apply(column(x)) as tf.Tensor2D, [-1]), tf.tensor1d(y)))), false, pretrainedVars);
      });
      if ((step + 1) % 100 === 0 || step === trainSteps - 1) {
        options.onProgress?.({ phase: "meta-train", step: step + 1, total: trainSteps, metrics: { temperature: Math.exp(logTemperature.dataSync()[0] as number) } });
      }
    }
    const temperature = Math.exp(logTemperature.dataSync()[0] as number);

    // Temperature of plain Nadaraya–Watson on x: the best of a grid on 200 training tasks.
    const grid = [0.01, 0.03, 0.1, 0.3, 1, 3, 10];
    const gridTasks = Array.from({ length: 200 }, () => sampleSinusoidEpisode(trainRng, shots, 50));
    const gridMse = grid.map((t) =>
      gridTasks.reduce((s, ep) => s + tf.tidy(() => mse(nadarayaWatson(column(ep.queryX), column(ep.supportX), tf.tensor1d(ep.supportY), t).dataSync(), ep.queryY)), 0),
    );
    const xTemperature = grid[gridMse.indexOf(Math.min(...gridMse))] as number;

    const original = pretrained.getWeights().map((w) => tf.clone(w));
    const fineTuneSteps = options.fineTuneSteps ?? 10;
    const sgd = tf.train.sgd(options.fineTuneLearningRate ?? 0.01);
    const errors = { nn: new Float64Array(testTasks), nwx: new Float64Array(testTasks), pre: new Float64Array(testTasks), ft: new Float64Array(testTasks), zero: new Float64Array(testTasks) };
    const curves: RegressionCurve[] = [];
    const xGrid = Float32Array.from({ length: 101 }, (_, i) => SINUSOID.x[0] + ((SINUSOID.x[1] - SINUSOID.x[0]) * i) / 100);
    for (let t = 0; t < testTasks; t++) {
      const ep = sampleSinusoidEpisode(testRng, shots, testQueries);
      errors.nn[t] = tf.tidy(() => mse(predictEmbeddingNW(embedding, ep, ep.queryX, temperature).dataSync(), ep.queryY));
      errors.nwx[t] = tf.tidy(() => mse(nadarayaWatson(column(ep.queryX), column(ep.supportX), tf.tensor1d(ep.supportY), xTemperature).dataSync(), ep.queryY));
      errors.zero[t] = mse(new Float32Array(ep.queryY.length), ep.queryY);
      errors.pre[t] = tf.tidy(() => mse((pretrained.apply(column(ep.queryX)) as tf.Tensor).dataSync(), ep.queryY));
      for (let s = 0; s < fineTuneSteps; s++) {
        await stopPoint();
        tf.tidy(() => {
          const { grads } = tf.variableGrads(() => tf.mean<tf.Scalar>(tf.square(tf.sub(tf.reshape(pretrained.apply(column(ep.supportX)) as tf.Tensor2D, [-1]), tf.tensor1d(ep.supportY)))), pretrainedVars);
          // Clip by global norm: 5 shots of a large-amplitude sinusoid can otherwise blow a step up.
          const norm = Math.sqrt(Object.values(grads).reduce((t, g) => t + (tf.sum(tf.square(g)).dataSync()[0] as number), 0));
          const scale = norm > GRADIENT_CLIP ? GRADIENT_CLIP / norm : 1;
          sgd.applyGradients(Object.fromEntries(Object.entries(grads).map(([k, g]) => [k, tf.mul(g, scale)])));
        });
      }
      errors.ft[t] = tf.tidy(() => mse((pretrained.apply(column(ep.queryX)) as tf.Tensor).dataSync(), ep.queryY));
      if (t < 3) {
        curves.push({
          task: ep.task,
          supportX: ep.supportX,
          supportY: ep.supportY,
          x: xGrid,
          truth: Float32Array.from(xGrid, (v) => sinusoidValue(ep.task, v)),
          softNearestNeighbour: tf.tidy(() => predictEmbeddingNW(embedding, ep, xGrid, temperature).dataSync() as Float32Array),
          pretrainedFineTuned: tf.tidy(() => (pretrained.apply(column(xGrid)) as tf.Tensor).dataSync() as Float32Array),
        });
      }
      pretrained.setWeights(original);
      if ((t + 1) % 100 === 0 || t === testTasks - 1) {
        options.onProgress?.({ phase: "evaluate", step: t + 1, total: testTasks });
      }
    }
    tf.dispose(original);
    sgd.dispose();
    const maml = MAML_REPORTED_MSE[shots as 5 | 10] as { mean: number; ci95: number } | undefined;
    return {
      shots,
      testTasks,
      softNearestNeighbour: meanConfidenceInterval(errors.nn),
      nadarayaWatsonOnX: { ...meanConfidenceInterval(errors.nwx), temperature: xTemperature },
      pretrained: meanConfidenceInterval(errors.pre),
      pretrainedFineTuned: meanConfidenceInterval(errors.ft),
      zero: meanConfidenceInterval(errors.zero),
      temperature,
      maml: { mean: maml?.mean ?? Number.NaN, ci95: maml?.ci95 ?? Number.NaN, source: MAML_REPORTED_MSE.source },
      curves,
      seconds: (performance.now() - started) / 1000,
    };
  } finally {
    embedding.dispose();
    pretrained.dispose();
    logTemperature.dispose();
    adamEmbedding.dispose();
    adamPretrained.dispose();
  }
}
