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

/** The x of a quality curve: CPU seconds where the caller recorded them, else training seconds, else the epoch. */
function timeAxis(history: readonly GanEpochRecord[]): { x: number[]; label: string } {
  if (history.every((h) => h.metrics?.["cpuSeconds"] !== undefined)) return { x: history.map((h) => h.metrics?.["cpuSeconds"] ?? 0), label: "CPU seconds" };
  if (history.every((h) => h.metrics?.["trainSeconds"] !== undefined)) return { x: history.map((h) => h.metrics?.["trainSeconds"] ?? 0), label: "training seconds" };
  return { x: history.map((h) => h.epoch), label: "epoch" };
}

/**
 * The goal's figures against time, one point per epoch: per-label accuracy, k-NN precision and recall
 * (shares, one chart) and the Fréchet distance over its real-vs-real baseline (another); empty when
 * the epochs were not scored. `latent` says how those epochs drew z (untruncated, within ±t, or mixed).
 */
export function ganQualitySeries(history: readonly GanEpochRecord[]): { xLabel: string; shares: LineSeries[]; frechet: LineSeries[]; latent: string } {
  const scored = history.filter((h) => h.metrics?.["recall"] !== undefined);
  const { x, label } = timeAxis(scored);
  const pick = (key: string): number[] => scored.map((h) => h.metrics?.[key] ?? Number.NaN);
  const shares: LineSeries[] = [];
  if (scored.length > 0 && scored.every((h) => h.metrics?.["labelAccuracy"] !== undefined)) shares.push({ name: "label accuracy", x, y: pick("labelAccuracy"), color: "#2ca02c" });
  if (scored.length > 0) {
    shares.push({ name: "precision", x, y: pick("precision"), color: "#1f77b4" }, { name: "recall", x, y: pick("recall"), color: "#d62728" });
  }
  const frechet: LineSeries[] =
    scored.length > 0
      ? [
          { name: "Fréchet distance", x, y: pick("frechet"), color: "#9467bd" },
          { name: "3 × real-vs-real", x, y: pick("frechetRealBaseline").map((b) => 3 * b), color: "#7f7f7f" },
        ]
      : [];
  return { xLabel: label, shares, frechet, latent: latentDraw(scored) };
}

/** How the scored epochs drew z, for a chart's title: an epoch scored with truncation t records `metrics.truncation`. */
function latentDraw(scored: readonly GanEpochRecord[]): string {
  const ts = new Set(scored.map((h) => h.metrics?.["truncation"]));
  if (ts.size !== 1) return "z truncated in some epochs";
  const [t] = ts;
  return latentCaption(t);
}

/** How samples drew z, for a figure's title: "untruncated z", or "z within ±t" under the truncation trick. */
export function latentCaption(truncation: number | undefined): string {
  return truncation === undefined || truncation === Infinity ? "untruncated z" : `z within ±${String(truncation)}`;
}
