// `dl tcav` as tasks: the submitter prepares the plan (forward/backward passes), tasks go to a runner,
// results merge by task id. A worker rebuilds the same plan by replaying the command's flags.
import { createHash } from "node:crypto";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";

import { type AnyModel } from "@dl/tensor-core";
import { type TcavOptions, type TcavPlan, type TcavResult, type TcavTask, type TcavTaskResult, mergeTcav, prepareTcav, runTcavTask, tcavTasks } from "@dl/interpretability";

import { decode, encode } from "./codec.js";
import type { JobSpec, TaskRunner } from "./types.js";

export interface TcavContext {
  plan: TcavPlan;
  digest: string;
}

/** sha-256 of everything a task reads: two processes with equal digests compute equal results. */
export function planDigest(plan: TcavPlan): string {
  const hash = createHash("sha256");
  hash.update(JSON.stringify(plan.summary));
  hash.update(JSON.stringify(plan.cav));
  const bytes = (a: Float32Array | Int32Array): void => {
    hash.update(new Uint8Array(a.buffer, a.byteOffset, a.byteLength));
  };
  for (const l of plan.layerData) {
    bytes(l.activations.data);
    bytes(l.gradients.data);
  }
  for (const c of plan.draws.concepts) bytes(c.rows);
  for (const r of plan.draws.nullConcepts) bytes(r);
  for (const r of plan.draws.counterexamples) bytes(r);
  bytes(Int32Array.from(plan.draws.cavSeeds));
  return hash.digest("hex");
}

/** Set while a worker replays `dl tcav`: the command stops after preparing and hands the plan here. */
let capture: ((plan: TcavPlan) => void) | undefined;

/** Thrown through the replayed command once its plan is captured (its `finally` then frees the model). */
export class PlanCaptured extends Error {}

/**
 * Runs `dl tcav`'s work: prepare, tasks through `runner`, merge. Returns undefined when the runner
 * keeps the results (a shard writes its part for `dl merge`).
 */
export async function runTcavJob(model: AnyModel, options: TcavOptions, spec: Omit<JobSpec, "kind" | "digest">, runner: TcavRunnerChoice): Promise<TcavResult | undefined> {
  if (capture !== undefined) {
    const { onProgress: _p, ...quiet } = options;
    capture(await prepareTcav(model, quiet));
    throw new PlanCaptured("plan captured");
  }
  const started = performance.now();
  const plan = await prepareTcav(model, options);
  const context: TcavContext = { plan, digest: planDigest(plan) };
  const tasks = tcavTasks(plan.summary, runner.setsPerTask);
  const full: JobSpec = { kind: "tcav", argv: spec.argv, version: spec.version, digest: context.digest };
  rememberContext(full, context);
  const perTask = plan.summary.randomRuns;
  const total = plan.summary.layers.length * plan.summary.setsPerLayer * perTask;
  const onProgress = (done: number, all: number): void => options.onProgress?.({ phase: "cav", step: Math.round((done / all) * total), total });
  const selected = runner.select === undefined ? tasks : tasks.filter((_, i) => runner.select?.(i) === true);
  const encoded = await runner.runner.run(full, selected.map((t) => ({ id: t.id, task: t })), onProgress, options.signal);
  const results = selected.map((t) => {
    const text = encoded.get(t.id);
    if (text === undefined) throw new Error(`Task ${t.id} returned no result.`);
    const r = decode(text) as TcavTaskResult;
    if (r.id !== t.id) throw new Error(`Task ${t.id} came back as ${r.id}; refusing to merge.`);
    return r;
  });
  if (runner.keep !== undefined) {
    await runner.keep({ spec: full, summary: plan.summary, taskIds: tasks.map((t) => t.id), results });
    return undefined;
  }
  return mergeTcav(plan.summary, results, (performance.now() - started) / 1000);
}

/** A part of a run kept by `--shard`: what `dl merge` needs, no activations. */
export interface TcavPart {
  spec: JobSpec;
  summary: TcavPlan["summary"];
  /** Every task of the run, so a merge can tell which parts are missing. */
  taskIds: string[];
  results: TcavTaskResult[];
}

export interface TcavRunnerChoice {
  runner: TaskRunner;
  setsPerTask?: number;
  /** Which task indices this process runs (a shard); all when absent. */
  select?: (index: number) => boolean;
  /** Keeps the results instead of merging (a shard's part). */
  keep?: (part: TcavPart) => Promise<void>;
}

const contexts = new Map<string, Promise<TcavContext>>();
/** The same contexts once resolved, for handing to local worker processes without recomputing. */
const resolved = new Map<string, TcavContext>();

function contextKey(spec: JobSpec): string {
  return JSON.stringify([spec.kind, spec.argv]);
}

function rememberContext(spec: JobSpec, context: TcavContext): void {
  contexts.clear();
  resolved.clear();
  contexts.set(contextKey(spec), Promise.resolve(context));
  resolved.set(contextKey(spec), context);
}

/** This process's prepared context for `spec`, if it has one (the submitter always does). */
export function preparedContext(spec: JobSpec): TcavContext | undefined {
  return resolved.get(contextKey(spec));
}

/** A context handed over by the parent process (a local pool): used as if this worker had prepared it. */
export function adoptContext(spec: JobSpec, context: TcavContext): void {
  rememberContext(spec, context);
}

/** The plan of `spec`, rebuilt once per worker by replaying `dl tcav` with its flags and reused across tasks. */
export function tcavContext(spec: JobSpec, replay: (argv: string[]) => Promise<void>): Promise<TcavContext> {
  const key = contextKey(spec);
  let found = contexts.get(key);
  if (found === undefined) {
    found = (async () => {
      const out = await mkdtemp(join(tmpdir(), "dl-worker-"));
      let plan: TcavPlan | undefined;
      capture = (p) => {
        plan = p;
      };
      try {
        await replay(["tcav", ...spec.argv, "--out", out]);
      } catch (error) {
        if (!(error instanceof PlanCaptured)) throw error;
      } finally {
        capture = undefined;
        await rm(out, { recursive: true, force: true });
      }
      if (plan === undefined) throw new Error("Replaying dl tcav on the worker prepared no plan.");
      return { plan, digest: planDigest(plan) };
    })();
    // One model and dataset at a time per worker: a new run replaces the last.
    contexts.clear();
    contexts.set(key, found);
    found.catch(() => contexts.delete(key));
  }
  return found;
}

export function runTcavTaskEncoded(context: TcavContext, task: unknown, signal?: AbortSignal): string {
  return encode(runTcavTask(context.plan, task as TcavTask, signal));
}
