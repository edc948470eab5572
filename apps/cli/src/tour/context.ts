import type { LayersModel } from "@tensorflow/tfjs-layers";

import type { ImageDataset, ProgressCallback, ReportSection } from "@dl/tensor-core";

/**
 * What every `dl tour` section receives: the trained default model, the dataset it was trained on
 * (fixed train/test split), the tour's seed, a progress callback (drawn as this section's bar) and
 * `quick` (small samples, few iterations: the whole quick tour should take about a minute).
 * Sections must not dispose the model and should stay under ~30 s each (a few s when quick).
 */
export interface TourContext {
  model: LayersModel;
  dataset: { train: ImageDataset; test: ImageDataset };
  seed: number;
  onProgress: ProgressCallback;
  quick: boolean;
  signal?: AbortSignal;
}

/** A topic's contribution: `apps/cli/src/tour/<topic>.ts` exports `<topic>TourSection` of this type. */
export type TourSectionFn = (ctx: TourContext) => Promise<ReportSection[]>;
