import { encodePng, heatmapSvg, imageGrid, type ReportSection } from "@dl/tensor-core";
import { EVALUATED_CLASSIFIERS, runFewShotExperiment } from "@dl/metalearn";

import type { TourContext } from "./context.js";

const pct = (a: { mean: number; ci95: number }): string => `${(a.mean * 100).toFixed(1)}% ± ${(a.ci95 * 100).toFixed(1)}`;

/**
 * Few-shot learning on the tour's dataset: pretrain a small CNN on classes 0–4 (and their rotations and
 * mirrors) for a few seconds, then classify 5-way 1-shot episodes of the unseen classes 5–9 by soft
 * nearest neighbour on its features.
 */
export async function metalearnTourSection(ctx: TourContext): Promise<ReportSection[]> {
  const result = await runFewShotExperiment(ctx.dataset.train, ctx.dataset.test, {
    ways: 5,
    shots: 1,
    queries: 10,
    episodes: ctx.quick ? 60 : 300,
    method: "matching",
    steps: ctx.quick ? 40 : 400,
    timeBudgetSeconds: ctx.quick ? 5 : 15,
    seed: ctx.seed,
    onProgress: ctx.onProgress,
    ...(ctx.signal === undefined ? {} : { signal: ctx.signal }),
  });
  const { example } = result;
  const h = ctx.dataset.test.height;
  const w = ctx.dataset.test.width;
  const size = h * w * ctx.dataset.test.channels;
  const shown = new Float32Array(example.supportImages.length + example.queryImages.length);
  shown.set(example.supportImages);
  shown.set(example.queryImages, example.supportImages.length);
  const wayNames = Array.from(example.classes, (c) => ctx.dataset.test.classNames[c] ?? String(c));
  const rows = EVALUATED_CLASSIFIERS.map((m) => [m, pct(result.learned[m]), pct(result.pixels[m])]);
  return [
    {
      id: "metalearn",
      title: "Metalearning: 5-way 1-shot on classes never trained on",
      text:
        `A small CNN was trained for ${result.training.steps} batches (${result.training.seconds.toFixed(0)} s) to classify classes 0–4, with rotated and mirrored copies as extra classes; its pooled conv features are the embedding. ` +
        `Each test episode shows one labelled example of 5 of the unseen classes 5–9 and asks for the class of new images. ` +
        `A soft nearest neighbour attends to the support set with softmax(−distance / T), T = ${result.training.temperature.toPrecision(3)} (fitted on meta-train episodes). Chance is 20%. With one example per class, the class with the most attention is the nearest support image, so matching, prototypes and 1-NN give the same answers (their rows in the table agree).\n\n` +
        "A few seconds of training is far from the full 5-minute run: see `dl meta fewshot` and the @dl/metalearn README for those numbers.",
      metrics: {
        "matching (learned embedding)": pct(result.learned.matching),
        "1-NN on raw pixels": pct(result.pixels.knn),
        episodes: result.learned.episodes,
      },
      tables: [{ caption: "query accuracy, mean ± 95% CI over episodes", columns: ["classifier", "learned embedding", "raw pixels"], rows }],
      figures: [
        {
          id: "episode",
          caption: "one episode: the 5 support images (top row) and one query per class (bottom row)",
          png: encodePng(imageGrid(shown, shown.length / size, h, w, { columns: example.ways * example.shots, scale: 2 })),
          pixelated: true,
        },
        {
          id: "attention",
          caption: "attention of each query (row) over the support set (column); rows sum to 1",
          svg: heatmapSvg(example.attention, example.ways, example.ways * example.shots, {
            xLabel: "support image (its class)",
            yLabel: "query (its class)",
            showValues: true,
            rowLabels: wayNames,
            colLabels: wayNames.flatMap((name) => Array.from({ length: example.shots }, () => name)),
          }),
        },
      ],
    },
  ];
}
