// The job-queue runner: BullMQ on Redis. The submitter enqueues tasks and polls their jobs; `dl worker
// --queue` processes them. Results merge by task id, so a retried or stalled-and-rerun job counts once.
import { randomUUID } from "node:crypto";

import { type Job, Queue, UnrecoverableError, Worker } from "bullmq";
import { Redis } from "ioredis";

import { DlError } from "@dl/tensor-core";

import { type Replay, TaskRefused, executeTask } from "./execute.js";
import { describeQueue, parseQueueUrl } from "./queueUrl.js";
import { MAX_ATTEMPTS } from "./localPool.js";
import type { TaskEnvelope, TaskRunner } from "./types.js";

/** The one queue every `dl worker` listens on. */
export const QUEUE_NAME = "dl-tasks";

function connect(url: string): Redis {
  parseQueueUrl(url);
  // BullMQ needs maxRetriesPerRequest: null; reconnect every 0.2–1 s for as long as the caller waits.
  return new Redis(url, { maxRetriesPerRequest: null, retryStrategy: (times) => Math.min(200 * times, 1000) });
}

export interface QueueRunnerOptions {
  /** Fail when Redis stays unreachable this long (ms). */
  redisTimeoutMs?: number;
  /** Called with a line for the terminal (lost tasks re-queued, Redis unreachable…). */
  onNotice?: (message: string) => void;
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** Commands wait in ioredis' offline queue while Redis is away; this bounds each wait. */
function within<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer from Redis in ${Math.round(ms / 1000)} s`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

/** Enqueues every task on `url`'s queue and waits for all results. */
export function queueRunner(url: string, options: QueueRunnerOptions = {}): TaskRunner {
  const where = describeQueue(url);
  const timeoutMs = options.redisTimeoutMs ?? 60_000;
  return {
    name: `queue ${where}`,
    async run(spec, tasks, onProgress, signal) {
      const run = randomUUID().slice(0, 8);
      const jobId = (id: string): string => `${run}-${id.replaceAll(":", "_")}`;
      const connection = connect(url);
      connection.on("error", () => undefined);
      const queue = new Queue<TaskEnvelope, string>(QUEUE_NAME, { connection });
      queue.on("error", () => undefined);
      const add = (list: readonly { id: string; task: unknown }[]): Promise<unknown> =>
        queue.addBulk(
          list.map((t) => ({
            name: t.id,
            data: { spec, id: t.id, task: t.task },
            opts: { jobId: jobId(t.id), attempts: MAX_ATTEMPTS, backoff: { type: "fixed", delay: 200 }, removeOnComplete: { age: 3600 }, removeOnFail: { age: 86_400 } },
          })),
        );
      const results = new Map<string, string>();
      const byId = new Map(tasks.map((t) => [t.id, t]));
      try {
        let lastContact = Date.now();
        let added = false;
        while (!added) {
          try {
            await within(add(tasks), Math.max(500, timeoutMs - (Date.now() - lastContact)));
            added = true;
          } catch (error) {
            if (Date.now() - lastContact > timeoutMs) throw unreachable(where, timeoutMs, error);
            await sleep(500);
          }
        }
        lastContact = Date.now();
        while (results.size < tasks.length) {
          signal?.throwIfAborted();
          const pending = tasks.filter((t) => !results.has(t.id));
          await sleep(Math.min(1000, 100 + pending.length / 4));
          let jobs: (Job<TaskEnvelope, string> | undefined)[];
          try {
            jobs = await within(
              Promise.all(pending.map((t) => queue.getJob(jobId(t.id)))),
              Math.min(10_000, Math.max(500, timeoutMs - (Date.now() - lastContact))),
            );
          } catch (error) {
            if (Date.now() - lastContact > timeoutMs) throw unreachable(where, timeoutMs, error);
            continue;
          }
          if (Date.now() - lastContact > 2000) options.onNotice?.(`Redis at ${where} is back`);
          lastContact = Date.now();
          const lost: { id: string; task: unknown }[] = [];
          for (const [i, job] of jobs.entries()) {
            const t = pending[i] as { id: string; task: unknown };
            if (job === undefined) {
              lost.push(t);
            } else if (typeof job.returnvalue === "string") {
              results.set(t.id, job.returnvalue);
            } else if (job.failedReason !== undefined && job.failedReason !== "" && (await job.getState()) === "failed") {
              // The job read above may predate its last attempt (it failed between the two reads); a
              // failed job is final, so read it again for the attempt count and reason.
              const final = (await queue.getJob(jobId(t.id))) ?? job;
              throw new DlError("INVALID_ARGUMENT", `Task ${t.id} failed after ${final.attemptsMade} attempt(s) on the queue: ${final.failedReason}`);
            }
          }
          if (lost.length > 0) {
            // Redis lost them (restarted without persistence, or evicted): queue them again; a result
            // that still arrives for the old job is the same numbers and counts once.
            options.onNotice?.(`${lost.length} task(s) vanished from Redis at ${where} (restarted?); queued again`);
            await within(add(lost.filter((t) => byId.has(t.id))), 10_000);
          }
          onProgress?.(results.size, tasks.length);
        }
        return results;
      } finally {
        // close() would wait for Redis forever when it is gone.
        await within(queue.close(), 2000).catch(() => undefined);
        connection.disconnect();
      }
    },
  };
}

function unreachable(where: string, timeoutMs: number, error: unknown): DlError {
  return new DlError("INVALID_ARGUMENT", `Lost Redis at ${where} for ${Math.round(timeoutMs / 1000)} s (${error instanceof Error ? error.message : String(error)}); no result was merged. Check the server and rerun.`);
}

export interface QueueWorkerOptions {
  version: string;
  replay: Replay;
  /** How long a job's lock lasts without renewal (ms); a killed worker's task is retried after about this long. */
  lockMs?: number;
  /** Called per finished or failed task, for the worker's log. */
  onEvent?: (message: string) => void;
}

/** Takes tasks from `url`'s queue until closed; one at a time (each task is CPU-bound). */
export function startQueueWorker(url: string, options: QueueWorkerOptions): { close: () => Promise<void> } {
  const connection = connect(url);
  connection.on("error", () => undefined);
  const lockDuration = options.lockMs ?? 60_000;
  const worker = new Worker<TaskEnvelope, string>(
    QUEUE_NAME,
    async (job) => {
      try {
        return await executeTask(job.data, options.version, options.replay);
      } catch (error) {
        // A refusal is final: retrying on this worker cannot change its version or context.
        if (error instanceof TaskRefused) throw new UnrecoverableError(error.message);
        throw error;
      }
    },
    { connection, concurrency: 1, lockDuration, stalledInterval: Math.max(1000, Math.round(lockDuration / 2)), maxStalledCount: 5 },
  );
  worker.on("error", () => undefined);
  worker.on("completed", (job) => options.onEvent?.(`done ${job.name}`));
  worker.on("failed", (job, error) => options.onEvent?.(`failed ${job?.name ?? "?"}: ${error.message}`));
  return {
    close: async () => {
      await worker.close();
      connection.disconnect();
    },
  };
}
