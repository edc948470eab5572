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

const lr = (r: number): string => r.toExponential(0).replace("e-", "e−");

/** The encoder-capacity table as Markdown: one row per encoder (width sweep, then depth sweep), then one per SVI step count (means ± 95 % intervals over seeds). */
export function encoderCapacityTable(r: EncoderCapacityResult): string {
  const head =
    "| encoder | parameters | FLOPs / test image | learning rate | epochs | fit time (s) | L[q] | amortization gap | gain over previous | approximation gap (q* from here) |\n|---|---|---|---|---|---|---|---|---|---|\n";
  const line = (w: EncoderCapacityResult["widths"][number]): string =>
    `| width ${w.width} × ${w.depth} | ${w.parameters} | ${flops(w.flopsPerImage)} | ${lr(w.learningRate)} | ${pm(w.epochs, 1)} | ${pm(w.trainSeconds, 1)}${w.searchSeconds > 0 ? ` (+${w.searchSeconds.toFixed(1)} search)` : ""} | ${pm(w.elbo)} | ${pm(w.amortizationGap)} | ${w.gainOverPrevious === undefined ? "—" : pm(w.gainOverPrevious)} | ${w.approximationGap.toFixed(2)} |`;
  const svi = r.svi.rows.map(
    (s) =>
      `| width ${r.svi.fromWidth} + ${s.steps} SVI steps | — | ${flops(s.flopsPerImage)} | 1e−2 | — | ${pm(s.seconds, 1)} (${r.config.testCount} images) | ${pm(s.elbo)} | ${pm(s.amortizationGap)} | recovered ${(100 * s.recovered.mean).toFixed(0)} ± ${(100 * s.recovered.ci95).toFixed(0)} % | — |`,
  );
  const depthRows = r.depths.length === 0 ? [] : [`| *depth sweep at width ${r.config.depthWidth}* | | | | | | | | | |`, ...r.depths.map(line)];
  const stop = r.capacityStopsHelpingAt === null ? "every wider encoder still helped significantly" : `width stops helping after ${r.capacityStopsHelpingAt}`;
  const depthStop = r.depths.length === 0 ? "" : r.depthStopsHelpingAt === null ? "; every deeper encoder still helped significantly" : `; depth stops helping after ${r.depthStopsHelpingAt} hidden layers`;
  const fitting =
    r.config.patience === null
      ? `${r.config.encoderEpochs} epochs each`
      : `until the validation ELBO (${r.config.validationCount} held-out images) rose < ${r.config.minDelta} nats for ${r.config.patience} epochs, at most ${r.config.encoderEpochs}`;
  const rates = r.config.learningRates.length > 1 ? `, learning rate chosen from {${r.config.learningRates.map(lr).join(", ")}} on validation (first seed)` : "";
  return `${head}${[...r.widths.map(line), ...depthRows, ...svi].join("\n")}\n\nEncoders fitted ${fitting}${rates}. log p̂(x) = ${r.logLikelihood.toFixed(2)}, L[q*] = ${r.elboOptimal.toFixed(2)}, approximation gap ${pm(r.approximationGap)} nats (95 % over ${r.approximationGap.n} test images); ${stop}${depthStop}.\n`;
}

/**
 * Every way of reaching q* on one axis: the amortization gap left against the inference FLOPs per test
 * image (log₁₀): the width sweep and the depth sweep (error bars: 95 % over seeds), SVI refinement from
 * the smallest encoder (0 steps = that encoder), and the approximation gap as a flat reference.
 */
export function encoderCapacitySeries(r: EncoderCapacityResult): LineSeries[] {
  const lg = (f: number): number => Math.log10(f);
  const first = r.widths[0];
  const all = [...r.widths, ...r.depths];
  const xs = [...all.map((w) => lg(w.flopsPerImage)), ...r.svi.rows.map((s) => lg(s.flopsPerImage))];
  const [lo, hi] = [Math.min(...xs), Math.max(...xs)];
  const depthName = `depth ${r.depths.map((d) => d.depth).join(", ")} (width ${r.config.depthWidth})`;
  return [
    {
      name: `width ${r.widths.map((w) => w.width).join(", ")} (depth ${r.config.encoderDepth})`,
      x: r.widths.map((w) => lg(w.flopsPerImage)),
      y: r.widths.map((w) => w.amortizationGap.mean),
      error: r.widths.map((w) => w.amortizationGap.ci95),
      color: "#d62728",
    },
    ...(r.depths.length === 0
      ? []
      : [{ name: depthName, x: r.depths.map((w) => lg(w.flopsPerImage)), y: r.depths.map((w) => w.amortizationGap.mean), error: r.depths.map((w) => w.amortizationGap.ci95), color: "#ff7f0e" }]),
    ...(first === undefined || r.svi.rows.length === 0
      ? []
      : [
          {
            name: `width ${r.svi.fromWidth} + SVI steps ${r.svi.rows.map((s) => s.steps).join(", ")}`,
            x: [lg(first.flopsPerImage), ...r.svi.rows.map((s) => lg(s.flopsPerImage))],
            y: [first.amortizationGap.mean, ...r.svi.rows.map((s) => s.amortizationGap.mean)],
            error: [first.amortizationGap.ci95, ...r.svi.rows.map((s) => s.amortizationGap.ci95)],
            color: "#9467bd",
          },
        ]),
    { name: "approximation gap (decoder's)", x: [lo, hi], y: [r.approximationGap.mean, r.approximationGap.mean], color: "#1f77b4" },
  ];
}

/** The encoder-capacity report: the Markdown table and the chart of gap vs inference FLOPs as PNG (860 × 440) and SVG. */
export function encoderCapacityReport(r: EncoderCapacityResult): { markdown: string; png: Uint8Array; svg: string } {
  const series = encoderCapacitySeries(r);
  const fitting = r.config.patience === null ? `${r.config.encoderEpochs} epochs` : "fitted to plateau";
  const chart = {
    title: `Amortization gap vs inference FLOPs, frozen decoder (${fitting}; 95% CI, ${r.config.seeds} seeds)`,
    xLabel: "inference FLOPs per test image, log10 (encoder pass + SVI steps)",
    yLabel: "gap left, L[q*] - L[q] (nats)",
  };
  return { markdown: encoderCapacityTable(r), png: encodePng(lineChartRaster(series, { ...chart, width: 860, height: 440 })), svg: lineChartSvg(series, { ...chart, width: 860, height: 440 }) };
}
