import * as tf from "@tensorflow/tfjs-core";
import * as tfl from "@tensorflow/tfjs-layers";

import { cancelPoint, nextMacrotask } from "../cancel.js";
import { assertArgument, throwIfAborted } from "../errors.js";
import { assertDataset } from "../data/dataset.js";
import { assertFinite } from "../data/ndarray.js";
import type { ImageDataset } from "../data/dataset.js";
import type { RunOptions } from "../progress.js";
import { DEFAULT_SEED, createRng } from "../random/rng.js";
import type { Rng } from "../random/rng.js";
import { logitsLayerName } from "./layers.js";

export interface TrainOptions extends RunOptions {
  /** Default 10. */
  epochs?: number;
  /** Default 64. */
  batchSize?: number;
  /** Adam's initial learning rate, annealed by a cosine to `finalLearningRate` (default 2e-3). */
  learningRate?: number;
  /** Default learningRate / 20. */
  finalLearningRate?: number;
  /** Seeded random translations of up to ± this many pixels per axis (default 0: none). */
  augmentShift?: number;
  /** Seeded random rotations of up to ± this many degrees (default 0); with it, shifts are continuous. */
  augmentRotate?: number;
  /** Seeded random zoom by a factor in [1 − a, 1 + a] (default 0). */
  augmentScale?: number;
  /** Compute test accuracy after every epoch (default true; otherwise only after the last). */
  evaluateEachEpoch?: boolean;
}

export interface EpochRecord {
  epoch: number;
  /** Mean training cross-entropy over the epoch's batches. */
  loss: number;
  /** Training accuracy over the epoch (augmented inputs, dropout on). */
  accuracy: number;
  /** Accuracy on the test set after the epoch (NaN when not evaluated). */
  testAccuracy: number;
  /** Seconds since training started. */
  seconds: number;
}

export interface TrainResult {
  history: EpochRecord[];
  testAccuracy: number;
  seconds: number;
}

/** Adam whose learning rate can change between steps (tfjs keeps it in a protected field). */
class ScheduledAdam extends tf.AdamOptimizer {
  setLearningRate(value: number): void {
    this.learningRate = value;
  }
}

/** Copies a batch, translating each image by a random integer offset in [-shift, shift]² (zero fill). */
export function augmentBatch(ds: ImageDataset, indices: ArrayLike<number>, shift: number, rng: Rng): Float32Array {
  const { height: h, width: w, channels: c } = ds;
  const perImage = h * w * c;
  const out = new Float32Array(indices.length * perImage);
  for (let b = 0; b < indices.length; b++) {
    const src = (indices[b] as number) * perImage;
    const dst = b * perImage;
    const dy = shift > 0 ? rng.int(2 * shift + 1) - shift : 0;
    const dx = shift > 0 ? rng.int(2 * shift + 1) - shift : 0;
    if (dx === 0 && dy === 0) {
      out.set(ds.images.subarray(src, src + perImage), dst);
      continue;
    }
    for (let y = Math.max(0, dy); y < Math.min(h, h + dy); y++) {
      const fromRow = src + (y - dy) * w * c;
      const x0 = Math.max(0, dx);
      const x1 = Math.min(w, w + dx);
      out.set(ds.images.subarray(fromRow + (x0 - dx) * c, fromRow + (x1 - dx) * c), dst + (y * w + x0) * c);
    }
  }
  return out;
}

export interface AffineAugmentation {
  shift: number;
  /** Degrees. */
  rotate: number;
  scale: number;
}

/**
 * Copies a batch, warping each image by a random rotation, zoom and translation about its centre
 * (bilinear sampling, zero outside): the affine distortions of Simard et al. 2003, §2.
 */
export function augmentBatchAffine(ds: ImageDataset, indices: ArrayLike<number>, aug: AffineAugmentation, rng: Rng): Float32Array {
  const { height: h, width: w, channels: c } = ds;
  const perImage = h * w * c;
  const out = new Float32Array(indices.length * perImage);
  const cy = (h - 1) / 2;
  const cx = (w - 1) / 2;
  for (let b = 0; b < indices.length; b++) {
    const src = (indices[b] as number) * perImage;
    const dst = b * perImage;
    const theta = ((2 * rng.next() - 1) * aug.rotate * Math.PI) / 180;
    const zoom = 1 + (2 * rng.next() - 1) * aug.scale;
    const ty = (2 * rng.next() - 1) * aug.shift;
    const tx = (2 * rng.next() - 1) * aug.shift;
    // Inverse map: output pixel p ← source R(−θ)(p − centre − t)/zoom + centre.
    const cos = Math.cos(theta) / zoom;
    const sin = Math.sin(theta) / zoom;
    for (let y = 0; y < h; y++) {
      const oy = y - cy - ty;
      for (let x = 0; x < w; x++) {
        const ox = x - cx - tx;
        const sy = cos * oy - sin * ox + cy;
        const sx = sin * oy + cos * ox + cx;
        const y0 = Math.floor(sy);
        const x0 = Math.floor(sx);
        const fy = sy - y0;
        const fx = sx - x0;
        for (let k = 0; k < c; k++) {
          const at = (yy: number, xx: number): number => (yy < 0 || yy >= h || xx < 0 || xx >= w ? 0 : (ds.images[src + (yy * w + xx) * c + k] as number));
          const top = at(y0, x0) * (1 - fx) + at(y0, x0 + 1) * fx;
          const bottom = at(y0 + 1, x0) * (1 - fx) + at(y0 + 1, x0 + 1) * fx;
          out[dst + (y * w + x) * c + k] = top * (1 - fy) + bottom * fy;
        }
      }
    }
  }
  return out;
}

/** Sets a fresh seed on every dropout layer, so masks differ per step but the run is reproducible. */
function reseedDropout(model: tfl.LayersModel, rng: Rng): void {
  for (const layer of model.layers) {
    // tfjs Dropout reuses its fixed `seed` for every call, which would repeat one mask forever.
    if (layer.getClassName() === "Dropout") (layer as unknown as { seed?: number }).seed = rng.tfSeed();
  }
}

/** The prediction model's per-class scores for a batch, as logits (or log-probabilities). */
function scoresModel(model: tfl.LayersModel): { net: tfl.LayersModel; fromLogits: boolean } {
  const name = logitsLayerName(model);
  const output = model.getLayer(name).output as tfl.SymbolicTensor;
  const isLast = model.outputs[0] === output;
  const activation = (model.getLayer(name).getConfig() as { activation?: string }).activation;
  const fromLogits = !isLast || activation === "linear" || activation === undefined;
  return { net: isLast ? model : tfl.model({ inputs: model.inputs, outputs: output }), fromLogits };
}

/**
 * Trains a classifier with Adam (cosine-annealed learning rate), seeded shuffling, seeded shift
 * augmentation and seeded dropout; cross-entropy on the logits. Reports `epoch` progress events.
 */
export async function trainClassifier(model: tfl.LayersModel, train: ImageDataset, test: ImageDataset, options: TrainOptions = {}): Promise<TrainResult> {
  assertDataset(train);
  assertDataset(test);
  assertFinite(train.images, [train.count, train.height, train.width, train.channels], `The training set "${train.name}"`);
  assertFinite(test.images, [test.count, test.height, test.width, test.channels], `The test set "${test.name}"`);
  const epochs = options.epochs ?? 10;
  const batchSize = options.batchSize ?? 64;
  const lr0 = options.learningRate ?? 2e-3;
  const lr1 = options.finalLearningRate ?? lr0 / 20;
  const shift = options.augmentShift ?? 0;
  const rotate = options.augmentRotate ?? 0;
  const scale = options.augmentScale ?? 0;
  assertArgument(Number.isInteger(epochs) && epochs > 0, () => `epochs must be a positive integer, got ${epochs}.`);
  assertArgument(Number.isInteger(batchSize) && batchSize > 0, () => `batchSize must be a positive integer, got ${batchSize}.`);
  assertArgument(lr0 > 0 && lr1 > 0, () => `Learning rates must be positive, got ${lr0} and ${lr1}.`);
  assertArgument(Number.isInteger(shift) && shift >= 0, () => `augmentShift must be a non-negative integer, got ${shift}.`);
  assertArgument(rotate >= 0 && rotate <= 180 && scale >= 0 && scale < 1, () => `augmentRotate must be in [0, 180] degrees and augmentScale in [0, 1), got ${rotate} and ${scale}.`);
  const affine = rotate > 0 || scale > 0;
  assertArgument(train.count > 0, "The training set is empty.");

  const rng = createRng(options.seed ?? DEFAULT_SEED);
  const { net, fromLogits } = scoresModel(model);
  const optimizer = new ScheduledAdam(lr0, 0.9, 0.999, 1e-7);
  const numClasses = (net.outputs[0] as tfl.SymbolicTensor).shape.at(-1) ?? 0;
  const variables = model.trainableWeights.map((w) => w.read() as tf.Variable);
  const stepsPerEpoch = Math.ceil(train.count / batchSize);
  const totalSteps = epochs * stepsPerEpoch;
  const history: EpochRecord[] = [];
  const started = performance.now();
  let step = 0;
  const stopPoint = cancelPoint(options.signal);
  try {
    for (let epoch = 1; epoch <= epochs; epoch++) {
      const order = rng.permutation(train.count);
      let lossSum = 0;
      let correct = 0;
      for (let s = 0; s < stepsPerEpoch; s++) {
        await stopPoint();
        // Cosine annealing (Loshchilov & Hutter 2017, eq. 5) without restarts.
        optimizer.setLearningRate(lr1 + 0.5 * (lr0 - lr1) * (1 + Math.cos((Math.PI * step) / totalSteps)));
        const indices = order.subarray(s * batchSize, Math.min((s + 1) * batchSize, train.count));
        const pixels = affine ? augmentBatchAffine(train, indices, { shift, rotate, scale }, rng) : augmentBatch(train, indices, shift, rng);
        const labels = Int32Array.from(indices, (i) => train.labels[i] as number);
        reseedDropout(model, rng);
        const [loss, hits] = tf.tidy(() => {
          const x = tf.tensor(pixels, [indices.length, ...(net.inputs[0]?.shape.slice(1).map((d) => d ?? -1) ?? [])], "float32");
          const y = tf.oneHot(tf.tensor1d(labels, "int32"), numClasses);
          let scores: tf.Tensor | undefined;
          const cost = optimizer.minimize(
            () => {
              const out = net.apply(x, { training: true }) as tf.Tensor;
              scores = tf.keep(out);
              const logits = fromLogits ? out : tf.log(tf.add(out, 1e-7));
              return tf.losses.softmaxCrossEntropy<tf.Tensor, tf.Scalar>(y, logits);
            },
            true,
            variables,
          ) as tf.Scalar;
          const kept = scores as tf.Tensor;
          const agree = tf.sum(tf.cast(tf.equal(tf.argMax(kept, 1), tf.tensor1d(labels, "int32")), "int32"));
          kept.dispose();
          return [cost, agree];
        });
        lossSum += (await loss.data())[0] as number;
        correct += (await hits.data())[0] as number;
        tf.dispose([loss, hits]);
        step++;
      }
      const last = epoch === epochs;
      throwIfAborted(options.signal);
      const testAccuracy = options.evaluateEachEpoch === false && !last ? Number.NaN : await evaluateAccuracy(model, test, options.signal);
      const record: EpochRecord = { epoch, loss: lossSum / stepsPerEpoch, accuracy: correct / train.count, testAccuracy, seconds: (performance.now() - started) / 1000 };
      history.push(record);
      options.onProgress?.({ phase: "epoch", step: epoch, total: epochs, metrics: { loss: record.loss, accuracy: record.accuracy, testAccuracy } });
    }
  } finally {
    optimizer.dispose();
  }
  const final = history[history.length - 1] as EpochRecord;
  return { history, testAccuracy: final.testAccuracy, seconds: (performance.now() - started) / 1000 };
}

/** The predicted class (argmax of the model output) of each of `count` images. */
export async function predictClasses(model: tfl.LayersModel, images: Float32Array, count: number, options: { batchSize?: number; signal?: AbortSignal } = {}): Promise<Int32Array> {
  const batchSize = options.batchSize ?? 256;
  assertArgument(Number.isInteger(batchSize) && batchSize > 0, () => `batchSize must be a positive integer, got ${batchSize}.`);
  const featureShape = (model.inputs[0]?.shape ?? []).slice(1).map((d) => d ?? -1);
  const perImage = featureShape.reduce((a, b) => a * b, 1);
  assertArgument(images.length === count * perImage, () => `Expected ${count} images × ${perImage} values = ${count * perImage}, got ${images.length}.`);
  const out = new Int32Array(count);
  for (let start = 0; start < count; start += batchSize) {
    if (options.signal !== undefined) {
      // Cancellable callers get a turn of the event loop per batch, so Ctrl-C is seen mid-evaluation.
      await nextMacrotask();
      throwIfAborted(options.signal);
    }
    const size = Math.min(batchSize, count - start);
    const classes = tf.tidy(() => {
      const x = tf.tensor(images.subarray(start * perImage, (start + size) * perImage), [size, ...featureShape], "float32");
      return tf.argMax(model.predict(x) as tf.Tensor, 1);
    });
    out.set(await classes.data(), start);
    classes.dispose();
  }
  return out;
}

/** Fraction of `ds` whose predicted class equals its label. */
export async function evaluateAccuracy(model: tfl.LayersModel, ds: ImageDataset, signal?: AbortSignal): Promise<number> {
  assertDataset(ds);
  if (ds.count === 0) return Number.NaN;
  const predicted = await predictClasses(model, ds.images, ds.count, signal === undefined ? {} : { signal });
  let hits = 0;
  for (let i = 0; i < ds.count; i++) if (predicted[i] === ds.labels[i]) hits++;
  return hits / ds.count;
}
