import * as tfl from "@tensorflow/tfjs-layers";

import { assertArgument, cancelPoint, createRng, listNames, sampleBeta, type Rng, type RunOptions } from "@dl/tensor-core";

import { indicesByClass } from "../tasks/episodes.js";
import * as tf from "@tensorflow/tfjs-core";
import type { LabelledImages } from "@dl/tensor-core";

export interface PretrainOptions extends RunOptions {
  /** Output channels of each conv block (3×3 conv → batch norm → relu, then 2×2 max-pool except after the last). Default [32, 64, 64]. */
  filters?: readonly number[];
  batchSize?: number;
  /** Upper bound on optimiser steps (default 4000). */
  steps?: number;
  /** Stop after this many seconds of training. */
  timeBudgetSeconds?: number;
  learningRate?: number;
  /** Random translations of up to ±maxShift pixels (zero padded), per image and step (default 2). */
  maxShift?: number;
  /** Self-distillation: also match a trained network's softened predictions on the same batches (born-again networks). */
  teacher?: DistillationTeacher;
  /** Label smoothing ε of the cross-entropy: targets (1 − ε)·onehot + ε / classes (default 0). */
  labelSmoothing?: number;
  /**
   * Mixup (Zhang et al. 2018) with λ ~ Beta(α, α) per batch: each image is mixed with another of the same
   * batch, λ·x + (1 − λ)·x', and so are the one-hot targets (default 0 = off).
   */
  mixupAlpha?: number;
  /**
   * The classifier head: `linear` (softmax of W·f + b, the default) or `cosine` (Baseline++, Chen et al. 2019:
   * softmax of s·cos(f, w_c), so classes differ by the direction of the pooled feature, not its length).
   */
  head?: PretrainHead;
  /** The scale s of the cosine head's logits (default 10). */
  cosineScale?: number;
  /**
   * Keep an exponential moving average of every weight (batch-norm statistics included) with this decay
   * d (0 = off, the default) and return the averaged network: after step T, Σ_t (1 − d)·d^(T−t)·θ_t / (1 − d^T),
   * i.e. an average over the last ≈ 1 / (1 − d) steps, bias-corrected as in Adam so the random start does not count.
   */
  emaDecay?: number;
}

export const PRETRAIN_HEADS = ["linear", "cosine"] as const;
export type PretrainHead = (typeof PRETRAIN_HEADS)[number];

/** A trained classifier over the same labels whose softened outputs the new network learns to match. */
export interface DistillationTeacher {
  /** Image → logits over the same classes, in the same order (e.g. a `PretrainedNetwork`'s `classifier`). */
  classifier: tfl.LayersModel;
  /** Softmax temperature of both teacher and student in the distillation term (default 4). */
  temperature?: number;
  /** Weight w of the distillation term: (1 − w)·CE + w·T²·KL(teacher ‖ student) at temperature T (default 0.5). */
  weight?: number;
}

export interface PretrainHistoryEntry {
  step: number;
  loss: number;
  accuracy: number;
}

export interface PretrainedNetwork {
  /** Image → the feature map of every conv block (one output per block, `[n, h, w, filters]`). */
  blocks: tfl.LayersModel;
  /** Image → class logits over the pretraining labels (shares weights with `blocks`). */
  classifier: tfl.LayersModel;
  /** Pretraining label ids in logit order. */
  classes: Int32Array;
  history: PretrainHistoryEntry[];
  steps: number;
  seconds: number;
  /** Frees the weights (both models share them). */
  dispose(): void;
}

type Initializer = ReturnType<typeof tfl.initializers.heNormal>;

/** Logits s·cos(x, w_c) = s·(x / ‖x‖)·(w_c / ‖w_c‖) for each class c, a column of the kernel W ([in, classes]); no bias. */
export class CosineLogits extends tfl.layers.Layer {
  static readonly className = "DlCosineLogits";
  readonly units: number;
  readonly scale: number;
  readonly seed: number | undefined;
  private kernel: tfl.LayerVariable | undefined;

  constructor(args: { units: number; scale: number; seed?: number; name?: string }) {
    super(args);
    this.units = args.units;
    this.scale = args.scale;
    this.seed = args.seed;
  }

  override build(inputShape: tfl.Shape | tfl.Shape[]): void {
    const shape = (Array.isArray(inputShape[0]) ? inputShape[0] : inputShape) as tfl.Shape;
    this.kernel = this.addWeight("kernel", [shape[shape.length - 1] ?? 0, this.units], "float32", tfl.initializers.glorotUniform(this.seed === undefined ? {} : { seed: this.seed }));
    this.built = true;
  }

  override computeOutputShape(inputShape: tfl.Shape | tfl.Shape[]): tfl.Shape {
    const shape = (Array.isArray(inputShape[0]) ? inputShape[0] : inputShape) as tfl.Shape;
    return [shape[0] ?? null, this.units];
  }

  override call(inputs: tf.Tensor | tf.Tensor[]): tf.Tensor {
    return tf.tidy(() => {
      const x = (Array.isArray(inputs) ? inputs[0] : inputs) as tf.Tensor2D;
      const w = (this.kernel as tfl.LayerVariable).read() as tf.Tensor2D;
      // The 1e-12 keeps an all-zero (dead relu) feature at cosine 0 instead of NaN.
      const xUnit = tf.div(x, tf.add(tf.norm(x, 2, 1, true), 1e-12));
      const wUnit = tf.div(w, tf.add(tf.norm(w, 2, 0, true), 1e-12));
      return tf.mul(tf.matMul(xUnit, wUnit), this.scale);
    });
  }

  override getConfig(): tf.serialization.ConfigDict {
    return { ...super.getConfig(), units: this.units, scale: this.scale, ...(this.seed === undefined ? {} : { seed: this.seed }) };
  }
}
tf.serialization.registerClass(CosineLogits);

function buildNetwork(inputShape: readonly [number, number, number], filters: readonly number[], classes: number, rng: Rng, head: { kind: PretrainHead; scale: number }): { blocks: tfl.LayersModel; classifier: tfl.LayersModel } {
  const init = (): Initializer => tfl.initializers.heNormal({ seed: rng.tfSeed() });
  const input = tfl.input({ shape: [...inputShape] });
  let x: tfl.SymbolicTensor = input;
  const outputs: tfl.SymbolicTensor[] = [];
  filters.forEach((f, i) => {
    x = tfl.layers.conv2d({ filters: f, kernelSize: 3, padding: "same", useBias: false, kernelInitializer: init(), name: `conv${i + 1}` }).apply(x) as tfl.SymbolicTensor;
    x = tfl.layers.batchNormalization({ name: `bn${i + 1}` }).apply(x) as tfl.SymbolicTensor;
    x = tfl.layers.activation({ activation: "relu", name: `relu${i + 1}` }).apply(x) as tfl.SymbolicTensor;
    outputs.push(x);
    if (i < filters.length - 1) x = tfl.layers.maxPooling2d({ poolSize: 2, name: `pool${i + 1}` }).apply(x) as tfl.SymbolicTensor;
  });
  const pooled = tfl.layers.globalAveragePooling2d({ name: "gap" }).apply(x) as tfl.SymbolicTensor;
  const seed = rng.tfSeed();
  const layer = head.kind === "cosine" ? new CosineLogits({ units: classes, scale: head.scale, seed, name: "logits" }) : tfl.layers.dense({ units: classes, kernelInitializer: tfl.initializers.glorotUniform({ seed }), name: "logits" });
  const logits = layer.apply(pooled) as tfl.SymbolicTensor;
  return { blocks: tfl.model({ inputs: input, outputs, name: "pretrained_blocks" }), classifier: tfl.model({ inputs: input, outputs: logits, name: "pretrained_classifier" }) };
}

/**
 * Copies `indices` into a batch, each image translated by a random (dy, dx) in ±maxShift with zero
 * fill: the "random crop" augmentation of supervised pretraining, done on the host.
 */
export function shiftedBatch(dataset: LabelledImages, indices: Int32Array, maxShift: number, rng: Rng): Float32Array {
  const { height: h, width: w, channels: ch } = dataset;
  const size = h * w * ch;
  const out = new Float32Array(indices.length * size);
  indices.forEach((idx, row) => {
    const src = dataset.images.subarray(idx * size, (idx + 1) * size);
    const dst = out.subarray(row * size, (row + 1) * size);
    const dy = maxShift === 0 ? 0 : rng.int(2 * maxShift + 1) - maxShift;
    const dx = maxShift === 0 ? 0 : rng.int(2 * maxShift + 1) - maxShift;
    for (let y = Math.max(0, dy); y < Math.min(h, h + dy); y++) {
      const sy = y - dy;
      const x0 = Math.max(0, dx);
      const x1 = Math.min(w, w + dx);
      dst.set(src.subarray((sy * w + x0 - dx) * ch, (sy * w + x1 - dx) * ch), (y * w + x0) * ch);
    }
  });
  return out;
}

/**
 * Supervised pretraining for few-shot transfer ("a good embedding is all you need", Tian et al. 2020;
 * SimpleShot, Wang et al. 2019): one softmax classifier over every meta-train label (here including
 * symmetry-augmented classes, which doubles as rotation prediction, Gidaris et al. 2019), trained with
 * random shifts; its conv features are then used by nearest-neighbour classifiers on new classes.
 */
export async function pretrainClassifier(dataset: LabelledImages, options: PretrainOptions = {}): Promise<PretrainedNetwork> {
  const filters = options.filters ?? [32, 64, 64];
  assertArgument(filters.length >= 1 && filters.every((f) => Number.isInteger(f) && f >= 1), () => `filters must be positive integers, got [${filters.join(", ")}].`);
  const batchSize = options.batchSize ?? 64;
  assertArgument(Number.isInteger(batchSize) && batchSize >= 1, () => `batchSize must be an integer ≥ 1, got ${batchSize}.`);
  const steps = options.steps ?? 4000;
  assertArgument(Number.isInteger(steps) && steps >= 0, () => `steps must be an integer ≥ 0, got ${steps}.`);
  const maxShift = options.maxShift ?? 2;
  assertArgument(Number.isInteger(maxShift) && maxShift >= 0 && maxShift < Math.min(dataset.height, dataset.width), () => `maxShift must be an integer in 0..${Math.min(dataset.height, dataset.width) - 1}, got ${maxShift}.`);
  assertArgument(dataset.count >= 1, "Pretraining needs at least one image.");
  const teacher = options.teacher;
  const kdTemperature = teacher?.temperature ?? 4;
  const kdWeight = teacher?.weight ?? 0.5;
  assertArgument(Number.isFinite(kdTemperature) && kdTemperature > 0, () => `The distillation temperature must be a finite number > 0, got ${kdTemperature}.`);
  assertArgument(kdWeight >= 0 && kdWeight <= 1, () => `The distillation weight must be in [0, 1], got ${kdWeight}.`);
  const labelSmoothing = options.labelSmoothing ?? 0;
  assertArgument(labelSmoothing >= 0 && labelSmoothing < 1, () => `labelSmoothing must be in [0, 1), got ${labelSmoothing}.`);
  const mixupAlpha = options.mixupAlpha ?? 0;
  assertArgument(Number.isFinite(mixupAlpha) && mixupAlpha >= 0, () => `mixupAlpha must be a finite number ≥ 0, got ${mixupAlpha}.`);
  const head = options.head ?? "linear";
  assertArgument((PRETRAIN_HEADS as readonly string[]).includes(head), () => `Unknown head "${head}"; valid: ${listNames(PRETRAIN_HEADS)}.`);
  const cosineScale = options.cosineScale ?? 10;
  assertArgument(Number.isFinite(cosineScale) && cosineScale > 0, () => `cosineScale must be a finite number > 0, got ${cosineScale}.`);
  const emaDecay = options.emaDecay ?? 0;
  assertArgument(emaDecay >= 0 && emaDecay < 1, () => `emaDecay must be in [0, 1), got ${emaDecay}.`);
  const rng = createRng(options.seed);
  const classes = Int32Array.from([...indicesByClass(dataset.labels).keys()].sort((a, b) => a - b));
  const labelToLogit = new Map<number, number>();
  classes.forEach((c, i) => labelToLogit.set(c, i));
  const targets = Int32Array.from(dataset.labels, (y) => labelToLogit.get(y) as number);
  const shape = [dataset.height, dataset.width, dataset.channels] as const;
  const teacherClasses = teacher?.classifier.outputs[0]?.shape[1];
  assertArgument(teacher === undefined || teacherClasses === classes.length, () => `The distillation teacher predicts ${teacherClasses} classes, the data has ${classes.length}; distil from a network trained on the same labels.`);
  const { blocks, classifier } = buildNetwork(shape, filters, classes.length, rng, { kind: head, scale: cosineScale });
  const optimizer = tf.train.adam(options.learningRate ?? 2e-3);
  const variables = classifier.trainableWeights.map((w) => w.read() as tf.Variable);
  const average = emaDecay > 0 ? new WeightAverage(classifier.weights, emaDecay) : undefined;
  const history: PretrainHistoryEntry[] = [];
  const window = 50;
  let lossSum = 0;
  let accSum = 0;
  let inWindow = 0;
  let order = rng.permutation(dataset.count);
  let cursor = 0;
  const started = performance.now();
  let step = 0;
  const stopPoint = cancelPoint(options.signal);
  try {
    for (; step < steps; step++) {
      await stopPoint();
      if ((options.timeBudgetSeconds ?? Infinity) * 1000 < performance.now() - started) break;
      if (cursor + batchSize > dataset.count) {
        order = rng.permutation(dataset.count);
        cursor = 0;
      }
      const batch = order.subarray(cursor, Math.min(dataset.count, cursor + batchSize));
      cursor += batch.length;
      const images = shiftedBatch(dataset, batch, maxShift, rng);
      const batchTargets = Int32Array.from(batch, (i) => targets[i] as number);
      const mix = mixupAlpha > 0 ? { lambda: sampleBeta(mixupAlpha, mixupAlpha, rng), partner: rng.permutation(batch.length) } : undefined;
      const { loss, accuracy } = tf.tidy(() => {
        const clean = tf.tensor4d(images, [batch.length, ...shape]);
        const y = tf.tensor1d(batchTargets, "int32");
        const hard = tf.oneHot(y, classes.length);
        const x = mix === undefined ? clean : tf.add(tf.mul(clean, mix.lambda), tf.mul(tf.gather(clean, tf.tensor1d(mix.partner, "int32")), 1 - mix.lambda));
        const mixed = mix === undefined ? hard : tf.add(tf.mul(hard, mix.lambda), tf.mul(tf.gather(hard, tf.tensor1d(mix.partner, "int32")), 1 - mix.lambda));
        const onehot = labelSmoothing === 0 ? mixed : tf.add(tf.mul(mixed, 1 - labelSmoothing), labelSmoothing / classes.length);
        const softTargets = teacher === undefined ? undefined : tf.softmax(tf.div(teacher.classifier.apply(x, { training: false }) as tf.Tensor2D, kdTemperature));
        // The soft targets' entropy, so the reported distillation term is KL(teacher ‖ student) ≥ 0 rather than a cross-entropy.
        const targetEntropy = softTargets === undefined ? undefined : tf.mean(tf.neg(tf.sum(tf.mul(softTargets, tf.log(tf.add(softTargets, 1e-12))), 1)));
        let logits: tf.Tensor2D | undefined;
        const cost = optimizer.minimize((): tf.Scalar => {
          const out = classifier.apply(x, { training: true }) as tf.Tensor2D;
          logits = tf.keep(out);
          const ce = tf.losses.softmaxCrossEntropy<tf.Tensor, tf.Scalar>(onehot, out);
          if (softTargets === undefined || targetEntropy === undefined) return ce;
          // Hinton et al. 2015: T² keeps the soft term's gradient scale independent of T.
          const kl = tf.sub(tf.losses.softmaxCrossEntropy(softTargets, tf.div(out, kdTemperature)), targetEntropy);
          const kd = tf.mul(kl, kdTemperature * kdTemperature);
          return tf.add<tf.Scalar>(tf.mul(ce, 1 - kdWeight), tf.mul(kd, kdWeight));
        }, true, variables);
        const acc = tf.mean(tf.cast(tf.equal(tf.argMax(logits as tf.Tensor2D, 1), y), "float32"));
        const result = { loss: (cost as tf.Scalar).dataSync()[0] as number, accuracy: acc.dataSync()[0] as number };
        logits?.dispose();
        return result;
      });
      average?.update();
      lossSum += loss;
      accSum += accuracy;
      inWindow++;
      if (inWindow === window || step === steps - 1) {
        const entry = { step: step + 1, loss: lossSum / inWindow, accuracy: accSum / inWindow };
        history.push(entry);
        options.onProgress?.({ phase: "pretrain", step: step + 1, total: steps, metrics: { loss: entry.loss, accuracy: entry.accuracy } });
        lossSum = accSum = inWindow = 0;
      }
    }
    if (inWindow > 0) history.push({ step, loss: lossSum / inWindow, accuracy: accSum / inWindow });
    if (step < steps) options.onProgress?.({ phase: "pretrain", step, total: steps, stopped: `the time budget of ${options.timeBudgetSeconds ?? Infinity} s` });
    average?.assign();
    return { blocks, classifier, classes, history, steps: step, seconds: (performance.now() - started) / 1000, dispose: () => classifier.dispose() };
  } catch (error) {
    classifier.dispose();
    throw error;
  } finally {
    average?.dispose();
    optimizer.dispose();
  }
}

/**
 * An exponential moving average of a model's weights (trainable and not: batch-norm moving statistics are
 * averaged like the rest, as in timm's ModelEmaV2), updated after each optimiser step and written back at the end.
 */
export class WeightAverage {
  private readonly sums: tf.Variable[];
  private updates = 0;

  constructor(
    private readonly weights: readonly tfl.LayerVariable[],
    private readonly decay: number,
  ) {
    this.sums = weights.map((w) => {
      const zeros = tf.zerosLike(w.read());
      const sum = tf.variable(zeros, false);
      zeros.dispose();
      return sum;
    });
  }

  /** m ← d·m + (1 − d)·θ, from m = 0. */
  update(): void {
    this.updates++;
    tf.tidy(() => {
      this.sums.forEach((m, i) => m.assign(tf.add(tf.mul(m, this.decay), tf.mul((this.weights[i] as tfl.LayerVariable).read(), 1 - this.decay))));
    });
  }

  /** Writes the bias-corrected averages m / (1 − d^T) into the model's weights (a no-op before the first update). */
  assign(): void {
    if (this.updates === 0) return;
    const correction = 1 - this.decay ** this.updates;
    this.weights.forEach((w, i) => {
      const average = tf.div(this.sums[i] as tf.Variable, correction);
      w.write(average);
      average.dispose();
    });
  }

  dispose(): void {
    tf.dispose(this.sums);
  }
}
