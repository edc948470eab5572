// Report sections for a change of variables: the analytic density beside the histogram of pushed samples.
import { densityRaster, encodePng, lineChartRaster, lineChartSvg, svgFigure, type Figure, type LineSeries, type ReportSection } from "@dl/tensor-core";

import type { ChangeOfVariables1DResult } from "./oneD.js";
import type { ChangeOfVariables2DResult } from "./twoD.js";

/** A report page for a change of variables and the pictures its figures show, by file name. */
export interface ChangeOfVariablesReport {
  title: string;
  sections: ReportSection[];
  /** 1-D: density.png and density.svg; 2-D: analytic.png and histogram.png. */
  pictures: Record<string, string | Uint8Array>;
}

function fmt(v: number): string {
  return v.toPrecision(3);
}

/** 1-D: the analytic p_y (red) over the histogram of pushed samples (blue), as SVG and PNG. */
export function changeOfVariablesReport1d(r: ChangeOfVariables1DResult): ChangeOfVariablesReport {
  const centres = Array.from({ length: r.histogram.density.length }, (_, i) => 0.5 * ((r.histogram.edges[i] ?? 0) + (r.histogram.edges[i + 1] ?? 0)));
  const series: LineSeries[] = [
    { name: "analytic p_y", x: r.curve.y, y: r.curve.density, color: "#d62728" },
    { name: `histogram of ${r.samples} samples`, x: centres, y: r.histogram.density, color: "#1f77b4" },
  ];
  const chart = { title: `y = ${r.f}, x ~ ${r.base}`, xLabel: "y", yLabel: "density", width: 640 };
  const svg = lineChartSvg(series, chart);
  return {
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
    pictures: { "density.png": encodePng(lineChartRaster(series, { ...chart, height: 320 })), "density.svg": svg },
  };
}

/**
 * A bins × bins grid indexed [y₁ bin · bins + y₂ bin] as a picture, row by row from the top, with y₁
 * to the right and y₂ upward: transposed, then flipped.
 */
export function upwardPicture(values: ArrayLike<number>, bins: number): number[] {
  return Array.from({ length: bins * bins }, (_, i) => values[(i % bins) * bins + (bins - 1 - Math.floor(i / bins))] ?? 0);
}

/** 2-D: the analytic p_y and the histogram of pushed samples on the same bins, axes and grey scale. */
export function changeOfVariablesReport2d(r: ChangeOfVariables2DResult): ChangeOfVariablesReport {
  const bins = r.histogram.edges1.length - 1;
  const xDomain = [r.histogram.edges1[0] ?? 0, r.histogram.edges1[bins] ?? 1] as const;
  const yDomain = [r.histogram.edges2[0] ?? 0, r.histogram.edges2[bins] ?? 1] as const;
  const png = (values: ArrayLike<number>, title: string): Uint8Array =>
    encodePng(densityRaster(upwardPicture(values, bins), bins, bins, { width: 420, height: 440, title, xLabel: "y₁", yLabel: "y₂", xDomain, yDomain }));
  const analytic = png(r.analytic, `analytic p_y, y = (${r.f.join(", ")})`);
  const histogram = png(r.histogram.density, `histogram of ${r.samples} pushed samples`);
  const figures: Figure[] = [
    { id: "analytic", caption: "p_y from the change-of-variables formula at the bin centres (dark = dense, √ scale) (analytic.png).", png: analytic },
    { id: "histogram", caption: `Histogram of ${r.samples} samples of x pushed through f, same bins and scale (histogram.png).`, png: histogram },
  ];
  return {
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
    pictures: { "analytic.png": analytic, "histogram.png": histogram },
  };
}
