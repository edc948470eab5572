// Node-only part of the report module (fs, paths); never reached from the browser entry.
import { join, resolve } from "node:path";

import { writeFilesAtomically } from "../data/files.js";
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
  const written = await writeFilesAtomically(dir, files, "Choose a writable folder for the report.");
  const target = resolve(dir);
  return { dir: target, indexPath: join(target, "index.html"), files: written };
}
