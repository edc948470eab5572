// The tfjs-free entry: commands that set up no backend (dl tsne on narrow inputs) never load TensorFlow.js.
import { DEFAULT_SEED, type ProgressCallback } from "@dl/tensor-core/host";

import { assertWritableDir, interruptSignal, log, printJson, progressReporter, writeOutputs, type OutputFile } from "./io.js";
import type { CommonOptions } from "./options.js";

/** What a command's work receives: its seed, the Ctrl-C/SIGTERM signal and the progress callback. */
export interface ActionContext {
  readonly seed: number;
  readonly signal: AbortSignal;
  readonly onProgress: ProgressCallback;
}

/** What a command's work returns: the files for `--out`, the `--json` document and one summary line. */
export interface ActionOutcome {
  /** Written together (atomically replacing `--out`) after the work succeeded; nothing is written otherwise. */
  readonly files?: readonly OutputFile[];
  /** Printed with `--json`, with `out` and `files` added when something was written. */
  readonly json: Readonly<Record<string, unknown>>;
  /** One line on stderr; "; wrote DIR" is added when files were written. Left out: no line (the result goes to stdout as `text`). */
  readonly summary?: string;
  /** Without `--json`: the human-readable result (a table, result lines) printed on stdout after the files are written. */
  readonly text?: string;
  /**
   * Wall seconds of the work's phases, in order. With `--json` they are printed as `phases`, framed by `startup`
   * (process start → backend ready: module loading and backend set-up), `writing` (the files) and `total` (process start → printing).
   */
  readonly phases?: Readonly<Record<string, number>>;
}

export interface ActionSettings {
  /** Set up the tfjs backend from `--backend` first (default true; false for commands without tensors). */
  readonly backend?: boolean;
}

/**
 * Every command's procedure in one place: check `--out` is writable → backend → the work, with a
 * progress bar and Ctrl-C/SIGTERM as an AbortSignal → write the outputs → summary line → `--json`.
 * A command's action is then one call whose work says only what is particular to it.
 */
export async function runAction(
  label: string,
  opts: CommonOptions,
  work: (context: ActionContext) => Promise<ActionOutcome>,
  settings: ActionSettings = {},
): Promise<void> {
  if (opts.out !== undefined) await assertWritableDir(opts.out);
  if (settings.backend !== false) await startBackend(opts.backend);
  const startup = process.uptime();
  const progress = progressReporter(label);
  const interrupt = interruptSignal();
  let outcome: ActionOutcome;
  try {
    outcome = await work({ seed: opts.seed ?? DEFAULT_SEED, signal: interrupt.signal, onProgress: progress.onProgress });
  } finally {
    progress.stop();
    interrupt.dispose();
  }
  const files = opts.out !== undefined && outcome.files !== undefined && outcome.files.length > 0 ? outcome.files : undefined;
  const writeStarted = performance.now();
  const written = files === undefined || opts.out === undefined ? undefined : await writeOutputs(opts.out, files);
  if (outcome.summary !== undefined) log(written === undefined ? outcome.summary : `${outcome.summary}; wrote ${opts.out ?? ""}`);
  const phases = outcome.phases === undefined ? {} : { phases: { startup, ...outcome.phases, writing: (performance.now() - writeStarted) / 1000, total: process.uptime() } };
  if (opts.json === true) printJson(written === undefined ? { ...outcome.json, ...phases } : { ...outcome.json, out: opts.out, files: written, ...phases });
  else if (outcome.text !== undefined) process.stdout.write(outcome.text);
}

/**
 * Sets up the tfjs backend `--backend` names (or the best available), loading @dl/tensor-core's tfjs part
 * only now: a command that needs no backend never pays its start-up (~0.2 s of module loading).
 */
export async function startBackend(backend: CommonOptions["backend"]): Promise<string> {
  const { initBackend } = await import("@dl/tensor-core");
  return (await initBackend(backend === undefined ? {} : { backend })).name;
}
