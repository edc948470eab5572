import { readFile } from "node:fs/promises";

import type { Command } from "commander";

import { DlError, reportFiles } from "@dl/tensor-core";

import { runAction } from "../action.js";
import { log, type OutputFile } from "../io.js";
import { decode } from "../jobs/codec.js";
import { addRunnerOptions, chooseRunner, type RunnerCliOptions } from "../jobs/runnerOptions.js";
import { type SweepTaskResult, parseSweepSpec, summariseSweep, sweepTasks } from "../jobs/sweep.js";
import { CLI_VERSION } from "../program.js";

interface SweepCliOptions extends RunnerCliOptions {
  out: string;
  json?: boolean;
}

export function registerSweepCommand(program: Command): void {
  const command = program
    .command("sweep")
    .description('run a grid of one dl command\'s flags × seeds as tasks (local workers or --queue) and report each figure\'s mean and 95 % CI per setting; SPEC.json: {"command": ["bayes", …], "grid": {"--flag": [a, b]}, "seeds": 5}')
    .argument("<spec.json>", "the sweep: command, grid, seeds (and optionally figures: dotted JSON paths)")
    .requiredOption("--out <dir>", "folder that receives index.html and sweep.json")
    .option("--json", "print one JSON document on stdout");
  addRunnerOptions(command, "the CPU count").action((file: string, opts: SweepCliOptions) => {
    if (opts.shard !== undefined) throw new DlError("INVALID_ARGUMENT", "dl sweep runs with --workers or --queue; --shard is for dl tcav.");
    return runAction("sweep", opts, async ({ signal, onProgress }) => {
      const spec = parseSweepSpec(await readJson(file), file);
      const tasks = sweepTasks(spec);
      // Each task is a whole dl run: worth a worker process from the first one.
      const { runner } = chooseRunner(opts, Number.POSITIVE_INFINITY, CLI_VERSION);
      log(`dl sweep: ${tasks.length} runs of dl ${spec.command.join(" ")} on ${runner.name}`);
      const started = performance.now();
      const encoded = await runner.run({ kind: "sweep", argv: [], version: CLI_VERSION }, tasks.map((t) => ({ id: t.id, task: t })), (done, total) => onProgress({ phase: "runs", step: done, total }), signal);
      const results = tasks.map((t) => decode(encoded.get(t.id) ?? "null") as SweepTaskResult);
      const rows = summariseSweep(spec, results);
      const flags = Object.keys(spec.grid);
      const table = { caption: "mean and 95 % Student-t interval across seeds", columns: [...flags, "figure", "n", "mean", "ci95 lower", "ci95 upper"], rows: rows.map((r) => [...flags.map((f) => String(r.setting[f])), r.figure, r.n, r.mean, r.ci95.lower, r.ci95.upper]) };
      const report = { title: `Sweep of dl ${spec.command.join(" ")}`, subtitle: `${tasks.length} runs, dl-lab ${CLI_VERSION}`, sections: [{ id: "sweep", title: "Figures per setting", tables: [table] }] };
      const json = { spec, runs: tasks.length, rows, results, seconds: (performance.now() - started) / 1000 };
      for (const r of rows) log(`${flags.map((f) => `${f} ${String(r.setting[f])}`).join(" ").padEnd(20)} ${r.figure.padEnd(24)} ${r.mean.toPrecision(4)} [${r.ci95.lower.toPrecision(4)}, ${r.ci95.upper.toPrecision(4)}] n=${r.n}`);
      const files: OutputFile[] = [...reportFiles(report).map((f): OutputFile => [f.path, f.contents]), ["sweep.json", `${JSON.stringify(json, null, 2)}\n`]];
      return { files, json, summary: `dl sweep: ${tasks.length} runs in ${json.seconds.toFixed(1)} s` };
    }, { backend: false });
  });
}

/** The sweep spec file, parsed as JSON (a missing file or bad JSON is one coded error). */
async function readJson(file: string): Promise<unknown> {
  const text = await readFile(file, "utf8").catch(() => {
    throw new DlError("FILE_NOT_FOUND", `Sweep spec ${file} cannot be read; give a JSON file.`);
  });
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new DlError("UNSUPPORTED_FORMAT", `${file} is not JSON: ${error instanceof Error ? error.message : String(error)}.`);
  }
}
