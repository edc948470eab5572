// The report of a few-shot experiment: accuracy bars, one episode, its attention and the training curve.
import { barChartRaster, barChartSvg, encodePng, heatmapSvg, imageGrid, lineChartRaster, lineChartSvg, type Bar, type LineSeries, type ReportSection } from "@dl/tensor-core";

import { EVALUATED_CLASSIFIERS } from "./evaluate.js";
import type { EmbeddingTraining, FewShotExperimentResult } from "./fewShotExperiment.js";

/** What the figures need beside the result: how the embedding was learned and the meta-test images' names and size. */
export interface FewShotReportContext {
  /** How the embedding was learned (it names the training curve). */
  training: EmbeddingTraining;
  /** Names of the meta-test dataset's classes, by label. */
  classNames: readonly string[];
  /** Height of the meta-test images in pixels. */
  height: number;
  /** Width of the meta-test images in pixels. */
  width: number;
}

/** The figures of a few-shot experiment, each also a file of `dl meta fewshot`. */
export interface FewShotFigures {
  /** Accuracy per classifier ± 95 % CI, learned embedding (blue) beside raw pixels (grey): accuracy.svg (and accuracy.png). */
  accuracySvg: string;
  /** The same bars as PNG, 640 wide. */
  accuracyPng: Uint8Array;
  /** The example episode's support images and one query per class: episode.png. */
  episodePng: Uint8Array;
  /** Soft nearest-neighbour attention of each shown query over the support set: attention.svg. */
  attentionSvg: string;
  /** Training loss and accuracy: training-curve.svg, training-curve.png (560 × 280). */
  curveSvg: string;
  /** The same curve as PNG, 560 × 280. */
  curvePng: Uint8Array;
}

/**
 * Two bars per evaluated classifier: its accuracy on the learned embedding and on raw pixels, each ± its 95 % CI;
 * then, when it was measured (`logistic: true`), the logistic regression on the shots' views (learned embedding only).
 */
export function fewShotAccuracyBars(result: FewShotExperimentResult): Bar[] {
  const bars: Bar[] = EVALUATED_CLASSIFIERS.flatMap((m) => [
    { label: `${m} (learned)`, value: result.learned[m].mean, error: result.learned[m].ci95, color: "#1f77b4" },
    { label: `${m} (pixels)`, value: result.pixels[m].mean, error: result.pixels[m].ci95, color: "#999999" },
  ]);
  const { logistic } = result.learned;
  if (logistic !== undefined) bars.push({ label: "logistic (learned)", value: logistic.mean, error: logistic.ci95, color: "#1f77b4" });
  return bars;
}

/** With several pretrained networks (generations × ensemble) the curve restarts at each: the title says so. */
const curveChart = (training: EmbeddingTraining, networks = 1): { title: string; xLabel: string; yLabel: string } =>
  training === "pretrain"
    ? { title: `supervised pretraining on the meta-train classes${networks > 1 ? ` (${networks} networks, one after another)` : ""}`, xLabel: "batch", yLabel: "loss / accuracy" }
    : { title: "episodic meta-training", xLabel: "episode", yLabel: "loss / accuracy" };

/** The names of the example episode's ways (its attention rows), e.g. the meta-test classes 5–9. */
const wayNames = (result: FewShotExperimentResult, context: FewShotReportContext): string[] => Array.from(result.example.classes, (c) => context.classNames[c] ?? String(c));

/** The figures of a few-shot experiment (the files of `dl meta fewshot` and the report's pictures). */
export function fewShotFigures(result: FewShotExperimentResult, context: FewShotReportContext): FewShotFigures {
  const { example, ways, shots } = result;
  const bars = fewShotAccuracyBars(result);
  const accuracyChart = { title: `${ways}-way ${shots}-shot accuracy ± 95% CI (blue: learned embedding, grey: raw pixels)`, yLabel: "query accuracy", yDomain: [0, 1] as const };
  const shown = new Float32Array(example.supportImages.length + example.queryImages.length);
  shown.set(example.supportImages);
  shown.set(example.queryImages, example.supportImages.length);
  const size = context.height * context.width;
  const steps = result.training.history.map((h) => h.step);
  const curve: LineSeries[] = [
    { name: "train loss", x: steps, y: result.training.history.map((h) => h.loss), color: "#d62728" },
    { name: "train accuracy", x: steps, y: result.training.history.map((h) => h.accuracy), color: "#1f77b4" },
  ];
  const names = wayNames(result, context);
  const chart = curveChart(context.training, result.training.generations * result.training.ensemble);
  return {
    accuracySvg: barChartSvg(bars, { ...accuracyChart, width: 640 }),
    accuracyPng: encodePng(barChartRaster(bars, { ...accuracyChart, width: 640, height: 300 })),
    episodePng: encodePng(imageGrid(shown, shown.length / size, context.height, context.width, { columns: shots * ways, scale: 2 })),
    attentionSvg: heatmapSvg(example.attention, example.ways, example.ways * example.shots, {
      title: "attention of one query per class (row) over the support set (columns)",
      xLabel: "support image (its class)",
      yLabel: "query (its class)",
      rowLabels: names,
      colLabels: names.flatMap((name) => Array.from({ length: example.shots }, () => name)),
    }),
    curveSvg: lineChartSvg(curve, chart),
    curvePng: encodePng(lineChartRaster(curve, { ...chart, width: 560, height: 280 })),
  };
}

/** The report section that says what each figure shows. */
export function fewShotReportSection(result: FewShotExperimentResult, context: FewShotReportContext, figures: FewShotFigures): ReportSection {
  const { ways, shots, queries } = result;
  const trainedWhat = context.training === "pretrain" ? `Supervised pretraining on the meta-train classes (${result.training.steps} batches)` : `Episodic meta-training (${result.training.steps} episodes)`;
  return {
    id: "fewshot",
    title: "Few-shot accuracy on classes never trained on",
    text:
      `Each of ${result.learned.matching.n} test episodes shows ${shots} labelled image(s) of ${ways} unseen classes and asks for the class of ${queries} new images per class. Chance is ${(100 / ways).toFixed(0)}%.` +
      (shots === 1 ? " With one image per class, matching, prototypes and 1-NN pick the same class, so their accuracies agree." : ""),
    figures: [
      { id: "accuracy", caption: "Query accuracy per classifier, mean ± 95% CI over episodes; blue: on the learned embedding, grey: on raw pixels (accuracy.svg, accuracy.png).", svg: figures.accuracySvg },
      { id: "episode", caption: `One episode: the support images (top row) and one query per class (bottom row), classes ${wayNames(result, context).join(", ")} (episode.png).`, png: figures.episodePng, pixelated: true },
      { id: "attention", caption: "Soft nearest-neighbour attention of each query (row) over the support images (columns); rows sum to 1 (attention.svg).", svg: figures.attentionSvg },
      { id: "training", caption: `${trainedWhat}: loss and accuracy (training-curve.svg, training-curve.png).`, svg: figures.curveSvg },
    ],
  };
}
