// Figures of a GAN run: loss curves over epochs and the classifier's accuracy per label.
import type { Bar, LineSeries } from "@dl/tensor-core";

import type { GeneratorEvaluation } from "../evaluate/generatorEvaluation.js";
import type { GanEpochRecord } from "./gan.js";

/** D and G loss per epoch, plus the label accuracy when every epoch recorded one (a conditional GAN with a classifier). */
export function ganLossSeries(history: readonly GanEpochRecord[]): LineSeries[] {
  const x = history.map((h) => h.epoch);
  const series: LineSeries[] = [
    { name: "D loss", x, y: history.map((h) => h.dLoss), color: "#1f77b4" },
    { name: "G loss", x, y: history.map((h) => h.gLoss), color: "#d62728" },
  ];
  if (history.every((h) => h.metrics?.["labelAccuracy"] !== undefined)) {
    series.push({ name: "label accuracy", x, y: history.map((h) => h.metrics?.["labelAccuracy"] ?? 0), color: "#2ca02c" });
  }
  return series;
}

/** One bar per label: the share of samples for that label the classifier recognises (0 for a label never drawn). */
export function labelAccuracyBars(evaluation: Pick<GeneratorEvaluation, "perLabelAccuracy">): Bar[] {
  return evaluation.perLabelAccuracy.map((a, l) => ({ label: String(l), value: Number.isNaN(a) ? 0 : a }));
}
