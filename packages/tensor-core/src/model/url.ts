import * as tfl from "@tensorflow/tfjs-layers";

import { DlError } from "../errors.js";

/** Loads a tfjs LayersModel (`model.json` + weight files) from a URL (browser, or Node with fetch). */
export async function loadModelFromUrl(url: string): Promise<tfl.LayersModel> {
  try {
    return await tfl.loadLayersModel(url);
  } catch (error) {
    throw new DlError(
      "MODEL_NOT_FOUND",
      `Could not load a tfjs LayersModel from ${url}: ${error instanceof Error ? error.message : String(error)}. Expected the URL of a model.json with its weight files beside it.`,
      { cause: error },
    );
  }
}
