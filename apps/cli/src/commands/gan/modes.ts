import { availableParallelism } from "node:os";

import { Option, type Command } from "commander";

import { GRID25_POINT_CLASSES, grid25Config, grid25Points, parseGrid25Method, summariseGrid25, type Grid25Run } from "@dl/gan";
import { DlError, backendInfo, encodePng, scatterRaster } from "@dl/tensor-core";

import { runAction } from "../../action.js";
import { decode } from "../../jobs/codec.js";
import { grid25RunFromRecord, runGrid25Seed, type Grid25Task } from "../../jobs/grid25Job.js";
import { addRunnerOptions, chooseRunner, type RunnerCliOptions } from "../../jobs/runnerOptions.js";
import { jsonFileText, log } from "../../io.js";
import { backendOption, parseInteger, parseNumber, seedOption, type CommonOptions } from "../../options.js";
import { CLI_VERSION } from "../../program.js";

interface ModesCliOptions extends CommonOptions, RunnerCliOptions {
  out: string;
  method: string;
  seeds: number;
  steps: number;
  sigma: number;
  plain?: boolean;
  rejectionSteps?: number;
}

export function registerModes(gan: Command): void {
  const command = gan
    .command("modes")
    .description("the grid of 25 Gaussians: modes covered and share of high-quality samples, over seeds (VEEGAN/PacGAN protocol); seeds run side by side in worker processes")
    .requiredOption("--method <name>", "gan or bigan")
    .option("--seeds <n>", "independent runs (seed, seed + 1, …)", parseInteger("--seeds", 1), 10)
    .option("--steps <n>", "adversarial training steps per run", parseInteger("--steps", 1), 10_000)
    .option("--sigma <s>", "standard deviation of each Gaussian", parseNumber("--sigma"), 0.05)
    .option("--plain", "the seed's objective with no stabiliser (no packing, R1, two time scales, EMA or rejection)")
    .addOption(new Option("--rejection-steps <n>", "steps of the rejection classifier (0: sample G directly)").argParser(parseInteger("--rejection-steps", 0)))
    .requiredOption("--out <dir>", "folder for result.json and samples.png (the first seed's samples and a line in z over the grid)")
    .addOption(seedOption())
    .addOption(backendOption())
    .option("--json", "print one JSON document on stdout");
  addRunnerOptions(command, "one per seed, up to the CPU count").action((opts: ModesCliOptions) => {
    if (opts.shard !== undefined || opts.taskSize !== undefined) throw new DlError("INVALID_ARGUMENT", "dl gan modes runs its seeds with --workers or --queue; --shard and --task-size are for dl tcav.");
    return runAction("modes", opts, async ({ seed, signal, onProgress }) => {
      const method = parseGrid25Method(opts.method);
      if (!(opts.sigma > 0 && opts.sigma < 1)) throw new DlError("INVALID_ARGUMENT", `--sigma must lie in (0, 1), got ${opts.sigma}.`);
      const preset = opts.plain === true ? ("plain" as const) : ("stable" as const);
      const rejection = opts.rejectionSteps === undefined ? {} : { rejectionSteps: opts.rejectionSteps };
      // One seed per worker process by default (a seed is minutes of single-threaded work); --workers 1 runs in this process.
      const workers = opts.queue === undefined ? { workers: opts.workers ?? Math.min(opts.seeds, availableParallelism()) } : {};
      const { runner } = chooseRunner({ ...opts, ...workers }, Number.POSITIVE_INFINITY, CLI_VERSION);
      const report = (run: Grid25Run): void =>
        log(`seed ${run.seed}: ${run.modes}/25 modes, ${(run.highQuality * 100).toFixed(1)}% high quality (G alone ${run.generatorModes}, ${(run.generatorHighQuality * 100).toFixed(1)}%) in ${run.seconds.toFixed(1)} s`);
      const tasks = Array.from({ length: opts.seeds }, (_, s): { id: string; task: Grid25Task } => ({
        id: `seed-${seed + s}`,
        task: { method, seed: seed + s, steps: opts.steps, sigma: opts.sigma, preset, ...rejection, backend: backendInfo().name, keepSamples: s === 0 },
      }));
      const runs: Grid25Run[] = [];
      if (runner.name === "inline") {
        // In this process: each seed's steps show on the progress bar.
        for (const { task } of tasks) {
          const run = await runGrid25Seed(task, { onProgress, signal });
          runs.push(run);
          report(run);
        }
      } else {
        log(`dl gan modes: ${opts.seeds} seeds on ${runner.name}`);
        const encoded = await runner.run({ kind: "grid25", argv: [], version: CLI_VERSION }, tasks, (done, total) => onProgress({ phase: "seeds", step: done, total }), signal);
        for (const t of tasks) {
          const run = grid25RunFromRecord(decode(encoded.get(t.id) ?? "null"));
          runs.push(run);
          report(run);
        }
      }
      // The first seed's samples in blue, G along the line z = (t, 0), t ∈ [−2, 2] in orange, the 25 centres in red.
      const { points, labels } = grid25Points(runs[0] as Grid25Run);
      const summary = summariseGrid25(runs);
      const json = {
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
      return {
        files: [
          ["result.json", jsonFileText(json)],
          [
            "samples.png",
            encodePng(
              scatterRaster(points, {
                labels,
                classNames: figureClassNames(runs[0] as Grid25Run),
                radius: 1,
                width: 640,
                height: 520,
                title: `${method === "bigan" ? "BiGAN" : "GAN"} (${preset}) on the grid of 25 Gaussians, seed ${seed}: ${(runs[0] as Grid25Run).modes}/25 modes`,
                xLabel: "x₁",
                yLabel: "x₂",
              }),
            ),
          ],
        ],
        json,
        summary: `${method} (${preset}): ${summary.modes.toFixed(1)} ± ${summary.modesSd.toFixed(1)} of 25 modes, ${(summary.highQuality * 100).toFixed(1)}% high quality over ${opts.seeds} seeds`,
      };
    });
  });
}

/** Legend names by `GRID25_POINT_CLASSES` (the class numbers pick the colours; class 2 is unused). */
function figureClassNames(run: Grid25Run): string[] {
  const names = ["", "", "", ""];
  names[GRID25_POINT_CLASSES.samples] = `samples (${run.samples.length / 2})`;
  names[GRID25_POINT_CLASSES.line] = "G(t, 0), t in [-2, 2]";
  names[GRID25_POINT_CLASSES.centres] = "the 25 centres";
  return names;
}
