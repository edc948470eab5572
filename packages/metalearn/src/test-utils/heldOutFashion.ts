import { loadDataset, type LabelledImages } from "@dl/tensor-core";

import { withExtraClasses } from "../fewShot/fewShotExperiment.js";
import { augmentClassesBySymmetry, DEFAULT_CLASS_SPLIT, gatherImages, selectClasses } from "../tasks/episodes.js";

/**
 * The pretraining set of the 1-shot stat tests, as the CLI builds it: Fashion-MNIST's meta-train classes 0–4
 * (with MNIST's digits 0–4 beside them when `extraDigits`), each turned into 8 symmetry classes.
 */
export async function oneShotPretrainingSet(options: { extraDigits: boolean }): Promise<LabelledImages> {
  const metaTrain = selectClasses(await loadDataset("fashion-mnist", { split: "train" }), DEFAULT_CLASS_SPLIT.metaTrain);
  if (!options.extraDigits) return augmentClassesBySymmetry(metaTrain, 8);
  const digits = selectClasses(await loadDataset("mnist", { split: "train" }), [0, 1, 2, 3, 4]);
  return augmentClassesBySymmetry(withExtraClasses(metaTrain, digits), 8);
}

/**
 * `count` of the 5,000 test images of the held-out Fashion-MNIST classes 5–9, evenly spaced (all five classes):
 * fewer images keep a stat test's features affordable.
 */
export async function heldOutFashionImages(count: number): Promise<LabelledImages> {
  const all = selectClasses(await loadDataset("fashion-mnist", { split: "test" }), DEFAULT_CLASS_SPLIT.metaTest);
  const keep = Int32Array.from({ length: count }, (_, i) => Math.floor((i * all.count) / count));
  return { ...all, images: gatherImages(all, keep), labels: Int32Array.from(keep, (i) => all.labels[i] as number), count: keep.length };
}

/**
 * `count` evenly spaced test images of a 1-shot validation set outside the meta-test classes: `fashion-0-4` (new images
 * of the meta-train garments) or `mnist-5-9` (new classes in a new domain; digits 0–4 may be pretraining classes).
 */
export async function validationImages(set: "fashion-0-4" | "mnist-5-9", count: number): Promise<LabelledImages> {
  const all = set === "fashion-0-4" ? selectClasses(await loadDataset("fashion-mnist", { split: "test" }), DEFAULT_CLASS_SPLIT.metaTrain) : selectClasses(await loadDataset("mnist", { split: "test" }), [5, 6, 7, 8, 9]);
  const keep = Int32Array.from({ length: count }, (_, i) => Math.floor((i * all.count) / count));
  return { ...all, images: gatherImages(all, keep), labels: Int32Array.from(keep, (i) => all.labels[i] as number), count: keep.length };
}
