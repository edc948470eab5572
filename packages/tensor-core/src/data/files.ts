import { randomBytes } from "node:crypto";
import { mkdir, readFile, rename, rm, writeFile } from "node:fs/promises";
import { homedir } from "node:os";
import { dirname, join } from "node:path";

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
