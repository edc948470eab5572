import type { CsvTable, ParseCsvOptions } from "./csv.js";
import { readFileOrThrow, writeFileAtomic } from "./files.js";
import type { NdArray } from "./ndarray.js";
import { encodeNpy, parseNpy } from "./npy.js";
import type { ParseNpyOptions } from "./npy.js";

/** Reads a `.npy` file (see `parseNpy`). */
export async function readNpy(path: string, options: Omit<ParseNpyOptions, "source"> = {}): Promise<NdArray> {
  const bytes = await readFileOrThrow(path, "The .npy file");
  return parseNpy(new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength), { ...options, source: path });
}

/** Writes a `.npy` file atomically. */
export async function writeNpy(path: string, arr: NdArray): Promise<void> {
  await writeFileAtomic(path, encodeNpy(arr));
}

/** Reads a numeric CSV file (see `parseCsv`; its parser, papaparse, is loaded on the first call, not with the entry). */
export async function readCsv(path: string, options: Omit<ParseCsvOptions, "source"> = {}): Promise<CsvTable> {
  const [bytes, { parseCsv }] = await Promise.all([readFileOrThrow(path, "The CSV file"), import("./csv.js")]);
  return parseCsv(bytes.toString("utf8"), { ...options, source: path });
}
