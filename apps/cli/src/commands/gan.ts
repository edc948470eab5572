import { mkdtemp, readdir, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";

import type * as tfl from "@tensorflow/tfjs-layers";
import { Option, type Command } from "commander";

import {
  GAN_ARCHS,
  assertResumableOn,
  changeOfVariables1d,
  changeOfVariables2d,
  fitDensityRatio,
  ganCheckpointState,
  generateImages,
  logRatioError,
  compareEncoder,
  grid25Config,
  grid25ModeCoverage,
  parseGrid25Method,
  runGrid25,
  summariseGrid25,
  type Grid25Run,
  parseEncoderMethod,
  sampleGrid25,
  type ModeCoverageRun,
  parseGanArch,
  resolveMap1d,
  restoreGan,
  trainImageGan,
  type Gan,
  type GanCheckpointState,
  type ImageGanEpoch,
} from "@dl/gan";
import { parseDistribution } from "@dl/bayes";
import {
  DlError,
  encodePng,
  imageGrid,
  initBackend,
  lineChartSvg,
  loadDataset,
  loadDefaultModel,
  loadLayersModel,
  parseDatasetName,
  readNpy,
  sampleDataset,
  saveModel,
  backendInfo,
  createRng,
  encodeNpy,
  barChartSvg,
  scatterRaster,
  type LineSeries,
} from "@dl/tensor-core";

import { assertWritableDir, exists, interruptSignal, log, printJson, progressReporter, writeFileAtomic, writeOutputs, type OutputFile } from "../io.js";
import { backendOption, parseInteger, parseNumber, seedOption, type CommonOptions } from "../options.js";
import { covFiles1d, covFiles2d } from "./covFigures.js";

/** Files of a saved model, read back from a scratch folder so outputs stay atomic. */
async function modelFiles(model: tfl.LayersModel, prefix: string): Promise<OutputFile[]> {
  const scratch = await mkdtemp(join(tmpdir(), "dl-gan-model-"));
  try {
    await saveModel(model, scratch);
    const names = (await readdir(scratch)).filter((n) => !n.startsWith("."));
    // Awaited here: the finally must not remove the scratch folder while its files are still being read.
    return await Promise.all(names.map(async (n): Promise<OutputFile> => [join(prefix, n), new Uint8Array(await readFile(join(scratch, n)))]));
  } finally {
    await rm(scratch, { recursive: true, force: true });
  }
}

function gridPng(grid: ImageGanEpoch["grid"]): Uint8Array {
  const raster = imageGrid(grid.images, grid.count, grid.height, grid.width, { columns: grid.columns, padding: 2, scale: 2 });
  return encodePng(raster);
}

async function init(opts: CommonOptions): Promise<void> {
  await initBackend(opts.backend === undefined ? {} : { backend: opts.backend });
}

// ---- dl gan cov ---------------------------------------------------------------------------------

interface CovOptions extends CommonOptions {
  out: string;
  f: string;
  base: string;
  samples: number;
  bins?: number;
}

function registerCov(gan: Command): void {
  gan
    .command("cov")
    .description("change of variables: density of y = f(x) for x ~ base, beside the histogram of pushed samples")
    .requiredOption("--f <expr>", "map: tanh, sigmoid, cubic, exp, square or an expression in x (2-D base: banana, tanh, shear or 'E1; E2' in x1, x2)")
    .option("--base <dist>", "base density, TFP parameters: normal(loc, scale), laplace(loc, scale), mvn_diag([..], [..])", "normal(0, 1)")
    .option("--samples <n>", "samples pushed through f (at most 1,000,000: ≈ 10 s, 0.3 GB)", parseInteger("--samples", 100, 1_000_000), 100_000)
    .option("--bins <n>", "histogram bins (per axis in 2-D; at most 1000)", parseInteger("--bins", 2, 1000))
    .requiredOption("--out <dir>", "folder for index.html, result.json and the figures (1-D: density.png/svg; 2-D: analytic.png, histogram.png)")
    .addOption(seedOption())
    .addOption(backendOption())
    .option("--json", "print one JSON document on stdout")
    .action(async (opts: CovOptions) => {
      const base = parseDistribution(opts.base);
      const seed = opts.seed ?? 42;
      if (base.dim === 1) resolveMap1d(opts.f);
      await assertWritableDir(opts.out);
      await init(opts);
      if (base.dim === 1) {
        const r = changeOfVariables1d(opts.f, base, { seed, samples: opts.samples, ...(opts.bins ? { bins: opts.bins } : {}) });
        const summary = { f: r.f, base: r.base, monotone: r.monotone, turningPoints: r.turningPoints, explanation: r.explanation, samples: r.samples, bins: r.histogram.counts.length, l1: r.l1, samplingL1: r.samplingL1 };
        const files: OutputFile[] = [
          ["result.json", `${JSON.stringify({ ...summary, curve: r.curve, histogram: r.histogram }, jsonArrays, 2)}\n`],
          ...covFiles1d(r),
        ];
        const written = await writeOutputs(opts.out, files);
        log(r.explanation);
        log(`L1(analytic, histogram) = ${r.l1.toFixed(4)} (sampling noise alone ≈ ${r.samplingL1.toFixed(4)}); wrote ${opts.out}`);
        if (opts.json === true) printJson({ ...summary, out: opts.out, files: written });
      } else if (base.dim === 2) {
        const parts = opts.f.split(";").map((s) => s.trim());
        const map = parts.length === 2 ? ([parts[0] ?? "", parts[1] ?? ""] as const) : opts.f;
        const r = changeOfVariables2d(map, base, { seed, samples: opts.samples, ...(opts.bins ? { bins: opts.bins } : {}) });
        const summary = { f: r.f, base: r.base, samples: r.samples, bins: r.histogram.edges1.length - 1, l1: r.l1, samplingL1: r.samplingL1 };
        const written = await writeOutputs(opts.out, [["result.json", `${JSON.stringify({ ...summary, histogram: r.histogram, analytic: r.analytic }, jsonArrays, 2)}\n`], ...covFiles2d(r)]);
        log(`L1(analytic, 2-D histogram) = ${r.l1.toFixed(4)} (sampling noise alone ≈ ${r.samplingL1.toFixed(4)}); wrote ${opts.out}`);
        if (opts.json === true) printJson({ ...summary, out: opts.out, files: written });
      } else {
        throw new DlError("INVALID_ARGUMENT", `dl gan cov handles 1-D and 2-D bases; ${base.spec} has ${base.dim} dimensions.`);
      }
    });
}

function jsonArrays(_key: string, value: unknown): unknown {
  return ArrayBuffer.isView(value) && !(value instanceof DataView) ? Array.from(value as unknown as ArrayLike<number>) : value;
}

// ---- dl gan ratio -------------------------------------------------------------------------------

interface RatioOptions extends CommonOptions {
  p: string;
  q: string;
  prior: number;
  n: number;
  classifier: "logistic" | "mlp";
  at?: string;
}

function registerRatio(gan: Command): void {
  gan
    .command("ratio")
    .description("density ratio p*(x)/q(x) by classification: log r̂ = logit D(x) + log((1−π)/π)")
    .requiredOption("--p <dist>", "p*, TFP parameters, e.g. normal(0, 0.3536)")
    .requiredOption("--q <dist>", "q, e.g. normal(0, 0.7071)")
    .requiredOption("--prior <pi>", "π: the share of samples drawn from p*, in (0, 1)", parseNumber("--prior"))
    .option("--n <n>", "total samples (π·n from p*, the rest from q; at most 1,000,000)", parseInteger("--n", 20, 1_000_000), 20_000)
    .addOption(new Option("--classifier <kind>", "probabilistic classifier").choices(["logistic", "mlp"]).default("logistic"))
    .option("--at <file.npy>", "points (shape [m] or [m, dim]) where log r̂ is written to --out")
    .option("--out <file.npy>", "with --at: float32 .npy of log r̂ at those points, in order")
    .addOption(seedOption())
    .addOption(backendOption())
    .option("--json", "print one JSON document on stdout")
    .action(async (opts: RatioOptions) => {
      if (!(opts.prior > 0 && opts.prior < 1)) throw new DlError("INVALID_ARGUMENT", `--prior must lie strictly between 0 and 1 (the share of samples from p*), got ${opts.prior}.`);
      const p = parseDistribution(opts.p);
      const q = parseDistribution(opts.q);
      if (p.dim !== q.dim) throw new DlError("SHAPE_MISMATCH", `p* and q must have the same dimension; ${p.spec} has ${p.dim}, ${q.spec} has ${q.dim}.`);
      if ((opts.at === undefined) !== (opts.out === undefined)) throw new DlError("INVALID_ARGUMENT", "--at and --out go together: --at points.npy --out logratio.npy.");
      let at: Float64Array | undefined;
      if (opts.at !== undefined && opts.out !== undefined) {
        const arr = await readNpy(opts.at);
        const dim = arr.shape.length === 1 ? 1 : (arr.shape[1] ?? 0);
        if (arr.shape.length > 2 || dim !== p.dim) throw new DlError("SHAPE_MISMATCH", `${opts.at} has shape [${arr.shape.join(", ")}]; expected [m] or [m, ${p.dim}] points of the ${p.dim}-D distributions.`);
        at = Float64Array.from(arr.data as ArrayLike<number>);
        await assertWritableDir(dirname(opts.out));
      }
      await init(opts);
      const seed = opts.seed ?? 42;
      const rng = createRng(seed);
      const nP = Math.max(2, Math.round(opts.prior * opts.n));
      const nQ = Math.max(2, opts.n - nP);
      const progress = progressReporter("ratio");
      const est = fitDensityRatio(p.sample(nP, rng), q.sample(nQ, rng), p.dim, { classifier: opts.classifier, seed, onProgress: progress.onProgress });
      progress.stop();
      const meanAbsError = logRatioError(p, q, est, { seed: seed + 1 });
      const summary = { p: p.spec, q: q.spec, prior: est.prior, samplesP: nP, samplesQ: nQ, classifier: opts.classifier, meanAbsLogRatioError: meanAbsError };
      if (at !== undefined && opts.out !== undefined) {
        const values = Float32Array.from(est.logRatio(at));
        await writeFileAtomic(opts.out, encodeNpy({ data: values, shape: [values.length], dtype: "float32" }));
        log(`wrote log r̂ at ${values.length} points to ${opts.out}`);
      }
      log(`π = ${est.prior.toFixed(3)}; mean |log r̂ − log r| over the bulk = ${meanAbsError.toFixed(4)}`);
      if (opts.json === true) printJson({ ...summary, ...(opts.out ? { out: opts.out } : {}) });
    });
}

// ---- dl gan train / sample ----------------------------------------------------------------------

interface TrainGanCliOptions extends CommonOptions {
  out: string;
  conditional?: boolean;
  arch: string;
  data: string;
  epochs: number;
  stepsPerEpoch?: number;
  limit?: number;
  resume?: boolean;
  evaluate: boolean;
}

const STATE_FILE = "checkpoint/state.json";

async function readCheckpoint(dir: string): Promise<Gan> {
  const statePath = join(dir, STATE_FILE);
  if (!(await exists(statePath))) {
    throw new DlError("MODEL_NOT_FOUND", `No GAN checkpoint in ${dir}: ${STATE_FILE} is missing. Point --model at the --out folder of dl gan train.`);
  }
  let state: GanCheckpointState;
  try {
    state = JSON.parse(await readFile(statePath, "utf8"), (_k, v: unknown) => v) as GanCheckpointState;
  } catch (error) {
    throw new DlError("MALFORMED_FILE", `${statePath} is not valid JSON.`, { cause: error });
  }
  const fix = (s: { step: number; m: unknown[]; v: unknown[] }): { step: number; m: Float32Array[]; v: Float32Array[] } => ({
    step: s.step,
    m: s.m.map((a) => Float32Array.from(a as number[])),
    v: s.v.map((a) => Float32Array.from(a as number[])),
  });
  state = { ...state, gOptimizer: fix(state.gOptimizer), dOptimizer: fix(state.dOptimizer) };
  const generator = await loadLayersModel(join(dir, "checkpoint/generator"));
  const discriminator = await loadLayersModel(join(dir, "checkpoint/discriminator"));
  const emaDir = join(dir, "checkpoint/generator-ema");
  const generatorEma = (await exists(join(emaDir, "model.json"))) ? await loadLayersModel(emaDir) : undefined;
  return restoreGan(state, generator, discriminator, generatorEma);
}

function registerTrain(gan: Command): void {
  gan
    .command("train")
    .description("train a GAN or conditional GAN on MNIST/Fashion-MNIST; sample grid per epoch, checkpoints, resume, metrics")
    .option("--conditional", "conditional GAN: the label is embedded and concatenated into the first layers of G and D")
    .addOption(new Option("--arch <name>", "network family").choices([...GAN_ARCHS]).default("mlp"))
    .requiredOption("--data <name>", "dataset: mnist or fashion-mnist")
    .requiredOption("--epochs <n>", "train until this many epochs are complete (at most 10,000)", parseInteger("--epochs", 1, 10_000))
    .requiredOption("--out <dir>", "folder: samples/epoch-NNN.png, checkpoint/, metrics.json, losses.svg")
    .option("--resume", "continue from the checkpoint in --out")
    .option("--no-evaluate", "skip the classifier-based scores")
    .addOption(new Option("--steps-per-epoch <n>", "batches per epoch (default: one pass; at most 1,000,000)").argParser(parseInteger("--steps-per-epoch", 1, 1_000_000)))
    .addOption(new Option("--limit <n>", "use at most N training images").argParser(parseInteger("--limit", 64)).hideHelp())
    .addOption(seedOption())
    .addOption(backendOption())
    .option("--json", "print one JSON document on stdout")
    .action(async (opts: TrainGanCliOptions) => {
      const data = parseDatasetName(opts.data);
      const arch = parseGanArch(opts.arch);
      const seed = opts.seed ?? 42;
      await assertWritableDir(opts.out);
      await init(opts);
      const resume = opts.resume === true ? await readCheckpoint(opts.out) : undefined;
      if (resume && (resume.config.arch !== arch || (resume.config.numClasses > 0) !== (opts.conditional === true))) {
        resume.dispose();
        throw new DlError("INVALID_ARGUMENT", `The checkpoint in ${opts.out} is a ${resume.config.numClasses > 0 ? "conditional " : ""}${resume.config.arch} GAN; rerun with the same --arch${resume.config.numClasses > 0 ? " and --conditional" : ""}, or use a new --out.`);
      }
      let train = await loadDataset(data, { split: "train" });
      if (opts.limit !== undefined && opts.limit < train.count) train = sampleDataset(train, opts.limit, seed, { stratified: true });
      if (resume) {
        try {
          assertResumableOn(resume, { name: train.name, classes: train.classNames.length }, `The checkpoint in ${opts.out}`);
        } catch (error) {
          resume.dispose();
          throw error;
        }
        const was = resume.trainedOn;
        log(
          `dl gan train: resuming after epoch ${resume.epoch} (seed ${resume.seed} from the checkpoint${resume.seed === seed ? "" : `, not --seed ${seed}`})` +
            (was === undefined ? "; the checkpoint does not record its dataset (written by an older dl)" : was.count === train.count ? "" : `; it was trained on ${was.count} ${was.name} images, now ${train.count}`),
        );
      }
      const test = await loadDataset(data, { split: "test" });
      let classifier: tfl.LayersModel | undefined;
      if (opts.evaluate) {
        const progress = progressReporter("classifier");
        classifier = (await loadDefaultModel({ data, arch: "cnn", onProgress: progress.onProgress })).model;
        progress.stop();
      }
      log(`dl gan train: ${opts.conditional === true ? "conditional " : ""}${arch} GAN on ${data} (${train.count} images), backend ${backendInfo().name}`);
      const progress = progressReporter("gan");
      const interrupt = interruptSignal();
      try {
        const result = await trainImageGan({
          train,
          evaluationSet: test,
          ...(classifier ? { classifier } : {}),
          arch,
          conditional: opts.conditional === true,
          epochs: opts.epochs,
          seed,
          ...(opts.stepsPerEpoch === undefined ? {} : { stepsPerEpoch: opts.stepsPerEpoch }),
          ...(resume ? { resume } : {}),
          onProgress: progress.onProgress,
          signal: interrupt.signal,
          onEpoch: async (epoch, g) => {
            const state = ganCheckpointState(g);
            const files: OutputFile[] = [
              [`samples/epoch-${String(epoch.record.epoch).padStart(3, "0")}.png`, gridPng(epoch.grid)],
              ...(await modelFiles(g.generator, "checkpoint/generator")),
              ...(await modelFiles(g.discriminator, "checkpoint/discriminator")),
              ...(g.generatorEma ? await modelFiles(g.generatorEma, "checkpoint/generator-ema") : []),
              [STATE_FILE, JSON.stringify(state, jsonArrays)],
              ["losses.svg", lineChartSvg(lossCurves(g), { title: "GAN losses", xLabel: "epoch", yLabel: "loss / accuracy" })],
            ];
            await writeOutputs(opts.out, files);
            const acc = epoch.record.metrics?.["labelAccuracy"];
            log(`epoch ${epoch.record.epoch}: D ${epoch.record.dLoss.toFixed(3)}, G ${epoch.record.gLoss.toFixed(3)}${acc === undefined ? "" : `, label accuracy ${(acc * 100).toFixed(1)}%`} (${epoch.record.seconds.toFixed(1)} s)`);
          },
        });
        const metrics = {
          data,
          arch,
          conditional: opts.conditional === true,
          seed,
          backend: backendInfo().name,
          trainCount: train.count,
          epochs: result.gan.epoch,
          seconds: result.seconds,
          history: result.history,
          allHistory: result.gan.history,
          ...(result.final ? { final: result.final } : {}),
        };
        const files: OutputFile[] = [["metrics.json", `${JSON.stringify(metrics, null, 2)}\n`]];
        if (result.final) {
          files.push(["label-accuracy.svg", barChartSvg(result.final.perLabelAccuracy.map((a, l) => ({ label: String(l), value: Number.isNaN(a) ? 0 : a })), { title: "classifier accuracy on conditional samples", yLabel: "accuracy" })]);
        }
        const written = await writeOutputs(opts.out, files);
        result.gan.dispose();
        if (result.final) {
          log(`final: label accuracy ${(result.final.labelAccuracy * 100).toFixed(1)}%, Fréchet ${result.final.frechet.toFixed(2)} (real vs real ${result.final.frechetRealBaseline.toFixed(2)}), precision ${result.final.precision.toFixed(3)}, recall ${result.final.recall.toFixed(3)}`);
        }
        if (opts.json === true) printJson({ ...metrics, out: opts.out, files: written });
      } finally {
        progress.stop();
        interrupt.dispose();
        classifier?.dispose();
      }
    });
}

function lossCurves(g: Gan): LineSeries[] {
  const x = g.history.map((h) => h.epoch);
  const series: LineSeries[] = [
    { name: "D loss", x, y: g.history.map((h) => h.dLoss), color: "#1f77b4" },
    { name: "G loss", x, y: g.history.map((h) => h.gLoss), color: "#d62728" },
  ];
  if (g.history.every((h) => h.metrics?.["labelAccuracy"] !== undefined)) {
    series.push({ name: "label accuracy", x, y: g.history.map((h) => h.metrics?.["labelAccuracy"] ?? 0), color: "#2ca02c" });
  }
  return series;
}

interface SampleOptions extends CommonOptions {
  out: string;
  model: string;
  label?: number;
  n: number;
}

function registerSample(gan: Command): void {
  gan
    .command("sample")
    .description("draw samples from a trained GAN into a PNG grid")
    .requiredOption("--model <dir>", "the --out folder of dl gan train")
    .option("--label <l>", "label for a conditional GAN (default: all labels in turn)", parseInteger("--label", 0, 1000))
    .option("--n <n>", "number of samples (at most 4096)", parseInteger("--n", 1, 4096), 64)
    .requiredOption("--out <file.png>", "PNG file")
    .addOption(seedOption())
    .addOption(backendOption())
    .option("--json", "print one JSON document on stdout")
    .action(async (opts: SampleOptions) => {
      await assertWritableDir(dirname(opts.out));
      await init(opts);
      const g = await readCheckpoint(opts.model);
      try {
        if (opts.label !== undefined && g.config.numClasses > 0 && opts.label >= g.config.numClasses) {
          throw new DlError("INVALID_ARGUMENT", `Unknown label ${opts.label}: this GAN knows labels 0–${g.config.numClasses - 1}.`);
        }
        const { images } = generateImages(g, opts.n, opts.seed ?? 42, opts.label);
        const [h = 28, w = 28] = g.config.dataShape;
        const png = encodePng(imageGrid(images, opts.n, h, w, { columns: Math.ceil(Math.sqrt(opts.n)), padding: 2, scale: 2 }));
        await writeFileAtomic(opts.out, png);
        log(`wrote ${opts.n} samples to ${opts.out}`);
        if (opts.json === true) printJson({ model: opts.model, n: opts.n, label: opts.label ?? null, out: opts.out, arch: g.config.arch, conditional: g.config.numClasses > 0, epoch: g.epoch });
      } finally {
        g.dispose();
      }
    });
}

interface EncoderCliOptions extends CommonOptions {
  out: string;
  method: string;
  data: string;
  steps?: number;
  seeds: number;
}

function registerEncoder(gan: Command): void {
  gan
    .command("encoder")
    .description("which model gives z|x: a BiGAN/ALI encoder vs a VAE encoder, reconstruction error against a random-pair baseline")
    .requiredOption("--method <name>", "bigan or vae")
    .requiredOption("--data <name>", "mnist, fashion-mnist or grid25 (the 2-D grid of 25 Gaussians)")
    .requiredOption("--out <dir>", "folder for result.json (and samples.png for images)")
    .option("--steps <n>", "training steps (at most 1,000,000)", parseInteger("--steps", 10, 1_000_000))
    .option("--seeds <n>", "grid25: seeds for the mode count of GAN and BiGAN (0 to skip)", parseInteger("--seeds", 0), 5)
    .addOption(seedOption())
    .addOption(backendOption())
    .option("--json", "print one JSON document on stdout")
    .action(async (opts: EncoderCliOptions) => {
      const method = parseEncoderMethod(opts.method);
      if (opts.data !== "grid25") parseDatasetName(opts.data);
      await assertWritableDir(opts.out);
      await init(opts);
      const seed = opts.seed ?? 42;
      const progress = progressReporter("encoder");
      const interrupt = interruptSignal();
      try {
        const run = { seed, onProgress: progress.onProgress, signal: interrupt.signal, ...(opts.steps === undefined ? {} : { steps: opts.steps }) };
        const files: OutputFile[] = [];
        let result: Record<string, unknown>;
        if (opts.data === "grid25") {
          const count = 20000;
          const comparison = await compareEncoder(method, { points: sampleGrid25(count, createRng(seed)), count, dim: 2, scale: "real" }, run);
          const modeRuns: ModeCoverageRun[] = [];
          for (let s = 0; s < opts.seeds; s++) {
            for (const m of ["gan", "bigan"] as const) modeRuns.push(await grid25ModeCoverage(m, seed + s, run));
          }
          const summary = (m: "gan" | "bigan"): { mean: number; sd: number; runs: number[] } => {
            const v = modeRuns.filter((r) => r.method === m).map((r) => r.coverage.modesCovered);
            const mean = v.reduce((a, b) => a + b, 0) / Math.max(1, v.length);
            const sd = Math.sqrt(v.reduce((a, b) => a + (b - mean) ** 2, 0) / Math.max(1, v.length - 1));
            return { mean, sd, runs: v };
          };
          const { generated: _g, ...rest } = comparison;
          result = { data: "grid25", ...rest, ...(opts.seeds > 0 ? { modesCovered: { gan: summary("gan"), bigan: summary("bigan"), of: 25 }, modeRuns } : {}) };
        } else {
          const data = parseDatasetName(opts.data);
          const train = await loadDataset(data, { split: "train" });
          const dim = train.height * train.width * train.channels;
          const comparison = await compareEncoder(method, { points: train.images, count: train.count, dim, scale: "unit" }, run);
          const { generated, ...rest } = comparison;
          if (generated) files.push(["samples.png", encodePng(imageGrid(generated.subarray(0, 64 * dim), 64, train.height, train.width, { columns: 8, padding: 2, scale: 2 }))]);
          result = { data, ...rest };
        }
        files.push(["result.json", `${JSON.stringify(result, jsonArrays, 2)}\n`]);
        const written = await writeOutputs(opts.out, files);
        log(`${method}: reconstruction error ${Number(result["reconstructionError"]).toFixed(3)} vs random pair ${Number(result["randomPairError"]).toFixed(3)} (ratio ${Number(result["ratio"]).toFixed(3)}); wrote ${opts.out}`);
        if (opts.json === true) printJson({ ...result, out: opts.out, files: written });
      } finally {
        progress.stop();
        interrupt.dispose();
      }
    });
}

// ---- dl gan modes ------------------------------------------------------------------------------

interface ModesCliOptions extends CommonOptions {
  out: string;
  method: string;
  seeds: number;
  steps: number;
  sigma: number;
  plain?: boolean;
  rejectionSteps?: number;
}

function registerModes(gan: Command): void {
  gan
    .command("modes")
    .description("the grid of 25 Gaussians: modes covered and share of high-quality samples, over seeds (VEEGAN/PacGAN protocol)")
    .requiredOption("--method <name>", "gan or bigan")
    .option("--seeds <n>", "independent runs (seed, seed + 1, …)", parseInteger("--seeds", 1), 10)
    .option("--steps <n>", "adversarial training steps per run", parseInteger("--steps", 1), 6000)
    .option("--sigma <s>", "standard deviation of each Gaussian", parseNumber("--sigma"), 0.05)
    .option("--plain", "the seed's objective with no stabiliser (no packing, R1, two time scales, EMA or rejection)")
    .addOption(new Option("--rejection-steps <n>", "steps of the rejection classifier (0: sample G directly)").argParser(parseInteger("--rejection-steps", 0)))
    .requiredOption("--out <dir>", "folder for result.json and samples.png (the first seed's samples and a line in z over the grid)")
    .addOption(seedOption())
    .addOption(backendOption())
    .option("--json", "print one JSON document on stdout")
    .action(async (opts: ModesCliOptions) => {
      const method = parseGrid25Method(opts.method);
      if (!(opts.sigma > 0 && opts.sigma < 1)) throw new DlError("INVALID_ARGUMENT", `--sigma must lie in (0, 1), got ${opts.sigma}.`);
      await assertWritableDir(opts.out);
      await init(opts);
      const seed = opts.seed ?? 42;
      const preset = opts.plain === true ? ("plain" as const) : ("stable" as const);
      const progress = progressReporter("modes");
      const interrupt = interruptSignal();
      try {
        const runs: Grid25Run[] = [];
        for (let s = 0; s < opts.seeds; s++) {
          const run = await runGrid25(method, seed + s, {
            steps: opts.steps,
            sigma: opts.sigma,
            preset,
            ...(opts.rejectionSteps === undefined ? {} : { rejectionSteps: opts.rejectionSteps }),
            onProgress: progress.onProgress,
            signal: interrupt.signal,
          });
          runs.push(run);
          log(`seed ${seed + s}: ${run.modes}/25 modes, ${(run.highQuality * 100).toFixed(1)}% high quality (G alone ${run.generatorModes}, ${(run.generatorHighQuality * 100).toFixed(1)}%) in ${run.seconds.toFixed(1)} s`);
        }
        const first = runs[0] as Grid25Run;
        const centres = Array.from({ length: 25 }, (_, k) => [-4 + 2 * Math.floor(k / 5), -4 + 2 * (k % 5)]).flat();
        // Samples in blue, G along the line z = (t, 0), t ∈ [−2, 2] in orange, the 25 centres in red.
        const points = Float32Array.from([...first.samples, ...first.interpolation, ...centres]);
        const nSamples = first.samples.length / 2;
        const nLine = first.interpolation.length / 2;
        const labels = Int32Array.from({ length: points.length / 2 }, (_, i) => (i < nSamples ? 0 : i < nSamples + nLine ? 1 : 3));
        const png = encodePng(scatterRaster(points, { labels, radius: 1 }));
        const summary = summariseGrid25(runs);
        const result = {
          method,
          preset,
          sigma: opts.sigma,
          steps: opts.steps,
          seeds: opts.seeds,
          ...summary,
          of: 25,
          config: grid25Config(method, { preset }),
          runs: runs.map(({ samples: _s, interpolation: _i, reconstructions: _r, ...rest }) => rest),
        };
        const written = await writeOutputs(opts.out, [
          ["result.json", `${JSON.stringify(result, jsonArrays, 2)}\n`],
          ["samples.png", png],
        ]);
        log(`${method} (${preset}): ${summary.modes.toFixed(1)} ± ${summary.modesSd.toFixed(1)} of 25 modes, ${(summary.highQuality * 100).toFixed(1)}% high quality over ${opts.seeds} seeds; wrote ${opts.out}`);
        if (opts.json === true) printJson({ ...result, out: opts.out, files: written });
      } finally {
        progress.stop();
        interrupt.dispose();
      }
    });
}

export function registerGanCommands(program: Command): void {
  const gan = program.command("gan").description("GANs: change of variables, density ratios, (conditional) GAN training and sampling");
  registerCov(gan);
  registerRatio(gan);
  registerTrain(gan);
  registerSample(gan);
  registerEncoder(gan);
  registerModes(gan);
}
