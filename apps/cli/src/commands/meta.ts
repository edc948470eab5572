import type { Command } from "commander";

import { assertTemperature, runSinusoidExperiment, runTemperatureSweep, type RegressionCurve } from "@dl/metalearn";
import { backendInfo, barChartRaster, barChartSvg, encodePng, type Bar, type LineSeries } from "@dl/tensor-core";

import { runAction } from "../action.js";
import { lineChartFiles } from "../figures.js";
import { jsonFileText, log, type OutputFile } from "../io.js";
import { parseInteger, parseNumber, type CommonOptions } from "../options.js";
import { registerFewShot } from "./meta/fewshot.js";
import { registerFineTune } from "./meta/finetune.js";
import { limitOption, loadSplits, metaCommand, pct, type DataOptions } from "./meta/shared.js";

function parseList(flag: string): (value: string) => number[] {
  return (value: string) => value.split(",").map((v) => parseNumber(flag)(v.trim()));
}


function registerTemperature(meta: Command): void {
  metaCommand(meta, "temperature")
    .description("temperature sweep: meta-train vs meta-test accuracy of the soft nearest neighbour against T, beside kNN's k")
    .requiredOption("--data <name>", "dataset: mnist or fashion-mnist")
    .option("--ways <n>", "classes per episode (2 or more)", parseInteger("--ways", 2, 100), 5)
    .option("--shots <n>", "labelled examples per class (at most 1000)", parseInteger("--shots", 1, 1000), 5)
    .option("--temperatures <list>", "comma-separated temperatures > 0", parseList("--temperatures"))
    .option("--steps <n>", "meta-training episodes per temperature (at most 1,000,000)", parseInteger("--steps", 1, 1_000_000), 300)
    .option("--episodes <n>", "evaluation episodes per point (at most 100,000)", parseInteger("--episodes", 1, 100_000), 200)
    .requiredOption("--out <dir>", "folder for temperature.json and figures")
    .addOption(limitOption())
    .action((opts: DataOptions & { out: string; ways: number; shots: number; temperatures?: number[]; steps: number; episodes: number }) => {
      for (const t of opts.temperatures ?? []) assertTemperature(t);
      return runAction("temperature", opts, async ({ seed, signal, onProgress }) => {
        const { train, test } = await loadSplits(opts, seed);
        const backend = backendInfo().name;
        log(`dl meta temperature: ${opts.ways}-way ${opts.shots}-shot on ${opts.data}, backend ${backend}`);
        const temperatures = opts.temperatures === undefined ? {} : { temperatures: opts.temperatures };
        const result = await runTemperatureSweep(train, test, { ways: opts.ways, shots: opts.shots, stepsPerTemperature: opts.steps, episodes: opts.episodes, seed, onProgress, signal, ...temperatures });
        const accuracyAgainst = (x: number[], points: readonly { metaTrain: { mean: number }; metaTest: { mean: number } }[]): LineSeries[] => [
          { name: "meta-train accuracy", x, y: points.map((p) => p.metaTrain.mean), color: "#1f77b4" },
          { name: "meta-test accuracy", x, y: points.map((p) => p.metaTest.mean), color: "#d62728" },
        ];
        const summary = { command: "meta temperature", data: opts.data, backend, seed, ...result };
        for (const p of result.temperatures) log(`  T=${p.temperature}: meta-train ${pct(p.metaTrain)}  meta-test ${pct(p.metaTest)}`);
        for (const p of result.knn) log(`  k=${p.k}: meta-train ${pct(p.metaTrain)}  meta-test ${pct(p.metaTest)}`);
        const temperatureSeries = accuracyAgainst(result.temperatures.map((p) => Math.log10(p.temperature)), result.temperatures);
        const knnSeries = accuracyAgainst(result.knn.map((p) => p.k), result.knn);
        return {
          files: [
            ["temperature.json", jsonFileText(summary)],
            ...lineChartFiles("temperature", temperatureSeries, { title: "soft nearest neighbour: accuracy against temperature", xLabel: "log10 T", yLabel: "accuracy", yDomain: [0, 1] }),
            ...lineChartFiles("knn", knnSeries, { title: "kNN: accuracy against k", xLabel: "k", yLabel: "accuracy", yDomain: [0, 1] }),
          ],
          json: summary,
        };
      });
    });
}

function registerRegress(meta: Command): void {
  metaCommand(meta, "regress")
    .description("soft-NN (Nadaraya–Watson) regression on the MAML sinusoids against a pretrained, fine-tuned regressor")
    .requiredOption("--shots <n>", "support points per task (5 or 10 in MAML; at most 1000)", parseInteger("--shots", 1, 1000))
    .option("--steps <n>", "meta-training batches (at most 1,000,000)", parseInteger("--steps", 1, 1_000_000), 2000)
    .option("--tasks <n>", "held-out test tasks (at most 100,000)", parseInteger("--tasks", 1, 100_000), 600)
    .requiredOption("--out <dir>", "folder for regress.json and figures")
    .action((opts: CommonOptions & { out: string; shots: number; steps: number; tasks: number }) =>
      runAction("regress", opts, async ({ seed, signal, onProgress }) => {
        const backend = backendInfo().name;
        log(`dl meta regress: K=${opts.shots} sinusoids, backend ${backend}`);
        const result = await runSinusoidExperiment({ shots: opts.shots, trainSteps: opts.steps, testTasks: opts.tasks, seed, onProgress, signal });
        const first = result.curves[0];
        const taskChart = { title: `one test sinusoid, K = ${opts.shots}`, xLabel: "x", yLabel: "y" };
        const series = first === undefined ? undefined : taskSeries(first);
        const figures: OutputFile[] =
          series === undefined
            ? []
            : [
                ...lineChartFiles("example-task", series, taskChart, { width: 640, height: 300 }),
              ];
        const mse = (label: string, a: { mean: number; ci95: number }, color?: string): Bar => ({ label, value: a.mean, error: a.ci95, ...(color === undefined ? {} : { color }) });
        const bars: Bar[] = [
          mse("soft-NN", result.softNearestNeighbour),
          mse("NW on x", result.nadarayaWatsonOnX),
          mse("pretrained", result.pretrained),
          mse("pretrained+FT", result.pretrainedFineTuned),
          mse("predict 0", result.zero),
          mse("MAML (reported)", result.maml, "#999999"),
        ].filter((b) => Number.isFinite(b.value));
        const summary = { command: "meta regress", backend, seed, ...result };
        const chart = { title: `sinusoid MSE, K = ${opts.shots} (lower is better)`, yLabel: "MSE" };
        for (const b of bars) log(`  ${b.label.padEnd(16)} MSE ${b.value.toFixed(3)} ± ${(b.error ?? 0).toFixed(3)}`);
        return {
          files: [["regress.json", jsonFileText(summary)], ["mse.png", encodePng(barChartRaster(bars, { ...chart, width: 560, height: 280 }))], ["mse.svg", barChartSvg(bars, chart)], ...figures],
          json: summary,
        };
      }),
    );
}

/** One test sinusoid: the truth, both regressors' predictions and the shots. */
function taskSeries(curve: RegressionCurve): LineSeries[] {
  return [
    { name: "truth", x: curve.x, y: curve.truth, color: "#000000" },
    { name: "soft-NN (Nadaraya–Watson)", x: curve.x, y: curve.softNearestNeighbour, color: "#d62728" },
    { name: "pretrained + fine-tuned", x: curve.x, y: curve.pretrainedFineTuned, color: "#1f77b4" },
    { name: "shots", x: curve.supportX, y: curve.supportY, color: "#2ca02c" },
  ];
}

export function registerMetaCommands(program: Command): void {
  const meta = program.command("meta").description("metalearning: few-shot episodes, soft nearest neighbours and their temperature, sinusoid regression, layer-wise fine-tuning");
  registerFewShot(meta);
  registerTemperature(meta);
  registerRegress(meta);
  registerFineTune(meta);
}
