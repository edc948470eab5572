// TCAV with a calibrated significance test: CAVs against many random sets, a random-vs-random null,
// three p-values per concept × layer and a correction across the whole family.
import {
  DEFAULT_SEED,
  type AnyModel,
  DlError,
  type ImageBatches,
  type ImageModel,
  type LayerActivations,
  type RunOptions,
  activations,
  assertArgument,
  createRng,
  gradientsAtLayer,
  imageModel,
  listNames,
  resolveLayerNames,
  throwIfAborted,
} from "@dl/tensor-core";

import { type ActivationMatrix, type CavOptions, trainCav } from "./cav.js";
import { concatImageSources } from "./inputs.js";
import { directionalDerivatives, tcavMagnitudeScore, tcavScore } from "./sensitivity.js";
import {
  type Alternative,
  type Correction,
  CORRECTIONS,
  cohensD,
  correctPValues,
  empiricalPValue,
  mean,
  meanDifferenceCI,
  oneSampleTTest,
  standardDeviation,
  welchTTest,
} from "./stats.js";

/** Images as float32 pixels, N × H × W × C row-major (an ImageDataset fits). */
export interface ImageSet {
  images: Float32Array;
  count: number;
  height: number;
  width: number;
  channels: number;
}

export interface ConceptSet extends ImageSet {
  name: string;
}

/** Images in memory or read batch by batch (an ImageFolder fits): what `runTcav` takes. */
export type ImageSource = ImageSet | ImageBatches;

export type ConceptSource = ImageSource & { name: string };

/** The fewest concept images accepted: below this a CAV's held-out accuracy is meaningless. */
export const MIN_CONCEPT_IMAGES = 10;

export interface TcavStatisticsOptions {
  /** Concept-vs-random runs per concept (the concept's scores across runs). */
  randomRuns?: number;
  /** Random concepts forming the null distribution (no cap); each is scored against the same runs, so the null costs nullDraws × randomRuns CAVs. */
  nullDraws?: number;
  /** Examples per set (concept subsample and every random set); default min(concept sizes, 50). */
  setSize?: number;
  alpha?: number;
  correction?: Correction;
  /** Tail of every test; `greater` asks whether the concept raises the class logit more than a random one. */
  alternative?: Alternative;
  /** Coverage of the effect-size interval. */
  confidenceLevel?: number;
  cav?: Omit<CavOptions, "seed">;
}

export interface TcavOptions extends RunOptions, TcavStatisticsOptions {
  /** Index of the class k whose logit is differentiated. */
  target: number;
  /** Inputs of class k on which the score is measured. */
  targetImages: ImageSource;
  concepts: readonly ConceptSource[];
  /** Images that random sets (counterexamples and null concepts) are drawn from. */
  randomPool: ImageSource;
  /** Layer names or globs (resolved against the model). */
  layers: readonly string[];
  batchSize?: number;
  /** How `[H, W, C]` maps become CAV space: `auto` flattens maps up to 16,384 values per image and averages larger ones over space. */
  spatial?: "flatten" | "mean" | "auto";
}

export interface TcavPValues {
  /**
   * Empirical p-value of the mean concept score among random concepts' mean scores (+1 corrected,
   * ties broken by the mean directional derivative); never below 1 / (nullDraws + 1).
   */
  randomization: number;
  /** Kim et al. 2018: one-sample t-test of the concept's scores across runs against 0.5. */
  paper: number;
  /** tcav library: Welch t-test of concept-vs-random scores against random-vs-random scores. */
  welch: number;
}

export interface TcavRow {
  concept: string;
  layer: string;
  target: number;
  /** Mean TCAV score (sign count) across runs. */
  score: number;
  scores: number[];
  /** Mean of the magnitude variant Σ max(S,0) / Σ |S| across runs. */
  magnitudeScore: number;
  /** Mean directional derivative S over the class-k inputs and runs (the randomization test's tie-break). */
  meanDerivative: number;
  /** Mean and spread of the null statistic: random concepts' mean scores over the same runs. */
  nullMean: number;
  nullStd: number;
  /** The null statistic of each random concept (its mean score across the runs). */
  nullScores: number[];
  pValues: TcavPValues;
  /** The randomization p-value adjusted across all concepts × layers. */
  adjusted: number;
  significant: boolean;
  /** Mean held-out accuracy of the concept's CAVs. */
  cavAccuracy: number;
  /** Mean held-out accuracy of the random-vs-random CAVs (≈ 0.5 when random sets are exchangeable). */
  nullCavAccuracy: number;
  /** Mean concept score − mean random-vs-random score, and Cohen's d of the two run samples. */
  effect: { meanDifference: number; cohensD: number };
  /** Welch interval for the mean difference. */
  ci: { lower: number; upper: number; level: number };
}

export interface TcavResult {
  rows: TcavRow[];
  target: number;
  layers: string[];
  concepts: string[];
  settings: Required<Omit<TcavStatisticsOptions, "cav">> & { seed: number; targetCount: number; minPValue: number };
  /** Per layer: the CAV space's width and how spatial maps were reduced to it. */
  layerSpaces: { layer: string; features: number; reduction: string }[];
  /** Conditions that limit what the result can show, e.g. too few null draws for any significance. */
  warnings: string[];
  seconds: number;
}

/**
 * The fewest random concepts that let a test survive the correction: the smallest randomization
 * p-value is 1 / (n + 1), and Bonferroni/Holm (and BH for a lone discovery) need p ≤ α / tests.
 * `margin` > 1 leaves room for that many random concepts to beat the real one.
 */
export function nullDrawsForSignificance(tests: number, alpha: number, correction: Correction, margin = 2): number {
  const m = correction === "none" ? 1 : tests;
  return Math.ceil((margin * m) / alpha) - 1;
}

/** Activations of the concept and pool images and the class-k gradients at one layer. */
export interface LayerData {
  layer: string;
  /** Rows: the images listed by `conceptRows` and `poolRows`. */
  activations: ActivationMatrix;
  /** ∇_{h_l} logit_k for each target input. */
  gradients: ActivationMatrix;
}

interface ResolvedSettings {
  randomRuns: number;
  nullDraws: number;
  setSize: number;
  alpha: number;
  correction: Correction;
  alternative: Alternative;
  confidenceLevel: number;
}

function resolveSettings(options: TcavStatisticsOptions, conceptSizes: readonly number[], poolSize: number): ResolvedSettings {
  const randomRuns = options.randomRuns ?? 5;
  const nullDraws = options.nullDraws ?? 50;
  const alpha = options.alpha ?? 0.05;
  const correction = options.correction ?? "holm";
  const alternative = options.alternative ?? "greater";
  const confidenceLevel = options.confidenceLevel ?? 0.95;
  assertArgument(Number.isInteger(randomRuns) && randomRuns >= 2, () => `randomRuns must be an integer ≥ 2 (the tests need a spread), got ${randomRuns}.`);
  assertArgument(Number.isInteger(nullDraws) && nullDraws >= 2, () => `nullDraws must be an integer ≥ 2, got ${nullDraws}; use ≥ 50 for p-values below 0.02.`);
  assertArgument(alpha > 0 && alpha < 1, () => `alpha must lie in (0, 1), got ${alpha}.`);
  if (!CORRECTIONS.includes(correction)) throw new DlError("INVALID_ARGUMENT", `Unknown correction "${String(correction)}"; use ${listNames(CORRECTIONS)}.`);
  const smallest = Math.min(...conceptSizes);
  const setSize = options.setSize ?? Math.min(smallest, 50);
  assertArgument(Number.isInteger(setSize) && setSize >= MIN_CONCEPT_IMAGES, () => `setSize must be an integer ≥ ${MIN_CONCEPT_IMAGES}, got ${setSize}.`);
  assertArgument(setSize <= smallest, () => `setSize ${setSize} exceeds the smallest concept (${smallest} images); lower it or add images.`);
  const needed = requiredPoolSize({ nullDraws, setSize });
  if (poolSize < needed) {
    throw new DlError(
      "INVALID_ARGUMENT",
      `The random pool has ${poolSize} images but ${nullDraws} disjoint random concepts of ${setSize} plus counterexamples need at least ${needed}; add random images or lower nullDraws / setSize.`,
    );
  }
  return { randomRuns, nullDraws, setSize, alpha, correction, alternative, confidenceLevel };
}

/** Rows of each set used by every layer, drawn once so that layers are compared on the same sets. */
export interface TcavDraws {
  /** Counterexample sets R_1..R_m shared by every concept, real or random (one per run). */
  counterexamples: Int32Array[];
  /** Per concept: its (subsampled) rows. */
  concepts: { name: string; rows: Int32Array }[];
  /** Random concepts Q_1..Q_n of the null distribution. */
  nullConcepts: Int32Array[];
  /** One CAV seed per (concept or null concept, run), concepts first. */
  cavSeeds: number[];
}

/**
 * Draws the sets. The random concepts Q_1..Q_n are disjoint blocks of a random permutation of the
 * pool, i.e. fresh i.i.d. samples like the real concept is under H0 (reusing images across Q_i would
 * tie them to one finite sample and make the test anti-conservative); the counterexample sets
 * R_1..R_m are drawn from the remaining images. Every concept, real or random, meets the same
 * R_1..R_m, so under H0 the concept's statistic and the n null statistics are exchangeable and the
 * randomization p-value is exact.
 */
export function drawTcavSets(conceptRows: readonly { name: string; rows: ArrayLike<number> }[], poolRows: ArrayLike<number>, settings: Pick<ResolvedSettings, "randomRuns" | "nullDraws" | "setSize">, seed: number): TcavDraws {
  const s = settings.setSize;
  const needed = requiredPoolSize(settings);
  if (poolRows.length < needed) {
    throw new DlError(
      "INVALID_ARGUMENT",
      `The random pool has ${poolRows.length} images but ${settings.nullDraws} disjoint random concepts of ${s} plus counterexamples need at least ${needed}; add random images or lower nullDraws / setSize.`,
    );
  }
  const rng = createRng(seed);
  const order = Int32Array.from(rng.permutation(poolRows.length), (i) => poolRows[i] as number);
  const nullConcepts = Array.from({ length: settings.nullDraws }, (_, i) => order.slice(i * s, (i + 1) * s));
  const counterPart = order.subarray(settings.nullDraws * s);
  const counterexamples = Array.from({ length: settings.randomRuns }, () => Int32Array.from(rng.sample(counterPart.length, s), (i) => counterPart[i] as number));
  const concepts = conceptRows.map((c) => ({ name: c.name, rows: Int32Array.from(rng.sample(c.rows.length, s), (i) => c.rows[i] as number) }));
  const cavSeeds = Array.from({ length: (concepts.length + nullConcepts.length) * settings.randomRuns }, () => rng.nextUint32());
  return { counterexamples, concepts, nullConcepts, cavSeeds };
}

/** Random images needed: n disjoint random concepts plus a counterexample part of at least 2 sets' worth. */
export function requiredPoolSize(settings: Pick<ResolvedSettings, "nullDraws" | "setSize">): number {
  return (settings.nullDraws + 2) * settings.setSize;
}

/** Scores of one concept (real or random) against each counterexample set. */
export interface RunScores {
  scores: number[];
  magnitudes: number[];
  /** Mean directional derivative over the class-k inputs, per run. */
  derivatives: number[];
  accuracies: number[];
}

export interface LayerScores {
  concepts: (RunScores & { name: string })[];
  nulls: RunScores[];
}

/** Trains every CAV of one layer and scores it with the precomputed class-k gradients. */
export function scoreLayer(data: LayerData, draws: TcavDraws, cav: Omit<CavOptions, "seed"> = {}, progress?: (done: number) => void, signal?: AbortSignal): LayerScores {
  let k = 0;
  const runAll = (positive: Int32Array): RunScores => {
    const out: RunScores = { scores: [], magnitudes: [], derivatives: [], accuracies: [] };
    for (const negative of draws.counterexamples) {
      throwIfAborted(signal);
      const trained = trainCav(data.activations, positive, negative, { ...cav, seed: draws.cavSeeds[k] ?? k });
      k++;
      progress?.(k);
      const sens = directionalDerivatives(data.gradients, trained.direction);
      out.scores.push(tcavScore(sens));
      out.magnitudes.push(tcavMagnitudeScore(sens));
      out.derivatives.push(mean(sens));
      out.accuracies.push(trained.accuracy);
    }
    return out;
  };
  const concepts = draws.concepts.map((c) => ({ name: c.name, ...runAll(c.rows) }));
  const nulls = draws.nullConcepts.map(runAll);
  return { concepts, nulls };
}

/** The statistics of one concept × layer (before the family-wise correction). */
export function conceptStatistics(concept: string, layer: string, target: number, runs: RunScores, nulls: readonly RunScores[], settings: Pick<ResolvedSettings, "alternative" | "confidenceLevel">): TcavRow {
  const score = mean(runs.scores);
  const meanDerivative = mean(runs.derivatives);
  // The randomization statistic of each random concept: its mean score over the same runs, ties
  // (frequent: the sign count saturates at 0 or 1 when class-k gradients agree) ordered by the mean
  // directional derivative.
  const nullScores = nulls.map((n) => mean(n.scores));
  const nullDerivatives = nulls.map((n) => mean(n.derivatives));
  // Every random-vs-random CAV's score, as the tcav library pools them for its t-test.
  const nullRunScores = nulls.flatMap((n) => n.scores);
  const ci = meanDifferenceCI(runs.scores, nullRunScores, settings.confidenceLevel);
  const finite = (xs: number[]): number => {
    const ok = xs.filter(Number.isFinite);
    return ok.length === 0 ? Number.NaN : mean(ok);
  };
  return {
    concept,
    layer,
    target,
    score,
    scores: [...runs.scores],
    magnitudeScore: mean(runs.magnitudes),
    meanDerivative,
    nullMean: mean(nullScores),
    nullStd: standardDeviation(nullScores),
    nullScores,
    pValues: {
      randomization: empiricalPValue(score, nullScores, settings.alternative, { observed: meanDerivative, nullSample: nullDerivatives }),
      paper: oneSampleTTest(runs.scores, 0.5, settings.alternative).pValue,
      welch: welchTTest(runs.scores, nullRunScores, settings.alternative).pValue,
    },
    adjusted: Number.NaN,
    significant: false,
    cavAccuracy: finite(runs.accuracies),
    nullCavAccuracy: finite(nulls.flatMap((n) => n.accuracies)),
    effect: { meanDifference: score - mean(nullRunScores), cohensD: cohensD(runs.scores, nullRunScores) },
    ci: { lower: ci.lower, upper: ci.upper, level: ci.level },
  };
}

/** Adjusts the randomization p-values across all rows (concepts × layers) and marks significance. */
export function applyCorrection(rows: TcavRow[], correction: Correction, alpha: number): TcavRow[] {
  const { adjusted, significant } = correctPValues(
    rows.map((r) => r.pValues.randomization),
    correction,
    alpha,
  );
  return rows.map((r, i) => ({ ...r, adjusted: adjusted[i] as number, significant: significant[i] as boolean }));
}

/**
 * The statistics of TCAV from precomputed layer data (no tfjs): what `runTcav` does after the
 * forward/backward passes. Useful to rerun tests cheaply, e.g. in calibration studies.
 */
export function tcavFromLayerData(
  layers: readonly LayerData[],
  conceptRows: readonly { name: string; rows: ArrayLike<number> }[],
  poolRows: ArrayLike<number>,
  target: number,
  options: TcavStatisticsOptions & RunOptions = {},
): TcavRow[] {
  const settings = resolveSettings(options, conceptRows.map((c) => c.rows.length), poolRows.length);
  const draws = drawTcavSets(conceptRows, poolRows, settings, options.seed ?? DEFAULT_SEED);
  const rows: TcavRow[] = [];
  const perLayer = draws.cavSeeds.length;
  layers.forEach((data) => {
    // One phase per layer, so each layer's bar ends at its own total.
    const scored = scoreLayer(data, draws, options.cav, (done) => options.onProgress?.({ phase: `${data.layer}: cav`, step: done, total: perLayer, message: data.layer }), options.signal);
    for (const c of scored.concepts) {
      rows.push(conceptStatistics(c.name, data.layer, target, c, scored.nulls, settings));
    }
  });
  return applyCorrection(rows, settings.correction, settings.alpha);
}

function assertImageSet(set: ImageSource, what: string, model: ImageModel): void {
  const expected = model.inputShape;
  const got = [set.height, set.width, set.channels];
  const ok = expected.length === 3 && expected.every((d, i) => d === null || d === got[i] || (i === 2 && d === 3 && set.channels === 1));
  if (!ok) {
    throw new DlError("SHAPE_MISMATCH", `${what} has images of shape [${got.join(", ")}] but the model expects [${expected.map((d) => d ?? "any").join(", ")}]; resize them or pick the matching model.`);
  }
  if ("images" in set && set.images.length !== set.count * set.height * set.width * set.channels) {
    throw new DlError("SHAPE_MISMATCH", `${what} declares ${set.count} images of ${set.height}×${set.width}×${set.channels} but holds ${set.images.length} values.`);
  }
}

function asMatrix(a: LayerActivations): ActivationMatrix {
  const rows = a.shape[0] ?? 0;
  return { data: a.data, rows, dim: rows === 0 ? 0 : a.data.length / rows };
}

/** Everything `mergeTcav` needs besides the task results: plain JSON, no activations. */
export interface TcavPlanSummary {
  target: number;
  layers: string[];
  concepts: string[];
  settings: TcavResult["settings"];
  layerSpaces: TcavResult["layerSpaces"];
  /** Sets scored per layer: the concepts first, then the random concepts of the null. */
  setsPerLayer: number;
  randomRuns: number;
}

/**
 * The prepared state of a TCAV run: each layer's activations and class-k gradients and the drawn
 * sets. Typed arrays only (no tensors), so a worker keeps it across tasks and the model can go.
 */
export interface TcavPlan {
  summary: TcavPlanSummary;
  layerData: LayerData[];
  draws: TcavDraws;
  cav: Omit<CavOptions, "seed">;
}

/** One independent unit of work: the sets `[start, end)` of one layer (indices into concepts then nulls). */
export interface TcavTask {
  id: string;
  layer: number;
  start: number;
  end: number;
}

/** What a task returns: one `RunScores` per set, in set order. */
export interface TcavTaskResult {
  id: string;
  layer: number;
  start: number;
  runs: RunScores[];
}

/** Default sets per task: small enough to spread a 50-concept null over many workers. */
export const DEFAULT_SETS_PER_TASK = 8;

/**
 * Validates the inputs, draws the sets and runs the forward/backward passes: the part of `runTcav`
 * that needs the model. Every later step (`runTcavTask`, `mergeTcav`) is plain arithmetic on it.
 */
export async function prepareTcav(model: AnyModel, options: TcavOptions): Promise<TcavPlan> {
  const seed = options.seed ?? DEFAULT_SEED;
  const handle = imageModel(model);
  assertArgument(options.concepts.length > 0, "Give at least one concept.");
  assertArgument(options.layers.length > 0, "Give at least one layer.");
  const names = options.concepts.map((c) => c.name);
  const duplicate = names.find((n, i) => names.indexOf(n) !== i);
  if (duplicate !== undefined) throw new DlError("INVALID_ARGUMENT", `Concept "${duplicate}" is given twice; concept names must be unique.`);
  for (const c of options.concepts) {
    if (c.count < MIN_CONCEPT_IMAGES) {
      throw new DlError("INVALID_ARGUMENT", `Concept "${c.name}" has ${c.count} images; TCAV needs at least ${MIN_CONCEPT_IMAGES} per concept (30 or more recommended).`);
    }
    assertImageSet(c, `Concept "${c.name}"`, handle);
  }
  assertImageSet(options.targetImages, "The target-class set", handle);
  assertImageSet(options.randomPool, "The random pool", handle);
  assertArgument(options.targetImages.count > 0, "The target class has no images to score.");
  const layers = resolveLayerNames(handle, options.layers);
  const allowed = new Set([...handle.gradientLayers]);
  for (const layer of layers) {
    if (!allowed.has(layer)) {
      throw new DlError(
        "NO_GRADIENT_PATH",
        `The logits (${handle.logits.layer}) do not depend on layer "${layer}" (or it is the logit layer itself), so TCAV has no gradient to take there. Choose a layer before "${handle.logits.layer}": ${listNames(handle.gradientLayers)}.`,
      );
    }
  }
  if (!Number.isInteger(options.target) || options.target < 0 || options.target >= handle.numClasses) {
    throw new DlError("INVALID_ARGUMENT", `Target class ${options.target} is out of range; the model has classes 0..${handle.numClasses - 1}.`);
  }
  const settings = resolveSettings(options, options.concepts.map((c) => c.count), options.randomPool.count);

  // Row layout of each layer's activation matrix: the concepts one after another, then the pool.
  const conceptRows: { name: string; rows: Int32Array }[] = [];
  let offset = 0;
  for (const c of options.concepts) {
    conceptRows.push({ name: c.name, rows: Int32Array.from({ length: c.count }, (_, i) => offset + i) });
    offset += c.count;
  }
  const poolRows = Int32Array.from({ length: options.randomPool.count }, (_, i) => offset + i);
  const draws = drawTcavSets(conceptRows, poolRows, settings, seed);

  const allImages = concatImageSources([...options.concepts, options.randomPool]);
  const spatial = options.spatial ?? "auto";
  const batch = { ...(options.batchSize === undefined ? {} : { batchSize: options.batchSize }), ...(options.signal === undefined ? {} : { signal: options.signal }) };
  options.onProgress?.({ phase: "activations", step: 0, total: layers.length });
  // One pass over the images for every layer; each layer's rows are already reduced over space.
  const layerActivations = await activations(handle, allImages, layers, { ...batch, spatial });
  options.onProgress?.({ phase: "activations", step: layers.length, total: layers.length });
  const layerData: LayerData[] = [];
  const layerSpaces: TcavResult["layerSpaces"] = [];
  for (const acts of layerActivations) {
    throwIfAborted(options.signal);
    const layer = acts.layer;
    options.onProgress?.({ phase: `${layer}: gradients`, step: 0, total: 1, message: layer });
    const reduction = acts.reduction === "mean" ? "mean" : "flatten";
    const gradients = await gradientsAtLayer(handle, concatImageSources([options.targetImages]), layer, options.target, { ...batch, spatial: reduction });
    options.onProgress?.({ phase: `${layer}: gradients`, step: 1, total: 1, message: layer });
    const matrix = asMatrix(acts);
    layerSpaces.push({ layer, features: matrix.dim, reduction: acts.reduction });
    layerData.push({ layer, activations: matrix, gradients: asMatrix(gradients) });
  }
  return {
    summary: {
      target: options.target,
      layers,
      concepts: names,
      settings: { ...settings, seed, targetCount: options.targetImages.count, minPValue: 1 / (settings.nullDraws + 1) },
      layerSpaces,
      setsPerLayer: draws.concepts.length + draws.nullConcepts.length,
      randomRuns: settings.randomRuns,
    },
    layerData,
    draws,
    cav: options.cav ?? {},
  };
}

/** Splits a plan into tasks of at most `setsPerTask` sets, layer by layer; ids are stable across processes. */
export function tcavTasks(summary: TcavPlanSummary, setsPerTask = DEFAULT_SETS_PER_TASK): TcavTask[] {
  assertArgument(Number.isInteger(setsPerTask) && setsPerTask >= 1, () => `setsPerTask must be an integer ≥ 1, got ${setsPerTask}.`);
  const tasks: TcavTask[] = [];
  summary.layers.forEach((_, layer) => {
    for (let start = 0; start < summary.setsPerLayer; start += setsPerTask) {
      const end = Math.min(summary.setsPerLayer, start + setsPerTask);
      tasks.push({ id: `tcav:${layer}:${start}-${end}`, layer, start, end });
    }
  });
  return tasks;
}

/** Trains and scores the CAVs of one task; each (set, run) CAV keeps the seed the draws gave it, so placement cannot change it. */
export function runTcavTask(plan: TcavPlan, task: TcavTask, signal?: AbortSignal): TcavTaskResult {
  const data = plan.layerData[task.layer];
  const perLayer = plan.summary.setsPerLayer;
  if (data === undefined || !Number.isInteger(task.start) || !Number.isInteger(task.end) || task.start < 0 || task.end > perLayer || task.start >= task.end) {
    throw new DlError("INVALID_ARGUMENT", `Task ${task.id} does not fit this plan (${plan.summary.layers.length} layers × ${perLayer} sets); submitter and worker prepared different runs.`);
  }
  const { concepts, nullConcepts, counterexamples, cavSeeds } = plan.draws;
  const m = counterexamples.length;
  const runs: RunScores[] = [];
  for (let set = task.start; set < task.end; set++) {
    const positive = set < concepts.length ? (concepts[set] as { rows: Int32Array }).rows : (nullConcepts[set - concepts.length] as Int32Array);
    const out: RunScores = { scores: [], magnitudes: [], derivatives: [], accuracies: [] };
    counterexamples.forEach((negative, r) => {
      throwIfAborted(signal);
      const k = set * m + r;
      const trained = trainCav(data.activations, positive, negative, { ...plan.cav, seed: cavSeeds[k] ?? k });
      const sens = directionalDerivatives(data.gradients, trained.direction);
      out.scores.push(tcavScore(sens));
      out.magnitudes.push(tcavMagnitudeScore(sens));
      out.derivatives.push(mean(sens));
      out.accuracies.push(trained.accuracy);
    });
    runs.push(out);
  }
  return { id: task.id, layer: task.layer, start: task.start, runs };
}

/**
 * Combines task results, in any order and with duplicates (a retried task counts once), into the
 * result `runTcav` returns. Fails naming the first missing set rather than merge an incomplete run.
 */
export function mergeTcav(summary: TcavPlanSummary, results: Iterable<TcavTaskResult>, seconds = 0): TcavResult {
  const perLayer = summary.setsPerLayer;
  const slots: (RunScores | undefined)[][] = summary.layers.map(() => new Array<RunScores | undefined>(perLayer).fill(undefined));
  const seen = new Set<string>();
  for (const r of results) {
    if (seen.has(r.id)) continue;
    seen.add(r.id);
    const layer = slots[r.layer];
    if (layer === undefined || r.start < 0 || r.start + r.runs.length > perLayer) throw new DlError("INVALID_ARGUMENT", `Task result ${r.id} does not fit the plan (${summary.layers.length} layers × ${perLayer} sets).`);
    r.runs.forEach((run, i) => {
      if (run.scores.length !== summary.randomRuns) throw new DlError("INVALID_ARGUMENT", `Task result ${r.id} has ${run.scores.length} runs per set, expected ${summary.randomRuns}.`);
      layer[r.start + i] = run;
    });
  }
  const nConcepts = summary.concepts.length;
  const rows: TcavRow[] = [];
  slots.forEach((layerSlots, li) => {
    const missing = layerSlots.findIndex((s) => s === undefined);
    if (missing >= 0) throw new DlError("INVALID_ARGUMENT", `Cannot merge: set ${missing} of layer ${summary.layers[li] ?? li} has no result; a task is missing.`);
    const runs = layerSlots as RunScores[];
    const nulls = runs.slice(nConcepts);
    summary.concepts.forEach((name, ci) => {
      rows.push(conceptStatistics(name, summary.layers[li] as string, summary.target, runs[ci] as RunScores, nulls, summary.settings));
    });
  });
  const { settings } = summary;
  const warnings: string[] = [];
  const tests = rows.length;
  if (nullDrawsForSignificance(tests, settings.alpha, settings.correction, 1) > settings.nullDraws) {
    warnings.push(
      `With ${settings.nullDraws} random concepts the smallest p-value is 1/${settings.nullDraws + 1}, too large to pass ${settings.correction} over ${tests} tests at α = ${settings.alpha}; use at least ${nullDrawsForSignificance(tests, settings.alpha, settings.correction)} random concepts.`,
    );
  }
  return {
    warnings,
    rows: applyCorrection(rows, settings.correction, settings.alpha),
    target: summary.target,
    layers: [...summary.layers],
    concepts: [...summary.concepts],
    settings: { ...settings },
    layerSpaces: summary.layerSpaces.map((s) => ({ ...s })),
    seconds,
  };
}

/**
 * Runs TCAV for every concept × layer against class `target`: m concept-vs-random CAVs per concept,
 * n random-vs-random CAVs for the null, three p-values and a correction across the family. The model
 * may be any LayersModel or GraphModel with an image input (see tensor-core's `imageModel`); gradients
 * are of the logit, before a final softmax. In one process: prepare, every task in order, merge
 * (the CLI spreads the same tasks over worker processes or a job queue).
 */
export async function runTcav(model: AnyModel, options: TcavOptions): Promise<TcavResult> {
  const started = performance.now();
  const plan = await prepareTcav(model, options);
  const tasks = tcavTasks(plan.summary);
  // One "<layer>: cav" phase per layer (tasks come layer by layer), each ending on its total.
  const perLayer = plan.summary.setsPerLayer * plan.summary.randomRuns;
  const done = plan.summary.layers.map(() => 0);
  const results: TcavTaskResult[] = [];
  for (const task of tasks) {
    throwIfAborted(options.signal);
    results.push(runTcavTask(plan, task, options.signal));
    done[task.layer] = (done[task.layer] ?? 0) + (task.end - task.start) * plan.summary.randomRuns;
    const layer = plan.summary.layers[task.layer] as string;
    options.onProgress?.({ phase: `${layer}: cav`, step: done[task.layer] ?? 0, total: perLayer, message: layer });
  }
  return mergeTcav(plan.summary, results, (performance.now() - started) / 1000);
}
