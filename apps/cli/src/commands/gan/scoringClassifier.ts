// The classifier that scores a GAN's samples and runs the truncation rule of `--truncation auto` (dl gan train / sample).
import type * as tfl from "@tensorflow/tfjs-layers";

import { loadDefaultModel, type DatasetName } from "@dl/tensor-core";

import { progressReporter } from "../../io.js";

/**
 * The default CNN for `data` (trained once and cached): it scores a GAN's samples and runs the truncation rule, whose
 * default target `testAccuracy` (its accuracy on the real test images, recorded when it was trained) caps.
 */
export async function loadScoringClassifier(data: DatasetName): Promise<{ model: tfl.LayersModel; testAccuracy: number }> {
  const progress = progressReporter("classifier");
  try {
    const { model, testAccuracy } = await loadDefaultModel({ data, arch: "cnn", onProgress: progress.onProgress });
    return { model, testAccuracy };
  } finally {
    progress.stop();
  }
}
