// The figures of a training run: loss, training accuracy and test accuracy per epoch.
import { lineChartRaster, type LineSeries } from "../report/charts.js";
import { encodePng } from "../report/png.js";
import { lineChartSvg } from "../report/svg.js";
import type { EpochRecord } from "./train.js";

/** The curves of a training run, for the PNG (no text) and the SVG (axes and legend). */
export function trainingCurves(history: readonly EpochRecord[]): LineSeries[] {
  const x = history.map((h) => h.epoch);
  return [
    { name: "train loss", x, y: history.map((h) => h.loss), color: "#d62728" },
    { name: "train accuracy", x, y: history.map((h) => h.accuracy), color: "#1f77b4" },
    { name: "test accuracy", x, y: history.map((h) => h.testAccuracy), color: "#2ca02c" },
  ];
}

/** `training-curve.png` (560 × 280) and `training-curve.svg` of a run, both titled `title`. */
export function trainingCurveFigures(history: readonly EpochRecord[], title: string): { png: Uint8Array; svg: string } {
  const curves = trainingCurves(history);
  return {
    png: encodePng(lineChartRaster(curves, { width: 560, height: 280, title, xLabel: "epoch", yLabel: "loss / accuracy" })),
    svg: lineChartSvg(curves, { title, xLabel: "epoch", yLabel: "loss / accuracy" }),
  };
}
