import { barChartRaster, barChartSvg, encodePng, type Bar } from "@dl/tensor-core";

import type { GapRow } from "./gaps.js";

/** The gap table as Markdown: one row per model, the SVI refinement as "steps: share recovered". */
export function gapTable(rows: readonly GapRow[]): string {
  const head = "| model | log p̂(x) | L[q*] | L[q] | approximation gap | amortization gap | recovered by SVI (steps: share) |\n|---|---|---|---|---|---|---|\n";
  const line = (r: GapRow): string => {
    const recovered = r.refinement
      .filter((p) => p.steps > 0)
      .map((p) => `${p.steps}: ${(100 * p.recovered).toFixed(0)}%`)
      .join(", ");
    return `| ${r.model} | ${r.logLikelihood.toFixed(2)} | ${r.elboOptimal.toFixed(2)} | ${r.elbo.toFixed(2)} | ${r.approximationGap.toFixed(2)} | ${r.amortizationGap.toFixed(2)} | ${recovered} |`;
  };
  return `${head}${rows.map(line).join("\n")}\n`;
}

/** Two bars per model: its approximation gap (blue) and its amortization gap (red), in nats. */
export function gapBars(rows: readonly GapRow[]): Bar[] {
  return rows.flatMap((r) => [
    { label: `${r.model}: approx.`, value: r.approximationGap, color: "#1f77b4" },
    { label: `${r.model}: amort.`, value: r.amortizationGap, color: "#d62728" },
  ]);
}

/** The gap report: the Markdown table and the bar chart of both gaps as PNG (560 × 300) and SVG. */
export function gapReport(rows: readonly GapRow[]): { markdown: string; png: Uint8Array; svg: string } {
  const bars = gapBars(rows);
  const chart = { title: "Gaps in nats (test subset)", yLabel: "nats" };
  return { markdown: gapTable(rows), png: encodePng(barChartRaster(bars, { ...chart, width: 560, height: 300 })), svg: barChartSvg(bars, chart) };
}
