import type * as tfl from "@tensorflow/tfjs-layers";

import { DEFAULT_SEED, DlError, assertArgument, createRng, type ImageDataset, type RunOptions } from "@dl/tensor-core";

import { createGeneratorScorer, evaluateGenerator, labelAccuracies, type GeneratorEvaluation, type GeneratorScorer } from "../evaluate/generatorEvaluation.js";
import { assertTruncation, createGan, generate, generateFrom, trainGan, truncatedLatents, type Gan, type GanEpochRecord } from "./gan.js";
import { imageGanConfig, type GanArch, type GanConfig, type ImageGanRecipe } from "./networks.js";
import { applyStandingStatistics, assertStandingStatistics } from "./standingStatistics.js";

export interface ImageGanOptions extends RunOptions {
  train: ImageDataset;
  /** Real images for the evaluation (the test split); needs 2 × evalSamples images for the final scores. */
  evaluationSet?: ImageDataset;
  /** The classifier that scores samples (per-label accuracy, features); no scores without it. */
  classifier?: tfl.LayersModel;
  arch?: GanArch;
  conditional?: boolean;
  /** Which default configuration a new GAN starts from (default `projection`; see `imageGanConfig`). */
  recipe?: ImageGanRecipe;
  /** Changes to the default configuration of a new GAN (ignored on resume: the checkpoint's holds). */
  config?: Partial<GanConfig>;
  /** Train until this many epochs are complete. */
  epochs: number;
  stepsPerEpoch?: number;
  /** Continue this GAN (from a checkpoint) instead of a new one. */
  resume?: Gan;
  /** Conditional samples scored per epoch (default 500). */
  epochSamples?: number;
  /** Samples for the final Fréchet distance and precision/recall (default 1000). */
  finalSamples?: number;
  /**
   * Draws of z the final scores are taken over (default 1: the draw of seed 99 alone; see `scoreDraws`). `final` stays the
   * first draw's evaluation; `finalDraws` holds every draw's figures with their mean and standard deviation.
   */
  evaluationDraws?: number;
  /**
   * Truncation t of the latent codes behind the scored samples and the sample grid (see `generate`): absent, plain
   * N(0, I). It changes what is drawn, not what is trained. `"auto"`: the epochs are scored untruncated and the final
   * samples at the t that `chooseTruncation` picks with `truncationRule` (needs the classifier).
   */
  truncation?: number | "auto";
  /** The rule behind `truncation: "auto"` (defaults as in `chooseTruncation`). */
  truncationRule?: TruncationRule;
  /**
   * A second real reference for the final samples, held apart from the test split (e.g. training images): the
   * final scores against it go to `validation`. Needs 2 × finalSamples images.
   */
  validationSet?: ImageDataset;
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
  /** The final scores over `evaluationDraws` draws of z (the first is `final`'s draw). */
  finalDraws?: DrawScores;
  /** The final samples (the same draw) scored against `validationSet`. */
  validation?: GeneratorEvaluation;
  /** What `truncation: "auto"` tried and chose. */
  truncation?: TruncationChoice;
  seconds: number;
}

/** Truncations the rule tries after the untruncated draw, largest first. */
export const TRUNCATION_GRID: readonly number[] = [3, 2.5, 2.25, 2, 1.9, 1.8, 1.7, 1.6, 1.5, 1.4, 1.3, 1.2, 1.1, 1, 0.75, 0.5];

/** A rule, fixed before any score is seen, that picks the truncation of a trained conditional G from G's own samples. */
export interface TruncationRule {
  /**
   * Per-label accuracy (mean over labels) the chosen t must reach on the rule's draws; default 0.975, or `realAccuracy`
   * where that is lower.
   */
  target?: number;
  /**
   * The classifier's accuracy on real images it was not trained on (e.g. `loadDefaultModel`'s `testAccuracy`, recorded when
   * it was trained; a property of the classifier, not of G). It caps the default target: a generator is not truncated to
   * be more recognisable than real data (Fashion-MNIST: ≈ 0.91, where 0.975 is reached only by giving up recall).
   */
  realAccuracy?: number;
  /** Truncations tried after the untruncated draw, largest first (default `TRUNCATION_GRID`). */
  grid?: readonly number[];
  /** Samples per draw (default 1,000). */
  samples?: number;
  /** Seeds of the rule's draws of z (default 200–203: apart from the final draw, 99, and the epochs', 1000 + epoch). */
  seeds?: readonly number[];
}

export interface TruncationChoice {
  /** The chosen t; null for untruncated. */
  truncation: number | null;
  target: number;
  /** Whether some t reached the target; when none did, G is sampled untruncated (null). */
  reached: boolean;
  /** Every t tried, in order, with its accuracy over all the rule's draws. */
  tried: { truncation: number | null; accuracy: number }[];
}

/**
 * The truncation rule: the largest t (untruncated first, then `grid`) whose per-label accuracy, as the
 * classifier scores G's own samples over the rule's draws of z, reaches `target`. It reads no real image, so
 * neither the test split nor any reference set can steer it; truncating trades recall for label accuracy
 * (Brock et al. 2019, §3.1), so the largest t that keeps the labels keeps the most diversity. When no t reaches the
 * target, G stays untruncated. The default target, 0.975 (the 97 % goal plus about one standard error), is capped at
 * `realAccuracy`, what real images score.
 */
export async function chooseTruncation(gan: Gan, classifier: tfl.LayersModel, rule: TruncationRule = {}): Promise<TruncationChoice> {
  const classes = gan.config.numClasses;
  if (classes === 0) throw new DlError("INVALID_ARGUMENT", "The truncation rule scores label accuracy, so it needs a conditional GAN (--conditional).");
  assertArgument(rule.realAccuracy === undefined || (rule.realAccuracy > 0 && rule.realAccuracy <= 1), () => `The truncation rule's realAccuracy (the classifier's accuracy on real images) must lie in (0, 1], got ${String(rule.realAccuracy)}.`);
  const target = rule.target ?? Math.min(0.975, rule.realAccuracy ?? 1);
  const samples = rule.samples ?? 1000;
  const seeds = rule.seeds ?? [200, 201, 202, 203];
  const grid = rule.grid ?? TRUNCATION_GRID;
  assertArgument(target > 0 && target <= 1 && seeds.length > 0 && samples >= classes, () => `The truncation rule needs a target in (0, 1], at least one seed and ≥ ${classes} samples per draw.`);
  grid.forEach(assertTruncation);
  const tried: TruncationChoice["tried"] = [];
  for (const t of [null, ...grid]) {
    let hits = 0;
    for (const seed of seeds) {
      const { images, labels } = generateImages(gan, samples, seed, undefined, t ?? undefined);
      hits += (await labelAccuracies(classifier, images, samples, labels as Int32Array, classes)).labelAccuracy;
    }
    tried.push({ truncation: t, accuracy: hits / seeds.length });
    if (hits / seeds.length >= target) return { truncation: t, target, reached: true, tried };
  }
  // Out of reach (e.g. Fashion-MNIST, where real images score ≈ 91 %): diversity is not traded for a target it cannot buy.
  return { truncation: null, target, reached: false, tried };
}

/** The seed of z behind the final scores of `trainImageGan` (and the first of `scoreDraws`'). */
const FINAL_DRAW_SEED = 99;
/** The most draws `scoreDraws` takes (seeds 99 … 118: apart from the truncation rule's, 200–203). */
export const MAX_SCORE_DRAWS = 20;

/** One figure over several draws of z: its value per draw, their mean and sample standard deviation (null for one draw). */
export interface DrawSpread {
  mean: number;
  sd: number | null;
  values: number[];
}

/** A generator's scores over several draws of z against the same real halves. */
export interface DrawScores {
  /** The seed of each draw: 99, 100, … (the first is the draw `trainImageGan` scores). */
  seeds: number[];
  /** Samples per draw. */
  samples: number;
  /** The truncation t of the draws; null for untruncated. */
  truncation: number | null;
  /** Per-label accuracy (conditional GANs only). */
  labelAccuracy?: DrawSpread;
  precision: DrawSpread;
  recall: DrawSpread;
  frechet: DrawSpread;
  /** Real-vs-real: the same two real halves for every draw. */
  frechetRealBaseline: number;
  /** Each draw's evaluation, in the order of `seeds`. */
  evaluations: GeneratorEvaluation[];
}

function spread(values: number[]): DrawSpread {
  const mean = values.reduce((a, b) => a + b, 0) / values.length;
  const sd = values.length > 1 ? Math.sqrt(values.reduce((a, v) => a + (v - mean) ** 2, 0) / (values.length - 1)) : null;
  return { mean, sd, values };
}

function assertScoreDraws(draws: number): void {
  assertArgument(
    Number.isInteger(draws) && draws >= 1 && draws <= MAX_SCORE_DRAWS,
    () => `The draws of z to score must be a whole number from 1 to ${MAX_SCORE_DRAWS} (each 1,000-sample draw costs ≈ 2.5 s CPU on Fashion-MNIST), got ${draws}.`,
  );
}

/**
 * Scores `draws` draws of z (seeds 99, 100, …; `samples` each, balanced labels when conditional, within ±`truncation`
 * when given) against the same two halves of `real`: one draw's Fréchet distance moves with z (sd 0.9–1.8 at 1,000
 * samples for a fixed Fashion-MNIST G), so a goal is judged on the mean. `real` must hold 2 × samples images.
 */
export async function scoreDraws(
  gan: Gan,
  classifier: tfl.LayersModel,
  real: ImageDataset,
  opts: { draws: number; samples?: number; truncation?: number },
): Promise<DrawScores> {
  return (await scoreDrawsKeepingFirst(gan, classifier, real, opts)).scores;
}

/** One draw of z: images in [0, 1] and their labels (conditional GANs). */
interface Draw {
  images: Float32Array;
  labels?: Int32Array;
}

/** `scoreDraws`, handing back the first draw's samples too, so a caller scores them against another reference without drawing them again. */
async function scoreDrawsKeepingFirst(
  gan: Gan,
  classifier: tfl.LayersModel,
  real: ImageDataset,
  opts: { draws: number; samples?: number; truncation?: number },
): Promise<{ scores: DrawScores; first: Draw }> {
  assertScoreDraws(opts.draws);
  if (opts.truncation !== undefined) assertTruncation(opts.truncation);
  const samples = opts.samples ?? Math.min(1000, Math.floor(real.count / 2));
  const score = await createGeneratorScorer(classifier, real, samples);
  const seeds = Array.from({ length: opts.draws }, (_, i) => FINAL_DRAW_SEED + i);
  const evaluations: GeneratorEvaluation[] = [];
  let first: Draw | undefined;
  for (const seed of seeds) {
    const draw = generateImages(gan, samples, seed, undefined, opts.truncation);
    first ??= draw;
    evaluations.push(await score(draw.images, draw.labels));
  }
  const figure = (key: "labelAccuracy" | "precision" | "recall" | "frechet"): DrawSpread => spread(evaluations.map((e) => e[key]));
  const scores: DrawScores = {
    seeds,
    samples,
    truncation: opts.truncation ?? null,
    ...(gan.config.numClasses > 0 ? { labelAccuracy: figure("labelAccuracy") } : {}),
    precision: figure("precision"),
    recall: figure("recall"),
    frechet: figure("frechet"),
    frechetRealBaseline: (evaluations[0] as GeneratorEvaluation).frechetRealBaseline,
    evaluations,
  };
  return { scores, first: first as Draw };
}

const toUnit = (images: Float32Array): Float32Array => images.map((v) => Math.min(1, Math.max(0, (v + 1) / 2)));

/** Sample grid: ten samples per label (rows = labels) for a conditional GAN, else 100 samples. */
export function sampleGrid(gan: Gan, seed = 7, truncation?: number): ImageGanEpoch["grid"] {
  const [height = 28, width = 28] = gan.config.dataShape;
  const classes = gan.config.numClasses;
  const count = classes > 0 ? classes * 10 : 100;
  const labels = classes > 0 ? Int32Array.from({ length: count }, (_, i) => Math.floor(i / 10)) : undefined;
  return { images: toUnit(generate(gan, count, { seed, ...(labels ? { labels } : {}), ...(truncation === undefined ? {} : { truncation }) })), count, columns: 10, height, width };
}

/** Conditional samples with balanced labels, in [0, 1]; `truncation` as in `generate`. */
export function generateImages(gan: Gan, count: number, seed: number, label?: number, truncation?: number): { images: Float32Array; labels?: Int32Array } {
  const classes = gan.config.numClasses;
  const truncated = truncation === undefined ? {} : { truncation };
  if (classes === 0) {
    if (label !== undefined) throw new DlError("INVALID_ARGUMENT", "This GAN is unconditional: it takes no label. Train with --conditional to sample by label.");
    return { images: toUnit(generate(gan, count, { seed, ...truncated })) };
  }
  const labels = Int32Array.from({ length: count }, (_, i) => label ?? i % classes);
  return { images: toUnit(generate(gan, count, { seed, labels, ...truncated })), labels };
}

/** `count` latent codes drawn from N(0, I), row-major. */
/** `count` latent codes from N(0, I), or within ±`truncation` as `generate` draws them. */
function latentCodes(gan: Gan, count: number, seed: number, truncation?: number): Float32Array {
  const rng = createRng(seed);
  if (truncation !== undefined && truncation !== Infinity) return truncatedLatents(count * gan.config.latentDim, truncation, rng);
  return Float32Array.from({ length: count * gan.config.latentDim }, () => rng.normal());
}

/** slerp(z₀, z₁; t) = sin((1−t)Ω)/sin Ω · z₀ + sin(tΩ)/sin Ω · z₁ with Ω the angle between them; linear when Ω ≈ 0. */
export function slerp(z0: Float32Array, z1: Float32Array, t: number): Float32Array {
  let dot = 0;
  let n0 = 0;
  let n1 = 0;
  for (let d = 0; d < z0.length; d++) {
    dot += (z0[d] as number) * (z1[d] as number);
    n0 += (z0[d] as number) ** 2;
    n1 += (z1[d] as number) ** 2;
  }
  const omega = Math.acos(Math.min(1, Math.max(-1, dot / Math.sqrt(n0 * n1))));
  const [a, b] = omega < 1e-6 ? [1 - t, t] : [Math.sin((1 - t) * omega) / Math.sin(omega), Math.sin(t * omega) / Math.sin(omega)];
  return z0.map((v, d) => a * v + b * (z1[d] as number));
}

/**
 * Walks in z: each row goes from one latent code z₀ to another z₁ in `columns` steps along the great
 * circle (slerp; White 2016, "Sampling generative networks"), where a Gaussian's mass lies; a
 * conditional GAN keeps one label per row (rows = labels), so a row shows how the label's samples vary.
 * With `truncation` t the ends are drawn within ±t, as the truncated samples are (points between them
 * may leave the box by up to √2·t, since the walk keeps the ends' norm).
 */
export function interpolationGrid(gan: Gan, opts: { columns?: number; rows?: number; seed?: number; truncation?: number } = {}): ImageGanEpoch["grid"] {
  const [height = 28, width = 28] = gan.config.dataShape;
  const classes = gan.config.numClasses;
  const rows = classes > 0 ? classes : (opts.rows ?? 10);
  const columns = opts.columns ?? 10;
  const dim = gan.config.latentDim;
  const ends = latentCodes(gan, 2 * rows, opts.seed ?? 11, opts.truncation);
  const z = new Float32Array(rows * columns * dim);
  for (let r = 0; r < rows; r++) {
    const z0 = ends.subarray(2 * r * dim, (2 * r + 1) * dim);
    const z1 = ends.subarray((2 * r + 1) * dim, (2 * r + 2) * dim);
    for (let c = 0; c < columns; c++) z.set(slerp(z0, z1, columns === 1 ? 0 : c / (columns - 1)), (r * columns + c) * dim);
  }
  const count = rows * columns;
  const labels = classes > 0 ? Int32Array.from({ length: count }, (_, i) => Math.floor(i / columns)) : undefined;
  return { images: toUnit(generateFrom(gan, z, labels)), count, columns, height, width };
}

/**
 * One latent code per row, the same across the row, labels 0…K−1 along it: the label changes the
 * digit while z keeps its style (stroke, slant), if G is conditioned rather than collapsed. With
 * `truncation` t the codes are drawn within ±t, as `generate` draws them.
 */
export function fixedLatentGrid(gan: Gan, opts: { rows?: number; seed?: number; truncation?: number } = {}): ImageGanEpoch["grid"] {
  const classes = gan.config.numClasses;
  if (classes === 0) throw new DlError("INVALID_ARGUMENT", "This GAN is unconditional: a fixed-z row across labels needs a conditional GAN (--conditional).");
  const [height = 28, width = 28] = gan.config.dataShape;
  const rows = opts.rows ?? 5;
  const dim = gan.config.latentDim;
  const codes = latentCodes(gan, rows, opts.seed ?? 13, opts.truncation);
  const z = new Float32Array(rows * classes * dim);
  for (let i = 0; i < rows * classes; i++) z.set(codes.subarray(Math.floor(i / classes) * dim, (Math.floor(i / classes) + 1) * dim), i * dim);
  const labels = Int32Array.from({ length: rows * classes }, (_, i) => i % classes);
  return { images: toUnit(generateFrom(gan, z, labels)), count: rows * classes, columns: classes, height, width };
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
  const auto = opts.truncation === "auto";
  if (typeof opts.truncation === "number") assertTruncation(opts.truncation);
  const draws = opts.evaluationDraws ?? 1;
  assertScoreDraws(draws);
  if (auto && !opts.classifier) throw new DlError("INVALID_ARGUMENT", "truncation \"auto\" picks t by the classifier's label accuracy; pass a classifier (drop --no-evaluate) or give t as a number.");
  // With "auto", the epochs are scored untruncated; the rule runs once, on the trained G.
  const epochTruncation = typeof opts.truncation === "number" ? opts.truncation : undefined;
  const conditional = opts.resume ? opts.resume.config.numClasses > 0 : (opts.conditional ?? false);
  const gan = opts.resume ?? createGan({ ...imageGanConfig(opts.arch ?? "mlp", conditional, opts.recipe), ...opts.config, numClasses: conditional ? train.classNames.length : 0 }, opts.seed ?? DEFAULT_SEED);
  if (opts.resume) assertResumableOn(opts.resume, { name: train.name, classes: train.classNames.length });
  if (gan.config.standingStatistics) assertStandingStatistics(gan.config.standingStatistics);
  const [h, w, c] = gan.config.dataShape;
  if (h !== train.height || w !== train.width || c !== train.channels) {
    throw new DlError("SHAPE_MISMATCH", `The GAN makes ${gan.config.dataShape.join("×")} images but the data are ${train.height}×${train.width}×${train.channels}.`);
  }
  gan.trainedOn = { name: train.name, count: train.count };
  const points = train.images.map((v) => 2 * v - 1);
  const started = performance.now();
  const epochSamples = opts.epochSamples ?? 500;
  let trainSeconds = gan.history.reduce((t, h) => t + h.seconds, 0);
  let scoreEpoch: GeneratorScorer | undefined;
  const history = await trainGan(gan, { points, count: train.count, ...(conditional ? { labels: train.labels } : {}) }, {
    epochs: opts.epochs,
    ...(opts.stepsPerEpoch === undefined ? {} : { stepsPerEpoch: opts.stepsPerEpoch }),
    ...(opts.seed === undefined ? {} : { seed: opts.seed }),
    ...(opts.onProgress ? { onProgress: opts.onProgress } : {}),
    ...(opts.signal ? { signal: opts.signal } : {}),
    onEpoch: async (record, g) => {
      const metrics: Record<string, number> = {
        elapsedSeconds: (performance.now() - started) / 1000,
        trainSeconds: (trainSeconds += record.seconds),
        // The scores below drew z within ±t; absent when untruncated ("auto" chooses t only after training).
        ...(epochTruncation === undefined ? {} : { truncation: epochTruncation }),
      };
      if (opts.classifier && opts.evaluationSet && opts.evaluationSet.count >= 2 * epochSamples) {
        // The four figures of the goal after every epoch, on fewer samples than the final ones; the real
        // features and the real-vs-real baseline are the same every epoch, so they are computed once.
        scoreEpoch ??= await createGeneratorScorer(opts.classifier, opts.evaluationSet, epochSamples);
        const { images, labels } = generateImages(g, epochSamples, 1000 + record.epoch, undefined, epochTruncation);
        const e = await scoreEpoch(images, conditional ? labels : undefined);
        if (conditional) {
          metrics["labelAccuracy"] = e.labelAccuracy;
          e.perLabelAccuracy.forEach((a, l) => (metrics[`labelAccuracy_${l}`] = a));
        }
        Object.assign(metrics, { precision: e.precision, recall: e.recall, frechet: e.frechet, frechetRealBaseline: e.frechetRealBaseline });
      } else if (opts.classifier && conditional) {
        // A conditional GAN's samples always carry their labels.
        const { images, labels } = generateImages(g, epochSamples, 1000 + record.epoch, undefined, epochTruncation);
        if (labels) {
          const e = await labelAccuracies(opts.classifier, images, epochSamples, labels, g.config.numClasses);
          metrics["labelAccuracy"] = e.labelAccuracy;
          e.perLabelAccuracy.forEach((a, l) => (metrics[`labelAccuracy_${l}`] = a));
        }
      }
      record.metrics = metrics;
      await opts.onEpoch?.({ record, grid: sampleGrid(g, undefined, epochTruncation) }, g);
    },
  });
  // The checkpoints of the epochs hold the moving averages; what is scored and drawn from here on, the standing statistics.
  if (gan.config.standingStatistics) applyStandingStatistics(gan, gan.config.standingStatistics);
  let final: GeneratorEvaluation | undefined;
  let finalDraws: DrawScores | undefined;
  let validation: GeneratorEvaluation | undefined;
  let choice: TruncationChoice | undefined;
  if (opts.classifier && opts.evaluationSet) {
    const n = Math.min(opts.finalSamples ?? 1000, Math.floor(opts.evaluationSet.count / 2));
    opts.onProgress?.({ phase: "evaluate", step: 0, total: 1 });
    if (auto) choice = await chooseTruncation(gan, opts.classifier, opts.truncationRule);
    const t = choice ? (choice.truncation ?? undefined) : epochTruncation;
    const scored = await scoreDrawsKeepingFirst(gan, opts.classifier, opts.evaluationSet, { draws, samples: n, ...(t === undefined ? {} : { truncation: t }) });
    finalDraws = scored.scores;
    final = finalDraws.evaluations[0];
    // The first draw's samples (seed 99), scored again against the second reference.
    if (opts.validationSet && opts.validationSet.count >= 2 * n) validation = await evaluateGenerator(opts.classifier, scored.first.images, n, opts.validationSet, scored.first.labels);
    opts.onProgress?.({ phase: "evaluate", step: 1, total: 1 });
  }
  return { gan, history, seconds: (performance.now() - started) / 1000, ...(final ? { final } : {}), ...(finalDraws ? { finalDraws } : {}), ...(validation ? { validation } : {}), ...(choice ? { truncation: choice } : {}) };
}
