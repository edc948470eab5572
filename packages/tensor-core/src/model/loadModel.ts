// Loads the model a user brings — a tfjs LayersModel or GraphModel folder — as an ImageModel handle.
import { readFile, stat } from "node:fs/promises";
import { basename, dirname, resolve } from "node:path";

import * as tfl from "@tensorflow/tfjs-layers";

import { DlError } from "../errors.js";
import { directoryIOHandler } from "./directory.js";
import { type ImageModel, type ImageModelOptions, imageModel } from "./imageModel.js";
import { type ModelJsonOptions, inspectModelJson, modelLoadError } from "./modelJson.js";

export interface LoadModelOptions extends ImageModelOptions, ModelJsonOptions {}

const MODEL_JSON = "model.json";

/** The model folder for what a user typed: the folder itself (a trailing slash is fine) or its model.json. */
export async function resolveModelDir(path: string): Promise<string> {
  if (path.trim() === "") throw new DlError("INVALID_ARGUMENT", "The model path is empty; give a folder holding model.json (a tfjs LayersModel or GraphModel) or the path of that model.json.");
  const full = resolve(path);
  const info = await stat(full).catch(() => undefined);
  if (info === undefined) throw new DlError("MODEL_NOT_FOUND", `No model at ${path}: it does not exist. Give a folder holding model.json and its weight files.`);
  if (info.isDirectory()) return full;
  if (basename(full) === MODEL_JSON || full.endsWith(".json")) return dirname(full);
  throw new DlError("MODEL_NOT_FOUND", `${path} is a file, not a model folder or model.json; give the folder that holds model.json and its weight files.`);
}

/**
 * Loads a tfjs model folder — `model.json` with its weight files, as written by tfjs's `model.save`,
 * `tensorflowjs_converter` (Keras → layers model, SavedModel → graph model) or dl-lab — and wraps it.
 * Quantised weights (uint8/uint16/float16) are dequantised on load. A model.json without weights is
 * refused unless `allowRandomWeights` is set (its outputs would be meaningless).
 */
export async function loadModel(path: string, options: LoadModelOptions = {}): Promise<ImageModel> {
  const dir = await resolveModelDir(path);
  const jsonPath = resolve(dir, MODEL_JSON);
  let head: unknown;
  try {
    head = JSON.parse(await readFile(jsonPath, "utf8"));
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") {
      throw new DlError("MODEL_NOT_FOUND", `No model at ${path}: the folder has no ${MODEL_JSON}. Expected a tfjs model folder (model.json plus weight files, as tensorflowjs_converter or model.save write).`);
    }
    throw new DlError("MALFORMED_FILE", `${jsonPath} is not valid JSON; expected a tfjs model.json.`, { cause: error });
  }
  const { isGraph, weightCount } = inspectModelJson(head, jsonPath, options);
  try {
    if (isGraph) {
      const converter = await import("@tensorflow/tfjs-converter").catch((error: unknown) => {
        throw new DlError("NOT_SUPPORTED", `${jsonPath} is a graph model; reading it needs the optional peer @tensorflow/tfjs-converter: install it beside @tensorflow/tfjs-core (same version).`, { cause: error });
      });
      const graph = await converter.loadGraphModel(directoryIOHandler(dir));
      return imageModel(graph, options);
    }
    const layers = await tfl.loadLayersModel(directoryIOHandler(dir), { strict: weightCount > 0 });
    return imageModel(layers, options);
  } catch (error) {
    throw modelLoadError(error, path);
  }
}
