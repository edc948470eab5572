import {
  FLOW_PICTURE_GRID,
  fitPlanarFlow,
  flowPictures,
  mixtureResponsibilities,
  sampleImages,
  sampleNamed,
  vaeGapRow,
} from "@dl/bayes";
import { imageGrid, lineChartSvg, pngFigure, svgFigure, type Figure, type ReportSection } from "@dl/tensor-core";

import type { TourContext } from "./context.js";

/** Bayesian deep learning in the tour: the mixture posterior, samplers, a planar flow and (full tour) a VAE's gaps. */
export async function bayesTourSection(ctx: TourContext): Promise<ReportSection[]> {
  const sections: ReportSection[] = [];

  // Mixture posterior of the seed's example: z = 1 is the component with μ = 0.
  const xs = Array.from({ length: 61 }, (_, i) => -2 + i * 0.1);
  const posterior = mixtureResponsibilities({ weights: [0.5, 0.5], means: [0, 2], covariances: [1, 1] }, xs);
  const phi = posterior.responsibilities.map((r) => r[0] ?? Number.NaN);
  sections.push({
    id: "bayes-mixture",
    title: "Mixture posterior φ(x) = p(z = 1 | x)",
    text: "Two unit-variance Gaussians at μ = 0 (z = 1) and μ = 2 (z = 2) with equal weights. The posterior of the first component is a logistic function of x: exactly ½ at the midpoint x = 1 and 1/(1 + e⁻²) ≈ 0.881 at x = 0. Computed in log space through Cholesky factors, so it stays finite far from both means.",
    metrics: { "p(z=1|x=1)": phi[30] ?? Number.NaN, "p(z=1|x=0)": phi[20] ?? Number.NaN },
    figures: [svgFigure("phi", "φ(x) = p(z = 1 | x) for the two-component mixture.", lineChartSvg([{ name: "p(z=1|x)", x: xs, y: phi }], { xLabel: "x", yLabel: "p(z = 1 | x)" }))],
  });

  // Samplers with a KS test against each distribution's own CDF.
  const n = ctx.quick ? 1000 : 4000;
  const cases: [string, Record<string, number>][] = [
    ["normal", { loc: 0, scale: 1 }],
    ["exponential", { rate: 1.5 }],
    ["weibull", { concentration: 1.5, scale: 2 }],
    ["gumbel", { loc: 0, scale: 1 }],
    ["gamma", { concentration: 2, rate: 1 }],
    ["beta", { concentration1: 2, concentration0: 5 }],
  ];
  const rows = cases.map(([name, params]) => {
    const r = sampleNamed(name, params, n, ctx.seed);
    return [
      `${name}(${Object.entries(params).map(([k, v]) => `${k}=${v}`).join(", ")})`,
      r.mean,
      r.sampleMean,
      r.ks?.statistic ?? Number.NaN,
      r.ks?.pValue ?? Number.NaN,
    ];
  });
  ctx.onProgress({ phase: "bayes samplers", step: 1, total: 1 });
  sections.push({
    id: "bayes-samplers",
    title: "TFP-shaped samplers, checked by Kolmogorov–Smirnov",
    text: `${n} samples of each distribution (TensorFlow Probability parameter names). Gamma and Beta samples carry implicit reparameterization gradients (Figurnov et al. 2018). Large p-values mean the samples are consistent with the CDF.`,
    tables: [{ caption: "Sample mean vs exact mean, KS statistic and p-value", columns: ["distribution", "mean", "sample mean", "KS D", "p-value"], rows }],
  });

  // A planar flow on U2.
  const flowSteps = ctx.quick ? 400 : 1500;
  const flow = await fitPlanarFlow("U2", {
    flows: 8,
    steps: flowSteps,
    seed: ctx.seed,
    klSamples: 5000,
    histogramGrid: FLOW_PICTURE_GRID,
    onProgress: ctx.onProgress,
    ...(ctx.signal === undefined ? {} : { signal: ctx.signal }),
  });
  const pictures = flowPictures(flow, flowSteps);
  const flowFigures: Figure[] = [
    { id: "target", caption: "Target density exp(−U2)/Z on [−4, 4]² (dark = dense, √ scale).", png: pictures.target },
    { id: "flow", caption: "Histogram of 5000 samples from the fitted flow (K = 8), same axes and scale.", png: pictures.flow },
    svgFigure(
      "loss",
      "What was minimised: E_q[log q + β·U] with β annealed from 0.01 to 1 over the first half of the steps, so early values can sit below −log Z; once β = 1 it is the free energy, which stays above −log Z (grey) by KL(q‖p).",
      pictures.lossSvg,
    ),
  ];
  sections.push({
    id: "bayes-flow",
    title: "Planar normalizing flow (Rezende & Mohamed 2015) on the energy U2",
    text: "A standard normal pushed through K = 8 planar layers, fitted by minimising the reverse KL. KL(q‖p) uses the exact normaliser from grid quadrature. `dl bayes flow --target U1..U4 --flows K` runs the full experiment.",
    metrics: { "KL(q‖p) nats": flow.kl.kl, "± (MC s.e.)": flow.kl.standardError, "log Z": flow.kl.logZ, seconds: flow.seconds },
    figures: flowFigures,
  });

  if (!ctx.quick) {
    const train = ctx.dataset.train;
    const { vae, testImages, ...row } = await vaeGapRow("diag", train, ctx.dataset.test, {
      trainCount: 3000,
      epochs: 3,
      testCount: 100,
      iwaeK: 200,
      localSteps: 100,
      elboSamples: 50,
      seed: ctx.seed,
      onProgress: ctx.onProgress,
      ...(ctx.signal === undefined ? {} : { signal: ctx.signal }),
    });
    const images = sampleImages(vae, 36, ctx.seed);
    vae.dispose();
    testImages.dispose();
    sections.push({
      id: "bayes-vae",
      title: "A small VAE and its inference gaps",
      text: "A diagonal-Gaussian VAE (latent dimension 8) trained for a few epochs on 3000 dynamically binarized images. On 100 test images: L[q] with the encoder, L[q*] after per-datapoint optimisation, and the IWAE estimate of log p(x). `dl bayes gaps` compares the encoder families.",
      metrics: {
        "log p̂(x)": row.logLikelihood,
        "L[q*]": row.elboOptimal,
        "L[q]": row.elbo,
        "approximation gap": row.approximationGap,
        "amortization gap": row.amortizationGap,
      },
      figures: [
        pngFigure("samples", "Decoder means for 36 draws from the prior.", imageGrid(images, 36, train.height, train.width, { columns: 6, padding: 2 }), {
          displayWidth: 240,
          pixelated: true,
        }),
      ],
    });
  }
  return sections;
}
