import { densityRaster, encodePng, lineChartRaster, lineChartSvg, type LineSeries } from "@dl/tensor-core";

import { targetDensityGrid, type Grid } from "./energies.js";
import type { FitFlowResult } from "./fitFlow.js";

/** What a flow's loss chart shows, and the words for it (series names, title, axes). */
export interface FlowLossChart {
  series: LineSeries[];
  title: string;
  xLabel: string;
  yLabel: string;
}

/**
 * The curve `fitPlanarFlow` minimises, labelled as what it is: E_q[log q + β·U] with β annealed from
 * 0.01 to 1 over the first `annealFraction` of the steps, so early values may sit below −log Z; once
 * β = 1 it is the free energy E_q[log q + U] = KL(q‖p) − log Z ≥ −log Z, drawn as a grey line.
 */
export function flowLossChart(
  history: readonly { step: number; loss: number }[],
  options: { target: string; flows: number; logZ?: number; steps?: number; annealFraction?: number },
): FlowLossChart {
  const steps = history.map((h) => h.step);
  const last = options.steps ?? steps[steps.length - 1] ?? 0;
  const annealEnd = Math.max(1, Math.floor((options.annealFraction ?? 0.5) * last));
  const series: LineSeries[] = [{ name: `E_q[log q + β·U], β = 0.01 → 1 by step ${annealEnd}`, x: steps, y: history.map((h) => h.loss) }];
  if (options.logZ !== undefined) {
    series.push({ name: "−log Z (least free energy, β = 1)", x: [steps[0] ?? 0, last], y: [-options.logZ, -options.logZ], color: "#7f7f7f" });
  }
  return {
    series,
    title: `${options.target}, K = ${options.flows}: the β-annealed objective (the free energy once β = 1)`,
    xLabel: "step",
    yLabel: "nats",
  };
}

/** Where flows are pictured: [−4, 4]² in 100 × 100 cells (pass it as `fitPlanarFlow`'s `histogramGrid`). */
export const FLOW_PICTURE_GRID: Grid = { x: [-4, 4], y: [-4, 4], nx: 100, ny: 100 };

/** A density on `grid` as a 420 × 440 PNG with a title and z₁/z₂ axes ticked in the grid's domain. */
function densityPng(values: ArrayLike<number>, grid: Grid, title: string): Uint8Array {
  return encodePng(densityRaster(values, grid.nx, grid.ny, { width: 420, height: 440, title, xLabel: "z₁", yLabel: "z₂", xDomain: grid.x, yDomain: grid.y }));
}

/** The pictures of a fitted flow: PNGs of the target density and of the flow's sample histogram, and the loss curve as SVG and PNG. */
export interface FlowPictures {
  /** PNG of the target density p(z) ∝ exp(−U(z)) (target.png). */
  target: Uint8Array;
  /** PNG of the histogram of the flow's samples (flow.png). */
  flow: Uint8Array;
  /** The loss curve as SVG (loss.svg). */
  lossSvg: string;
  /** The loss curve as PNG, 820 × 320 (loss.png). */
  lossPng: Uint8Array;
}

/**
 * The pictures of a flow fitted with `histogramGrid: FLOW_PICTURE_GRID`: the target density and the flow's
 * sample histogram on [−4, 4]² with titled, ticked z₁/z₂ axes, and the loss curve labelled as the
 * β-annealed objective it is (`flowLossChart`).
 */
export function flowPictures(result: FitFlowResult, steps: number): FlowPictures {
  const grid = FLOW_PICTURE_GRID;
  const chart = flowLossChart(result.history, { target: result.target, flows: result.flows, logZ: result.kl.logZ, steps });
  return {
    target: densityPng(targetDensityGrid(result.target, grid), grid, `target p(z) ∝ exp(−U(z)), ${result.target}`),
    flow: densityPng(result.histogram ?? new Float64Array(grid.nx * grid.ny), grid, `flow q(z), K = ${result.flows} (histogram of samples)`),
    lossSvg: lineChartSvg(chart.series, { title: chart.title, xLabel: chart.xLabel, yLabel: chart.yLabel, width: 820 }),
    lossPng: encodePng(lineChartRaster(chart.series, { title: chart.title, xLabel: chart.xLabel, yLabel: chart.yLabel, width: 820, height: 320 })),
  };
}
