// Browser side of "your model": model.json and weight files a user dropped or picked.
import * as tf from "@tensorflow/tfjs-core";
import * as tfl from "@tensorflow/tfjs-layers";

import { DlError } from "../errors.js";
import { type ImageModel, type ImageModelOptions, imageModel } from "./imageModel.js";
import { type ModelJsonOptions, inspectModelJson, modelLoadError } from "./modelJson.js";

/**
 * Loads a tfjs LayersModel or GraphModel from `File`s (a file input or a drop): the model.json and its
 * weight files, matched by name as tfjs's `browserFiles` does. Same checks as `loadModel` in Node.
 */
export async function loadModelFromFiles(files: readonly File[], options: ImageModelOptions & ModelJsonOptions = {}): Promise<ImageModel> {
  const json = files.find((f) => f.name === "model.json") ?? files.find((f) => f.name.endsWith(".json"));
  if (json === undefined) throw new DlError("MODEL_NOT_FOUND", `None of the ${files.length} files is a model.json; pick the model.json together with its weight files.`);
  let head: unknown;
  try {
    head = JSON.parse(await json.text());
  } catch (error) {
    throw new DlError("MALFORMED_FILE", `${json.name} is not valid JSON; expected a tfjs model.json.`, { cause: error });
  }
  const { isGraph, weightCount } = inspectModelJson(head, json.name, options);
  const weights = files.filter((f) => f !== json);
  const handler = tf.io.browserFiles([json, ...weights]);
  try {
    if (isGraph) {
      const converter = await import("@tensorflow/tfjs-converter");
      return imageModel(await converter.loadGraphModel(handler), options);
    }
    return imageModel(await tfl.loadLayersModel(handler, { strict: weightCount > 0 }), options);
  } catch (error) {
    throw modelLoadError(error, json.name);
  }
}
