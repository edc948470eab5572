import type { LineSeries } from "@dl/tensor-core";

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
