import type * as tfl from "@tensorflow/tfjs-layers";

import { DlError, activations, layerNames, logitsLayerName, predictClasses, type ImageDataset } from "@dl/tensor-core";

import { frechetDistanceFromFeatures } from "./frechet.js";
import { precisionRecall } from "./precisionRecall.js";

export interface GeneratorEvaluation {
  samples: number;
  /** Classifier accuracy on conditional samples, per requested label (NaN where no sample had it). */
  perLabelAccuracy: number[];
  /** Mean over labels of perLabelAccuracy (conditional GANs only). */
  labelAccuracy: number;
  featureLayer: string;
  /** Fréchet distance between generated and real features. */
  frechet: number;
  /** The same between two disjoint real sets of the same size: the floor a perfect generator reaches. */
  frechetRealBaseline: number;
  precision: number;
  recall: number;
  /**
   * The same scores for real images: the second real half (with its own labels) scored as if generated, against
   * the first. What a perfect generator reaches — a goal above these figures is out of reach of real data too.
   */
  realReference: RealReference;
}

/** A real half's scores as a generator's would be: per-label accuracy (mean over labels), k-NN precision and recall. */
export interface RealReference {
  labelAccuracy: number;
  precision: number;
  recall: number;
}

export interface EvaluateGeneratorOptions {
  /** Classifier layer for features; default the layer feeding the logits (penultimate). */
  featureLayer?: string;
  /** k of the k-NN manifolds (default 3). */
  k?: number;
}

/** The layer just before the logits layer: the classifier's penultimate representation. */
export function penultimateLayer(classifier: tfl.LayersModel): string {
  const names = layerNames(classifier);
  const logits = names.indexOf(logitsLayerName(classifier));
  const name = names[logits - 1];
  if (logits < 1 || name === undefined) throw new DlError("UNKNOWN_LAYER", `The classifier has no layer before its logits; pass featureLayer (one of ${names.join(", ")}).`);
  return name;
}

function asDataset(images: Float32Array, count: number, like: ImageDataset, labels?: Int32Array): ImageDataset {
  return { ...like, name: "generated", images, labels: labels ?? new Int32Array(count), count };
}

/**
 * The classifier's accuracy on conditional samples, per requested label (NaN where no sample had it),
 * and its mean over the labels present.
 */
export async function labelAccuracies(
  classifier: tfl.LayersModel,
  generated: Float32Array,
  count: number,
  labels: Int32Array,
  numClasses: number,
): Promise<{ perLabelAccuracy: number[]; labelAccuracy: number }> {
  const predicted = await predictClasses(classifier, generated, count);
  const hits = new Array<number>(numClasses).fill(0);
  const totals = new Array<number>(numClasses).fill(0);
  for (let i = 0; i < count; i++) {
    const l = labels[i] as number;
    totals[l] = (totals[l] ?? 0) + 1;
    if (predicted[i] === l) hits[l] = (hits[l] ?? 0) + 1;
  }
  const perLabelAccuracy = new Array<number>(numClasses).fill(Number.NaN);
  for (let c = 0; c < numClasses; c++) if ((totals[c] ?? 0) > 0) perLabelAccuracy[c] = (hits[c] ?? 0) / (totals[c] ?? 1);
  const present = perLabelAccuracy.filter((a) => !Number.isNaN(a));
  return { perLabelAccuracy, labelAccuracy: present.reduce((a, b) => a + b, 0) / present.length };
}

/** Scores `count` generated images at a time against real features computed once (see `evaluateGenerator`). */
export type GeneratorScorer = (generated: Float32Array, labels?: Int32Array) => Promise<GeneratorEvaluation>;

/**
 * A scorer of `count` generated images at a time against `real`: the real halves' features and the
 * real-vs-real baseline are computed once here, not on every call (e.g. once per training epoch).
 * `real` must hold at least 2 × count images (two disjoint halves).
 */
export async function createGeneratorScorer(classifier: tfl.LayersModel, real: ImageDataset, count: number, opts: EvaluateGeneratorOptions = {}): Promise<GeneratorScorer> {
  const perImage = real.height * real.width * real.channels;
  if (real.count < 2 * count) throw new DlError("INVALID_ARGUMENT", `Need at least ${2 * count} real images for the real-vs-real baseline; got ${real.count}.`);
  const layer = opts.featureLayer ?? penultimateLayer(classifier);
  const realA = { ...real, images: real.images.subarray(0, count * perImage), labels: real.labels.subarray(0, count), count };
  const realB = { ...real, images: real.images.subarray(count * perImage, 2 * count * perImage), labels: real.labels.subarray(count, 2 * count), count };
  const [fa] = await activations(classifier, realA, [layer]);
  const [fb] = await activations(classifier, realB, [layer]);
  if (!fa || !fb) throw new DlError("UNKNOWN_LAYER", `No activations for layer ${layer}.`);
  const dim = fa.data.length / count;
  const frechetRealBaseline = frechetDistanceFromFeatures(fb.data, fa.data, dim);
  const numClasses = real.classNames.length;
  const realPr = precisionRecall(fa.data, fb.data, dim, opts.k ?? 3);
  const realReference: RealReference = {
    labelAccuracy: (await labelAccuracies(classifier, realB.images, count, realB.labels, numClasses)).labelAccuracy,
    precision: realPr.precision,
    recall: realPr.recall,
  };
  return async (generated, labels) => {
    if (generated.length !== count * perImage) throw new DlError("SHAPE_MISMATCH", `Generated images hold ${generated.length} values; expected ${count} × ${perImage}.`);
    const accuracy = labels ? await labelAccuracies(classifier, generated, count, labels, numClasses) : { perLabelAccuracy: new Array<number>(numClasses).fill(Number.NaN), labelAccuracy: Number.NaN };
    const [fg] = await activations(classifier, asDataset(generated, count, real, labels), [layer]);
    if (!fg) throw new DlError("UNKNOWN_LAYER", `No activations for layer ${layer}.`);
    const pr = precisionRecall(fa.data, fg.data, dim, opts.k ?? 3);
    return {
      samples: count,
      ...accuracy,
      featureLayer: layer,
      frechet: frechetDistanceFromFeatures(fg.data, fa.data, dim),
      frechetRealBaseline,
      precision: pr.precision,
      recall: pr.recall,
      realReference,
    };
  };
}

/**
 * Scores generated images (in [0, 1], N × H × W × C) with a trained classifier: per-label accuracy of
 * conditional samples, Fréchet distance in the classifier's feature space next to a real-vs-real
 * baseline, and k-NN precision/recall. `real` must hold at least 2N images (two disjoint halves).
 */
export async function evaluateGenerator(
  classifier: tfl.LayersModel,
  generated: Float32Array,
  count: number,
  real: ImageDataset,
  labels?: Int32Array,
  opts: EvaluateGeneratorOptions = {},
): Promise<GeneratorEvaluation> {
  const perImage = real.height * real.width * real.channels;
  if (generated.length !== count * perImage) throw new DlError("SHAPE_MISMATCH", `Generated images hold ${generated.length} values; expected ${count} × ${perImage}.`);
  const score = await createGeneratorScorer(classifier, real, count, opts);
  return score(generated, labels);
}
