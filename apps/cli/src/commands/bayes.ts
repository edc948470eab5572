import { readFile } from "node:fs/promises";

import { Option, type Command } from "commander";

import {
  DISTRIBUTION_NAMES,
  DISTRIBUTION_PARAMETER_NAMES,
  ENERGY_NAMES,
  type FitFlowResult,
  type Grid,
  type GaussianMixture,
  type GapRow,
  VAE_FAMILIES,
  fitPlanarFlow,
  flowLossChart,
  measureGaps,
  mixtureResponsibilities,
  parseEnergyName,
  parseVaeFamily,
  sampleImages,
  sampleNamed,
  targetDensityGrid,
  vaeGapRow,
} from "@dl/bayes";
import {
  DATASET_NAMES,
  DlError,
  backendInfo,
  barChartSvg,
  barChartRaster,
  densityRaster,
  encodeNpy,
  encodePng,
  imageGrid,
  initBackend,
  lineChartRaster,
  lineChartSvg,
  loadDataset,
  parseDatasetName,
  readNpy,
} from "@dl/tensor-core";

import { assertWritableDir, interruptSignal, log, printJson, progressReporter, writeFileAtomic, writeOutputs } from "../io.js";
import { InvalidOptionError, backendOption, parseFloat32, parseInteger, parsePositiveNumber, seedOption, type CommonOptions } from "../options.js";

async function init(opts: CommonOptions): Promise<void> {
  await initBackend(opts.backend === undefined ? {} : { backend: opts.backend });
}

// ---- dl bayes mixture ---------------------------------------------------------------------------

interface MixtureOptions extends CommonOptions {
  params: string;
  x: string;
}

async function readMixture(path: string): Promise<GaussianMixture> {
  let text: string;
  try {
    text = await readFile(path, "utf8");
  } catch (cause) {
    throw new DlError("FILE_NOT_FOUND", `Cannot read the mixture parameters ${path}; pass a JSON file with weights, means and covariances.`, { cause });
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (cause) {
    throw new DlError("MALFORMED_FILE", `${path} is not valid JSON; expected { "weights": [...], "means": [...], "covariances": [...] }.`, { cause });
  }
  const v = value as Partial<Record<string, unknown>>;
  if (typeof value !== "object" || value === null || !Array.isArray(v["weights"]) || !Array.isArray(v["means"]) || !Array.isArray(v["covariances"])) {
    throw new DlError("MALFORMED_FILE", `${path} needs the arrays "weights" (K), "means" (K×D) and "covariances" (K×D×D).`);
  }
  return value as GaussianMixture;
}

function registerMixture(bayes: Command): void {
  bayes
    .command("mixture")
    .description("posterior responsibilities p(z = k | x) of a full-covariance Gaussian mixture")
    .requiredOption("--params <file.json>", 'mixture JSON: { "weights": [K], "means": [K][D], "covariances": [K][D][D] }')
    .requiredOption("--x <file.npy>", "points, an [N, D] (or [N] for D = 1) .npy array")
    .option("--json", "print one JSON document on stdout")
    .action(async (opts: MixtureOptions) => {
      const mixture = await readMixture(opts.params);
      const x = await readNpy(opts.x);
      const posterior = mixtureResponsibilities(mixture, { data: x.data, shape: x.shape });
      const n = posterior.responsibilities.length;
      const k = mixture.weights.length;
      if (opts.json === true) {
        printJson({ n, k, responsibilities: posterior.responsibilities, logMarginal: posterior.logMarginal });
        return;
      }
      process.stdout.write(`${["point", ...Array.from({ length: k }, (_, j) => `p(z=${j + 1}|x)`)].join("\t")}\n`);
      posterior.responsibilities.forEach((row, i) => process.stdout.write(`${[String(i), ...row.map((p) => p.toPrecision(6))].join("\t")}\n`));
    });
}

// ---- dl bayes sample ----------------------------------------------------------------------------

type SampleOptions = CommonOptions & { dist: string; n: number; out: string } & Record<string, unknown>;

function registerSample(bayes: Command): void {
  const cmd = bayes
    .command("sample")
    .description(`draw samples of a distribution (TFP names: ${DISTRIBUTION_NAMES.join(", ")}) and KS-test them against its CDF`)
    .requiredOption("--dist <name>", `distribution: ${DISTRIBUTION_NAMES.join(", ")}`)
    .requiredOption("--n <count>", "number of samples (at most 100,000: sampling and the KS test take ≈ 15 s there and grow faster than linearly)", parseInteger("--n", 1, 100_000))
    .requiredOption("--out <file.npy>", "where the samples go (float32 .npy)")
    .addOption(seedOption())
    .addOption(backendOption())
    .option("--json", "print one JSON document on stdout");
  for (const name of DISTRIBUTION_PARAMETER_NAMES) cmd.option(`--${name} <value>`, `parameter ${name} (TFP name; within float32's range)`, parseFloat32(`--${name}`));
  cmd.action(async (opts: SampleOptions) => {
    const params: Record<string, number> = {};
    for (const name of DISTRIBUTION_PARAMETER_NAMES) {
      const v = opts[name];
      if (typeof v === "number") params[name] = v;
    }
    if (!opts.out.endsWith(".npy")) throw new InvalidOptionError(`--out needs a .npy file name, got "${opts.out}".`);
    await init(opts);
    const r = sampleNamed(opts.dist, params, opts.n, opts.seed ?? 42);
    await writeFileAtomic(opts.out, encodeNpy({ data: r.samples, shape: [r.samples.length], dtype: "float32" }));
    const summary = {
      distribution: r.distribution,
      params: r.params,
      n: r.samples.length,
      seed: opts.seed ?? 42,
      backend: backendInfo().name,
      out: opts.out,
      mean: r.mean,
      variance: r.variance,
      sampleMean: r.sampleMean,
      sampleVariance: r.sampleVariance,
      ks: r.ks,
    };
    if (opts.json === true) {
      printJson(summary);
      return;
    }
    log(`wrote ${r.samples.length} samples to ${opts.out}`);
    process.stdout.write(
      `${r.distribution}(${Object.entries(r.params).map(([k, v]) => `${k}=${v}`).join(", ")}): mean ${r.sampleMean.toPrecision(5)} (exact ${r.mean.toPrecision(5)}), variance ${r.sampleVariance.toPrecision(5)} (exact ${r.variance.toPrecision(5)})\n`,
    );
    if (r.ks !== null) process.stdout.write(`KS against the CDF: D = ${r.ks.statistic.toPrecision(4)}, p = ${r.ks.pValue.toPrecision(4)}\n`);
  });
}

// ---- dl bayes flow ------------------------------------------------------------------------------

interface FlowOptions extends CommonOptions {
  target: string;
  flows: number;
  out: string;
  steps: number;
  batchSize: number;
  learningRate: number;
}

/** Where flows are pictured: [−4, 4]² in 100 × 100 cells. */
export const PICTURE_GRID: Grid = { x: [-4, 4], y: [-4, 4], nx: 100, ny: 100 };

/**
 * The pictures of a fitted flow: the target density and the flow's sample histogram on [−4, 4]² with
 * titled, ticked z₁/z₂ axes, and the loss curve labelled as the β-annealed objective it is.
 */
export function flowPictures(result: FitFlowResult, steps: number): { target: Uint8Array; flow: Uint8Array; lossSvg: string; lossPng: Uint8Array } {
  const picture = (values: ArrayLike<number>, title: string): Uint8Array =>
    encodePng(densityRaster(values, PICTURE_GRID.nx, PICTURE_GRID.ny, { width: 420, height: 440, title, xLabel: "z₁", yLabel: "z₂", xDomain: PICTURE_GRID.x, yDomain: PICTURE_GRID.y }));
  const chart = flowLossChart(result.history, { target: result.target, flows: result.flows, logZ: result.kl.logZ, steps });
  return {
    target: picture(targetDensityGrid(result.target, PICTURE_GRID), `target p(z) ∝ exp(−U(z)), ${result.target}`),
    flow: picture(result.histogram ?? new Float64Array(PICTURE_GRID.nx * PICTURE_GRID.ny), `flow q(z), K = ${result.flows} (histogram of samples)`),
    lossSvg: lineChartSvg(chart.series, { title: chart.title, xLabel: chart.xLabel, yLabel: chart.yLabel, width: 820 }),
    lossPng: encodePng(lineChartRaster(chart.series, { title: chart.title, xLabel: chart.xLabel, yLabel: chart.yLabel, width: 820, height: 320 })),
  };
}

export function flowSummary(r: FitFlowResult): Record<string, unknown> {
  return {
    target: r.target,
    flows: r.flows,
    kl: r.kl.kl,
    klStandardError: r.kl.standardError,
    logZ: r.kl.logZ,
    klSamples: r.kl.samples,
    seconds: r.seconds,
    plateauStep: r.plateauStep,
    plateauSeconds: r.plateauSeconds,
    finalLoss: r.history[r.history.length - 1]?.loss,
  };
}

function registerFlow(bayes: Command): void {
  bayes
    .command("flow")
    .description("fit a planar flow of K layers to a 2-D energy of Rezende & Mohamed (2015); report KL(q‖p) with an exact normaliser")
    .requiredOption("--target <name>", `target energy: ${ENERGY_NAMES.join(", ")}`)
    .requiredOption("--flows <K>", "number of planar layers (at most 256)", parseInteger("--flows", 1, 256))
    .requiredOption("--out <dir>", "folder for result.json, target.png, flow.png and loss.png/svg")
    .option("--steps <n>", "optimisation steps (at most 1,000,000)", parseInteger("--steps", 1, 1_000_000), 2000)
    .option("--batch-size <n>", "Monte Carlo samples per step (at most 65,536)", parseInteger("--batch-size", 1, 65_536), 256)
    .addOption(new Option("--learning-rate <x>", "Adam learning rate, in (0, 10]").default(5e-3).argParser(parsePositiveNumber("--learning-rate", 10)))
    .addOption(seedOption())
    .addOption(backendOption())
    .option("--json", "print one JSON document on stdout")
    .action(async (opts: FlowOptions) => {
      const target = parseEnergyName(opts.target);
      await assertWritableDir(opts.out);
      await init(opts);
      const progress = progressReporter("flow");
      const interrupt = interruptSignal();
      let result: FitFlowResult;
      try {
        result = await fitPlanarFlow(target, {
          flows: opts.flows,
          steps: opts.steps,
          batchSize: opts.batchSize,
          learningRate: opts.learningRate,
          seed: opts.seed ?? 42,
          histogramGrid: PICTURE_GRID,
          onProgress: progress.onProgress,
          signal: interrupt.signal,
        });
      } finally {
        progress.stop();
        interrupt.dispose();
      }
      const summary = { ...flowSummary(result), backend: backendInfo().name };
      const pictures = flowPictures(result, opts.steps);
      await writeOutputs(opts.out, [
        ["result.json", `${JSON.stringify({ ...summary, history: result.history, parameters: result.parameters }, null, 2)}\n`],
        ["target.png", pictures.target],
        ["flow.png", pictures.flow],
        ["loss.png", pictures.lossPng],
        ["loss.svg", pictures.lossSvg],
      ]);
      if (opts.json === true) {
        printJson(summary);
        return;
      }
      process.stdout.write(
        `${target}, K = ${result.flows}: KL(q‖p) = ${result.kl.kl.toFixed(4)} ± ${result.kl.standardError.toFixed(4)} nats (log Z = ${result.kl.logZ.toFixed(4)}), ${result.seconds.toFixed(1)} s, plateau at step ${result.plateauStep} (${result.plateauSeconds.toFixed(1)} s)\n`,
      );
    });
}

// ---- dl bayes vae / gaps ------------------------------------------------------------------------

interface VaeCommonOptions extends CommonOptions {
  data: string;
  out: string;
  epochs: number;
  /** Set by `resolveTrainCount` once the split's size is known. */
  trainCount?: number;
  latentDim: number;
  iwaeK: number;
  localSteps: number;
  testCount: number;
}

function addVaeOptions(cmd: Command): Command {
  return cmd
    .option("--data <name>", `dataset: ${DATASET_NAMES.join(" or ")}`, "mnist")
    .requiredOption("--out <dir>", "output folder")
    .option("--epochs <n>", "training epochs (at most 1000)", parseInteger("--epochs", 1, 1000), 5)
    .option("--train-count <n>", "train on this many images of the train split (default: 10,000, or all of it if smaller; at most its size: mnist 8,000, fashion-mnist 60,000)", parseInteger("--train-count", 100, 60_000))
    .option("--latent-dim <n>", "latent dimension (at most 512)", parseInteger("--latent-dim", 1, 512), 8)
    .option("--iwae-k <n>", "importance samples for log p(x) (at most 100,000)", parseInteger("--iwae-k", 1, 100_000), 1000)
    .option("--local-steps <n>", "per-datapoint optimisation steps for q* (at most 100,000)", parseInteger("--local-steps", 1, 100_000), 300)
    .option("--test-count <n>", "size of the fixed test subset (at most 10,000)", parseInteger("--test-count", 1, 10_000), 200)
    .addOption(seedOption())
    .addOption(backendOption())
    .option("--json", "print one JSON document on stdout");
}

/** The default 10,000 images, or the whole split if smaller; more than the split has is refused, not silently capped. */
function resolveTrainCount(opts: VaeCommonOptions, available: number): void {
  if (opts.trainCount !== undefined && opts.trainCount > available) {
    throw new InvalidOptionError(`--train-count ${opts.trainCount} exceeds the ${available} images of the ${opts.data} train split; use at most ${available}.`);
  }
  opts.trainCount ??= Math.min(10_000, available);
}

function experimentOptions(opts: VaeCommonOptions): {
  epochs: number;
  trainCount: number;
  latentDim: number;
  iwaeK: number;
  localSteps: number;
  testCount: number;
  seed: number;
} {
  return {
    epochs: opts.epochs,
    trainCount: opts.trainCount ?? 10_000,
    latentDim: opts.latentDim,
    iwaeK: opts.iwaeK,
    localSteps: opts.localSteps,
    testCount: opts.testCount,
    seed: opts.seed ?? 42,
  };
}

function rowSummary(row: GapRow): Record<string, unknown> {
  return { ...row };
}

function registerVae(bayes: Command): void {
  addVaeOptions(
    bayes
      .command("vae")
      .description("train a VAE with one encoder family on dynamically binarized images; ELBO, IWAE log p(x) and its gaps")
      .requiredOption("--family <name>", `encoder family: ${VAE_FAMILIES.join(", ")}`),
  ).action(async (opts: VaeCommonOptions & { family: string }) => {
    const family = parseVaeFamily(opts.family);
    const data = parseDatasetName(opts.data);
    await assertWritableDir(opts.out);
    await init(opts);
    const train = await loadDataset(data, { split: "train" });
    resolveTrainCount(opts, train.count);
    const test = await loadDataset(data, { split: "test" });
    const progress = progressReporter("vae");
    const interrupt = interruptSignal();
    let files: [string, string | Uint8Array][];
    let summary: Record<string, unknown>;
    try {
      const { vae, testImages, ...row } = await vaeGapRow(family, train, test, {
        ...experimentOptions(opts),
        onProgress: progress.onProgress,
        signal: interrupt.signal,
      });
      const images = sampleImages(vae, 64, opts.seed ?? 42);
      vae.dispose();
      testImages.dispose();
      summary = { data, backend: backendInfo().name, ...experimentOptions(opts), ...rowSummary(row) };
      const grid = imageGrid(images, 64, train.height, train.width, { columns: 8, padding: 2 });
      files = [
        ["result.json", `${JSON.stringify(summary, null, 2)}\n`],
        ["samples.png", encodePng(grid)],
      ];
    } finally {
      progress.stop();
      interrupt.dispose();
    }
    await writeOutputs(opts.out, files);
    if (opts.json === true) {
      printJson(summary);
      return;
    }
    const r = summary as unknown as GapRow;
    process.stdout.write(
      `${family}: L[q] = ${r.elbo.toFixed(2)}, L[q*] = ${r.elboOptimal.toFixed(2)}, log p̂(x) = ${r.logLikelihood.toFixed(2)} nats; approximation gap ${r.approximationGap.toFixed(2)}, amortization gap ${r.amortizationGap.toFixed(2)}\n`,
    );
  });
}

/** The gap table as Markdown. */
export function gapTable(rows: readonly GapRow[]): string {
  const head = "| model | log p̂(x) | L[q*] | L[q] | approximation gap | amortization gap | recovered by SVI (steps: share) |\n|---|---|---|---|---|---|---|\n";
  return (
    head +
    rows
      .map(
        (r) =>
          `| ${r.model} | ${r.logLikelihood.toFixed(2)} | ${r.elboOptimal.toFixed(2)} | ${r.elbo.toFixed(2)} | ${r.approximationGap.toFixed(2)} | ${r.amortizationGap.toFixed(2)} | ${r.refinement
            .filter((p) => p.steps > 0)
            .map((p) => `${p.steps}: ${(100 * p.recovered).toFixed(0)}%`)
            .join(", ")} |`,
      )
      .join("\n") +
    "\n"
  );
}

function registerGaps(bayes: Command): void {
  addVaeOptions(
    bayes
      .command("gaps")
      .description("approximation vs amortization gap per encoder family (Cremer, Li & Duvenaud 2018), plus a larger encoder and SVI refinement"),
  ).action(async (opts: VaeCommonOptions) => {
    const data = parseDatasetName(opts.data);
    await assertWritableDir(opts.out);
    await init(opts);
    const train = await loadDataset(data, { split: "train" });
    resolveTrainCount(opts, train.count);
    const test = await loadDataset(data, { split: "test" });
    const progress = progressReporter("gaps");
    const interrupt = interruptSignal();
    let result: Awaited<ReturnType<typeof measureGaps>>;
    try {
      result = await measureGaps(train, test, { ...experimentOptions(opts), onProgress: progress.onProgress, signal: interrupt.signal });
    } finally {
      progress.stop();
      interrupt.dispose();
    }
    const summary = { data, backend: backendInfo().name, seconds: result.seconds, config: result.config, rows: result.rows };
    const bars = result.rows.flatMap((r) => [
      { label: `${r.model}: approx.`, value: r.approximationGap, color: "#1f77b4" },
      { label: `${r.model}: amort.`, value: r.amortizationGap, color: "#d62728" },
    ]);
    const chart = { title: "Gaps in nats (test subset)", yLabel: "nats" };
    await writeOutputs(opts.out, [
      ["gaps.json", `${JSON.stringify(summary, null, 2)}\n`],
      ["gaps.md", gapTable(result.rows)],
      ["gaps.png", encodePng(barChartRaster(bars, { ...chart, width: 560, height: 300 }))],
      ["gaps.svg", barChartSvg(bars, chart)],
    ]);
    if (opts.json === true) {
      printJson(summary);
      return;
    }
    process.stdout.write(gapTable(result.rows));
  });
}

export function registerBayesCommands(program: Command): void {
  const bayes = program.command("bayes").description("Bayesian deep learning: distributions, mixtures, flows, VAEs and their gaps");
  registerMixture(bayes);
  registerSample(bayes);
  registerFlow(bayes);
  registerVae(bayes);
  registerGaps(bayes);
}
