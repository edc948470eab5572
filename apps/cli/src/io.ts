import { randomBytes } from "node:crypto";
import { chmodSync, constants, mkdirSync, renameSync, rmSync } from "node:fs";
import { access, cp, mkdir, rm, stat, writeFile } from "node:fs/promises";
import { createRequire } from "node:module";
import { basename, dirname, join, resolve } from "node:path";

import type cliProgress from "cli-progress";

import { DlError, type ProgressCallback } from "@dl/tensor-core/host";

import { InvalidOptionError } from "./options.js";

/** Prints one JSON document on stdout (the `--json` contract). */
export function printJson(value: unknown): void {
  process.stdout.write(`${JSON.stringify(value, jsonReplacer, 2)}\n`);
}

function jsonReplacer(key: string, value: unknown): unknown {
  if (typeof value === "number" && !Number.isFinite(value)) return String(value);
  return typedArraysAsArrays(key, value);
}

/** The one typed-array → JSON conversion (a `JSON.stringify` replacer): Float32Array etc. become plain arrays. */
export function typedArraysAsArrays(_key: string, value: unknown): unknown {
  return ArrayBuffer.isView(value) && !(value instanceof DataView) ? Array.from(value as unknown as ArrayLike<number>) : value;
}

/** The text of a JSON file in `--out`: indented by 2, typed arrays as arrays, a final newline (non-finite numbers become null, as JSON writes them). */
export function jsonFileText(value: unknown): string {
  return `${JSON.stringify(value, typedArraysAsArrays, 2)}\n`;
}

/** The one-line form of an error: `error [CODE]: message` for DlError. */
export function formatError(error: unknown): string {
  if (error instanceof DlError && error.code === "ABORTED" && receivedSignal !== undefined) {
    return `error [ABORTED]: stopped by ${receivedSignal}; nothing was written to --out.`;
  }
  if (error instanceof DlError) return `error [${error.code}]: ${error.message}`;
  // A flag's value refused by its parser is the same kind of fault as an invalid argument.
  if (error instanceof InvalidOptionError) return `error [INVALID_ARGUMENT]: ${error.message}`;
  if (error instanceof Error) return `error: ${error.message}`;
  return `error: ${String(error)}`;
}

/** Human-readable lines go to stderr so stdout stays parseable. */
export function log(message: string): void {
  process.stderr.write(`${message}\n`);
}

export type OutputFile = readonly [relativePath: string, contents: string | Uint8Array];

/**
 * Writes all files of a command into `outDir` at once, so an interruption or failure leaves either
 * the old folder or the new one, never a mix and never a staging folder: the new folder is built
 * beside the target (a copy of the old one's files, then the new files), then swapped in by two
 * renames that no signal handler can come between. Ctrl-C or SIGTERM during the write stops it at
 * the next file, after the file system call in flight has finished (one still running could
 * otherwise recreate the staging folder after its removal), removes the staging folder and exits
 * non-zero.
 */
export async function writeOutputs(outDir: string, files: readonly OutputFile[]): Promise<string[]> {
  const target = resolve(outDir);
  const parent = dirname(target);
  const hint = "Choose a writable --out folder.";
  const fail = (error: unknown): DlError =>
    error instanceof DlError ? error : new DlError("IO_ERROR", `Cannot write to ${target}: ${error instanceof Error ? error.message : String(error)}. ${hint}`, { cause: error });
  let staging: string | undefined;
  let old: string | undefined;
  const cleanup = (): void => {
    if (staging !== undefined) removeTree(staging);
    if (old !== undefined) removeTree(old);
  };
  const release = holdCleanup(cleanup);
  const stopIfSignalled = (): void => throwIfSignalled(`replacing ${target}`);
  try {
    const existing = await stat(target).catch(() => undefined);
    if (existing !== undefined && !existing.isDirectory()) throw new DlError("IO_ERROR", `Cannot write to ${target}: it is a file, not a folder. ${hint}`);
    await mkdir(parent, { recursive: true });
    stopIfSignalled();
    // Named and created in this tick, so no signal handler can run between the two and miss it.
    staging = join(parent, `.${basename(target)}.partial-${randomBytes(6).toString("hex")}`);
    mkdirSync(staging);
    // Output folders are meant to be shared or served, whatever the umask.
    chmodSync(staging, 0o755);
    // Files of an earlier run that this one does not write are kept, as an in-place write would.
    if (existing !== undefined) await cp(target, staging, { recursive: true, preserveTimestamps: true });
    for (const [path, contents] of files) {
      stopIfSignalled();
      const to = join(staging, path);
      await mkdir(dirname(to), { recursive: true });
      await writeFile(to, contents);
    }
    stopIfSignalled();
    if (existing === undefined) {
      renameSync(staging, target);
    } else {
      old = join(parent, `.${basename(target)}.old-${randomBytes(6).toString("hex")}`);
      renameSync(target, old);
      try {
        renameSync(staging, target);
      } catch (error) {
        renameSync(old, target);
        old = undefined;
        throw error;
      }
    }
    staging = undefined;
    if (old !== undefined) await rm(old, { recursive: true, force: true });
    old = undefined;
    return files.map(([path]) => join(target, path));
  } catch (error) {
    throw fail(error);
  } finally {
    cleanup();
    release();
  }
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

/**
 * Writes one file atomically (a hidden temp file beside it, then a rename); the temp file is removed
 * on every exit path, a stop signal included. Any failure is one IO_ERROR line naming the path.
 */
export async function writeFileAtomic(path: string, data: Uint8Array | string): Promise<void> {
  const target = resolve(path);
  const temp = join(dirname(target), `.${basename(target)}.${process.pid}.${randomBytes(6).toString("hex")}.tmp`);
  const cleanup = (): void => {
    try {
      rmSync(temp, { force: true });
    } catch {
      // No temp file could have been made there (e.g. the parent is a file).
    }
  };
  const release = holdCleanup(cleanup);
  try {
    await mkdir(dirname(target), { recursive: true });
    throwIfSignalled(`writing ${target}`);
    await writeFile(temp, data);
    throwIfSignalled(`writing ${target}`);
    renameSync(temp, target);
  } catch (error) {
    if (error instanceof DlError) throw error;
    throw new DlError("IO_ERROR", `Cannot write ${target}: ${error instanceof Error ? error.message : String(error)}. Choose a writable --out path.`, { cause: error });
  } finally {
    cleanup();
    release();
  }
}

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
  let last: { step: number; total?: number; metrics: string; stopped?: string } | undefined;
  const describe = (e: { step: number; total?: number; metrics: string }): string =>
    `${label}: ${phase} ${e.step}${e.total === undefined ? "" : `/${e.total}`}${e.metrics === "" ? "" : ` ${e.metrics}`}`;
  // A phase is over when the next begins or the work returns. One that ends short of its total (a time
  // budget, early stopping, or a package that reports only now and then) says "done" with its last
  // report, so the last line is never a stale intermediate one that looks stuck.
  // A package that says why a phase stopped short (a time budget, convergence) is quoted instead.
  const endPhase = (): void => {
    const short = last?.total !== undefined && last.step < last.total;
    const why = last?.stopped === undefined ? undefined : `stopped by ${last.stopped} at ${last.step}/${last.total ?? "?"}`;
    if (tty) {
      if (bar !== undefined && last !== undefined && why !== undefined) bar.update(last.step, { metrics: `${last.metrics} — ${why}`.trim() });
      else if (bar !== undefined && last !== undefined && short) bar.update(last.step, { metrics: `${last.metrics} — done (last report ${last.step}/${last.total ?? "?"})`.trim() });
      bar?.stop();
    } else if (last !== undefined && why !== undefined) {
      log(`${label}: ${phase} ${why}${last.metrics === "" ? "" : ` ${last.metrics}`}`);
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
    if (event.phase === "cache" && event.message !== undefined) {
      // Notices (a corrupt cache rebuilt, a lock waited on) are printed whatever the terminal; other
      // events' messages (the current layer, file…) only label progress.
      endPhase();
      phase = "";
      log(`${label}: ${event.message}`);
      return;
    }
    const metrics = Object.entries(event.metrics ?? {})
      .map(([k, v]) => `${k}=${formatNumber(v)}`)
      .join(" ");
    if (event.phase !== phase) {
      endPhase();
      phase = event.phase;
      lastLine = 0;
      if (!tty) log(`${label}: ${phase}${event.total === undefined ? "" : ` (${event.total} steps)`}`);
    }
    // A stop notice keeps the metrics of the report before it when it brings none.
    const keep = event.stopped !== undefined && metrics === "" ? (last?.metrics ?? "") : metrics;
    last = { step: event.step, ...(event.total === undefined ? {} : { total: event.total }), metrics: keep, ...(event.stopped === undefined ? {} : { stopped: event.stopped }) };
    if (event.stopped !== undefined) return;
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
      // Loaded with the first bar: runs without a terminal (CI, pipes, the benches) never load it.
      const { Presets, SingleBar } = createRequire(import.meta.url)("cli-progress") as typeof cliProgress;
      bar = new SingleBar(
        { stream: process.stderr, format: `${label} ${phase} [{bar}] {value}/{total} {metrics}`, hideCursor: true },
        Presets.shades_classic,
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

type StopSignal = "SIGINT" | "SIGTERM";
const STOP_SIGNALS: readonly StopSignal[] = ["SIGINT", "SIGTERM"];
const SIGNAL_EXIT_CODES: Readonly<Record<StopSignal, number>> = { SIGINT: 130, SIGTERM: 143 };

/** After a stop signal, the most a command may take to wind down before it is made to exit (ms). */
export const HARD_STOP_MS = 1500;

/** The first stop signal this process received, if any. */
let receivedSignal: StopSignal | undefined;
/** Synchronous cleanups (staging folders) run before any exit forced by a signal. */
const cleanups = new Set<() => void>();
let interrupts = 0;

function runCleanups(): void {
  for (const cleanup of [...cleanups]) {
    try {
      cleanup();
    } catch {
      // Best effort: the process is exiting; the next cleanup must still run.
    }
  }
  cleanups.clear();
}

function exitNow(signal: StopSignal): never {
  runCleanups();
  process.exit(SIGNAL_EXIT_CODES[signal]);
}

/** Writers call this between file system calls: after a stop signal, the write ends as ABORTED. */
function throwIfSignalled(before: string): void {
  if (receivedSignal !== undefined) throw new DlError("ABORTED", `Stopped by ${receivedSignal} before ${before}.`);
}

/** Removes a folder and all in it; retried while a file system call that was in flight adds to it. */
function removeTree(path: string): void {
  rmSync(path, { recursive: true, force: true, maxRetries: 5, retryDelay: 20 });
}

/**
 * While writing (no interruptSignal active), a stop signal makes the writers stop at their next file
 * and the process exit with the signal's code once the last has removed its staging folder; a second
 * signal, or writers still busy after `HARD_STOP_MS`, exit at once.
 */
function onSignalWhileWriting(signal: StopSignal): void {
  if (interrupts !== 0) return;
  if (receivedSignal !== undefined) exitNow(signal);
  receivedSignal = signal;
  log(`${signal}: stopped while writing; nothing was written`);
  setTimeout(() => exitNow(signal), HARD_STOP_MS).unref();
}
const writeHandlers = new Map(STOP_SIGNALS.map((s) => [s, () => onSignalWhileWriting(s)] as const));

/**
 * Registers a cleanup for forced exits; while any is held, stop signals cannot skip it. Releasing the
 * last one after a stop signal received while writing exits with that signal's code.
 */
function holdCleanup(cleanup: () => void): () => void {
  cleanups.add(cleanup);
  if (cleanups.size === 1) for (const [s, handler] of writeHandlers) process.on(s, handler);
  return () => {
    if (!cleanups.delete(cleanup)) return;
    if (cleanups.size !== 0) return;
    for (const [s, handler] of writeHandlers) process.off(s, handler);
    if (receivedSignal !== undefined && interrupts === 0) exitNow(receivedSignal);
  };
}

/**
 * An AbortSignal that fires on the first Ctrl-C (SIGINT) or SIGTERM so long work stops cleanly
 * between steps and nothing is written; a second signal, or work that has not stopped after
 * `HARD_STOP_MS`, exits at once (staging folders removed). The exit code is then 130 (SIGINT) or
 * 143 (SIGTERM). Call `dispose` when the work is over.
 */
export function interruptSignal(): { signal: AbortSignal; dispose: () => void } {
  const controller = new AbortController();
  const handlers = STOP_SIGNALS.map((name) => {
    const handler = (): void => {
      if (controller.signal.aborted) exitNow(name);
      receivedSignal ??= name;
      log(`${name === "SIGINT" ? "interrupted" : "terminated"}: stopping now (${name === "SIGINT" ? "Ctrl-C" : "a signal"} again to quit at once)`);
      process.once("exit", (code) => {
        if (code !== 0) process.exitCode = SIGNAL_EXIT_CODES[name];
      });
      controller.abort(new Error(`interrupted by ${name}`));
      // Work that cannot reach its next check soon (a long native call aside) is stopped here.
      setTimeout(() => exitNow(name), HARD_STOP_MS).unref();
    };
    process.on(name, handler);
    return [name, handler] as const;
  });
  interrupts++;
  let disposed = false;
  return {
    signal: controller.signal,
    dispose: () => {
      if (disposed) return;
      disposed = true;
      // After an interrupt the process is on its way out: a further signal must still quit at once
      // with its code (not kill the process by the default action), so the handlers stay.
      if (controller.signal.aborted) return;
      interrupts--;
      for (const [name, handler] of handlers) process.off(name, handler);
    },
  };
}

function formatNumber(v: number): string {
  return Math.abs(v) >= 1000 || Number.isInteger(v) ? String(v) : v.toPrecision(4);
}
