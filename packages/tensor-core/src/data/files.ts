import { randomBytes } from "node:crypto";
import { chmod, mkdir, mkdtemp, readFile, rename, rm, stat, writeFile } from "node:fs/promises";
import { homedir } from "node:os";
import { basename, dirname, isAbsolute, join, relative, resolve } from "node:path";

import { environment } from "../env.js";
import { DlError } from "../errors.js";


/** Where decoded datasets and default models are cached: `DL_CACHE_DIR`, else `~/.cache/dl-lab`. */
export function defaultCacheDir(): string {
  return environment().cacheDir ?? join(homedir(), ".cache", "dl-lab");
}

/** Writes through a temp file in the same folder and a rename, so readers never see half a file. */
export async function writeFileAtomic(path: string, data: Uint8Array | string): Promise<void> {
  await mkdir(dirname(path), { recursive: true });
  const temp = `${path}.${process.pid}.${randomBytes(6).toString("hex")}.tmp`;
  try {
    await writeFile(temp, data);
    await rename(temp, path);
  } catch (error) {
    await rm(temp, { force: true });
    throw new DlError("IO_ERROR", `Could not write ${path}: ${error instanceof Error ? error.message : String(error)}.`, { cause: error });
  }
}

export interface OutputFile {
  /** Path relative to the output folder. */
  path: string;
  contents: string | Uint8Array;
}

/**
 * Writes every file into `dir` or none of them: all are written to a sibling staging folder first and
 * moved in only after every write succeeded, so a failure leaves nothing half-written. Returns the
 * absolute paths written. `hint` ends the IO_ERROR message (how to fix it).
 */
export async function writeFilesAtomically(dir: string, files: readonly OutputFile[], hint = "Choose a writable folder."): Promise<string[]> {
  const target = resolve(dir);
  const fail = (error: unknown): DlError =>
    error instanceof DlError
      ? error
      : new DlError("IO_ERROR", `Cannot write to ${target}: ${error instanceof Error ? error.message : String(error)}. ${hint}`, { cause: error });
  for (const f of files) {
    const inside = relative(target, resolve(target, f.path));
    if (inside === "" || inside.startsWith("..") || isAbsolute(inside)) {
      throw new DlError("INVALID_ARGUMENT", `Output file "${f.path}" would land outside ${target}; output names must stay inside the output folder (use safeFileName for names from user or model content).`);
    }
  }
  const parent = dirname(target);
  let staging: string;
  try {
    await mkdir(parent, { recursive: true });
    staging = await mkdtemp(join(parent, `.${basename(target)}.partial-`));
    // mkdtemp makes the folder private (0700); output folders are meant to be shared or served.
    await chmod(staging, 0o755);
  } catch (error) {
    throw fail(error);
  }
  try {
    for (const f of files) {
      const path = join(staging, f.path);
      await mkdir(dirname(path), { recursive: true });
      await writeFile(path, f.contents);
    }
    const existing = await stat(target).catch(() => undefined);
    if (existing !== undefined && !existing.isDirectory()) {
      throw new DlError("IO_ERROR", `Cannot write to ${target}: it is a file, not a folder. ${hint}`);
    }
    if (existing === undefined) {
      await rename(staging, target);
    } else {
      for (const f of files) {
        const to = join(target, f.path);
        await mkdir(dirname(to), { recursive: true });
        await rename(join(staging, f.path), to);
      }
    }
    return files.map((f) => join(target, f.path));
  } catch (error) {
    throw fail(error);
  } finally {
    await rm(staging, { recursive: true, force: true });
  }
}

/** Reads a file; a missing one is FILE_NOT_FOUND naming what was expected. */
export async function readFileOrThrow(path: string, what: string): Promise<Buffer> {
  try {
    return await readFile(path);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") {
      throw new DlError("FILE_NOT_FOUND", `${what} ${path} does not exist; check the path.`, { cause: error });
    }
    throw new DlError("IO_ERROR", `Could not read ${path}: ${error instanceof Error ? error.message : String(error)}.`, { cause: error });
  }
}
