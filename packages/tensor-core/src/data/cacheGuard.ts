// Node-only helpers that keep the dataset and default-model cache honest: checksums, a writability
// check before long work, and a lock so concurrent processes build an entry once.
import { createHash } from "node:crypto";
import { constants, rmSync, unlinkSync } from "node:fs";
import { access, mkdir, open, readFile, stat, unlink } from "node:fs/promises";
import { hostname } from "node:os";
import { basename } from "node:path";

import { DlError, throwIfAborted } from "../errors.js";

/** Hex SHA-256 of bytes or of a string's UTF-8 encoding. */
export function sha256(data: Uint8Array | string): string {
  return createHash("sha256").update(data).digest("hex");
}

/** SHA-256 of a record's JSON with its own `checksum` field left out (the field that stores it). */
export function recordChecksum(record: object): string {
  const { checksum: _omitted, ...rest } = record as { checksum?: unknown };
  return sha256(JSON.stringify(rest));
}

/**
 * A cache record that stores its own checksum (`recordChecksum`), read from `path`: `{ record }` when it
 * parses and its checksum matches, `{ problem }` saying why it cannot be trusted, `{}` when there is no file.
 */
export async function readChecksummedRecord<T extends { checksum?: unknown }>(path: string): Promise<{ record: T; problem?: undefined } | { record?: undefined; problem?: string }> {
  const name = basename(path);
  let text: string;
  try {
    text = await readFile(path, "utf8");
  } catch {
    return {};
  }
  let record: T | null;
  try {
    record = JSON.parse(text) as T | null;
  } catch {
    return { problem: `${name} is not valid JSON` };
  }
  if (typeof record !== "object" || record === null || typeof record.checksum !== "string") return { problem: `${name} records no checksums (an older dl-lab wrote it)` };
  if (recordChecksum(record) !== record.checksum) return { problem: `${name} fails its checksum` };
  return { record };
}

/**
 * Fails at once, naming DL_CACHE_DIR, unless `cacheDir` is (or can be made) a writable folder: a
 * read-only or mistaken cache must not surface as a raw EACCES after minutes of training.
 */
export async function assertCacheWritable(cacheDir: string): Promise<void> {
  try {
    await mkdir(cacheDir, { recursive: true });
    const info = await stat(cacheDir);
    if (!info.isDirectory()) throw new Error("it is a file, not a folder");
    await access(cacheDir, constants.W_OK | constants.X_OK);
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    throw new DlError(
      "IO_ERROR",
      `The dl-lab cache folder ${cacheDir} (DL_CACHE_DIR) is not writable: ${reason}. Set DL_CACHE_DIR to a writable folder, or unset it to use ~/.cache/dl-lab.`,
      { cause: error },
    );
  }
}

/** Who holds a cache lock: written into the lock file, handed to `onWait` while another process holds it. */
export interface LockHolder {
  pid: number;
  host: string;
  started: number;
}

/** A lock file younger than this with unreadable contents is being written, not abandoned. */
const FRESH_LOCK_MS = 10_000;

function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: the process exists but belongs to someone else.
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
}

async function readHolder(path: string): Promise<{ holder?: LockHolder; ageMs: number } | undefined> {
  try {
    const [text, info] = await Promise.all([readFile(path, "utf8"), stat(path)]);
    const ageMs = Date.now() - info.mtimeMs;
    try {
      const holder = JSON.parse(text) as LockHolder;
      return typeof holder.pid === "number" ? { holder, ageMs } : { ageMs };
    } catch {
      return { ageMs };
    }
  } catch {
    return undefined;
  }
}

/** A lock is abandoned when its process is gone (same host) or it never got its contents. */
function abandoned(found: { holder?: LockHolder; ageMs: number }): boolean {
  if (found.holder === undefined) return found.ageMs > FRESH_LOCK_MS;
  return found.holder.host === hostname() && !processAlive(found.holder.pid);
}

export interface CacheLockOptions {
  signal?: AbortSignal | undefined;
  /** Called once when another live process holds the lock and this one starts waiting. */
  onWait?: (holder: LockHolder | undefined) => void;
  /** Polling interval while waiting (ms). */
  pollMs?: number;
}

/**
 * Runs `work` holding the lock file `path` (exclusive create). Another live process's lock is waited
 * for (abortable); one left by a dead process is taken over. Released on return, on error and on a
 * forced `process.exit`.
 */
export async function withCacheLock<T>(path: string, options: CacheLockOptions, work: () => Promise<T>): Promise<T> {
  const poll = options.pollMs ?? 250;
  let waiting = false;
  for (;;) {
    throwIfAborted(options.signal);
    try {
      const handle = await open(path, "wx");
      try {
        await handle.writeFile(JSON.stringify({ pid: process.pid, host: hostname(), started: Date.now() } satisfies LockHolder));
      } finally {
        await handle.close();
      }
      break;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw error;
    }
    const found = await readHolder(path);
    if (found !== undefined && abandoned(found)) {
      await unlink(path).catch(() => undefined);
      continue;
    }
    if (!waiting) {
      waiting = true;
      options.onWait?.(found?.holder);
    }
    await new Promise((resolve) => setTimeout(resolve, poll));
  }
  const releaseOnExit = (): void => {
    try {
      unlinkSync(path);
    } catch {
      // Already gone.
    }
  };
  process.once("exit", releaseOnExit);
  try {
    return await work();
  } finally {
    process.off("exit", releaseOnExit);
    await unlink(path).catch(() => undefined);
  }
}

/** Removes `path` (recursively) if the process exits before `release` is called. */
export function removeOnExit(path: string): () => void {
  const remove = (): void => rmSync(path, { recursive: true, force: true });
  process.once("exit", remove);
  return () => process.off("exit", remove);
}
