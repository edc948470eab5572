import { type Command, Option } from "commander";

import { DlError } from "@dl/tensor-core";

import { log } from "../io.js";
import { parseInteger } from "../options.js";
import { CLI_VERSION } from "../program.js";

interface WorkerCliOptions {
  queue?: string;
  ipc?: boolean;
  lockMs: number;
}

async function replay(argv: string[]): Promise<void> {
  const { buildProgram } = await import("../program.js");
  const full = ["node", "dl", ...argv];
  await (await buildProgram(full)).parseAsync(full);
}

export function registerWorkerCommand(program: Command): void {
  program
    .command("worker")
    .description("take tasks of `dl tcav` / `dl sweep` runs from a BullMQ queue in Redis until stopped (Ctrl-C or SIGTERM finishes the current task); loads each run's model and data once")
    .option("--queue <redis-url>", "redis://[:PASSWORD@]HOST:PORT, or rediss:// for TLS; the same URL the submitter gives")
    .option("--lock-ms <ms>", "how long a task stays locked without renewal; a killed worker's task is retried after about this long", parseInteger("--lock-ms", 500), 60_000)
    .addOption(new Option("--ipc", "serve a local pool over IPC (internal)").hideHelp())
    .action(async (opts: WorkerCliOptions) => {
      if (opts.ipc === true) {
        const { serveIpc } = await import("../jobs/ipcWorker.js");
        await serveIpc(CLI_VERSION, replay);
        return;
      }
      if (opts.queue === undefined) throw new DlError("INVALID_ARGUMENT", "Give --queue redis://HOST:PORT: the Redis the submitter (dl tcav --queue …, dl sweep --queue …) uses.");
      const { describeQueue } = await import("../jobs/queueUrl.js");
      const { startQueueWorker } = await import("../jobs/queue.js");
      const where = describeQueue(opts.queue);
      const worker = startQueueWorker(opts.queue, { version: CLI_VERSION, replay, lockMs: opts.lockMs, onEvent: log });
      log(`dl worker ${CLI_VERSION}: taking tasks from ${where} (pid ${process.pid})`);
      await new Promise<void>((resolve) => {
        const stop = (): void => {
          log("dl worker: stopping after the current task");
          void worker.close().then(resolve);
        };
        process.once("SIGINT", stop);
        process.once("SIGTERM", stop);
      });
    });
}
