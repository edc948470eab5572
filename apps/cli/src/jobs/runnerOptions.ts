// The runner flags shared by every command that runs as tasks: --workers, --queue, --shard, --task-size.
import { availableParallelism } from "node:os";
import { join } from "node:path";

import { type Command, Option } from "commander";

import { DlError } from "@dl/tensor-core";

import { encode } from "./codec.js";
import { inlineRunner, localPoolRunner } from "./localPool.js";
import { describeQueue, parseQueueUrl } from "./queueUrl.js";
import type { TcavRunnerChoice } from "./tcavJob.js";
import type { TaskRunner } from "./types.js";
import { log, writeFileAtomic } from "../io.js";
import { parseInteger } from "../options.js";
import { CLI_VERSION } from "../program.js";

export interface RunnerCliOptions {
  workers?: number;
  queue?: string;
  shard?: string;
  taskSize?: number;
}

/** Below this many units of work (CAVs), starting worker processes costs more than it saves. */
export const AUTO_POOL_MIN_WORK = 1000;

/** Adds the runner flags; `workersDefault` says what --workers defaults to for this command (default: `dl tcav`'s rule). */
export function addRunnerOptions(command: Command, workersDefault = `the CPU count, or in-process for runs under ${AUTO_POOL_MIN_WORK} CAVs`): Command {
  return command
    .option("--workers <n>", `local worker processes (default: ${workersDefault}); 1 runs in this process`, parseInteger("--workers", 1, 1024))
    .addOption(
      new Option("--queue <redis-url>", "run the tasks on a BullMQ queue in Redis (redis://[:PASSWORD@]HOST:PORT, rediss:// for TLS) served by `dl worker --queue URL`; waits for the merge").argParser((v) => {
        parseQueueUrl(v);
        return v;
      }),
    )
    .addOption(
      new Option("--shard <index/count>", "run only this shard's tasks and write part-INDEX-of-COUNT.json into --out for `dl merge`; COUNT alone takes INDEX from JOB_COMPLETION_INDEX or SLURM_ARRAY_TASK_ID").argParser((v) => {
        parseShard(v);
        return v;
      }),
    )
    .addOption(new Option("--task-size <n>", "sets per task (each set is --runs CAVs)").argParser(parseInteger("--task-size", 1, 100_000)).hideHelp());
}

/** A shard from `--shard I/C`, or `--shard C` with the index from the array-job environment. */
export function parseShard(value: string, env: NodeJS.ProcessEnv = process.env): { index: number; count: number } {
  const m = /^(?:(\d+)\/)?(\d+)$/.exec(value.trim());
  if (m === null) throw new DlError("INVALID_ARGUMENT", `--shard "${value}" is not INDEX/COUNT (e.g. 0/8) or COUNT with JOB_COMPLETION_INDEX or SLURM_ARRAY_TASK_ID set.`);
  const count = Number(m[2]);
  const fromEnv = env["JOB_COMPLETION_INDEX"] ?? env["SLURM_ARRAY_TASK_ID"];
  const indexText = m[1] ?? fromEnv;
  if (indexText === undefined) throw new DlError("INVALID_ARGUMENT", `--shard ${value} has no index; give INDEX/${count} or run as a Kubernetes Indexed Job (JOB_COMPLETION_INDEX) or a Slurm array (SLURM_ARRAY_TASK_ID).`);
  const index = Number(indexText);
  if (!Number.isInteger(count) || count < 1 || !Number.isInteger(index) || index < 0 || index >= count) {
    throw new DlError("INVALID_ARGUMENT", `--shard index ${indexText} is outside 0..${count - 1}; Slurm arrays should use --array=0-${count - 1}.`);
  }
  return { index, count };
}

/** The program's argv as parsed (commander keeps it as `rawArgs` but does not type it). */
export function rawArgs(command: Command): string[] {
  const root = (command.parent ?? command) as unknown as { rawArgs?: unknown };
  return Array.isArray(root.rawArgs) ? (root.rawArgs as string[]) : process.argv;
}

/** The command's own flags for workers to replay: runner flags, --out and --json removed. */
export function jobArgv(rawArgs: readonly string[], command: string): string[] {
  const start = rawArgs.indexOf(command);
  const args = rawArgs.slice(start + 1);
  const drop = new Set(["--workers", "--queue", "--shard", "--task-size", "--out"]);
  const out: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const a = args[i] as string;
    const name = a.split("=")[0] as string;
    if (a === "--json") continue;
    if (drop.has(name)) {
      if (!a.includes("=")) i++;
      continue;
    }
    out.push(a);
  }
  return out;
}

export interface RunnerChoice {
  runner: TaskRunner;
  select?: (index: number) => boolean;
  shard?: { index: number; count: number };
}

/** The runner the flags ask for; `work` sizes the automatic local pool. */
export function chooseRunner(opts: RunnerCliOptions, work: number, version: string): RunnerChoice {
  const replay = async (argv: string[]): Promise<void> => {
    const { buildProgram } = await import("../program.js");
    const full = ["node", "dl", ...argv];
    await (await buildProgram(full)).parseAsync(full);
  };
  const given = [opts.queue !== undefined && "--queue", opts.shard !== undefined && "--shard", opts.workers !== undefined && "--workers"].filter(Boolean);
  if (given.length > 1) throw new DlError("INVALID_ARGUMENT", `Give one of --workers, --queue and --shard, not ${given.join(" and ")}.`);
  const url = opts.queue;
  if (url !== undefined) {
    // bullmq loads only when a queue is used.
    return { runner: { name: `queue ${describeQueue(url)}`, run: async (...args) => (await import("./queue.js")).queueRunner(url, { onNotice: log }).run(...args) } };
  }
  if (opts.shard !== undefined) {
    const shard = parseShard(opts.shard);
    return { runner: inlineRunner(version, replay), shard, select: (i) => i % shard.count === shard.index };
  }
  const workers = opts.workers ?? (work < AUTO_POOL_MIN_WORK ? 1 : availableParallelism());
  return { runner: workers <= 1 ? inlineRunner(version, replay) : localPoolRunner(workers) };
}

/** Writes a shard's part into the --out folder (each shard its own file, so shards can share the folder). */
export async function writePart(out: string, shard: { index: number; count: number }, part: unknown): Promise<string> {
  const path = join(out, `part-${shard.index}-of-${shard.count}.json`);
  await writeFileAtomic(path, encode(part));
  return path;
}

/** `dl tcav`'s runner from its flags: `work` CAVs size the automatic pool; a shard keeps its part in `out`. */
export function tcavRunner(opts: RunnerCliOptions, work: number, out: string): TcavRunnerChoice {
  const choice = chooseRunner(opts, work, CLI_VERSION);
  const { shard } = choice;
  return {
    runner: choice.runner,
    ...(opts.taskSize === undefined ? {} : { setsPerTask: opts.taskSize }),
    ...(choice.select === undefined ? {} : { select: choice.select }),
    ...(shard === undefined
      ? {}
      : {
          keep: async (part) => {
            log(`wrote ${await writePart(out, shard, part)} (${part.results.length} of ${part.taskIds.length} tasks); combine the parts with dl merge`);
          },
        }),
  };
}
