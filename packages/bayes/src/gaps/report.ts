import { barChartRaster, barChartSvg, encodePng, lineChartRaster, lineChartSvg, type Bar, type LineSeries } from "@dl/tensor-core";

import type { EncoderCapacityResult, MeanCi } from "./encoders.js";
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

const pm = (c: MeanCi, digits = 2): string => `${c.mean.toFixed(digits)} ± ${c.ci95.toFixed(digits)}`;
const flops = (f: number): string => (f >= 1e9 ? `${(f / 1e9).toFixed(1)} G` : f >= 1e6 ? `${(f / 1e6).toFixed(1)} M` : `${(f / 1e3).toFixed(0)} k`);

/** The encoder-capacity table as Markdown: one row per width, then one per SVI step count (means ± 95 % intervals over seeds). */
export function encoderCapacityTable(r: EncoderCapacityResult): string {
  const head =
    "| encoder | parameters | FLOPs / test image | fit time (s) | L[q] | amortization gap | gain over previous | approximation gap (q* from here) |\n|---|---|---|---|---|---|---|---|\n";
  const rows = r.widths.map(
    (w) =>
      `| width ${w.width} × ${w.hidden.length} | ${w.parameters} | ${flops(w.flopsPerImage)} | ${pm(w.trainSeconds, 1)} | ${pm(w.elbo)} | ${pm(w.amortizationGap)} | ${w.gainOverPrevious === undefined ? "—" : pm(w.gainOverPrevious)} | ${w.approximationGap.toFixed(2)} |`,
  );
  const svi = r.svi.rows.map(
    (s) =>
      `| width ${r.svi.fromWidth} + ${s.steps} SVI steps | — | ${flops(s.flopsPerImage)} | ${pm(s.seconds, 1)} (${r.config.testCount} images) | ${pm(s.elbo)} | ${pm(s.amortizationGap)} | recovered ${(100 * s.recovered.mean).toFixed(0)} ± ${(100 * s.recovered.ci95).toFixed(0)} % | — |`,
  );
  const stop = r.capacityStopsHelpingAt === null ? "every wider encoder still helped significantly" : `capacity stops helping after width ${r.capacityStopsHelpingAt}`;
  return `${head}${[...rows, ...svi].join("\n")}\n\nlog p̂(x) = ${r.logLikelihood.toFixed(2)}, L[q*] = ${r.elboOptimal.toFixed(2)}, approximation gap ${pm(r.approximationGap)} nats (95 % over ${r.approximationGap.n} test images); ${stop}.\n`;
}

/** Amortization gap vs log₂ encoder width (error bars: 95 % over seeds), the approximation gap, and SVI from the smallest encoder as flat reference lines. */
export function encoderCapacitySeries(r: EncoderCapacityResult): LineSeries[] {
  const x = r.widths.map((w) => Math.log2(w.width));
  const [lo, hi] = [x[0] ?? 0, x[x.length - 1] ?? 0];
  const sviColors = ["#9467bd", "#2ca02c", "#ff7f0e", "#e377c2"];
  const n = r.svi.rows.length;
  return [
    { name: "amortization gap, fresh encoder (±95% CI)", x, y: r.widths.map((w) => w.amortizationGap.mean), error: r.widths.map((w) => w.amortizationGap.ci95), color: "#d62728" },
    { name: "approximation gap, q* refined from each", x, y: r.widths.map((w) => w.approximationGap), color: "#1f77b4" },
    ...r.svi.rows.map((s, i) => ({
      name: `width ${r.svi.fromWidth} + ${s.steps} SVI steps (${flops(s.flopsPerImage)}FLOP/img)`,
      // A flat line with its interval drawn once, staggered between the widths' own error bars.
      x: [lo, lo + ((hi - lo) * (i + 1)) / (n + 1) + 0.25 / (n + 1), hi],
      y: [s.amortizationGap.mean, s.amortizationGap.mean, s.amortizationGap.mean],
      error: [0, s.amortizationGap.ci95, 0],
      color: sviColors[i % sviColors.length] ?? "#7f7f7f",
    })),
  ];
}

/** The encoder-capacity report: the Markdown table and the line chart as PNG (760 × 380) and SVG. */
export function encoderCapacityReport(r: EncoderCapacityResult): { markdown: string; png: Uint8Array; svg: string } {
  const series = encoderCapacitySeries(r);
  const chart = {
    title: `Amortization gap vs encoder width at a frozen decoder (95% CI, ${r.config.seeds} seeds)`,
    xLabel: `encoder hidden width, log2 (${r.widths.map((w) => `${Math.log2(w.width).toFixed(0)} = ${w.width}`).join(", ")})`,
    yLabel: "gap on test images (nats)",
  };
  return { markdown: encoderCapacityTable(r), png: encodePng(lineChartRaster(series, { ...chart, width: 760, height: 380 })), svg: lineChartSvg(series, { ...chart, width: 760, height: 380 }) };
}
