import { randomBytes } from "node:crypto";
import { mkdir, readFile, readdir, rename, rm, writeFile } from "node:fs/promises";
import { basename, dirname, join } from "node:path";

import type * as tfl from "@tensorflow/tfjs-layers";
import * as tf from "@tensorflow/tfjs-core";

import { backendInfo } from "../backend/registry.js";
import { SPLIT_SIZES, loadDataset } from "../data/builtin.js";
import { parseDatasetName } from "../data/dataset.js";
import type { DatasetName } from "../data/dataset.js";
import { assertCacheWritable, readChecksummedRecord, recordChecksum, removeOnExit, sha256, withCacheLock } from "../data/cacheGuard.js";
import { defaultCacheDir } from "../data/files.js";
import { throwIfAborted } from "../errors.js";
import type { RunOptions } from "../progress.js";
import { DEFAULT_SEED } from "../random/rng.js";
import { createDefaultModel, parseArch } from "./architectures.js";
import type { DefaultArch } from "./architectures.js";
import { loadLayersModel, saveModel } from "./directory.js";
import { trainClassifier } from "./train.js";
import type { EpochRecord, TrainOptions } from "./train.js";

/** Bump when architectures or training recipes change: old cached models are then retrained. */
const MODEL_CACHE_VERSION = 1;

/**
 * Training recipes of the default models on the 8,000 MNIST training digits. Measured on wasm
 * (seed 1): cnn 98.8 % test accuracy in ≈ 57 s CPU; mlp 98.0 % in ≈ 72 s CPU. The MLP needs the
 * affine augmentation (rotation, zoom) to stay clear of 97 % with so few digits.
 */
export const DEFAULT_TRAINING: Readonly<Record<DefaultArch, Readonly<Omit<TrainOptions, keyof RunOptions>>>> = Object.freeze({
  cnn: { epochs: 8, batchSize: 32, learningRate: 3e-3, augmentShift: 2 },
  mlp: { epochs: 20, batchSize: 32, learningRate: 3e-3, augmentShift: 2, augmentRotate: 12, augmentScale: 0.1 },
});

/** The MNIST recipes were tuned on this many training images. */
const RECIPE_TRAIN_COUNT = 8000;

/**
 * Departures from the scaled MNIST recipe, measured on wasm (seed 42, test accuracy on the 10,000
 * test images). Fashion-MNIST's CNN: MNIST's step count (1 epoch) reached only 84.9 %; 5 epochs
 * reach 89.3 % with ±2 px shifts and 91.0 % without (garments are centred, so shifts only blur them
 * for a net this small), in 303 s on a loaded 2-core machine.
 */
const DATASET_RECIPES: Readonly<Partial<Record<DatasetName, Partial<Record<DefaultArch, Readonly<Omit<TrainOptions, keyof RunOptions>>>>>>> = Object.freeze({
  "fashion-mnist": { cnn: { epochs: 5, augmentShift: 0 } },
});

/**
 * The recipe for a dataset: the MNIST recipe with epochs scaled so every dataset gets about the
 * same number of gradient steps (Fashion-MNIST's 60,000 images: mlp 3 epochs), then the measured
 * per-dataset departures (`DATASET_RECIPES`; Fashion-MNIST's CNN trains 5 epochs without shifts).
 */
export function defaultTrainingRecipe(data: DatasetName, arch: DefaultArch): Omit<TrainOptions, keyof RunOptions> {
  const dataset = parseDatasetName(data);
  const kind = parseArch(arch);
  const recipe = DEFAULT_TRAINING[kind];
  const trainCount = SPLIT_SIZES[dataset].train;
  const epochs = Math.max(1, Math.round(((recipe.epochs ?? 10) * RECIPE_TRAIN_COUNT) / trainCount));
  return { ...recipe, epochs, ...DATASET_RECIPES[dataset]?.[kind] };
}

export interface TrainingRecord {
  data: DatasetName;
  arch: DefaultArch;
  seed: number;
  testAccuracy: number;
  trainSeconds: number;
  backend: string;
  tfjsVersion: string;
  trainCount: number;
  testCount: number;
  options: Omit<TrainOptions, keyof RunOptions>;
  history: EpochRecord[];
  cacheVersion: number;
  /** SHA-256 of every other file of the model folder (`model.json`, `weights.bin`), checked on load. */
  files: Record<string, string>;
  /** SHA-256 of this record without this field (`recordChecksum`). */
  checksum: string;
}

export interface LoadDefaultModelOptions extends RunOptions {
  data: DatasetName;
  arch: DefaultArch;
  cacheDir?: string;
  /** Override the recipe's epochs (`defaultTrainingRecipe`; cached separately). */
  epochs?: number;
}

export interface DefaultModel {
  model: tfl.LayersModel;
  testAccuracy: number;
  trainSeconds: number;
  /** True when read from the cache, false when trained now. */
  cached: boolean;
  /** The model folder (`model.json`, `weights.bin`, `training.json`). */
  dir: string;
  training: TrainingRecord;
}

/** Where `loadDefaultModel` keeps a model. */
export function defaultModelDir(data: DatasetName, arch: DefaultArch, seed: number, epochs: number, cacheDir: string = defaultCacheDir()): string {
  return join(cacheDir, "models", `${data}-${arch}-seed${seed}-e${epochs}-v${MODEL_CACHE_VERSION}`);
}

type Recipe = Omit<TrainOptions, keyof RunOptions>;

/** Same options, key order aside (recipes hold numbers and booleans only). */
function sameRecipe(a: Recipe, b: Recipe): boolean {
  const keys = new Set([...Object.keys(a), ...Object.keys(b)]);
  return [...keys].every((k) => (a as Record<string, unknown>)[k] === (b as Record<string, unknown>)[k]);
}

const TRAINING_FILE = "training.json";

type CacheLookup = { model: tfl.LayersModel; training: TrainingRecord } | { model?: undefined; problem?: string };

/**
 * The cached model if every byte checks out; otherwise why not (`problem`, undefined when there is
 * simply nothing cached). A cache is trusted only through the checksums its training.json records.
 */
async function readCached(dir: string, recipe: Recipe): Promise<CacheLookup> {
  const { record: training, problem } = await readChecksummedRecord<TrainingRecord>(join(dir, TRAINING_FILE));
  if (training === undefined) return problem === undefined ? {} : { problem };
  if (typeof training.files !== "object") return { problem: `${TRAINING_FILE} records no checksums (an older dl-lab wrote it)` };
  if (training.cacheVersion !== MODEL_CACHE_VERSION || typeof training.testAccuracy !== "number") return { problem: "it was written by another cache version" };
  // A model trained with another recipe (e.g. before a recipe changed) is retrained.
  if (typeof training.options !== "object" || !sameRecipe(training.options, recipe)) return { problem: "it was trained with another recipe" };
  const names = Object.keys(training.files);
  if (!names.includes("model.json")) return { problem: `${TRAINING_FILE} lists no model.json` };
  for (const name of names) {
    const bytes = await readFile(join(dir, name)).catch(() => undefined);
    if (bytes === undefined) return { problem: `${name} is missing` };
    if (sha256(bytes) !== training.files[name]) return { problem: `${name} fails its checksum` };
  }
  try {
    return { model: await loadLayersModel(dir), training };
  } catch (error) {
    return { problem: `the model does not load (${error instanceof Error ? error.message : String(error)})` };
  }
}

/**
 * Writes a trained model and its record (with the checksums of every file) into `dir`, through a
 * sibling staging folder that is removed even if the process is made to exit meanwhile.
 */
export async function writeCachedModel(dir: string, model: tfl.LayersModel, record: Omit<TrainingRecord, "files" | "checksum">): Promise<TrainingRecord> {
  const temp = `${dir}.${process.pid}.${randomBytes(6).toString("hex")}.tmp`;
  const release = removeOnExit(temp);
  try {
    await saveModel(model, temp);
    const files: Record<string, string> = {};
    for (const name of (await readdir(temp)).sort()) files[name] = sha256(await readFile(join(temp, name)));
    const unsigned = { ...record, files, checksum: "" };
    const training: TrainingRecord = { ...unsigned, checksum: recordChecksum(unsigned) };
    await writeFile(join(temp, TRAINING_FILE), `${JSON.stringify(training, null, 2)}\n`);
    await rm(dir, { recursive: true, force: true });
    await rename(temp, dir);
    return training;
  } finally {
    await rm(temp, { recursive: true, force: true });
    release();
  }
}

/** Staging folders of this model left by processes that were killed (the caller holds the lock). */
async function removeStaleStaging(dir: string): Promise<void> {
  const prefix = `${basename(dir)}.`;
  const names = await readdir(dirname(dir)).catch(() => [] as string[]);
  await Promise.all(names.filter((n) => n.startsWith(prefix) && n.endsWith(".tmp")).map((n) => rm(join(dirname(dir), n), { recursive: true, force: true })));
}

/**
 * The default classifier for a dataset: trained once (progress through `onProgress`, phase "epoch")
 * and cached under the cache dir with a `training.json`, then loaded from there.
 */
export async function loadDefaultModel(options: LoadDefaultModelOptions): Promise<DefaultModel> {
  const data = parseDatasetName(options.data);
  const arch = parseArch(options.arch);
  const seed = options.seed ?? DEFAULT_SEED;
  const cacheDir = options.cacheDir ?? defaultCacheDir();
  const recipe = { ...defaultTrainingRecipe(data, arch), ...(options.epochs === undefined ? {} : { epochs: options.epochs }) };
  const dir = defaultModelDir(data, arch, seed, recipe.epochs ?? 10, cacheDir);
  const found = await readCached(dir, recipe);
  if (found.model !== undefined) {
    return { model: found.model, testAccuracy: found.training.testAccuracy, trainSeconds: found.training.trainSeconds, cached: true, dir, training: found.training };
  }
  if (found.problem !== undefined) options.onProgress?.({ phase: "cache", step: 0, message: `the cached model in ${dir} is not used: ${found.problem}; training it again` });
  throwIfAborted(options.signal);
  // Before minutes of training: the result must be storable, and one process trains it at a time.
  await assertCacheWritable(cacheDir);
  await mkdir(dirname(dir), { recursive: true });
  const onWait = (holder: { pid: number } | undefined): void =>
    options.onProgress?.({ phase: "cache", step: 0, message: `another process${holder ? ` (pid ${holder.pid})` : ""} is training this default model; waiting to reuse it` });
  return withCacheLock(`${dir}.lock`, { signal: options.signal, onWait }, async () => {
    const again = await readCached(dir, recipe);
    if (again.model !== undefined) {
      return { model: again.model, testAccuracy: again.training.testAccuracy, trainSeconds: again.training.trainSeconds, cached: true, dir, training: again.training };
    }
    await removeStaleStaging(dir);
    return trainAndCache(options, { data, arch, seed, cacheDir, recipe, dir });
  });
}

async function trainAndCache(
  options: LoadDefaultModelOptions,
  { data, arch, seed, cacheDir, recipe, dir }: { data: DatasetName; arch: DefaultArch; seed: number; cacheDir: string; recipe: Recipe; dir: string },
): Promise<DefaultModel> {
  const notify = options.onProgress ? { onProgress: options.onProgress } : {};
  const train = await loadDataset(data, { split: "train", cacheDir, ...notify });
  const test = await loadDataset(data, { split: "test", cacheDir, ...notify });
  const model = createDefaultModel(arch, { seed, numClasses: train.classNames.length });
  try {
    const result = await trainClassifier(model, train, test, { ...recipe, seed, ...(options.onProgress ? { onProgress: options.onProgress } : {}), ...(options.signal ? { signal: options.signal } : {}) });
    let backend = tf.getBackend();
    try {
      backend = backendInfo().name;
    } catch {
      // Backend chosen by tfjs directly rather than initBackend: keep tfjs's name.
    }
    const training = await writeCachedModel(dir, model, {
      data,
      arch,
      seed,
      testAccuracy: result.testAccuracy,
      trainSeconds: result.seconds,
      backend,
      tfjsVersion: tf.version_core,
      trainCount: train.count,
      testCount: test.count,
      options: recipe,
      history: result.history,
      cacheVersion: MODEL_CACHE_VERSION,
    });
    return { model, testAccuracy: result.testAccuracy, trainSeconds: result.seconds, cached: false, dir, training };
  } catch (error) {
    model.dispose();
    throw error;
  }
}
