// The child side of the local pool: tasks arrive over IPC, one at a time; the process ends with its parent.
import { type FromWorker, type ToWorker } from "./localPool.js";
import { type Replay, TaskRefused, executeTask } from "./execute.js";
import { adoptContext } from "./tcavJob.js";

export function serveIpc(version: string, replay: Replay): Promise<void> {
  return new Promise((resolve) => {
    const send = (m: FromWorker): void => {
      process.send?.(m);
    };
    process.on("message", (raw) => {
      const m = raw as ToWorker;
      if (m.type === "context") {
        adoptContext(m.spec, m.context);
        return;
      }
      const { envelope } = m;
      executeTask(envelope, version, replay).then(
        (result) => send({ type: "done", id: envelope.id, result }),
        (error: unknown) => send({ type: "failed", id: envelope.id, message: error instanceof Error ? error.message : String(error), refused: error instanceof TaskRefused }),
      );
    });
    process.once("disconnect", () => resolve());
    process.once("SIGTERM", () => process.exit(0));
  });
}
