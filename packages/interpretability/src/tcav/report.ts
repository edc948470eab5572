// Report sections for a TCAV result: bars with error bars and significance marks, and a table.
import { type Bar, type ReportSection, barChartRaster, barChartSvg, pngFigure, svgFigure } from "@dl/tensor-core";

import { standardDeviation } from "./stats.js";
import type { TcavResult, TcavRow } from "./tcav.js";

const NULL_COLOR = "#9e9e9e";
const SIGNIFICANT_COLOR = "#1f77b4";
const NOT_SIGNIFICANT_COLOR = "#aec7e8";

/** Spread of a concept's scores across runs (0 for a single run). */
export function scoreSpread(row: TcavRow): number {
  return row.scores.length > 1 ? standardDeviation(row.scores) : 0;
}

/** "***" for adjusted p ≤ α/50, "**" for ≤ α/5, "*" for ≤ α, else "n.s.". */
export function significanceMark(row: TcavRow, alpha: number): string {
  if (!row.significant) return "n.s.";
  if (row.adjusted <= alpha / 50) return "***";
  if (row.adjusted <= alpha / 5) return "**";
  return "*";
}

/** Per layer: the random-concept null (mean ± sd) then each concept (mean score ± sd across runs). */
export function tcavBars(result: TcavResult): Bar[] {
  const bars: Bar[] = [];
  for (const layer of result.layers) {
    const rows = result.rows.filter((r) => r.layer === layer);
    const first = rows[0];
    if (first === undefined) continue;
    bars.push({ label: `${layer}: random`, value: first.nullMean, error: first.nullStd, color: NULL_COLOR });
    for (const r of rows) {
      bars.push({ label: `${layer}: ${r.concept}`, value: r.score, error: scoreSpread(r), mark: significanceMark(r, result.settings.alpha), color: r.significant ? SIGNIFICANT_COLOR : NOT_SIGNIFICANT_COLOR });
    }
  }
  return bars;
}

/**
 * The null distribution of one row as a histogram over [0, 1] (`bins` equal bins of the random
 * concepts' mean scores), with the bin holding the concept's score marked "concept".
 */
export function nullHistogramBars(row: TcavRow, bins = 10): Bar[] {
  const counts = new Array<number>(bins).fill(0);
  const binOf = (v: number): number => Math.min(bins - 1, Math.max(0, Math.floor(v * bins)));
  for (const v of row.nullScores) counts[binOf(v)] = (counts[binOf(v)] ?? 0) + 1;
  const conceptBin = binOf(row.score);
  return counts.map((count, b) => ({
    label: `${(b / bins).toFixed(2)}–${((b + 1) / bins).toFixed(2)}`,
    value: count,
    color: b === conceptBin ? SIGNIFICANT_COLOR : NULL_COLOR,
    ...(b === conceptBin ? { mark: "concept" } : {}),
  }));
}

function fmt(v: number): string {
  if (!Number.isFinite(v)) return String(v);
  if (v !== 0 && Math.abs(v) < 1e-3) return v.toExponential(2);
  return v.toFixed(3);
}

/** Report sections for a result (figures as SVG with text and a text-free PNG raster). */
export function tcavReportSections(result: TcavResult, options: { id?: string; title?: string; targetName?: string } = {}): ReportSection[] {
  const id = options.id ?? "tcav";
  const targetName = options.targetName ?? String(result.target);
  const bars = tcavBars(result);
  const chart = { title: `TCAV scores, class ${targetName} (grey: random concepts; marks: significance)`, yLabel: "TCAV score", yDomain: [0, 1] as const, width: Math.max(560, 70 * bars.length) };
  const s = result.settings;
  const caption = `TCAV score of each concept for class ${targetName} per layer (mean ± sd over ${s.randomRuns} runs against random counterexample sets); grey: random concepts (the null, mean ± sd of ${s.nullDraws} draws). Marks: ${s.correction}-adjusted randomization p ≤ α = ${s.alpha} (*), ≤ α/5 (**), ≤ α/50 (***), n.s. otherwise.`;
  return [
    {
      id,
      title: options.title ?? `TCAV: which concepts drive class ${targetName}`,
      text: [
        `For each concept and layer, ${s.randomRuns} CAVs are trained against random counterexample sets; the TCAV score is the share of class-${targetName} inputs whose logit grows along the CAV. ${s.nullDraws} concepts made of random images, scored against the same counterexample sets, form the null distribution. The randomization p-value (+1 corrected, never below ${fmt(s.minPValue)}; random concepts tied with the concept's score, common when the score saturates at 0 or 1, are ordered by the mean directional derivative) is adjusted across all ${result.rows.length} concept × layer tests with ${s.correction}.`,
        "The paper's t-test (scores vs 0.5) and the tcav library's Welch test are shown for comparison: on random concepts they reject far more often than α, while the randomization test holds its level.",
        ...result.warnings.map((w) => `Warning: ${w}`),
      ].join("\n\n"),
      metrics: {
        target: targetName,
        "random runs": s.randomRuns,
        "null draws": s.nullDraws,
        "set size": s.setSize,
        alpha: s.alpha,
        correction: s.correction,
        significant: `${result.rows.filter((r) => r.significant).length} of ${result.rows.length}`,
        seconds: Number(result.seconds.toFixed(1)),
      },
      figures: [
        svgFigure("scores", caption, barChartSvg(bars, chart)),
        // The same chart as a PNG file for slides and viewers without SVG; the page shows the SVG only.
        pngFigure("scores-raster", caption, barChartRaster(bars, { ...chart, height: 300 }), { fileOnly: true }),
      ],
      tables: [
        {
          caption: "One row per concept × layer.",
          columns: ["concept", "layer", "score", "sd", "null mean", "null sd", "p randomization", "p paper", "p Welch", "adjusted p", "significant", "CAV accuracy", "effect [CI]"],
          rows: result.rows.map((r) => [
            r.concept,
            r.layer,
            fmt(r.score),
            fmt(scoreSpread(r)),
            fmt(r.nullMean),
            fmt(r.nullStd),
            fmt(r.pValues.randomization),
            fmt(r.pValues.paper),
            fmt(r.pValues.welch),
            fmt(r.adjusted),
            r.significant ? "yes" : "no",
            fmt(r.cavAccuracy),
            `${fmt(r.effect.meanDifference)} [${fmt(r.ci.lower)}, ${fmt(r.ci.upper)}]`,
          ]),
        },
      ],
    },
  ];
}

/**
 * The `tcav.json` document of a result: `extra` (what the caller adds: the model, data, argv…) then
 * the run's target, layers, concepts, settings, warnings and time, and one row per concept × layer
 * without the raw null scores.
 */
export function tcavSummary(result: TcavResult, extra: Readonly<Record<string, unknown>> = {}): Record<string, unknown> {
  return {
    ...extra,
    target: result.target,
    layers: result.layers,
    concepts: result.concepts,
    settings: result.settings,
    warnings: result.warnings,
    seconds: result.seconds,
    rows: result.rows.map((r) => ({
      concept: r.concept,
      layer: r.layer,
      score: r.score,
      scores: r.scores,
      magnitudeScore: r.magnitudeScore,
      nullMean: r.nullMean,
      nullStd: r.nullStd,
      pValues: r.pValues,
      adjusted: r.adjusted,
      significant: r.significant,
      cavAccuracy: r.cavAccuracy,
      effect: r.effect,
      ci: r.ci,
    })),
  };
}

/** One line per row for a terminal: score against the null, p-values, significance and CAV accuracy. */
export function tcavRowLine(r: TcavRow): string {
  return `${r.concept.padEnd(14)} ${r.layer.padEnd(8)} score ${r.score.toFixed(3)}  null ${r.nullMean.toFixed(3)}±${r.nullStd.toFixed(3)}  p ${r.pValues.randomization.toPrecision(3)} (adj ${r.adjusted.toPrecision(3)}) ${r.significant ? "significant" : "n.s."}  CAV acc ${r.cavAccuracy.toFixed(3)}`;
}
