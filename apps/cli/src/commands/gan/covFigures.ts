import type { ChangeOfVariables1DResult, ChangeOfVariables2DResult } from "@dl/gan";
import { densityRaster, encodePng, lineChartRaster, lineChartSvg, renderReportHtml, svgFigure, type Figure, type LineSeries } from "@dl/tensor-core";

import type { OutputFile } from "../../io.js";

function fmt(v: number): string {
  return v.toPrecision(3);
}

/** `dl gan cov` on a 1-D base: index.html (the figure with its caption and figures), density.png/svg. */
export function covFiles1d(r: ChangeOfVariables1DResult): OutputFile[] {
  const centres = Array.from({ length: r.histogram.density.length }, (_, i) => 0.5 * ((r.histogram.edges[i] ?? 0) + (r.histogram.edges[i + 1] ?? 0)));
  const series: LineSeries[] = [
    { name: "analytic p_y", x: r.curve.y, y: r.curve.density, color: "#d62728" },
    { name: `histogram of ${r.samples} samples`, x: centres, y: r.histogram.density, color: "#1f77b4" },
  ];
  const chart = { title: `y = ${r.f}, x ~ ${r.base}`, xLabel: "y", yLabel: "density", width: 640 };
  const svg = lineChartSvg(series, chart);
  const page = renderReportHtml({
    title: `Change of variables: y = ${r.f}, x ~ ${r.base}`,
    sections: [
      {
        id: "density",
        title: "The density of y = f(x)",
        text: `${r.explanation}\n\nRed: p_y from the change-of-variables formula; blue: a histogram of ${r.samples} samples of x pushed through f. Their L1 distance is ${fmt(r.l1)}, against ${fmt(r.samplingL1)} expected from sampling noise alone.`,
        metrics: { "L1(analytic, histogram)": r.l1, "sampling noise alone": r.samplingL1, monotone: r.monotone ? "yes" : "no", samples: r.samples },
        figures: [svgFigure("density", "Analytic density of y (red) over the histogram of pushed samples (blue) (density.svg, density.png).", svg)],
      },
    ],
  });
  return [
    ["index.html", page],
    ["density.png", encodePng(lineChartRaster(series, { ...chart, height: 320 }))],
    ["density.svg", svg],
  ];
}

/**
 * `dl gan cov` on a 2-D base: index.html, analytic.png and histogram.png (same axes and grey scale).
 * The histogram's rows are y₁ bins; pictures have y₂ upward, so each is transposed and flipped.
 */
export function covFiles2d(r: ChangeOfVariables2DResult): OutputFile[] {
  const bins = r.histogram.edges1.length - 1;
  const picture = (values: ArrayLike<number>): number[] => Array.from({ length: bins * bins }, (_, i) => values[(i % bins) * bins + (bins - 1 - Math.floor(i / bins))] ?? 0);
  const xDomain = [r.histogram.edges1[0] ?? 0, r.histogram.edges1[bins] ?? 1] as const;
  const yDomain = [r.histogram.edges2[0] ?? 0, r.histogram.edges2[bins] ?? 1] as const;
  const png = (values: ArrayLike<number>, title: string): Uint8Array =>
    encodePng(densityRaster(picture(values), bins, bins, { width: 420, height: 440, title, xLabel: "y₁", yLabel: "y₂", xDomain, yDomain }));
  const analytic = png(r.analytic, `analytic p_y, y = (${r.f.join(", ")})`);
  const histogram = png(r.histogram.density, `histogram of ${r.samples} pushed samples`);
  const figures: Figure[] = [
    { id: "analytic", caption: "p_y from the change-of-variables formula at the bin centres (dark = dense, √ scale) (analytic.png).", png: analytic },
    { id: "histogram", caption: `Histogram of ${r.samples} samples of x pushed through f, same bins and scale (histogram.png).`, png: histogram },
  ];
  const page = renderReportHtml({
    title: `Change of variables: y = (${r.f.join(", ")}), x ~ ${r.base}`,
    sections: [
      {
        id: "density",
        title: "The density of y = f(x) in 2-D",
        text: `p_y(y) = p_x(f⁻¹(y)) / |det J_f|, beside a ${bins} × ${bins} histogram of pushed samples. Their L1 distance is ${fmt(r.l1)}, against ${fmt(r.samplingL1)} expected from sampling noise alone.`,
        metrics: { "L1(analytic, histogram)": r.l1, "sampling noise alone": r.samplingL1, samples: r.samples },
        figures,
      },
    ],
  });
  return [
    ["index.html", page],
    ["analytic.png", analytic],
    ["histogram.png", histogram],
  ];
}
