// Node-only part of the report module (fs, paths); never reached from the browser entry.
import { chmod, mkdir, mkdtemp, rename, rm, stat, writeFile } from "node:fs/promises";
import { basename, dirname, join, resolve } from "node:path";

import { DlError } from "../errors.js";
import { type Report, reportFiles } from "./html.js";

export interface WrittenReport {
  dir: string;
  /** Absolute path of index.html. */
  indexPath: string;
  /** Absolute paths of every written file. */
  files: string[];
}

/**
 * Writes `index.html`, `report.json` and the figure files into `dir`. Everything is rendered and
 * written to a sibling staging folder first and moved in only after every write succeeded, so a
 * failure leaves nothing half-written.
 */
export async function writeReport(dir: string, report: Report): Promise<WrittenReport> {
  const files = reportFiles(report);
  const target = resolve(dir);
  const parent = dirname(target);
  let staging: string;
  try {
    await mkdir(parent, { recursive: true });
    staging = await mkdtemp(join(parent, `.${basename(target)}.partial-`));
    // mkdtemp makes the folder private (0700); a report folder is meant to be shared or served.
    await chmod(staging, 0o755);
  } catch (error) {
    throw new DlError("IO_ERROR", `Cannot write the report into ${target}: ${(error as Error).message}. Choose a writable folder.`, {
      cause: error,
    });
  }
  try {
    for (const f of files) {
      const path = join(staging, f.path);
      await mkdir(dirname(path), { recursive: true });
      await writeFile(path, f.contents);
    }
    const targetExists = await stat(target).then(
      (s) => {
        if (!s.isDirectory()) throw new DlError("IO_ERROR", `Cannot write the report into ${target}: it is a file, not a folder.`);
        return true;
      },
      () => false,
    );
    if (!targetExists) {
      await rename(staging, target);
    } else {
      for (const f of files) {
        const to = join(target, f.path);
        await mkdir(dirname(to), { recursive: true });
        await rename(join(staging, f.path), to);
      }
    }
  } catch (error) {
    if (error instanceof DlError) throw error;
    throw new DlError("IO_ERROR", `Cannot write the report into ${target}: ${(error as Error).message}.`, { cause: error });
  } finally {
    await rm(staging, { recursive: true, force: true });
  }
  return { dir: target, indexPath: join(target, "index.html"), files: files.map((f) => join(target, f.path)) };
}
