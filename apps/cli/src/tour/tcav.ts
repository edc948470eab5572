import { cuttableLayers, prepareTcavInputs, runTcav, tcavReportSections } from "@dl/interpretability";
import type { ReportSection } from "@dl/tensor-core";

import type { TourContext } from "./context.js";

/** Layers the tour explains: pool2 and dense1 of the default CNN, else the last two dense-like layers. */
export function tourTcavLayers(available: readonly string[]): string[] {
  const preferred = ["pool2", "dense1"].filter((l) => available.includes(l));
  if (preferred.length === 2) return preferred;
  return available.filter((l) => !/^(flatten|dropout)/.test(l)).slice(-2);
}

/**
 * TCAV section of `dl tour`: do "loops" and "thick strokes" drive the class 0 logit? 2 concepts × 2
 * layers against a random-concept null large enough for Holm over the 4 tests.
 */
export async function tcavTourSection(ctx: TourContext): Promise<ReportSection[]> {
  const layers = tourTcavLayers(cuttableLayers(ctx.model));
  const nullDraws = ctx.quick ? 80 : 100;
  const randomRuns = ctx.quick ? 2 : 5;
  const target = 0;
  const inputs = prepareTcavInputs(ctx.dataset, { target, concepts: ["loops", "thick-strokes"], nullDraws, randomRuns, targetCount: ctx.quick ? 50 : 100, seed: ctx.seed });
  const result = await runTcav(ctx.model, {
    target,
    targetImages: inputs.targetImages,
    concepts: inputs.concepts,
    randomPool: inputs.randomPool,
    layers,
    nullDraws,
    randomRuns,
    seed: ctx.seed,
    onProgress: ctx.onProgress,
    ...(ctx.signal === undefined ? {} : { signal: ctx.signal }),
  });
  return tcavReportSections(result, { id: "tcav", title: `TCAV: do loops and thick strokes drive class "${inputs.targetName}"?`, targetName: inputs.targetName });
}
