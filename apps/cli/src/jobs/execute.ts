// What a worker does with one task, whichever runner delivered it.
import { DlError } from "@dl/tensor-core";

import { encode } from "./codec.js";
import { runTcavTaskEncoded, tcavContext } from "./tcavJob.js";
import type { TaskEnvelope } from "./types.js";

/** A task this worker must not run (other version, other context); retrying elsewhere with the same worker pool cannot help. */
export class TaskRefused extends DlError {
  constructor(message: string) {
    super("INVALID_ARGUMENT", message);
  }
}

/** Replays a `dl` command line in this process (the worker's own program). */
export type Replay = (argv: string[]) => Promise<void>;

/** Runs one task; returns its encoded result. Throws `TaskRefused` for a version or context mismatch. */
export async function executeTask(envelope: TaskEnvelope, version: string, replay: Replay, signal?: AbortSignal): Promise<string> {
  const { spec } = envelope;
  if (spec.version !== version) {
    throw new TaskRefused(`Task ${envelope.id} comes from dl-lab ${spec.version} but this worker runs dl-lab ${version}; run workers of the submitter's version.`);
  }
  switch (spec.kind) {
    case "noop":
      return encode({ id: envelope.id });
    case "tcav": {
      const context = await tcavContext(spec, replay);
      if (spec.digest !== undefined && context.digest !== spec.digest) {
        throw new TaskRefused(
          `Task ${envelope.id}: this worker's activations and draws (digest ${context.digest.slice(0, 12)}) differ from the submitter's (${spec.digest.slice(0, 12)}); check that it sees the same model, data and backend.`,
        );
      }
      return runTcavTaskEncoded(context, envelope.task, signal);
    }
    case "sweep": {
      const { runSweepTask } = await import("./sweep.js");
      return encode(await runSweepTask(envelope.task, signal));
    }
    case "grid25": {
      const { runGrid25Task } = await import("./grid25Job.js");
      return encode(await runGrid25Task(envelope.task, signal));
    }
  }
}
