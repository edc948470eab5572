import { DEFAULT_SEED, DlError, assertArgument, createRng, listNames, throwIfAborted, type LabelledImages, type RunOptions } from "@dl/tensor-core";

import * as tf from "@tensorflow/tfjs-core";

import { meanConfidenceInterval } from "../stats.js";
import { indicesByClass, selectClasses } from "../tasks/episodes.js";
import type { AccuracySummary } from "../types.js";
import { FINE_TUNE_ARCHS, FINE_TUNE_LAYER_GROUPS, FINE_TUNE_STRATEGIES, fineTuneAccuracy, pretrainBody, sampleTask, targetTestSet, type FineTuneArch, type FineTuneStrategy, type PretrainedBody } from "./fineTuneExperiment.js";
import { discriminativeLearningRates } from "./layerwiseOptimizer.js";

/** Some classes of one dataset: a source to pretrain on or a target to fine-tune on. */
export interface ClassSet {
  data: string;
  classes: readonly number[];
}

/** "mnist", "mnist/0-4", "fashion-mnist/5,7,9" — how a class set reads in the CLI and the JSON. */
export function classSetLabel(set: ClassSet, allClasses = 10): string {
  const c = set.classes;
  if (c.length === allClasses && c.every((v, i) => v === i)) return set.data;
  const contiguous = c.every((v, i) => i === 0 || v === (c[i - 1] as number) + 1);
  return `${set.data}/${contiguous && c.length > 2 ? `${c[0]}-${c[c.length - 1]}` : c.join(",")}`;
}

/** Parses "mnist", "mnist/0-4" or "fashion-mnist/5,7,9" (classes 0–9 of a 10-class dataset). */
export function parseClassSet(text: string, datasets: readonly string[]): ClassSet {
  const trimmed = text.trim();
  const slash = trimmed.indexOf("/");
  const data = slash < 0 ? trimmed : trimmed.slice(0, slash);
  const classText = slash < 0 ? undefined : trimmed.slice(slash + 1);
  if (!datasets.includes(data)) throw new DlError("INVALID_ARGUMENT", `Unknown dataset "${data}" in "${text}"; valid: ${listNames(datasets)} (optionally /0-4 or /5,7,9 for some classes).`);
  if (classText === undefined) return { data, classes: Array.from({ length: 10 }, (_, i) => i) };
  const classes: number[] = [];
  for (const part of classText.split(",")) {
    const m = /^(\d)(?:-(\d))?$/.exec(part.trim());
    if (m === null) throw new DlError("INVALID_ARGUMENT", `Bad classes "${classText}" in "${text}"; write a range 0-4 or a list 5,7,9 of digits 0–9.`);
    const lo = Number(m[1]);
    const hi = m[2] === undefined ? lo : Number(m[2]);
    if (hi < lo) throw new DlError("INVALID_ARGUMENT", `Bad range "${part}" in "${text}"; write low-high, e.g. 0-4.`);
    for (let c = lo; c <= hi; c++) if (!classes.includes(c)) classes.push(c);
  }
  if (classes.length < 2) throw new DlError("INVALID_ARGUMENT", `"${text}" names ${classes.length} class; a class set needs at least 2.`);
  return { data, classes: classes.sort((a, b) => a - b) };
}

export interface FineTuneGridOptions extends RunOptions {
  /** The network pretrained and fine-tuned (default "mlp"). */
  arch?: FineTuneArch;
  sources: readonly ClassSet[];
  targets: readonly ClassSet[];
  labelsPerClass: readonly number[];
  methods?: readonly FineTuneStrategy[];
  /** Seeds per cell: each draws its own labelled examples and head, shared by every method (paired). */
  seeds?: number;
  steps?: number;
  /** Top-layer learning rates (Adam) to try, each a cell of its own (default [1e-3]). */
  learningRates?: readonly number[];
  lrDecay?: number;
  pretrainEpochs?: number;
  /** Score on at most this many test images per target class (default all). */
  testPerClass?: number;
}

export interface FineTuneGridCell {
  source: string;
  target: string;
  labelsPerClass: number;
  learningRate: number;
  methods: { method: FineTuneStrategy; accuracy: AccuracySummary; perSeed: number[] }[];
  /** discriminative − uniform per seed (same labels, same head), mean and 95% CI; absent unless both ran. */
  discriminativeMinusUniform?: AccuracySummary;
  /** "helps" / "hurts" when the paired 95% CI excludes 0, else "tie"; absent unless both ran. */
  verdict?: "helps" | "hurts" | "tie";
}

export interface FineTuneGridResult {
  arch: FineTuneArch;
  learningRates: number[];
  lrDecay: number;
  steps: number;
  seeds: number;
  pretrainEpochs: number;
  methods: FineTuneStrategy[];
  /** The rates of `discriminative` at each top rate, input side first. */
  discriminativeRates: number[][];
  sources: { source: string; sourceAccuracy: number; seconds: number }[];
  /** Source/target pairs not run because they share images (same dataset, overlapping classes). */
  skipped: { source: string; target: string; reason: string }[];
  cells: FineTuneGridCell[];
  seconds: number;
}

function overlaps(a: ClassSet, b: ClassSet): boolean {
  return a.data === b.data && a.classes.some((c) => b.classes.includes(c));
}

/** At most `perClass` images of each class, the first ones in storage order (the same for every method and seed). */
function firstPerClass(ds: LabelledImages, perClass: number | undefined): LabelledImages {
  if (perClass === undefined) return ds;
  const seen = new Map<number, number>();
  const keep: number[] = [];
  ds.labels.forEach((y, i) => {
    const n = seen.get(y) ?? 0;
    if (n < perClass) keep.push(i);
    seen.set(y, n + 1);
  });
  const size = ds.height * ds.width * ds.channels;
  const images = new Float32Array(keep.length * size);
  keep.forEach((i, row) => images.set(ds.images.subarray(i * size, (i + 1) * size), row * size));
  return { ...ds, images, labels: Int32Array.from(keep, (i) => ds.labels[i] as number), count: keep.length };
}

/**
 * When do lower learning rates for the lower layers help? Pretrain the MLP once per source, then for
 * every target and labels-per-class fine-tune it under each method on the same labelled draws and
 * heads, over seeds: accuracy with 95% CIs and the paired discriminative − uniform difference.
 */
export async function runFineTuneGrid(datasets: Readonly<Record<string, { train: LabelledImages; test: LabelledImages }>>, options: FineTuneGridOptions): Promise<FineTuneGridResult> {
  const started = performance.now();
  const methods = [...(options.methods ?? FINE_TUNE_STRATEGIES)];
  const seeds = options.seeds ?? 5;
  const steps = options.steps ?? 150;
  const learningRates = [...(options.learningRates ?? [1e-3])];
  assertArgument(learningRates.length > 0 && learningRates.every((r) => r > 0 && Number.isFinite(r)), () => `Learning rates must be finite and > 0, got ${learningRates.join(",")}.`);
  const lrDecay = options.lrDecay ?? 2.6;
  const pretrainEpochs = options.pretrainEpochs ?? 2;
  const arch = options.arch ?? "mlp";
  assertArgument((FINE_TUNE_ARCHS as readonly string[]).includes(arch), () => `Unknown arch "${arch}"; valid: ${listNames(FINE_TUNE_ARCHS)}.`);
  assertArgument(methods.length > 0, "Give at least one method.");
  for (const m of methods) assertArgument((FINE_TUNE_STRATEGIES as readonly string[]).includes(m), () => `Unknown method "${m}"; valid: ${listNames(FINE_TUNE_STRATEGIES)}.`);
  assertArgument(options.labelsPerClass.length > 0 && options.labelsPerClass.every((k) => Number.isInteger(k) && k >= 1), () => `Labels per class must be integers ≥ 1, got ${options.labelsPerClass.join(",")}.`);
  assertArgument(Number.isInteger(seeds) && seeds >= 2, () => `Seeds must be an integer ≥ 2 (a CI needs two), got ${seeds}.`);
  const splits = (set: ClassSet): { train: LabelledImages; test: LabelledImages } => {
    const d = datasets[set.data];
    if (d === undefined) throw new DlError("INVALID_ARGUMENT", `No dataset "${set.data}" was given; given: ${listNames(Object.keys(datasets))}.`);
    return d;
  };
  const pairs = options.sources.flatMap((source) => options.targets.map((target) => ({ source, target })));
  const skipped = pairs.filter((p) => overlaps(p.source, p.target)).map((p) => ({ source: classSetLabel(p.source), target: classSetLabel(p.target), reason: "same dataset with shared classes: the target's images were seen in pretraining" }));
  const runs = pairs.filter((p) => !overlaps(p.source, p.target));
  if (runs.length === 0) throw new DlError("INVALID_ARGUMENT", `Every source/target pair shares classes of one dataset (${listNames(skipped.map((s) => `${s.source} → ${s.target}`))}); give a target outside the source.`);

  const seed = options.seed ?? DEFAULT_SEED;
  const rng = createRng(seed);
  const sources: FineTuneGridResult["sources"] = [];
  const cells: FineTuneGridCell[] = [];
  const totalCells = runs.length * options.labelsPerClass.length * learningRates.length;
  const needsBody = methods.some((m) => m !== "scratch");
  for (const source of options.sources) {
    const targets = runs.filter((r) => r.source === source).map((r) => r.target);
    if (targets.length === 0) continue;
    const sourceStarted = performance.now();
    const sourceRng = rng.fork();
    const label = classSetLabel(source);
    const { train, test } = splits(source);
    // Pretrained once per source, reused by every target, labels-per-class, method and seed.
    const body: PretrainedBody | undefined = needsBody
      ? await pretrainBody(train, test, source.classes, {
          epochs: pretrainEpochs,
          rng: sourceRng,
          arch,
          phase: `pretrain ${label}`,
          ...(options.onProgress === undefined ? {} : { onProgress: options.onProgress }),
          ...(options.signal === undefined ? {} : { signal: options.signal }),
        })
      : undefined;
    try {
      sources.push({ source: label, sourceAccuracy: body?.sourceAccuracy ?? Number.NaN, seconds: (performance.now() - sourceStarted) / 1000 });
      for (const target of targets) {
        const t = splits(target);
        const targetTrain = selectClasses(t.train, target.classes);
        const { test: targetTest, testLabels } = targetTestSet(firstPerClass(t.test, options.testPerClass), target.classes);
        const byClass = indicesByClass(targetTrain.labels);
        for (const k of options.labelsPerClass) {
          for (const learningRate of learningRates) {
            // The same seeds for every source and rate, so cells differ only in what they vary.
            const cellRng = createRng(seed * 7919 + k);
            const perSeed = new Map<FineTuneStrategy, number[]>(methods.map((m) => [m, []]));
            for (let s = 0; s < seeds; s++) {
              const seedRng = cellRng.fork();
              const task = sampleTask(targetTrain, byClass, target.classes, k, seedRng, targetTest, testLabels);
              const headSeed = seedRng.nextUint32();
              for (const method of methods) {
                (perSeed.get(method) as number[]).push(fineTuneAccuracy(task, body?.weights, method, { headSeed, learningRate, lrDecay, steps, arch }));
                throwIfAborted(options.signal);
                await new Promise((resolve) => setTimeout(resolve, 0));
              }
            }
            const cell: FineTuneGridCell = {
              source: label,
              target: classSetLabel(target),
              labelsPerClass: k,
              learningRate,
              methods: methods.map((method) => {
                const values = perSeed.get(method) as number[];
                return { method, accuracy: meanConfidenceInterval(values), perSeed: values };
              }),
            };
            const d = perSeed.get("discriminative");
            const u = perSeed.get("uniform");
            if (d !== undefined && u !== undefined) {
              const diff = meanConfidenceInterval(d.map((v, i) => v - (u[i] as number)));
              cell.discriminativeMinusUniform = diff;
              cell.verdict = diff.mean - diff.ci95 > 0 ? "helps" : diff.mean + diff.ci95 < 0 ? "hurts" : "tie";
            }
            cells.push(cell);
            options.onProgress?.({ phase: "fine-tune", step: cells.length, total: totalCells, message: `${cell.source} → ${cell.target}, ${k} labels per class, lr ${learningRate}` });
          }
        }
      }
    } finally {
      if (body !== undefined) tf.dispose(body.weights);
    }
  }
  return {
    arch,
    learningRates,
    lrDecay,
    steps,
    seeds,
    pretrainEpochs,
    methods,
    discriminativeRates: learningRates.map((r) => discriminativeLearningRates(FINE_TUNE_LAYER_GROUPS, r, lrDecay)),
    sources,
    skipped,
    cells,
    seconds: (performance.now() - started) / 1000,
  };
}
