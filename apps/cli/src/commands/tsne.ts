import { basename } from "node:path";

import { Option, type Command } from "commander";

import { encodeNpy, encodePng, placeImagesAt, scatterRaster } from "@dl/tensor-core/host";
import {
  DEFAULT_ITERATIONS,
  TSNE_METHODS,
  TSNE_METRICS,
  tsneWithMetrics,
  type TsneMethod,
  type TsneMetric,
  type TsneResult,
  type TsneWithMetrics,
} from "@dl/interpretability/tsne";

import { runAction, startBackend, type ActionOutcome } from "../action.js";
import { loadPoints, type LoadedPoints, type PointSourceOptions } from "./tsne/inputs.js";
import { log, type OutputFile } from "../io.js";
import { InvalidOptionError, backendOption, parseInteger, parseNumber, seedOption, type CommonOptions } from "../options.js";

interface TsneCliOptions extends CommonOptions, PointSourceOptions {
  perplexity: number;
  dims: number;
  method: TsneMethod;
  metric: TsneMetric;
  iterations: number;
  threads?: number;
  pca: number;
  mosaicSize: number;
  mosaicCount: number;
  out: string;
}

export function registerTsneCommands(program: Command): void {
  program
    .command("tsne")
    .description("t-SNE of a .npy matrix or an embedded dataset; writes embedding.npy, a scatter PNG and an image mosaic")
    .option("--input <file>", "N × d (or N × H × W) .npy array")
    .option("--data <name>", "embedded dataset: mnist or fashion-mnist (all of it; --n to sample)")
    .option("--labels <file>", "N labels (.npy) for the k-NN accuracy and colours (with --input)")
    .option("--n <count>", "use N points (a stratified sample with --data; the first N rows with --input; at most 1,000,000)", parseInteger("--n", 4, 1_000_000))
    .option("--perplexity <p>", "effective number of neighbours, 1 … (N − 1)/3", parseNumber("--perplexity"), 30)
    .option("--dims <k>", "embedding dimension: 2 or 3", parseInteger("--dims"), 2)
    .addOption(new Option("--method <name>", "gradient: auto, exact, bh (Barnes–Hut), fft (FIt-SNE, 2-D) or hybrid (FFT or Barnes–Hut per iteration, whichever is cheaper; 2-D)").choices(TSNE_METHODS).default("auto"))
    .addOption(new Option("--metric <name>", "input distance").choices(TSNE_METRICS).default("euclidean"))
    .option("--iterations <n>", "gradient-descent iterations (250 of them exaggerated, so at least 300; at most 100,000)", parseInteger("--iterations", 300, 100_000), DEFAULT_ITERATIONS)
    .option("--threads <n>", "threads for the optimisation (default: the cores available, at most 8; the embedding does not depend on it)", parseInteger("--threads", 1, 256))
    .option("--pca <k>", "reduce wider inputs to k principal components first (0 = off; at most 10,000)", parseInteger("--pca", 0, 10_000), 50)
    .option("--mosaic-size <px>", "side of the image mosaic in pixels (at most 8192)", parseInteger("--mosaic-size", 64, 8192), 1600)
    .option("--mosaic-count <n>", "images drawn in the mosaic (an even sample; at most 100,000)", parseInteger("--mosaic-count", 1, 100_000), 3000)
    .addOption(seedOption())
    .addOption(backendOption())
    .requiredOption("--out <dir>", "folder for embedding.npy, scatter.png, mosaic.png and metrics.json")
    .option("--json", "print one JSON document on stdout")
    .action((opts: TsneCliOptions) =>
      runAction("tsne", opts, async ({ seed, signal, onProgress }) => {
        if (opts.dims !== 2 && opts.dims !== 3) throw new InvalidOptionError(`--dims must be 2 or 3, got ${opts.dims}.`);
        const loadStarted = performance.now();
        const points = await loadPoints(opts, seed);
        const load = (performance.now() - loadStarted) / 1000;
        // t-SNE runs on its own WebAssembly kernels and threads; a tfjs backend (its start-up is ~0.15 s and, for
        // tfjs-wasm, a pool of threads) is set up only for the PCA of wider inputs, or when --backend names one.
        const backendStarted = performance.now();
        const pcaRuns = opts.pca > 0 && points.d > opts.pca && points.n > opts.pca;
        const backend = pcaRuns || opts.backend !== undefined ? await startBackend(opts.backend) : undefined;
        const backendSeconds = (performance.now() - backendStarted) / 1000;
        log(`dl tsne: ${points.n} points × ${points.d} from ${points.source}, ${backend === undefined ? "no tfjs backend needed" : `backend ${backend}`}`);
        // The figures are drawn while the worker threads measure trustworthiness (they show no metric).
        let figures: Figures | undefined;
        const run = await tsneWithMetrics(points.data, points.n, points.d, {
          dims: opts.dims,
          perplexity: opts.perplexity,
          method: opts.method,
          metric: opts.metric,
          iterations: opts.iterations,
          pcaComponents: opts.pca,
          ...(opts.threads === undefined ? {} : { threads: opts.threads }),
          seed,
          onProgress,
          signal,
          ...(points.labels === undefined ? {} : { labels: points.labels }),
          alongsideMetrics: (result) => (figures = figureFiles(opts, points, result)),
        });
        return tsneOutcome(opts, points, run, seed, { load, backend, backendSeconds }, figures ?? figureFiles(opts, points, run.result));
      }, { backend: false }),
    );
}

/** embedding.npy, the scatter PNG and the image mosaic of an embedding, and the seconds they took. */
interface Figures {
  files: OutputFile[];
  seconds: number;
}

function figureFiles(opts: TsneCliOptions, points: LoadedPoints, result: TsneResult): Figures {
  const started = performance.now();
  const dims = result.model.dims;
  const xy = new Float32Array(points.n * 2);
  for (let i = 0; i < points.n; i++) {
    xy[2 * i] = result.embedding[i * dims] ?? 0;
    xy[2 * i + 1] = result.embedding[i * dims + 1] ?? 0;
  }
  const files: OutputFile[] = [
    ["embedding.npy", encodeNpy({ data: result.embedding, shape: [points.n, dims], dtype: "float32" })],
    [
      "scatter.png",
      encodePng(
        scatterRaster(xy, {
          width: 800,
          height: 800,
          title: `t-SNE of ${points.n} points from ${basename(points.source)} (perplexity ${result.model.perplexity})`,
          xLabel: "t-SNE 1",
          yLabel: "t-SNE 2",
          ...(points.labels === undefined ? {} : { labels: points.labels }),
          ...(points.classNames === undefined ? {} : { classNames: points.classNames }),
        }),
        { compact: true },
      ),
    ],
  ];
  if (points.images !== undefined) {
    const { pixels, height, width } = points.images;
    const count = Math.min(points.n, opts.mosaicCount);
    const step = points.n / count;
    const pick = Array.from({ length: count }, (_, i) => Math.floor(i * step));
    const sampleXy = new Float32Array(count * 2);
    const sampleImages = new Float32Array(count * height * width);
    pick.forEach((src, i) => {
      sampleXy[2 * i] = xy[2 * src] ?? 0;
      sampleXy[2 * i + 1] = xy[2 * src + 1] ?? 0;
      sampleImages.set(pixels.subarray(src * height * width, (src + 1) * height * width), i * height * width);
    });
    files.push(["mosaic.png", encodePng(placeImagesAt(sampleXy, sampleImages, count, height, width, { width: opts.mosaicSize, height: opts.mosaicSize }), { compact: true })]);
  }
  return { files, seconds: (performance.now() - started) / 1000 };
}

/** The files and summary of a finished run, with its figures. */
function tsneOutcome(
  opts: TsneCliOptions,
  points: LoadedPoints,
  run: TsneWithMetrics,
  seed: number,
  setup: { load: number; backend: string | undefined; backendSeconds: number },
  figures: Figures,
): ActionOutcome {
  const summaryStarted = performance.now();
  const { result } = run;
  const dims = result.model.dims;
  const files = [...figures.files];
  const metrics = {
    source: points.source,
    n: points.n,
    inputDims: points.d,
    tsneInputDims: run.inputDims,
    dims,
    method: result.method,
    metric: opts.metric,
    perplexity: opts.perplexity,
    iterations: result.iterations,
    learningRate: result.learningRate,
    threads: result.threads,
    seed,
    // The tfjs backend the PCA ran on; null when none was set up (t-SNE itself needs none).
    backend: setup.backend ?? null,
    seconds: run.pcaSeconds + result.seconds,
    pcaSeconds: run.pcaSeconds,
    tsneSeconds: result.seconds,
    kl: result.kl,
    knnAccuracy: run.knnAccuracy ?? null,
    inputKnnAccuracy: run.inputKnnAccuracy ?? null,
    trustworthiness: run.trustworthiness,
    trustworthinessStandardError: run.trustworthinessStandardError,
    k: run.metricsK,
    klHistory: result.klHistory,
  };
  // Setting up the backend is part of the PCA it serves. The figures were drawn during the metrics, whose phase leaves them out.
  const phases = { load: setup.load, ...run.phases, pca: run.phases.pca + setup.backendSeconds, figures: figures.seconds + (performance.now() - summaryStarted) / 1000 };
  files.push(["metrics.json", `${JSON.stringify({ ...metrics, phases }, null, 2)}\n`]);
  const summary =
    `t-SNE (${result.method}) of ${points.n} points in ${metrics.seconds.toFixed(1)} s: KL ${result.kl.toFixed(3)}, trustworthiness@${run.metricsK} ${run.trustworthiness.toFixed(3)}` +
    (run.knnAccuracy === undefined ? "" : `, ${run.metricsK}-NN accuracy ${run.knnAccuracy.toFixed(3)}`);
  return { files, json: metrics, summary, phases };
}
