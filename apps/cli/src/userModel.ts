// The flags and loading steps `dl embed` and `dl tcav` share for a model and images the user brings.
import { readFile } from "node:fs/promises";

import { Option, type Command } from "commander";

import {
  DlError,
  PREPROCESS_PRESETS,
  SPATIAL_REDUCTIONS,
  describePreprocessing,
  loadImageFolder,
  loadModel,
  type ImageFolder,
  type ImageModel,
  type PreprocessPreset,
  type PreprocessingSpec,
  type SpatialReduction,
} from "@dl/tensor-core";

import { log } from "./io.js";
import { InvalidOptionError, parseNumber } from "./options.js";

export interface UserModelCliOptions {
  preprocess?: string;
  scale?: number;
  offset?: number;
  mean?: string;
  std?: string;
  bgr?: boolean;
  size?: [number, number];
  spatial: SpatialReduction | "auto";
  classNames?: string;
  allowRandomWeights?: boolean;
  listLayers?: boolean;
}

function parseSize(value: string): [number, number] {
  const m = /^(\d+)(?:x(\d+))?$/i.exec(value.trim());
  const h = Number(m?.[1]);
  const w = Number(m?.[2] ?? m?.[1]);
  if (m === null || !(h > 0 && w > 0 && h <= 4096 && w <= 4096)) throw new InvalidOptionError(`--size needs HEIGHTxWIDTH (e.g. 224x224) up to 4096, got "${value}".`);
  return [h, w];
}

/** Adds the user-model flags to a command. */
export function addUserModelOptions(command: Command): Command {
  return command
    .addOption(new Option("--preprocess <preset>", `pixel preprocessing the model was trained with: ${PREPROCESS_PRESETS.join(", ")} (default: unit, [0, 1])`).choices([...PREPROCESS_PRESETS]))
    .option("--scale <s>", "explicit preprocessing: input = (v·scale + offset − mean) / std, v = pixel 0…255", parseNumber("--scale"))
    .option("--offset <o>", "explicit preprocessing offset (see --scale)", parseNumber("--offset"))
    .option("--mean <m[,m,m]>", "explicit per-channel mean subtracted (see --scale)")
    .option("--std <s[,s,s]>", "explicit per-channel standard deviation divided by (see --scale)")
    .option("--bgr", "feed channels in BGR order (Caffe-style models)")
    .option("--size <HxW>", "resize images to this size when the model accepts any size", parseSize)
    .addOption(new Option("--spatial <how>", "how a layer's H×W×C map becomes one row: auto flattens maps up to 16,384 values and averages larger ones").choices([...SPATIAL_REDUCTIONS]).default("auto"))
    .option("--class-names <file>", "class names, one per line or a JSON array, in the model's output order")
    .option("--allow-random-weights", "accept a model.json without weights (every layer keeps random initial weights)")
    .option("--list-layers", "print the model's layers (name, kind, output shape) and exit");
}

function numberList(flag: string, text: string): number[] {
  const values = text.split(",").map((v) => Number(v.trim()));
  if (values.length === 0 || values.some((v) => !Number.isFinite(v))) throw new DlError("INVALID_ARGUMENT", `${flag} needs one number or one per channel, comma-separated; got "${text}".`);
  return values;
}

/** The preprocessing the flags describe (resolved for the model's channels when it loads). */
export function preprocessingFromFlags(opts: UserModelCliOptions): PreprocessingSpec {
  const explicit = opts.scale !== undefined || opts.offset !== undefined || opts.mean !== undefined || opts.std !== undefined || opts.bgr === true;
  if (!explicit) return opts.preprocess ?? "unit";
  return {
    ...(opts.preprocess === undefined ? {} : { preset: opts.preprocess as PreprocessPreset }),
    ...(opts.scale === undefined ? {} : { scale: opts.scale }),
    ...(opts.offset === undefined ? {} : { offset: opts.offset }),
    ...(opts.mean === undefined ? {} : { mean: numberList("--mean", opts.mean) }),
    ...(opts.std === undefined ? {} : { std: numberList("--std", opts.std) }),
    ...(opts.bgr === true ? { channelOrder: "bgr" as const } : {}),
  };
}

async function readClassNames(path: string): Promise<string[]> {
  let text: string;
  try {
    text = await readFile(path, "utf8");
  } catch (error) {
    throw new DlError("FILE_NOT_FOUND", `--class-names ${path} cannot be read; give a text file with one class name per line, or a JSON array.`, { cause: error });
  }
  if (text.trimStart().startsWith("[")) {
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch {
      throw new DlError("MALFORMED_FILE", `--class-names ${path} starts like a JSON array but is not valid JSON.`);
    }
    if (!Array.isArray(parsed) || parsed.some((v) => typeof v !== "string")) throw new DlError("MALFORMED_FILE", `--class-names ${path} must be a JSON array of strings.`);
    return parsed as string[];
  }
  return text.split(/\r?\n/).map((l) => l.trim()).filter((l) => l !== "");
}

/** Loads `--model DIR` with the preprocessing and class names the flags give. */
export async function openUserModel(path: string, opts: UserModelCliOptions): Promise<ImageModel> {
  const classNames = opts.classNames === undefined ? undefined : await readClassNames(opts.classNames);
  return loadModel(path, {
    preprocessing: preprocessingFromFlags(opts),
    ...(classNames === undefined ? {} : { classNames }),
    ...(opts.allowRandomWeights === true ? { allowRandomWeights: true } : {}),
    onWarning: (m) => log(`warning: ${m}`),
  });
}

/** The model's preprocessing in words (its `preprocessingText` in JSON). */
export function preprocessingText(model: ImageModel): string {
  return model.preprocessing === undefined ? "none (pixels in [0, 1])" : describePreprocessing(model.preprocessing);
}

/** `--list-layers`: the listing on stdout, or with `--json` the layers as the JSON document. */
export function listLayersOutcome(model: ImageModel, json: boolean): { json: Record<string, unknown>; summary: string } {
  if (!json) for (const line of layerListing(model)) console.log(line);
  return { json: { kind: model.kind, inputShape: model.inputShape, numClasses: model.numClasses, logits: model.logits, layers: model.layers }, summary: `${model.layers.length} layers` };
}

/** Text lines listing a model's layers. */
export function layerListing(model: ImageModel): string[] {
  const width = Math.min(60, Math.max(...model.layers.map((l) => l.name.length)));
  return [
    `${model.kind === "graph" ? "graph model" : `model "${model.name}"`}: input [${model.inputShape.map((d) => d ?? "any").join(", ")}], ${model.numClasses} classes, logits at ${model.logits.layer}${model.logits.softmaxOutput ? " (before the softmax)" : ""}`,
    ...model.layers.map((l) => `${l.name.padEnd(width)}  ${l.kind.padEnd(22)} ${l.outputShape === undefined ? "" : `[${l.outputShape.map((d) => d ?? "?").join(", ")}]`}`),
  ];
}

/** The model's image size and channel count, or the `--size` the user gave. */
export function modelImageShape(model: ImageModel, opts: UserModelCliOptions): { size: [number, number]; channels: 1 | 3 } {
  if (model.inputShape.length !== 3) {
    throw new DlError("NOT_SUPPORTED", `The model takes inputs of shape [${model.inputShape.map((d) => d ?? "any").join(", ")}], not images [height, width, channels]; dl embed and dl tcav read image classifiers.`);
  }
  const [h, w, c] = model.inputShape;
  const size: [number, number] | undefined = h !== null && w !== null ? [h as number, w as number] : opts.size;
  if (size === undefined) throw new DlError("INVALID_ARGUMENT", "The model accepts images of any size; give --size HEIGHTxWIDTH (e.g. 224x224).");
  if (c === 4) throw new DlError("NOT_SUPPORTED", "The model takes RGBA images; dl-lab reads images as grey or RGB. Wrap the model to take 3 channels.");
  return { size, channels: c === 1 ? 1 : 3 };
}

/** An image folder at the model's input size and channels; notes go to the log. */
export async function openImageFolder(dir: string, model: ImageModel, opts: UserModelCliOptions, what: string, extra: { maxImages?: number; seed?: number; signal?: AbortSignal } = {}): Promise<ImageFolder> {
  const { size, channels } = modelImageShape(model, opts);
  let folder: ImageFolder;
  try {
    folder = await loadImageFolder(dir, { size, channels, ...extra });
  } catch (error) {
    if (error instanceof DlError) throw new DlError(error.code, `${what}: ${error.message}`, { cause: error });
    throw error;
  }
  for (const note of folder.notes) log(`${what} ${dir}: ${note}`);
  return folder;
}

export { describePreprocessing };
