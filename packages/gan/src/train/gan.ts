import * as tf from "@tensorflow/tfjs-core";
import type * as tfl from "@tensorflow/tfjs-layers";


import { DlError, assertArgument, createRng, emaUpdate, indicesByLabel, listNames, throwIfAborted, type Rng, type RunOptions } from "@dl/tensor-core";

import { Adam, type AdamState } from "./adam.js";
import { diffAugment, type AugmentDraw } from "./diffAugment.js";
import { createDiscriminator, createGenerator, trainableVariables, type GanConfig, type LearningRateDecay } from "./networks.js";

/** Training data in the generator's output scale (images in [−1, 1] for a tanh generator). */
export interface GanData {
  points: Float32Array;
  /** Required for a conditional GAN. */
  labels?: Int32Array;
  count: number;
}

export interface GanEpochRecord {
  epoch: number;
  steps: number;
  dLoss: number;
  gLoss: number;
  /** Mean D(x) on real and on generated batches (probabilities). */
  dReal: number;
  dFake: number;
  seconds: number;
  /** Extra figures from the caller's evaluation (per-label accuracy, Fréchet distance …). */
  metrics?: Record<string, number>;
}

export interface Gan {
  readonly config: GanConfig;
  readonly seed: number;
  readonly generator: tfl.LayersModel;
  /** G with exponentially averaged weights (config.emaDecay > 0); sampling uses it when present. */
  readonly generatorEma?: tfl.LayersModel;
  readonly discriminator: tfl.LayersModel;
  readonly gOptimizer: Adam;
  readonly dOptimizer: Adam;
  /** Epochs completed. */
  epoch: number;
  step: number;
  history: GanEpochRecord[];
  /** The dataset it is trained on, once known (recorded in checkpoints so a resume can check it). */
  trainedOn?: GanTrainingData;
  dispose(): void;
}

/** What a GAN was trained on: resuming it on other data would silently train a different model. */
export interface GanTrainingData {
  /** Dataset name as loaded, with its split (mnist/train, fashion-mnist/train…). */
  name: string;
  /** Training images used (after any --limit). */
  count: number;
}

/** What a checkpoint holds besides the two models' weights. */
export interface GanCheckpointState {
  format: "dl-gan-checkpoint@1";
  config: GanConfig;
  seed: number;
  epoch: number;
  step: number;
  history: GanEpochRecord[];
  gOptimizer: AdamState;
  dOptimizer: AdamState;
  /** Absent in checkpoints written before it was recorded. */
  trainedOn?: GanTrainingData;
}

export function createGan(config: GanConfig, seed: number): Gan {
  const rng = createRng(seed);
  const generator = createGenerator(config, rng.fork());
  const discriminator = createDiscriminator(config, rng.fork());
  return assemble(config, seed, generator, discriminator, copyOfGenerator(config, generator));
}

function copyOfGenerator(config: GanConfig, generator: tfl.LayersModel): tfl.LayersModel | undefined {
  if (!((config.emaDecay ?? 0) > 0)) return undefined;
  const copy = createGenerator(config, createRng(0));
  copy.setWeights(generator.getWeights());
  return copy;
}

function assemble(config: GanConfig, seed: number, generator: tfl.LayersModel, discriminator: tfl.LayersModel, generatorEma: tfl.LayersModel | undefined): Gan {
  const gOptimizer = new Adam(trainableVariables(generator), { learningRate: config.learningRate, beta1: config.beta1 });
  const dOptimizer = new Adam(trainableVariables(discriminator), { learningRate: config.dLearningRate ?? config.learningRate, beta1: config.beta1 });
  return {
    config,
    seed,
    generator,
    ...(generatorEma ? { generatorEma } : {}),
    discriminator,
    gOptimizer,
    dOptimizer,
    epoch: 0,
    step: 0,
    history: [],
    dispose() {
      gOptimizer.dispose();
      dOptimizer.dispose();
      generator.dispose();
      generatorEma?.dispose();
      discriminator.dispose();
    },
  };
}

export function ganCheckpointState(gan: Gan): GanCheckpointState {
  return {
    format: "dl-gan-checkpoint@1",
    config: gan.config,
    seed: gan.seed,
    epoch: gan.epoch,
    step: gan.step,
    history: gan.history,
    gOptimizer: gan.gOptimizer.getState(),
    dOptimizer: gan.dOptimizer.getState(),
    ...(gan.trainedOn === undefined ? {} : { trainedOn: { ...gan.trainedOn } }),
  };
}

/**
 * Rebuilds a GAN from checkpoint state and loaded models, after checking that the models have the
 * architecture the state describes (a checkpoint from another architecture is an error).
 */
export function restoreGan(state: GanCheckpointState, generator: tfl.LayersModel, discriminator: tfl.LayersModel, generatorEma?: tfl.LayersModel): Gan {
  if (state.format !== "dl-gan-checkpoint@1") throw new DlError("MALFORMED_FILE", `Not a dl-gan checkpoint (format ${String(state.format)}); expected dl-gan-checkpoint@1.`);
  const reference = createGan(state.config, state.seed);
  try {
    for (const [what, loaded, expected] of [
      ["generator", generator, reference.generator],
      ...(generatorEma ? ([["averaged generator", generatorEma, reference.generator]] as const) : []),
      ["discriminator", discriminator, reference.discriminator],
    ] as const) {
      const a = loaded.weights.map((w) => `${w.name.replace(/_\d+\//, "/")}:${w.shape.join("x")}`);
      const b = expected.weights.map((w) => `${w.name.replace(/_\d+\//, "/")}:${w.shape.join("x")}`);
      const shapesA = loaded.weights.map((w) => w.shape.join("x")).join(",");
      const shapesB = expected.weights.map((w) => w.shape.join("x")).join(",");
      if (shapesA !== shapesB || loaded.inputs.length !== expected.inputs.length) {
        throw new DlError(
          "SHAPE_MISMATCH",
          `The checkpoint's ${what} does not match a ${state.config.numClasses > 0 ? "conditional " : ""}${state.config.arch} GAN: it has ${a.length} weights (${a.slice(0, 3).join(", ")}…), expected ${b.length} (${b.slice(0, 3).join(", ")}…). Use a checkpoint written by the same --arch and --conditional settings.`,
        );
      }
    }
  } finally {
    reference.dispose();
  }
  const gan = assemble(state.config, state.seed, generator, discriminator, generatorEma ?? copyOfGenerator(state.config, generator));
  gan.gOptimizer.setState(state.gOptimizer);
  gan.dOptimizer.setState(state.dOptimizer);
  gan.epoch = state.epoch;
  gan.step = state.step;
  gan.history = [...state.history];
  if (state.trainedOn !== undefined) {
    const { name, count } = state.trainedOn;
    if (typeof name !== "string" || !Number.isSafeInteger(count) || count < 1) throw new DlError("MALFORMED_FILE", `The checkpoint's trainedOn record is malformed (${JSON.stringify(state.trainedOn)}).`);
    gan.trainedOn = { name, count };
  }
  return gan;
}

export interface TrainGanOptions extends RunOptions {
  /** Train until this many epochs are complete (resume continues from `gan.epoch`). */
  epochs: number;
  /** Batches per epoch (default: one pass over the data). */
  stepsPerEpoch?: number;
  /** Called after each epoch (sample grids, checkpoints, evaluation); may add metrics to the record. */
  onEpoch?: (record: GanEpochRecord, gan: Gan) => void | Promise<void>;
}

/**
 * The factor on both learning rates for step `step` (0-based, counted over the whole run) of a run of `totalSteps`: 1 up to
 * step a = start · totalSteps, then 1 − (1 − final) · (step − a) / (totalSteps − a), which reaches `final` at totalSteps.
 */
export function learningRateFactor(decay: LearningRateDecay | undefined, step: number, totalSteps: number): number {
  if (decay === undefined) return 1;
  const from = decay.start * totalSteps;
  if (step <= from) return 1;
  return 1 - (1 - decay.final) * Math.min(1, (step - from) / (totalSteps - from));
}

function assertLearningRateDecay(decay: LearningRateDecay | undefined): void {
  if (decay === undefined) return;
  const { start, final } = decay;
  assertArgument(
    typeof start === "number" && typeof final === "number" && start >= 0 && start < 1 && final >= 0 && final <= 1,
    () => `learningRateDecay needs start (fraction of the run's steps before the rates fall) in [0, 1) and final (fraction of the rates at the end) in [0, 1], got ${JSON.stringify(decay)}.`,
  );
}

/** The rng of one epoch depends only on (seed, epoch), so a resumed run repeats an uninterrupted one. */
function epochRng(seed: number, epoch: number): Rng {
  return createRng((seed % 1_000_000_007) * 1009 + epoch);
}

/**
 * Adversarial training with the non-saturating generator loss (Goodfellow et al. 2014, §3); a
 * conditional GAN feeds the label to both networks (Mirza & Osindero 2014).
 */
export async function trainGan(gan: Gan, data: GanData, opts: TrainGanOptions): Promise<GanEpochRecord[]> {
  const { config } = gan;
  const dim = config.dataShape.reduce((a, b) => a * b, 1);
  if (data.points.length !== data.count * dim) {
    throw new DlError("SHAPE_MISMATCH", `GAN data has ${data.points.length} values for ${data.count} points; expected ${data.count} × ${dim} (${config.dataShape.join("×")}).`);
  }
  if (config.numClasses > 0) {
    if (data.labels?.length !== data.count) throw new DlError("INVALID_ARGUMENT", "A conditional GAN needs one label per training point.");
    for (const l of data.labels) if (!(l >= 0 && l < config.numClasses)) throw new DlError("INVALID_ARGUMENT", `Label ${l} is outside 0..${config.numClasses - 1}.`);
  }
  const batch = Math.min(config.batchSize, data.count);
  const stepsPerEpoch = opts.stepsPerEpoch ?? Math.floor(data.count / batch);
  const records: GanEpochRecord[] = [];
  const xBuffer = new Float32Array(batch * dim);
  const yBuffer = new Float32Array(batch);
  const conditional = config.numClasses > 0;
  const pack = config.pack ?? 1;
  if (batch % pack !== 0) throw new DlError("INVALID_ARGUMENT", `The batch (${batch}) must be a multiple of the packing degree (${pack}).`);
  const group = groupSize(config, batch);
  // Per label, the indices of its points: a group of the minibatch-std feature draws one label's points.
  const byLabel = conditional && group > 1 ? indicesByLabel(data.labels as Int32Array) : undefined;
  const augment = config.augment && (config.augment.translate > 0 || config.augment.cutout > 0) ? diffAugment(config.dataShape, batch, config.augment) : undefined;
  const hinge = config.loss === "hinge";
  // D's targets over a real batch then a generated one (realLabel, then 0), one per D output row.
  const dTargets = Float32Array.from({ length: 2 * (batch / pack) }, (_, i) => (i < batch / pack ? config.realLabel : 0));
  const modeSeeking = config.modeSeeking ?? 0;
  const r1Gamma = config.r1Gamma ?? 0;
  const onePassD = !((config.minibatchStdGroup ?? 0) > 1 && batch % (config.minibatchStdGroup ?? 1) !== 0);
  const dSteps = config.dSteps ?? 1;
  assertArgument(Number.isInteger(dSteps) && dSteps >= 1, () => `dSteps (D updates per G update) must be a whole number ≥ 1, got ${dSteps}.`);
  const r1Interval = config.r1Interval ?? 1;
  assertArgument(Number.isInteger(r1Interval) && r1Interval >= 1, () => `r1Interval (D updates per R1 penalty) must be a whole number ≥ 1 (1: every update), got ${r1Interval}.`);
  const decay = config.learningRateDecay;
  assertLearningRateDecay(decay);
  // The run's length for the decay: the epochs asked for, so a resume to the same epochs sees the same schedule.
  const totalSteps = opts.epochs * stepsPerEpoch;

  while (gan.epoch < opts.epochs) {
    const rng = epochRng(gan.seed, gan.epoch);
    const order = rng.permutation(data.count);
    const started = performance.now();
    let dLoss = 0;
    let gLoss = 0;
    let dReal = 0;
    let dFake = 0;
    for (let s = 0; s < stepsPerEpoch; s++) {
      throwIfAborted(opts.signal);
      if (decay) {
        // From the step index, not accumulated: a resumed run sets the rates an uninterrupted one has.
        const factor = learningRateFactor(decay, gan.step, totalSteps);
        gan.gOptimizer.learningRate = config.learningRate * factor;
        gan.dOptimizer.learningRate = (config.dLearningRate ?? config.learningRate) * factor;
      }
      // dSteps updates of D, each on its own real batch and draw of z, then one of G (on the last D step's labels).
      for (let k = 0; k < dSteps; k++) {
        const last = k === dSteps - 1;
        for (let b = 0; b < batch; b++) {
          let i = order[((s * dSteps + k) * batch + b) % data.count] as number;
          // The first point of a group picks its label (so labels keep their frequencies); the rest share it.
          if (byLabel && b % group !== 0) {
            const same = byLabel.get(yBuffer[b - (b % group)] as number) as number[];
            i = same[rng.int(same.length)] as number;
          }
          xBuffer.set(data.points.subarray(i * dim, (i + 1) * dim), b * dim);
          if (conditional) yBuffer[b] = (data.labels as Int32Array)[i] as number;
        }
        // Lazy R1: the penalty on every r1Interval-th D update (counted over the whole run, so a resume repeats it), r1Interval × as heavy.
        const r1Weight = r1Gamma > 0 && (gan.step * dSteps + k) % r1Interval === 0 ? (r1Gamma / 2) * r1Interval : 0;
        const zSeedD = rng.tfSeed();
        const zSeedG = last ? rng.tfSeed() : 0;
        // With label groups, generated batches take the real batch's labels, group by group.
        const fakeLabels = conditional ? (byLabel ? Float32Array.from(yBuffer) : Float32Array.from({ length: batch }, () => rng.int(config.numClasses))) : undefined;
        // One draw of translations and cutouts each for D's real batch, D's generated batch and G's batch.
        const draws = augment ? [augment.draw(rng), augment.draw(rng), augment.draw(rng)] : undefined;
        const stats = tf.tidy(() => {
          const xReal = tf.tensor(xBuffer, [batch, ...config.dataShape]);
          const yReal = tf.tensor2d(yBuffer, [batch, 1]);
          const yFake = fakeLabels ? tf.tensor2d(fakeLabels, [batch, 1]) : undefined;
          const g = (z: tf.Tensor): tf.Tensor => gan.generator.apply(yFake ? [z, yFake] : z, { training: true }) as tf.Tensor;
          // DiffAugment: one draw each for D's real batch (0), D's generated batch (1) and G's batch (2).
          const seen = (x: tf.Tensor, draw: number): tf.Tensor => (augment && draws ? augment.apply(x, draws[draw] as AugmentDraw) : x);
          const d = (x: tf.Tensor, y: tf.Tensor | undefined): tf.Tensor => {
            const xs = pack > 1 ? tf.reshape(x, [-1, pack * dim]) : x;
            const ys = y && pack > 1 ? tf.reshape(y, [-1, pack]) : y;
            return gan.discriminator.apply(ys ? [xs, ys] : xs, { training: true }) as tf.Tensor;
          };
          const zD = tf.randomNormal([batch, config.latentDim], 0, 1, "float32", zSeedD);
          const fakeForD = tf.keep(g(zD));
          let realProb = 0;
          let fakeProb = 0;
          const ld = gan.dOptimizer.step(() => {
            // Real and generated batches through D in one pass of twice the batch (D has no batch statistics; packs
            // and minibatch-std groups divide the batch, so none straddles the two): half the kernels of two passes.
            // A batch that minibatch-std groups do not divide is one group of its own: two passes keep it so.
            const realSeen = seen(xReal, 0);
            const fakeSeen = seen(fakeForD, 1);
            const logits = onePassD
              ? d(tf.concat([realSeen, fakeSeen]), yFake ? tf.concat([yReal, yFake]) : undefined)
              : tf.concat([d(realSeen, conditional ? yReal : undefined), d(fakeSeen, yFake)]);
            const probs = tf.mean(tf.sigmoid(tf.reshape(logits, [2, -1])), 1).dataSync();
            realProb = probs[0] ?? Number.NaN;
            fakeProb = probs[1] ?? Number.NaN;
            let loss: tf.Scalar;
            if (hinge) {
              const [realLogits, fakeLogits] = tf.split(logits, 2) as [tf.Tensor, tf.Tensor];
              loss = tf.add<tf.Scalar>(tf.mean(tf.relu(tf.sub(1, realLogits))), tf.mean(tf.relu(tf.add(1, fakeLogits))));
            } else {
              // The two halves are the same size, so the sum of their mean losses is twice the mean over both.
              loss = tf.mul<tf.Scalar>(2, tf.losses.sigmoidCrossEntropy(tf.tensor(dTargets, logits.shape), logits));
            }
            return r1Weight > 0 ? tf.add<tf.Scalar>(loss, tf.mul(r1Weight, r1Penalty((x) => d(x, conditional ? yReal : undefined), realSeen))) : loss;
          });
          fakeForD.dispose();
          if (!last) return [ld, Number.NaN, realProb, fakeProb];
          const zG = tf.randomNormal([batch, config.latentDim], 0, 1, "float32", zSeedG);
          const lg = gan.gOptimizer.step(() => {
            const fake = g(zG);
            const logits = d(seen(fake, 2), yFake);
            const adversarial = hinge ? tf.neg(tf.mean<tf.Scalar>(logits)) : tf.losses.sigmoidCrossEntropy<tf.Tensor, tf.Scalar>(tf.onesLike(logits), logits);
            return modeSeeking > 0 ? tf.add<tf.Scalar>(adversarial, tf.mul(modeSeeking, modeSeekingTerm(fake, zG))) : adversarial;
          });
          return [ld, lg, realProb, fakeProb];
        });
        // D's figures are the mean over its dSteps updates of this step.
        dLoss += (stats[0] as number) / dSteps;
        dReal += (stats[2] as number) / dSteps;
        dFake += (stats[3] as number) / dSteps;
        if (last) gLoss += stats[1] as number;
      }
      if (gan.generatorEma) updateAverage(gan.generatorEma, gan.generator, config.emaDecay ?? 0);
      gan.step += 1;
      if (s % 10 === 0 || s === stepsPerEpoch - 1) {
        opts.onProgress?.({ phase: `epoch ${gan.epoch + 1}/${opts.epochs}`, step: s + 1, total: stepsPerEpoch, metrics: { dLoss: dLoss / (s + 1), gLoss: gLoss / (s + 1) } });
        await tf.nextFrame();
      }
    }
    gan.epoch += 1;
    const record: GanEpochRecord = {
      epoch: gan.epoch,
      steps: stepsPerEpoch,
      dLoss: dLoss / stepsPerEpoch,
      gLoss: gLoss / stepsPerEpoch,
      dReal: dReal / stepsPerEpoch,
      dFake: dFake / stepsPerEpoch,
      seconds: (performance.now() - started) / 1000,
    };
    gan.history.push(record);
    records.push(record);
    await opts.onEpoch?.(record, gan);
  }
  return records;
}

/**
 * Mode seeking (Mao et al. 2019, eq. 3): 1 / (mean over pairs of ‖G(z₁, y) − G(z₂, y)‖₁ / ‖z₁ − z₂‖₁ + ε)
 * for consecutive pairs (same label); G lowers it by letting different z make different images.
 */
function modeSeekingTerm(fake: tf.Tensor, z: tf.Tensor): tf.Scalar {
  const n = fake.shape[0] ?? 0;
  const pairs = Math.floor(n / 2);
  const x = tf.reshape(tf.slice(fake, 0, 2 * pairs), [pairs, 2, -1]);
  const zz = tf.reshape(tf.slice(z, 0, 2 * pairs), [pairs, 2, -1]);
  const gap = (t: tf.Tensor): tf.Tensor => tf.mean(tf.abs(tf.sub(tf.slice(t, [0, 0, 0], [pairs, 1, -1]), tf.slice(t, [0, 1, 0], [pairs, 1, -1]))), [1, 2]);
  return tf.div(1, tf.add(tf.mean(tf.div(gap(x), gap(zz))), 1e-5));
}

/**
 * R1 (Mescheder et al. 2018, eq. 9, without γ/2): the mean over the real batch of ‖∇ₓD(x)‖², D's logit summed over
 * its rows (a packed D's row covers its pack's samples). Differentiable in D's weights (a gradient of a gradient).
 */
export function r1Penalty(d: (x: tf.Tensor) => tf.Tensor, xReal: tf.Tensor): tf.Scalar {
  const n = xReal.shape[0] ?? 1;
  const gradient = tf.grad((x: tf.Tensor) => tf.sum(d(x)))(xReal);
  return tf.div(tf.sum(tf.square(gradient)), n);
}

/** Consecutive samples that share a label: a pack, a minibatch-std group or a mode-seeking pair dividing the batch; else 1. */
function groupSize(config: GanConfig, batch: number): number {
  const group = Math.max(config.pack ?? 1, config.minibatchStdGroup ?? 0, (config.modeSeeking ?? 0) > 0 ? 2 : 1);
  return group > 1 && batch % group === 0 ? group : 1;
}

/**
 * n generated points in the generator's output scale; `labels` (one per point) for a conditional GAN.
 * `truncation` t (the truncation trick, Brock et al. 2019, §3.1): each latent coordinate is drawn from N(0, 1)
 * restricted to [−t, t] (redrawn until inside), trading diversity for fidelity; absent or ∞: plain N(0, I).
 */
export function generate(gan: Gan, n: number, opts: { labels?: ArrayLike<number>; seed?: number; truncation?: number } = {}): Float32Array {
  const rng = createRng(opts.seed);
  const { truncation } = opts;
  if (truncation === undefined || truncation === Infinity) {
    return generateChunks(gan, n, opts.labels, (_start, m) => tf.randomNormal([m, gan.config.latentDim], 0, 1, "float32", rng.tfSeed()));
  }
  return generateFrom(gan, truncatedLatents(n * gan.config.latentDim, truncation, rng), opts.labels);
}

/** Checks a latent truncation t (see `generate`): a finite number ≥ 0.5, so redrawing stays cheap. */
export function assertTruncation(truncation: number): void {
  assertArgument(
    Number.isFinite(truncation) && truncation >= 0.5,
    () => `The truncation must be a number ≥ 0.5 (latent values are kept within ±t; about 1.5–2 trades a little diversity for fidelity), got ${truncation}.`,
  );
}

/** `count` draws of N(0, 1) restricted to [−t, t], by redrawing each value outside it. */
export function truncatedLatents(count: number, truncation: number, rng: Rng): Float32Array {
  assertTruncation(truncation);
  const z = new Float32Array(count);
  for (let i = 0; i < count; i++) {
    let v = rng.normal();
    while (Math.abs(v) > truncation) v = rng.normal();
    z[i] = v;
  }
  return z;
}

/** G applied to given latent codes (n × latentDim, row-major): interpolations and fixed-z rows. */
export function generateFrom(gan: Gan, z: Float32Array, labels?: ArrayLike<number>): Float32Array {
  const { latentDim } = gan.config;
  const n = Math.floor(z.length / latentDim);
  if (n * latentDim !== z.length) throw new DlError("SHAPE_MISMATCH", `Latent codes hold ${z.length} values; expected whole rows of ${latentDim}.`);
  return generateChunks(gan, n, labels, (start, m) => tf.tensor2d(z.subarray(start * latentDim, (start + m) * latentDim), [m, latentDim]));
}

function generateChunks(gan: Gan, n: number, labels: ArrayLike<number> | undefined, latent: (start: number, m: number) => tf.Tensor): Float32Array {
  const { config } = gan;
  if (config.numClasses > 0) {
    if (labels?.length !== n) throw new DlError("INVALID_ARGUMENT", `A conditional GAN needs ${n} labels to generate ${n} samples.`);
    for (const l of Array.from(labels)) {
      if (!Number.isInteger(l) || l < 0 || l >= config.numClasses) {
        throw new DlError("INVALID_ARGUMENT", `Unknown label ${l}: valid labels are ${listNames(Array.from({ length: config.numClasses }, (_, i) => String(i)))}.`);
      }
    }
  }
  const out = new Float32Array(n * config.dataShape.reduce((a, b) => a * b, 1));
  const chunk = 256;
  for (let start = 0; start < n; start += chunk) {
    const m = Math.min(chunk, n - start);
    const values = tf.tidy(() => {
      const z = latent(start, m);
      const inputs = config.numClasses > 0 ? [z, tf.tensor2d(Float32Array.from(Array.from(labels as ArrayLike<number>).slice(start, start + m)), [m, 1])] : z;
      return ((gan.generatorEma ?? gan.generator).apply(inputs, { training: false }) as tf.Tensor).dataSync();
    });
    out.set(values, start * (out.length / n));
  }
  return out;
}

/** θ̄ ← d·θ̄ + (1 − d)·θ for every weight (batch-norm statistics included). */
function updateAverage(average: tfl.LayersModel, model: tfl.LayersModel, decay: number): void {
  const target = average.weights;
  const source = model.weights;
  tf.tidy(() => {
    target.forEach((w, i) => {
      const v = source[i];
      if (v === undefined) return;
      w.write(emaUpdate(w.read(), v.read(), decay));
    });
  });
}
