// What `dl tcav` reads before the run: the model, the target class, the layers and the concept,
// random and target images, from a bundled dataset or from the user's folders and `.npy` files.
import { stat } from "node:fs/promises";
import { basename, extname } from "node:path";

import {
  BUILTIN_CONCEPTS,
  MIN_CONCEPT_IMAGES,
  concatImageSets,
  concatImageSources,
  imageSetFromNdArray,
  isBuiltinConcept,
  nullDrawsForSignificance,
  prepareTcavInputs,
  type Alternative,
  type ConceptSet,
  type ConceptSource,
  type Correction,
  type ImageSet,
  type ImageSource,
} from "@dl/interpretability";
import {
  DlError,
  imageModel,
  listNames,
  loadDataset,
  loadDefaultModel,
  parseArch,
  readImageFolder,
  readNpy,
  resolveLayerNames,
  suggestLayers,
  type DatasetName,
  type ImageModel,
  type ProgressCallback,
} from "@dl/tensor-core";

import { log } from "../../io.js";
import type { RunnerCliOptions } from "../../jobs/runnerOptions.js";
import type { CommonOptions } from "../../options.js";
import { openImageFolder, openUserModel, type UserModelCliOptions } from "../../userModel.js";

export interface TcavCliOptions extends CommonOptions, UserModelCliOptions, RunnerCliOptions {
  model: string;
  data: string;
  images?: string;
  arch: string;
  target: string;
  concept: string[];
  randomSet: string[];
  layers?: string;
  random?: number;
  runs: number;
  setSize?: number;
  targetCount: number;
  alpha: number;
  correction: Correction;
  alternative: Alternative;
  out?: string;
}

/** Everything the run needs; `model` is the caller's to dispose. */
export interface TcavSetup {
  target: number;
  targetName: string;
  layers: string[];
  targetImages: ImageSource;
  concepts: ConceptSource[];
  randomPool: ImageSource;
}

/** Layers studied by default for the built-in architectures. */
const DEFAULT_TCAV_LAYERS: Readonly<Record<string, readonly string[]>> = { cnn: ["pool2", "dense1"], mlp: ["dense1", "dense2"] };

/** A class index or a class name of the dataset. */
export function parseTarget(value: string, classNames: readonly string[]): number {
  const asIndex = Number(value);
  if (value.trim() !== "" && Number.isInteger(asIndex)) {
    if (asIndex < 0 || asIndex >= classNames.length) {
      throw new DlError("INVALID_ARGUMENT", `--target ${value} is out of range; use a class index 0..${classNames.length - 1} or a name: ${listNames(classNames)}.`);
    }
    return asIndex;
  }
  const byName = classNames.findIndex((n) => n.toLowerCase() === value.toLowerCase());
  if (byName < 0) throw new DlError("INVALID_ARGUMENT", `--target "${value}" is not a class; use an index 0..${classNames.length - 1} or a name: ${listNames(classNames)}.`);
  return byName;
}

/** The null draws: `--random`, else enough for significance to survive the correction (at least 50). */
export function nullDrawsFor(opts: TcavCliOptions, tests: number): number {
  return opts.random ?? Math.max(50, nullDrawsForSignificance(tests, opts.alpha, opts.correction));
}

function assertConceptSize(c: { name: string; count: number }): void {
  if (c.count < MIN_CONCEPT_IMAGES) throw new DlError("INVALID_ARGUMENT", `Concept "${c.name}" has ${c.count} images; TCAV needs at least ${MIN_CONCEPT_IMAGES} per concept (30 or more recommended).`);
}

/** A concept or random set from a folder of PNGs or a `.npy` file. */
async function readImageSet(path: string, what: string): Promise<ImageSet> {
  const info = await stat(path).catch(() => undefined);
  if (info === undefined) {
    throw new DlError("FILE_NOT_FOUND", `${what} "${path}" is neither a built-in concept (${listNames(BUILTIN_CONCEPTS)}) nor an existing folder of PNGs or .npy file.`);
  }
  if (info.isDirectory()) {
    const ds = await readImageFolder(path);
    return { images: ds.images, count: ds.count, height: ds.height, width: ds.width, channels: ds.channels };
  }
  if (extname(path).toLowerCase() === ".npy") return imageSetFromNdArray(await readNpy(path), `${what} ${path}`);
  throw new DlError("UNSUPPORTED_FORMAT", `${what} "${path}" is a file but not .npy; give a folder of PNGs or a .npy array [N, H, W(, C)].`);
}

/** A user's concept or random folder read at the model's input size, or a `.npy` array. */
async function readUserSet(path: string, what: string, model: ImageModel, opts: TcavCliOptions): Promise<ConceptSource> {
  const info = await stat(path).catch(() => undefined);
  if (info === undefined) throw new DlError("FILE_NOT_FOUND", `${what} "${path}" does not exist; give a folder of PNG/JPEG images or a .npy array [N, H, W(, C)].`);
  if (info.isDirectory()) return openImageFolder(path, model, opts, what);
  if (extname(path).toLowerCase() === ".npy") return { name: basename(path, extname(path)), ...imageSetFromNdArray(await readNpy(path), `${what} ${path}`) };
  throw new DlError("UNSUPPORTED_FORMAT", `${what} "${path}" is a file but not .npy; give a folder of PNG/JPEG images or a .npy array [N, H, W(, C)].`);
}

/** The target images of a user model: the `--images` folder, or its sub-folder named after the target class. */
async function readTargetImages(dir: string, model: ImageModel, opts: TcavCliOptions, targetName: string): Promise<ImageSource> {
  const folder = await openImageFolder(dir, model, opts, "--images");
  const k = folder.classNames.findIndex((c) => c.toLowerCase() === targetName.toLowerCase());
  if (folder.classNames.length <= 1 || k < 0) return folder;
  const rows = Array.from(folder.labels.keys()).filter((i) => folder.labels[i] === k);
  log(`--images ${dir}: using sub-folder "${folder.classNames[k] ?? ""}" (${rows.length} images) as the target class`);
  return folder.toDataset({ rows });
}

interface ModelSlot {
  /** Set as soon as a model is open, so the caller disposes it whatever happens next. */
  model?: ImageModel;
  /** With `--list-layers`: stop once the model is open. */
  listOnly: boolean;
}

async function openModel(opts: TcavCliOptions, data: DatasetName, slot: ModelSlot, run: { signal: AbortSignal; onProgress?: ProgressCallback }): Promise<ImageModel> {
  const model =
    opts.model !== "default"
      ? await openUserModel(opts.model, opts)
      : imageModel((await loadDefaultModel({ data, arch: parseArch(opts.arch), signal: run.signal, ...(run.onProgress === undefined ? {} : { onProgress: run.onProgress }) })).model);
  slot.model = model;
  return model;
}

/**
 * Reads the inputs of a run on bundled data (`--data`): the concepts, random sets and target are
 * checked before any model is loaded or trained, so bad input fails fast. Undefined with `--list-layers`.
 */
export async function datasetSetup(opts: TcavCliOptions, data: DatasetName, seed: number, slot: ModelSlot, run: { signal: AbortSignal; onProgress: ProgressCallback }): Promise<TcavSetup | undefined> {
  const train = await loadDataset(data, { split: "train" });
  const test = await loadDataset(data, { split: "test" });
  const target = parseTarget(opts.target, test.classNames);
  const concepts: (string | ConceptSet)[] = [];
  for (const c of opts.concept) concepts.push(isBuiltinConcept(c) ? c : { name: basename(c, extname(c)), ...(await readImageSet(c, "Concept")) });
  for (const c of concepts) if (typeof c !== "string") assertConceptSize(c);
  const randomPool = opts.randomSet.length === 0 ? undefined : concatImageSets(await Promise.all(opts.randomSet.map((r) => readImageSet(r, "Random set"))), "--random-set");
  const arch = parseArch(opts.arch);
  const model = await openModel(opts, data, slot, run);
  if (slot.listOnly) return undefined;
  const layers =
    opts.layers !== undefined
      ? resolveLayerNames(model, opts.layers.split(",").map((l) => l.trim()))
      : opts.model !== "default"
        ? suggestLayers(model).filter((l) => model.gradientLayers.includes(l))
        : [...(DEFAULT_TCAV_LAYERS[arch] ?? [])];
  const prepared = prepareTcavInputs(
    { train, test },
    {
      target,
      concepts,
      nullDraws: nullDrawsFor(opts, concepts.length * layers.length),
      randomRuns: opts.runs,
      targetCount: opts.targetCount,
      seed,
      ...(randomPool === undefined ? {} : { randomPool }),
      ...(opts.setSize === undefined ? {} : { setSize: opts.setSize }),
    },
  );
  return { target, targetName: prepared.targetName, layers, targetImages: prepared.targetImages, concepts: prepared.concepts, randomPool: prepared.randomPool };
}

/** Reads the inputs of a run on the user's folders (`--images`): all images at the model's input size. Undefined with `--list-layers`. */
export async function folderSetup(opts: TcavCliOptions, data: DatasetName, slot: ModelSlot, run: { signal: AbortSignal }): Promise<TcavSetup | undefined> {
  const model = await openModel(opts, data, slot, run);
  if (slot.listOnly) return undefined;
  const names = model.classNames ?? Array.from({ length: model.numClasses }, (_, i) => String(i));
  const target = parseTarget(opts.target, names);
  const targetName = names[target] ?? String(target);
  const layers =
    opts.layers === undefined ? suggestLayers(model).filter((l) => model.gradientLayers.includes(l)) : resolveLayerNames(model, opts.layers.split(",").map((l) => l.trim()));
  const concepts: ConceptSource[] = [];
  for (const c of opts.concept) concepts.push(await readUserSet(c, "--concept", model, opts));
  for (const c of concepts) assertConceptSize(c);
  const randomSets = [];
  for (const r of opts.randomSet) randomSets.push(await readUserSet(r, "--random-set", model, opts));
  const targetImages = await readTargetImages(opts.images as string, model, opts, targetName);
  return { target, targetName, layers, targetImages, concepts, randomPool: concatImageSources(randomSets) };
}
