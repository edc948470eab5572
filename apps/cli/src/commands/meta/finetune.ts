import type { Command } from "commander";

import { FINE_TUNE_ARCHS, FINE_TUNE_STRATEGIES, parseClassSet, runFineTuneExperiment, runFineTuneGrid, type ClassSet, type FineTuneArch, type FineTuneGridResult, type FineTuneStrategy } from "@dl/metalearn";
import { DATASET_NAMES, DlError, backendInfo, barChartRaster, barChartSvg, encodePng, type Bar, type LineSeries } from "@dl/tensor-core";

import { runAction } from "../../action.js";
import { lineChartFiles } from "../../figures.js";
import { jsonFileText, log, type OutputFile } from "../../io.js";
import { InvalidOptionError, parseInteger, parseNumber, parsePositiveNumber } from "../../options.js";
import { limitOption, loadSplits, metaCommand, pct, type DataOptions } from "./shared.js";

interface FineTuneOptions extends DataOptions {
  out: string;
  lrDecay: number;
  shots?: number;
  seeds: number;
  steps: number;
  learningRate: number;
  learningRates?: number[];
  arch: FineTuneArch;
  source?: ClassSet[];
  target?: ClassSet[];
  labelsPerClass?: number[];
  methods?: FineTuneStrategy[];
  pretrainEpochs: number;
  testPerClass?: number;
}

const classSets = (value: string): ClassSet[] => value.split(/\s+|;/).flatMap((v) => (v === "" ? [] : [parseClassSet(v, DATASET_NAMES)]));

function parseLabelsPerClass(value: string): number[] {
  return value.split(",").map((v) => parseInteger("--labels-per-class", 1, 1000)(v.trim()));
}

function parseLearningRates(value: string): number[] {
  return value.split(",").map((v) => parsePositiveNumber("--learning-rates", 10)(v.trim()));
}

function parseArch(value: string): FineTuneArch {
  if (!(FINE_TUNE_ARCHS as readonly string[]).includes(value)) throw new InvalidOptionError(`--arch must be one of ${FINE_TUNE_ARCHS.join(", ")}, got "${value}".`);
  return value as FineTuneArch;
}

function parseMethods(value: string): FineTuneStrategy[] {
  return value.split(",").map((v) => {
    const m = v.trim();
    if (!(FINE_TUNE_STRATEGIES as readonly string[]).includes(m)) throw new InvalidOptionError(`--methods: unknown method "${m}"; valid: ${FINE_TUNE_STRATEGIES.join(", ")}.`);
    return m as FineTuneStrategy;
  });
}

const METHOD_COLORS: Record<FineTuneStrategy, string> = {
  frozen: "#7f7f7f",
  uniform: "#1f77b4",
  discriminative: "#d62728",
  "gradual-unfreezing": "#ff7f0e",
  scratch: "#000000",
  slice: "#2ca02c",
  fastai: "#9467bd",
};

/** The grid's figures: the paired discriminative − uniform gap per cell, and accuracy against labels per class per transfer. */
function gridFigures(result: FineTuneGridResult): OutputFile[] {
  const files: OutputFile[] = [];
  const withGap = result.cells.filter((c) => c.discriminativeMinusUniform !== undefined);
  if (withGap.length > 0) {
    const bars: Bar[] = withGap.map((c) => {
      const d = c.discriminativeMinusUniform as { mean: number; ci95: number };
      return { label: `${c.source}→${c.target} K=${c.labelsPerClass}${result.learningRates.length > 1 ? ` lr=${c.learningRate}` : ""}`, value: d.mean * 100, error: d.ci95 * 100, color: c.verdict === "helps" ? "#2ca02c" : c.verdict === "hurts" ? "#d62728" : "#999999", mark: c.verdict === "tie" ? "n.s." : "*" };
    });
    const chart = { title: `discriminative (rate / ${result.lrDecay} per layer down) minus uniform rate, points (mean ± 95% CI over ${result.seeds} seeds)`, yLabel: "accuracy gain, points" };
    files.push(["gain.png", encodePng(barChartRaster(bars, { ...chart, width: Math.max(640, 90 * bars.length), height: 360 }))], ["gain.svg", barChartSvg(bars, chart)]);
  }
  const key = (c: FineTuneGridResult["cells"][number]): string => `${c.source}→${c.target}${result.learningRates.length > 1 ? `, lr ${c.learningRate}` : ""}`;
  const transfers = [...new Set(result.cells.map(key))];
  transfers.forEach((name, i) => {
    const cells = result.cells.filter((c) => key(c) === name);
    const series: LineSeries[] = result.methods.map((method) => ({
      name: method,
      x: cells.map((c) => Math.log10(c.labelsPerClass)),
      y: cells.map((c) => c.methods.find((m) => m.method === method)?.accuracy.mean ?? Number.NaN),
      color: METHOD_COLORS[method],
    }));
    files.push(...lineChartFiles(`transfer-${i + 1}`, series, { title: `${name} (${result.arch}): test accuracy, mean of ${result.seeds} seeds`, xLabel: "log10 labels per class", yLabel: "test accuracy" }, { width: 640, height: 320 }));
  });
  return files;
}

export function registerFineTune(meta: Command): void {
  metaCommand(meta, "finetune")
    .description(
      "pretrain on classes 0–4, fine-tune on K labels of classes 5–9: frozen vs uniform vs discriminative LR vs gradual unfreezing; with --source/--target/--labels-per-class, the grid source × target × labels × method",
    )
    .option("--data <name>", "dataset: mnist or fashion-mnist", "fashion-mnist")
    .option("--lr-decay <f>", "learning rate divided by this per layer downward (ULMFiT: 2.6)", parseNumber("--lr-decay"), 2.6)
    .option("--shots <n>", "labelled examples per target class (at most 1000); or --labels-per-class", parseInteger("--shots", 1, 1000))
    .option("--source <sets>", 'grid: source class sets, space-separated, e.g. "mnist fashion-mnist/0-4" (default DATA/0-4)', classSets)
    .option("--target <sets>", 'grid: target class sets, e.g. "mnist/5-9 fashion-mnist" (default DATA/5-9); pairs that share images are skipped', classSets)
    .option("--labels-per-class <list>", "grid: labelled examples per target class, comma-separated, e.g. 1,5,20", parseLabelsPerClass)
    .option("--methods <list>", `grid: comma-separated, from ${FINE_TUNE_STRATEGIES.join(", ")} (default all)`, parseMethods)
    .option("--pretrain-epochs <n>", "epochs of pretraining on each source (at most 100)", parseInteger("--pretrain-epochs", 1, 100), 2)
    .option("--test-per-class <n>", "grid: score on at most N test images per target class", parseInteger("--test-per-class", 1, 100_000))
    .option("--seeds <n>", "repetitions (different labelled samples and heads)", parseInteger("--seeds", 2), 5)
    .option("--steps <n>", "fine-tuning steps (at most 1,000,000)", parseInteger("--steps", 1, 1_000_000), 150)
    .option("--learning-rate <lr>", "top-layer learning rate (Adam), in (0, 10]", parsePositiveNumber("--learning-rate", 10), 1e-3)
    .option("--learning-rates <list>", "grid: several top-layer learning rates, comma-separated, e.g. 1e-3,1e-2", parseLearningRates)
    .option("--arch <name>", `grid: the network pretrained and fine-tuned: ${FINE_TUNE_ARCHS.join(" or ")}`, parseArch, "mlp")
    .requiredOption("--out <dir>", "folder for finetune.json and figures")
    .addOption(limitOption())
    .action((opts: FineTuneOptions) => {
      // The package checks the decay only when fine-tuning starts, after pretraining.
      if (!(opts.lrDecay >= 1)) throw new DlError("INVALID_ARGUMENT", `--lr-decay must be ≥ 1 (1 = one rate for every layer), got ${opts.lrDecay}.`);
      const grid = opts.source !== undefined || opts.target !== undefined || opts.labelsPerClass !== undefined || opts.learningRates !== undefined;
      if (!grid && opts.arch !== "mlp") throw new DlError("INVALID_ARGUMENT", "--arch applies to the grid; add --labels-per-class (and --source/--target).");
      if (!grid && opts.shots === undefined) throw new DlError("INVALID_ARGUMENT", "Give --shots K (one setting) or --labels-per-class 1,5,20 with --source/--target (the grid).");
      return grid ? runGrid(opts) : runOne(opts, opts.shots as number);
    });
}

function runOne(opts: FineTuneOptions, shots: number): Promise<void> {
  return runAction("finetune", opts, async ({ seed, signal, onProgress }) => {
    const { train, test } = await loadSplits(opts, seed);
    const backend = backendInfo().name;
    log(`dl meta finetune: ${shots} labels per class, decay ${opts.lrDecay}, backend ${backend}`);
    const { lrDecay, seeds, steps, learningRate, pretrainEpochs } = opts;
    const result = await runFineTuneExperiment(train, test, { shots, lrDecay, seeds, steps, learningRate, pretrainEpochs, seed, onProgress, signal, ...(opts.methods === undefined ? {} : { strategies: opts.methods }) });
    const bars: Bar[] = result.strategies.map((s) => ({ label: s.strategy, value: s.accuracy.mean, error: s.accuracy.ci95 }));
    const chart = { title: `fine-tuning with ${shots} labels per class (mean ± 95% CI over ${opts.seeds} seeds)`, yLabel: "test accuracy", yDomain: [0, 1] as const };
    const summary = { command: "meta finetune", data: opts.data, backend, seed, ...result };
    log(`  pretrained source accuracy ${(result.pretrainAccuracy * 100).toFixed(1)}%`);
    for (const s of result.strategies) log(`  ${s.strategy.padEnd(19)} ${pct(s.accuracy)}`);
    return {
      files: [["finetune.json", jsonFileText(summary)], ["accuracy.png", encodePng(barChartRaster(bars, { ...chart, width: 560, height: 280 }))], ["accuracy.svg", barChartSvg(bars, chart)]],
      json: summary,
    };
  });
}

function runGrid(opts: FineTuneOptions): Promise<void> {
  return runAction("finetune", opts, async ({ seed, signal, onProgress }) => {
    const sources = opts.source ?? [parseClassSet(`${opts.data}/0-4`, DATASET_NAMES)];
    const targets = opts.target ?? [parseClassSet(`${opts.data}/5-9`, DATASET_NAMES)];
    const labelsPerClass = opts.labelsPerClass ?? [opts.shots ?? 5];
    const names = [...new Set([...sources, ...targets].map((s) => s.data))];
    const datasets = Object.fromEntries(await Promise.all(names.map(async (data) => [data, await loadSplits({ ...opts, data }, seed)] as const)));
    const backend = backendInfo().name;
    log(`dl meta finetune grid: ${sources.length} source(s) × ${targets.length} target(s) × labels per class ${labelsPerClass.join(",")}, decay ${opts.lrDecay}, backend ${backend}`);
    const cpuStart = process.cpuUsage();
    const result = await runFineTuneGrid(datasets, {
      sources,
      targets,
      labelsPerClass,
      seeds: opts.seeds,
      steps: opts.steps,
      learningRates: opts.learningRates ?? [opts.learningRate],
      arch: opts.arch,
      lrDecay: opts.lrDecay,
      pretrainEpochs: opts.pretrainEpochs,
      seed,
      onProgress,
      signal,
      ...(opts.methods === undefined ? {} : { methods: opts.methods }),
      ...(opts.testPerClass === undefined ? {} : { testPerClass: opts.testPerClass }),
    });
    const cpu = process.cpuUsage(cpuStart);
    const summary = { command: "meta finetune", grid: true, backend, seed, cpuSeconds: (cpu.user + cpu.system) / 1e6, ...result };
    for (const s of result.sources) log(`  pretrained ${s.source}: source test accuracy ${(s.sourceAccuracy * 100).toFixed(1)}% (${s.seconds.toFixed(0)} s)`);
    for (const s of result.skipped) log(`  skipped ${s.source} → ${s.target}: ${s.reason}`);
    for (const c of result.cells) {
      log(`  ${c.source} → ${c.target}, ${c.labelsPerClass} labels per class, lr ${c.learningRate}:`);
      for (const m of c.methods) log(`    ${m.method.padEnd(19)} ${pct(m.accuracy)}`);
      if (c.discriminativeMinusUniform !== undefined) log(`    discriminative − uniform ${(c.discriminativeMinusUniform.mean * 100).toFixed(1)} ± ${(c.discriminativeMinusUniform.ci95 * 100).toFixed(1)} points: ${c.verdict ?? ""}`);
    }
    return { files: [["finetune.json", jsonFileText(summary)], ...gridFigures(result)], json: summary };
  });
}
