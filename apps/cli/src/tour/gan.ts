import { changeOfVariables1d, evaluateGenerator, fitDensityRatio, generateImages, logRatioError, sampleGrid } from "@dl/gan";
import { loadDefaultGan } from "@dl/gan/checkpoint";
import { normalRows } from "@dl/bayes";
import { createRng, imageGrid, lineChartSvg, pngFigure, svgFigure, type ReportSection } from "@dl/tensor-core";

import type { TourContext } from "./context.js";

/**
 * Epochs (125 steps each on the 8,000 training digits) of the tour's conditional GAN, trained once with
 * the default recipe and cached, quick tour included: after 4 epochs (seed 42) the digits were readable but
 * speckled, and the quick tour's MLP classifier read only 54 % of them (the CNN 98 %); after 8, 98 % (CNN 93 %).
 */
export const TOUR_CGAN_EPOCHS = 8;

export interface GanTourOptions {
  /** Where the trained cGAN is cached (default: DL_CACHE_DIR or ~/.cache/dl-lab). */
  cacheDir?: string;
  /** Override TOUR_CGAN_EPOCHS (tests). */
  epochs?: number;
  stepsPerEpoch?: number;
}

/** GANs in the tour: change of variables, the density-ratio trick, and a trained conditional GAN. */
export async function ganTourSection(ctx: TourContext, opts: GanTourOptions = {}): Promise<ReportSection[]> {
  const sections: ReportSection[] = [];

  const cov = changeOfVariables1d("tanh", normalRows(0, 1.5), { seed: ctx.seed, samples: ctx.quick ? 20_000 : 100_000 });
  const centres = Array.from(cov.histogram.density, (_, i) => 0.5 * ((cov.histogram.edges[i] ?? 0) + (cov.histogram.edges[i + 1] ?? 0)));
  sections.push({
    id: "gan-change-of-variables",
    title: "GANs: the change of variables",
    text: `A generator pushes noise through a function. For y = tanh(x) with x ~ N(0, 1.5²), p_y(y) = p_x(f⁻¹(y)) / |f′(f⁻¹(y))|: where tanh is flat (|x| large) probability piles up near ±1. ${cov.explanation}`,
    metrics: { "L1(analytic, histogram)": cov.l1, "sampling noise L1": cov.samplingL1, samples: cov.samples },
    figures: [
      svgFigure(
        "tanh-density",
        "analytic p_y (red) and the histogram of pushed samples (blue)",
        lineChartSvg(
          [
            { name: "analytic p_y", x: cov.curve.y, y: cov.curve.density, color: "#d62728" },
            { name: "histogram", x: centres, y: cov.histogram.density, color: "#1f77b4" },
          ],
          { title: "y = tanh(x), x ~ N(0, 1.5²)", xLabel: "y", yLabel: "density" },
        ),
      ),
    ],
  });

  const rng = createRng(ctx.seed);
  const p = normalRows(0, Math.sqrt(1 / 8));
  const q = normalRows(0, Math.sqrt(1 / 2));
  const rows: (string | number)[][] = [];
  for (const prior of [0.5, 0.2]) {
    const n = 20_000;
    const nP = Math.round(prior * n);
    const est = fitDensityRatio(p.sample(nP, rng), q.sample(n - nP, rng), 1, { seed: ctx.seed });
    const withPrior = logRatioError(p, q, est, { seed: ctx.seed });
    const withoutPrior = logRatioError(p, q, { logRatio: (x) => est.probability(x).map((d) => Math.log(d / (1 - d))) }, { seed: ctx.seed });
    rows.push([prior, withPrior, withoutPrior]);
  }
  sections.push({
    id: "gan-density-ratio",
    title: "GANs: the density-ratio trick",
    text: "A classifier D(x) between samples of p* and q estimates r(x) = p*(x)/q(x) = D/(1−D) · (1−π)/π, where π is the share of p* samples. Here p* = N(0, 1/8), q = N(0, 1/2) and logistic regression on [1, x, x²] (exact for Gaussians). Forgetting (1−π)/π costs log((1−π)/π) when the classes are imbalanced.",
    tables: [{ caption: "mean |log r̂ − log r| over the bulk", columns: ["π", "with (1−π)/π", "without"], rows }],
  });

  sections.push(await conditionalGanSection(ctx, opts));
  return sections;
}

/** The default cGAN (trained on the first tour, then read from the cache): a row of samples per label, scored by the tour's classifier. */
async function conditionalGanSection(ctx: TourContext, opts: GanTourOptions): Promise<ReportSection> {
  const epochs = opts.epochs ?? TOUR_CGAN_EPOCHS;
  const loaded = await loadDefaultGan({
    train: ctx.dataset.train,
    epochs,
    seed: ctx.seed,
    onProgress: ctx.onProgress,
    ...(opts.stepsPerEpoch === undefined ? {} : { stepsPerEpoch: opts.stepsPerEpoch }),
    ...(opts.cacheDir === undefined ? {} : { cacheDir: opts.cacheDir }),
    ...(ctx.signal ? { signal: ctx.signal } : {}),
  });
  try {
    const { gan, record } = loaded;
    const grid = sampleGrid(gan);
    const test = ctx.dataset.test;
    const n = Math.min(ctx.quick ? 250 : 500, Math.floor(test.count / 2));
    const { images, labels } = generateImages(gan, n, ctx.seed);
    const score = await evaluateGenerator(ctx.model, images, n, test, labels);
    const how = loaded.cached
      ? `It was trained by an earlier tour (in ${record.trainSeconds.toFixed(0)} s) and read from the cache in ${loaded.dir}.`
      : `This tour trained it (in ${record.trainSeconds.toFixed(0)} s) and cached it in ${loaded.dir}; later tours read it from there.`;
    return {
      id: "gan-conditional",
      title: "GANs: a trained conditional GAN",
      text: `A conditional GAN (Mirza & Osindero 2014) feeds a label embedding to both networks; row k of the grid asks for digit k (ten noise vectors per row). It was trained with @dl/gan's default recipe for ${record.steps} steps (${epochs} epochs of ${record.trainCount} digits). ${how} The tour's classifier scores ${n} samples with balanced labels: the share it reads as the requested digit, and, in its penultimate layer, the Fréchet distance to real test digits (next to the distance between two real halves) and k-NN precision/recall. \`dl gan train --conditional --data mnist --epochs N --out DIR\` trains and scores one yourself.`,
      metrics: {
        "classifier accuracy on conditional samples": score.labelAccuracy,
        "lowest per-label accuracy": Math.min(...score.perLabelAccuracy.filter((a) => !Number.isNaN(a))),
        precision: score.precision,
        recall: score.recall,
        "Fréchet distance": score.frechet,
        "Fréchet real vs real": score.frechetRealBaseline,
        "training steps": record.steps,
        "training seconds": record.trainSeconds,
        "from the cache": loaded.cached ? "yes" : "no (trained now)",
      },
      figures: [
        pngFigure(
          "cgan-grid",
          `conditional samples of the trained cGAN (row = requested label 0–9, ${record.steps} training steps); classifier accuracy ${(100 * score.labelAccuracy).toFixed(1)} %`,
          imageGrid(grid.images, grid.count, grid.height, grid.width, { columns: grid.columns, padding: 2, scale: 2 }),
        ),
      ],
    };
  } finally {
    loaded.gan.dispose();
  }
}
