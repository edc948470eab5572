// The classifier that scores a GAN's samples and runs the truncation rule of `--truncation auto` (dl gan train / sample).
import type * as tfl from "@tensorflow/tfjs-layers";

import { loadDefaultModel, type DatasetName } from "@dl/tensor-core";

import { progressReporter } from "../../io.js";

/** The default CNN for `data` (trained once and cached): it scores a GAN's samples and runs the truncation rule. */
export async function loadScoringClassifier(data: DatasetName): Promise<tfl.LayersModel> {
  const progress = progressReporter("classifier");
  try {
    return (await loadDefaultModel({ data, arch: "cnn", onProgress: progress.onProgress })).model;
  } finally {
    progress.stop();
  }
}
