import { mkdir, readFile, stat } from "node:fs/promises";
import { basename, isAbsolute, join, relative, resolve } from "node:path";

import * as tf from "@tensorflow/tfjs-core";
import * as tfl from "@tensorflow/tfjs-layers";

import { DlError } from "../errors.js";
import { writeFileAtomic } from "../data/files.js";

const MODEL_JSON = "model.json";
const WEIGHTS_BIN = "weights.bin";

function concatWeights(data: tf.io.WeightData): ArrayBuffer {
  return Array.isArray(data) ? tf.io.CompositeArrayBuffer.join(data) : data;
}

async function exists(path: string): Promise<boolean> {
  try {
    await stat(path);
    return true;
  } catch {
    return false;
  }
}

/**
 * A tfjs IOHandler for a directory holding the standard tfjs layers format: `model.json`
 * (topology + weights manifest) and `weights.bin`. Writes are atomic per file, weights first.
 */
export function directoryIOHandler(folder: string): tf.io.IOHandler {
  const dir = resolve(folder);
  return {
    async save(artifacts: tf.io.ModelArtifacts): Promise<tf.io.SaveResult> {
      if (artifacts.modelTopology === undefined || artifacts.modelTopology instanceof ArrayBuffer) {
        throw new DlError("NOT_SUPPORTED", "Only layers models (JSON topology) can be saved to a directory; graph models with binary topology are not supported.");
      }
      const weights = artifacts.weightData === undefined ? new ArrayBuffer(0) : concatWeights(artifacts.weightData);
      const modelJson: tf.io.ModelJSON = {
        modelTopology: artifacts.modelTopology,
        format: artifacts.format ?? "layers-model",
        generatedBy: artifacts.generatedBy ?? `TensorFlow.js tfjs-layers v${tfl.version_layers}`,
        convertedBy: artifacts.convertedBy ?? null,
        weightsManifest: [{ paths: [`./${WEIGHTS_BIN}`], weights: artifacts.weightSpecs ?? [] }],
      };
      if (artifacts.trainingConfig !== undefined) modelJson.trainingConfig = artifacts.trainingConfig;
      if (artifacts.userDefinedMetadata !== undefined) modelJson.userDefinedMetadata = artifacts.userDefinedMetadata;
      await mkdir(dir, { recursive: true });
      // Weights before model.json: a model.json on disk always has its weights beside it.
      await writeFileAtomic(join(dir, WEIGHTS_BIN), new Uint8Array(weights));
      await writeFileAtomic(join(dir, MODEL_JSON), JSON.stringify(modelJson));
      return { modelArtifactsInfo: tf.io.getModelArtifactsInfoForJSON(artifacts) };
    },

    async load(): Promise<tf.io.ModelArtifacts> {
      const jsonPath = join(dir, MODEL_JSON);
      let text: string;
      try {
        text = await readFile(jsonPath, "utf8");
      } catch (error) {
        const what = (await exists(dir)) ? `${dir} has no ${MODEL_JSON}` : `${dir} does not exist`;
        throw new DlError("MODEL_NOT_FOUND", `No model at ${dir}: ${what}. Expected a tfjs layers model directory with ${MODEL_JSON} and ${WEIGHTS_BIN} (as written by saveModel or tfjs's model.save).`, { cause: error });
      }
      let modelJson: tf.io.ModelJSON;
      try {
        modelJson = JSON.parse(text) as tf.io.ModelJSON;
      } catch (error) {
        throw new DlError("MALFORMED_FILE", `${jsonPath} is not valid JSON: ${error instanceof Error ? error.message : String(error)}.`, { cause: error });
      }
      if (typeof modelJson !== "object" || modelJson === null || typeof modelJson.modelTopology !== "object") {
        throw new DlError("MALFORMED_FILE", `${jsonPath} lacks "modelTopology"; expected a tfjs layers model.json.`);
      }
      return tf.io.getModelArtifactsForJSON(modelJson, async (manifest) => {
        const specs: tf.io.WeightsManifestEntry[] = [];
        const buffers: ArrayBuffer[] = [];
        for (const group of manifest) {
          specs.push(...group.weights);
          for (const path of group.paths) {
            const file = join(dir, path);
            const inside = relative(dir, file);
            if (inside === "" || inside.startsWith("..") || isAbsolute(inside)) {
              throw new DlError("MALFORMED_FILE", `${jsonPath} points outside its folder (${path}); weight paths must be relative to the model folder.`);
            }
            try {
              const bytes = await readFile(file);
              buffers.push(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength));
            } catch (error) {
              throw new DlError("MALFORMED_FILE", `${jsonPath} lists weight file ${basename(file)}, which cannot be read: ${error instanceof Error ? error.message : String(error)}.`, { cause: error });
            }
          }
        }
        const weightData = tf.io.CompositeArrayBuffer.join(buffers);
        const plain = specs.every((s) => s.quantization === undefined && (s.dtype === "float32" || s.dtype === "int32"));
        const expected = specs.reduce((n, s) => n + 4 * s.shape.reduce((a, b) => a * b, 1), 0);
        if (plain && weightData.byteLength !== expected) {
          throw new DlError("MALFORMED_FILE", `The weights in ${dir} hold ${weightData.byteLength} bytes but ${MODEL_JSON} describes ${expected}; the folder is truncated or mixed up. Save the model again.`);
        }
        return [specs, weightData];
      });
    },
  };
}

/** Saves a LayersModel to `dir` (created if missing) as `model.json` + `weights.bin`. */
export async function saveModel(model: tfl.LayersModel, dir: string): Promise<void> {
  await model.save(directoryIOHandler(dir));
}

/** Loads a LayersModel saved by `saveModel` (or any tfjs layers model folder). See `loadModel` for any model a user brings. */
export async function loadLayersModel(dir: string): Promise<tfl.LayersModel> {
  try {
    return await tfl.loadLayersModel(directoryIOHandler(dir));
  } catch (error) {
    if (error instanceof DlError) throw error;
    throw new DlError("MALFORMED_FILE", `The model in ${dir} could not be built: ${error instanceof Error ? error.message : String(error)}.`, { cause: error });
  }
}
