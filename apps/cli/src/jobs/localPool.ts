// Local runners: in this process, or a pool of `dl worker --ipc` child processes on this machine.
import { type ChildProcess, fork } from "node:child_process";
import { fileURLToPath } from "node:url";

import { DlError } from "@dl/tensor-core";

import { type Replay, TaskRefused, executeTask } from "./execute.js";
import { type TcavContext, preparedContext } from "./tcavJob.js";
import type { JobSpec, TaskRunner, TaskProgress } from "./types.js";

/** Tries per task (a thrown error or a worker that died) before the run fails naming it. */
export const MAX_ATTEMPTS = 3;

/** Messages between the pool and its children. */
export type ToWorker = { type: "task"; envelope: { spec: JobSpec; id: string; task: unknown } } | { type: "context"; spec: JobSpec; context: TcavContext };
export type FromWorker = { type: "done"; id: string; result: string } | { type: "failed"; id: string; message: string; refused: boolean };

/** Every task in this process, one after another. */
export function inlineRunner(version: string, replay: Replay): TaskRunner {
  return {
    name: "inline",
    async run(spec, tasks, onProgress, signal) {
      const out = new Map<string, string>();
      for (const t of tasks) {
        signal?.throwIfAborted();
        out.set(t.id, await executeTask({ spec, id: t.id, task: t.task }, version, replay, signal));
        onProgress?.(out.size, tasks.length);
        // Let progress bars and signals through between tasks.
        await new Promise((resolve) => setImmediate(resolve));
      }
      return out;
    },
  };
}

const WORKER_BIN = fileURLToPath(new URL("../bin/dl.js", import.meta.url));

/** `workers` child processes that load the model once each and take tasks one at a time. */
export function localPoolRunner(workers: number): TaskRunner {
  return {
    name: `${workers} local workers`,
    run: (spec, tasks, onProgress, signal) => runPool(spec, tasks, workers, onProgress, signal),
  };
}

function runPool(spec: JobSpec, tasks: readonly { id: string; task: unknown }[], workers: number, onProgress?: TaskProgress, signal?: AbortSignal): Promise<Map<string, string>> {
  return new Promise((resolve, reject) => {
    const queue = [...tasks];
    const results = new Map<string, string>();
    const attempts = new Map<string, number>();
    const busy = new Map<ChildProcess, { id: string; task: unknown }>();
    const children = new Set<ChildProcess>();
    const stderrTail = new Map<ChildProcess, string>();
    let settled = false;
    let spawned = 0;
    const finish = (error?: Error): void => {
      if (settled) return;
      settled = true;
      signal?.removeEventListener("abort", onAbort);
      for (const child of children) child.kill("SIGTERM");
      if (error === undefined) resolve(results);
      else reject(error);
    };
    const onAbort = (): void => finish(signal?.reason instanceof Error ? signal.reason : new Error("interrupted"));
    signal?.addEventListener("abort", onAbort);
    const failed = (t: { id: string; task: unknown }, message: string): void => {
      const n = (attempts.get(t.id) ?? 0) + 1;
      attempts.set(t.id, n);
      if (n >= MAX_ATTEMPTS) finish(new DlError("INVALID_ARGUMENT", `Task ${t.id} failed ${n} times; last error: ${message}`));
      else queue.push(t);
    };
    const dispatch = (child: ChildProcess): void => {
      if (settled) return;
      const next = queue.shift();
      if (next === undefined) {
        if (busy.size === 0 && results.size === tasks.length) finish();
        return;
      }
      busy.set(child, next);
      const message: ToWorker = { type: "task", envelope: { spec, id: next.id, task: next.task } };
      child.send(message);
    };
    const spawn = (): void => {
      spawned++;
      const child = fork(WORKER_BIN, ["worker", "--ipc"], { stdio: ["ignore", "ignore", "pipe", "ipc"], serialization: "advanced" });
      children.add(child);
      child.stderr?.on("data", (chunk: Buffer) => stderrTail.set(child, ((stderrTail.get(child) ?? "") + chunk.toString()).slice(-2000)));
      child.on("message", (raw) => {
        const m = raw as FromWorker;
        const t = busy.get(child);
        busy.delete(child);
        if (m.type === "done") {
          if (!results.has(m.id)) {
            results.set(m.id, m.result);
            onProgress?.(results.size, tasks.length);
          }
        } else if (m.refused) {
          finish(new TaskRefused(m.message));
          return;
        } else if (t !== undefined) {
          failed(t, m.message);
        }
        dispatch(child);
        if (!settled && results.size === tasks.length) finish();
      });
      child.on("exit", (code, sig) => {
        children.delete(child);
        if (settled) return;
        const t = busy.get(child);
        busy.delete(child);
        const why = `worker process ${child.pid ?? "?"} exited (${sig ?? `code ${code ?? "?"}`})${stderrTail.get(child) ? `: ${(stderrTail.get(child) ?? "").trim().split("\n").pop() ?? ""}` : ""}`;
        if (t !== undefined) failed(t, why);
        if (settled) return;
        if (spawned >= workers + tasks.length * MAX_ATTEMPTS) {
          finish(new Error(`Local workers keep dying; last: ${why}`));
          return;
        }
        if (queue.length > 0) spawn();
      });
      child.on("error", (e) => finish(e));
      // The submitter's prepared activations travel once per child (structured clone of typed
      // arrays), so children skip loading the model and recomputing them.
      const context = spec.kind === "tcav" ? preparedContext(spec) : undefined;
      if (context !== undefined) child.send({ type: "context", spec, context } satisfies ToWorker);
      dispatch(child);
    };
    if (tasks.length === 0) {
      finish();
      return;
    }
    for (let i = 0; i < Math.min(workers, tasks.length); i++) spawn();
  });
}
