// What a model predicts for a few images: the first thing to look at when the preprocessing may be wrong.
import * as tf from "@tensorflow/tfjs-core";

import { assertArgument } from "../errors.js";
import type { ImageDataset } from "../data/dataset.js";
import { type ReportSection, pngFigure } from "../report/html.js";
import { imageGrid } from "../report/images.js";
import { type ImageModel, imageModel } from "./imageModel.js";
import { type AnyModel, type ModelInput, activationsInput } from "./layers.js";

export interface Prediction {
  index: number;
  /** The class name, or the index as text when the model has none. */
  label: string;
  probability: number;
}

/**
 * The `k` most probable classes (softmax of the logits) of the first `count` inputs. A model whose
 * preprocessing is wrong usually gives near-uniform or constant predictions here.
 */
export async function topPredictions(model: AnyModel, x: ModelInput, options: { k?: number; count?: number; classNames?: readonly string[] } = {}): Promise<Prediction[][]> {
  const handle: ImageModel = imageModel(model);
  const k = Math.min(options.k ?? 5, handle.numClasses);
  assertArgument(Number.isInteger(k) && k > 0, () => `k must be a positive integer, got ${options.k}.`);
  const names = options.classNames ?? handle.classNames;
  const input = activationsInput(handle, x);
  const count = Math.min(options.count ?? input.count, input.count);
  const probs = tf.tidy(() => tf.softmax(handle.logitsOf(input.batch(0, count))));
  const values = (await probs.array());
  probs.dispose();
  return values.map((row) =>
    row
      .map((probability, index) => ({ index, label: names?.[index] ?? String(index), probability }))
      .sort((a, b) => b.probability - a.probability)
      .slice(0, k),
  );
}

/**
 * A report section with the images and their top predictions: whether the model "sees" the images
 * (right size, right preprocessing) can be judged at a glance.
 */
export function predictionsSection(images: ImageDataset, predictions: readonly (readonly Prediction[])[], options: { id?: string; files?: readonly string[]; preprocessing?: string } = {}): ReportSection {
  const count = Math.min(predictions.length, images.count);
  const channels = images.channels === 3 ? 3 : 1;
  const per = images.height * images.width * images.channels;
  const grid = imageGrid(images.images.subarray(0, count * per), count, images.height, images.width, { columns: count, channels, scale: Math.max(1, Math.floor(96 / images.height)) });
  const uniform = predictions.slice(0, count).every((p) => (p[0]?.probability ?? 0) < 2 / Math.max(2, p.length * 2));
  return {
    id: options.id ?? "predictions",
    title: "What the model predicts for the first images",
    text:
      `Top-${predictions[0]?.length ?? 0} classes (softmax of the logits) for ${count} images, left to right.` +
      (options.preprocessing === undefined ? "" : ` Preprocessing: ${options.preprocessing}.`) +
      " A wrong size or preprocessing usually shows as the same class for every image or near-uniform probabilities." +
      (uniform ? "\n\nWarning: every top probability here is close to uniform; check the preprocessing." : ""),
    figures: [pngFigure(`${options.id ?? "predictions"}-images`, "The images, in the order of the table", grid, { pixelated: true })],
    tables: [
      {
        caption: "Top predictions per image",
        columns: ["#", "image", ...Array.from({ length: predictions[0]?.length ?? 0 }, (_, i) => `top ${i + 1}`)],
        rows: predictions.slice(0, count).map((p, i) => [i + 1, options.files?.[i] ?? String(i), ...p.map((q) => `${q.label} (${q.probability.toFixed(3)})`)]),
      },
    ],
  };
}
