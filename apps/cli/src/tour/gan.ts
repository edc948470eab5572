import {
  changeOfVariables1d,
  fitDensityRatio,
  logRatioError,
  sampleGrid,
  trainImageGan,
} from "@dl/gan";
import { normalRows } from "@dl/bayes";
import { createRng, imageGrid, lineChartSvg, pngFigure, svgFigure, type ReportSection } from "@dl/tensor-core";

import type { TourContext } from "./context.js";

/** GANs in the tour: change of variables, the density-ratio trick, and a few conditional-GAN steps. */
export async function ganTourSection(ctx: TourContext): Promise<ReportSection[]> {
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

  const steps = ctx.quick ? 15 : 60;
  const result = await trainImageGan({
    train: ctx.dataset.train,
    classifier: ctx.model,
    conditional: true,
    arch: "mlp",
    epochs: 1,
    stepsPerEpoch: steps,
    epochSamples: 200,
    seed: ctx.seed,
    onProgress: ctx.onProgress,
    ...(ctx.signal ? { signal: ctx.signal } : {}),
  });
  const grid = sampleGrid(result.gan);
  const accuracy = result.history[result.history.length - 1]?.metrics?.["labelAccuracy"] ?? Number.NaN;
  result.gan.dispose();
  sections.push({
    id: "gan-conditional",
    title: "GANs: a conditional GAN, a few steps in",
    text: `A conditional GAN (Mirza & Osindero 2014) feeds a label embedding to the first layers of both networks; row k of the grid asks for digit k. This tour runs only ${steps} steps; \`dl gan train --conditional --data mnist --epochs 10 --out DIR\` trains it properly and scores it with the default classifier (per-label accuracy, Fréchet distance, precision/recall).`,
    metrics: { steps, "classifier accuracy on conditional samples": accuracy, seconds: result.seconds },
    figures: [pngFigure("cgan-grid", `conditional samples after ${steps} steps (row = requested label)`, imageGrid(grid.images, grid.count, grid.height, grid.width, { columns: grid.columns, padding: 2, scale: 2 }))],
  });
  return sections;
}
