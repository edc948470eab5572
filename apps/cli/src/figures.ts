import { encodePng, lineChartRaster, lineChartSvg, type LineSeries } from "@dl/tensor-core";

import type { OutputFile } from "./io.js";

/** A line chart as PNG (560 × 280 unless sized) and SVG, named NAME.png and NAME.svg. */
export function lineChartFiles(
  name: string,
  series: LineSeries[],
  chart: { title: string; xLabel: string; yLabel: string; yDomain?: readonly [number, number] },
  size: { width: number; height: number } = { width: 560, height: 280 },
): OutputFile[] {
  return [
    [`${name}.png`, encodePng(lineChartRaster(series, { ...chart, ...size }))],
    [`${name}.svg`, lineChartSvg(series, chart)],
  ];
}
