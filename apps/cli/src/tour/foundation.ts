import {
  confusionMatrix,
  describeNative,
  heatmapSvg,
  imageGridSvg,
  lineChartSvg,
  predictClasses,
  sampleDataset,
  svgFigure,
  trainingCurves,
  type BackendInfo,
  type Figure,
  type ReportSection,
  type Table,
  type TrainResult,
} from "@dl/tensor-core";

import type { TourContext } from "./context.js";

/** How the default model came to be (from `loadDefaultModel`). */
export interface FoundationFacts {
  data: string;
  arch: string;
  backend: BackendInfo;
  testAccuracy: number;
  trainSeconds: number;
  cached: boolean;
  modelDir: string;
  /** Per-epoch history when the model cache keeps it. */
  history?: TrainResult["history"];
}

const GRID_SIZE = 48;

/** The tour's first section: backend, accuracy, training curve, sample predictions, confusion matrix. */
export async function foundationTourSection(ctx: TourContext, facts: FoundationFacts): Promise<ReportSection[]> {
  const { test } = ctx.dataset;
  const numClasses = test.classNames.length;
  ctx.onProgress({ phase: "predict", step: 0, total: 1 });
  const predicted = await predictClasses(ctx.model, test.images, test.count);
  ctx.onProgress({ phase: "predict", step: 1, total: 1 });
  const confusion = confusionMatrix(test.labels, predicted, numClasses);
  let correct = 0;
  for (let c = 0; c < numClasses; c++) correct += confusion[c * numClasses + c] ?? 0;

  const sample = sampleDataset(test, Math.min(GRID_SIZE, test.count), ctx.seed, { stratified: true });
  const samplePredicted = await predictClasses(ctx.model, sample.images, sample.count);
  const right = "#2ca02c";
  const wrong = "#d62728";
  const captionColors = Array.from(sample.labels, (label, i) => (samplePredicted[i] === label ? right : wrong));
  const captions = Array.from(sample.labels, (label, i) => {
    const p = samplePredicted[i] ?? -1;
    const name = (c: number): string => test.classNames[c] ?? String(c);
    return p === label ? name(p) : `${name(p)} (true ${name(label)})`;
  });
  const grid = imageGridSvg(sample.images, sample.count, sample.height, sample.width, { columns: 12, scale: 2, captions, captionColors });
  const mistakes: (string | number)[][] = [];
  sample.labels.forEach((label, i) => {
    const p = samplePredicted[i] ?? -1;
    if (p !== label) mistakes.push([i + 1, test.classNames[label] ?? String(label), test.classNames[p] ?? String(p)]);
  });

  const perClass: (string | number)[][] = test.classNames.map((name, c) => {
    let total = 0;
    for (let p = 0; p < numClasses; p++) total += confusion[c * numClasses + p] ?? 0;
    return [name, total, total === 0 ? 0 : (confusion[c * numClasses + c] ?? 0) / total];
  });

  const figures: Figure[] = [
    svgFigure(
      "predictions",
      `${sample.count} test images drawn at random (stratified), each with the model's prediction: green when right, red (with the true class) when wrong.`,
      grid,
    ),
    svgFigure(
      "confusion",
      `Confusion matrix on the ${test.count} test images: row = true class, column = predicted class.`,
      heatmapSvg(confusion, numClasses, numClasses, {
        rowLabels: test.classNames,
        colLabels: test.classNames.map((_, i) => String(i)),
        title: "confusion matrix",
        xLabel: "predicted class",
        yLabel: "true class",
      }),
    ),
  ];
  if (facts.history !== undefined && facts.history.length > 0) {
    figures.unshift(
      svgFigure(
        "training-curve",
        "Training loss and accuracy per epoch, with accuracy on the held-out test split.",
        lineChartSvg(trainingCurves(facts.history), { title: "training", xLabel: "epoch", yLabel: "loss / accuracy" }),
      ),
    );
  }
  const tables: Table[] = [{ caption: "Accuracy per class on the test split", columns: ["class", "test images", "accuracy"], rows: perClass }];
  if (mistakes.length > 0) tables.push({ caption: "Misclassified images in the grid (position counted row by row from 1)", columns: ["position", "true", "predicted"], rows: mistakes });
  const wasm = facts.backend.wasm;
  return [
    {
      id: "foundation",
      title: "Foundation: the default model",
      text: [
        `The default ${facts.arch.toUpperCase()} classifier for ${facts.data}, ${facts.cached ? "loaded from the cache" : "trained just now"} (${facts.modelDir}). Every topic below studies this model.`,
        `TensorFlow.js ${facts.backend.tfjsVersion} runs on the ${facts.backend.name} backend (${facts.backend.requestedBy}). ` +
          facts.backend.tried.map((t) => `${t.name}: ${t.ok ? "chosen" : `skipped — ${skipReason(t, facts.backend.tfjsVersion)}`}`).join("; ") +
          ".",
        facts.history === undefined ? "The per-epoch training curve is not kept by the model cache; `dl train` writes one." : "",
      ]
        .filter((p) => p !== "")
        .join("\n\n"),
      metrics: {
        "test accuracy": correct / test.count,
        "test images": test.count,
        "train images": ctx.dataset.train.count,
        "training seconds": facts.trainSeconds,
        parameters: ctx.model.countParams(),
        backend: facts.backend.name,
        ...(wasm === undefined ? {} : { "wasm SIMD": wasm.simd ? "yes" : "no", "wasm threads": wasm.threads ? "yes" : "no" }),
      },
      tables,
      figures,
    },
  ];
}

/** Why a backend was skipped, in words: a missing optional tfjs-node is expected, not an error. */
export function skipReason(attempt: { name: string; reason?: string }, tfjsVersion: string): string {
  const reason = attempt.reason ?? "failed";
  return attempt.name === "tfjs-node" ? describeNative(reason, tfjsVersion).text : reason;
}
