import { constants } from "node:fs";
import { access, stat } from "node:fs/promises";
import { dirname, resolve } from "node:path";

import cliProgress from "cli-progress";

import { DlError, writeFileAtomic, writeFilesAtomically, type ProgressCallback } from "@dl/tensor-core";

/** Prints one JSON document on stdout (the `--json` contract). */
export function printJson(value: unknown): void {
  process.stdout.write(`${JSON.stringify(value, jsonReplacer, 2)}\n`);
}

function jsonReplacer(_key: string, value: unknown): unknown {
  if (ArrayBuffer.isView(value) && !(value instanceof DataView)) return Array.from(value as unknown as ArrayLike<number>);
  if (typeof value === "number" && !Number.isFinite(value)) return String(value);
  return value;
}

/** The one-line form of an error: `error [CODE]: message` for DlError. */
export function formatError(error: unknown): string {
  if (error instanceof DlError) return `error [${error.code}]: ${error.message}`;
  if (error instanceof Error) return `error: ${error.message}`;
  return `error: ${String(error)}`;
}

/** Human-readable lines go to stderr so stdout stays parseable. */
export function log(message: string): void {
  process.stderr.write(`${message}\n`);
}

export type OutputFile = readonly [relativePath: string, contents: string | Uint8Array];

/**
 * Writes all files of a command into `outDir` at once (tensor-core's staging-folder write), so a
 * failure leaves nothing half-written.
 */
export async function writeOutputs(outDir: string, files: readonly OutputFile[]): Promise<string[]> {
  return writeFilesAtomically(
    outDir,
    files.map(([path, contents]) => ({ path, contents })),
    "Choose a writable --out folder.",
  );
}

function ioError(target: string, error: unknown): DlError {
  const reason = error instanceof Error ? error.message : String(error);
  return new DlError("IO_ERROR", `Cannot write to ${target}: ${reason}. Choose a writable --out folder.`, { cause: error });
}

/**
 * Checks, without creating anything, that `dir` could be created or written: it is a folder or does
 * not exist yet, and its nearest existing ancestor is a writable folder. Commands call it before
 * long work so a bad `--out` fails in a second, not after training.
 */
export async function assertWritableDir(dir: string): Promise<void> {
  const target = resolve(dir);
  let probe = target;
  for (;;) {
    const info = await stat(probe).catch(() => undefined);
    if (info !== undefined) {
      if (!info.isDirectory()) {
        throw new DlError("IO_ERROR", `Cannot write to ${target}: ${probe} is a file, not a folder. Choose another --out folder.`);
      }
      try {
        await access(probe, constants.W_OK | constants.X_OK);
      } catch (error) {
        throw ioError(target, error);
      }
      return;
    }
    const up = dirname(probe);
    if (up === probe) throw new DlError("IO_ERROR", `Cannot write to ${target}: no existing parent folder.`);
    probe = up;
  }
}

/** Writes one file atomically (temp file + rename). */
export { writeFileAtomic };

export async function exists(path: string): Promise<boolean> {
  return stat(path).then(
    () => true,
    () => false,
  );
}

/**
 * A stderr progress bar driven by a package's `onProgress` events; silent when stderr is not a TTY
 * except for one line per phase, so logs stay short in CI.
 */
export function progressReporter(label: string): { onProgress: ProgressCallback; stop: () => void } {
  const tty = process.stderr.isTTY;
  let bar: cliProgress.SingleBar | undefined;
  let phase = "";
  let lastLine = 0;
  let printed = "";
  let last: { step: number; total?: number; metrics: string } | undefined;
  const describe = (e: { step: number; total?: number; metrics: string }): string =>
    `${label}: ${phase} ${e.step}${e.total === undefined ? "" : `/${e.total}`}${e.metrics === "" ? "" : ` ${e.metrics}`}`;
  // A phase is over when the next begins or the work returns. One that ends short of its total (a time
  // budget, early stopping, or a package that reports only now and then) says "done" with its last
  // report, so the last line is never a stale intermediate one that looks stuck.
  const endPhase = (): void => {
    const short = last?.total !== undefined && last.step < last.total;
    if (tty) {
      if (bar !== undefined && last !== undefined && short) bar.update(last.step, { metrics: `${last.metrics} — done (last report ${last.step}/${last.total ?? "?"})`.trim() });
      bar?.stop();
    } else if (last !== undefined && short) {
      log(`${label}: ${phase} done (last report ${last.step}/${last.total ?? "?"}${last.metrics === "" ? "" : ` ${last.metrics}`})`);
    } else if (last !== undefined && describe(last) !== printed) {
      log(describe(last));
    }
    bar = undefined;
    last = undefined;
    printed = "";
  };
  const onProgress: ProgressCallback = (event) => {
    const metrics = Object.entries(event.metrics ?? {})
      .map(([k, v]) => `${k}=${formatNumber(v)}`)
      .join(" ");
    if (event.phase !== phase) {
      endPhase();
      phase = event.phase;
      lastLine = 0;
      if (!tty) log(`${label}: ${phase}${event.total === undefined ? "" : ` (${event.total} steps)`}`);
    }
    last = { step: event.step, ...(event.total === undefined ? {} : { total: event.total }), metrics };
    if (!tty) {
      // Logs (CI, pipes) get a line at most every few seconds and at the end of a phase.
      const now = Date.now();
      const final = event.total !== undefined && event.step >= event.total;
      if ((final || now - lastLine >= NON_TTY_INTERVAL_MS) && (event.step > 0 || metrics !== "")) {
        lastLine = now;
        printed = describe(last);
        log(printed);
      }
      return;
    }
    if (bar === undefined) {
      bar = new cliProgress.SingleBar(
        { stream: process.stderr, format: `${label} ${phase} [{bar}] {value}/{total} {metrics}`, hideCursor: true },
        cliProgress.Presets.shades_classic,
      );
      bar.start(event.total ?? 0, event.step, { metrics });
    } else {
      if (event.total !== undefined) bar.setTotal(event.total);
      bar.update(event.step, { metrics });
    }
  };
  return { onProgress, stop: endPhase };
}

const NON_TTY_INTERVAL_MS = 5000;

/**
 * An AbortSignal that fires on the first Ctrl-C (SIGINT) so long work stops cleanly between steps
 * and nothing is written; a second Ctrl-C exits at once. Call `dispose` when the work is over.
 */
export function interruptSignal(): { signal: AbortSignal; dispose: () => void } {
  const controller = new AbortController();
  const onInterrupt = (): void => {
    if (controller.signal.aborted) process.exit(130);
    log("interrupted: stopping after the current step (Ctrl-C again to quit now)");
    controller.abort(new Error("interrupted by SIGINT"));
  };
  process.on("SIGINT", onInterrupt);
  return { signal: controller.signal, dispose: () => process.off("SIGINT", onInterrupt) };
}

function formatNumber(v: number): string {
  return Math.abs(v) >= 1000 || Number.isInteger(v) ? String(v) : v.toPrecision(4);
}
