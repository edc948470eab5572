import Papa from "papaparse";

import { DlError } from "../errors.js";
import { assertFinite } from "./ndarray.js";
import type { NdArray } from "./ndarray.js";

export interface ParseCsvOptions {
  /** First row holds column names: true, false, or "auto" (default: a row with a non-numeric cell is a header). */
  header?: boolean | "auto";
  /** Field delimiter; default: detected by papaparse (comma, tab, semicolon, pipe). */
  delimiter?: string;
  /** Names the source in error messages (a file path). */
  source?: string;
}

/** A numeric table: `shape` is `[rows, columns]`, values float64, row-major. */
export interface CsvTable extends NdArray {
  data: Float64Array;
  dtype: "float64";
  /** Column names when the file has a header row. */
  columns: string[] | undefined;
}

function parseCell(cell: string): number {
  const trimmed = cell.trim();
  // Number("") is 0, so blanks must be caught before conversion.
  if (trimmed === "") return Number.NaN;
  const lower = trimmed.toLowerCase();
  if (lower === "nan") return Number.NaN;
  if (lower === "inf" || lower === "+inf" || lower === "infinity") return Number.POSITIVE_INFINITY;
  if (lower === "-inf" || lower === "-infinity") return Number.NEGATIVE_INFINITY;
  return Number(trimmed);
}

function isNumericCell(cell: string): boolean {
  const trimmed = cell.trim().toLowerCase();
  return trimmed === "" || trimmed === "nan" || /^[+-]?(inf|infinity)$/.test(trimmed) || !Number.isNaN(Number(trimmed));
}

/** Parses numeric CSV text into a float64 matrix; non-numeric cells, ragged rows and NaN/Inf are errors. */
export function parseCsv(text: string, options: ParseCsvOptions = {}): CsvTable {
  const source = options.source ?? "the CSV input";
  const result = Papa.parse<string[]>(text, {
    delimiter: options.delimiter ?? "",
    skipEmptyLines: "greedy",
    dynamicTyping: false,
    header: false,
  });
  const fatal = result.errors.find((e) => e.type === "Quotes" || e.type === "FieldMismatch");
  if (fatal !== undefined) {
    throw new DlError("MALFORMED_FILE", `${source}: ${fatal.message} (row ${(fatal.row ?? 0) + 1}).`);
  }
  const rows = result.data;
  if (rows.length === 0) throw new DlError("MALFORMED_FILE", `${source} has no rows; expected numeric CSV with one row per sample.`);
  const first = rows[0] as string[];
  const hasHeader = options.header === "auto" || options.header === undefined ? !first.every(isNumericCell) : options.header;
  const columns = hasHeader ? first.map((c) => c.trim()) : undefined;
  const body = hasHeader ? rows.slice(1) : rows;
  const width = first.length;
  const data = new Float64Array(body.length * width);
  const lineOffset = hasHeader ? 2 : 1;
  body.forEach((row, r) => {
    if (row.length !== width) {
      throw new DlError("MALFORMED_FILE", `${source}: row ${r + lineOffset} has ${row.length} fields but the first row has ${width}; every row needs the same number of columns.`);
    }
    row.forEach((cell, c) => {
      const trimmed = cell.trim();
      if (trimmed === "") {
        throw new DlError("NON_FINITE", `${source}: row ${r + lineOffset}, column ${c + 1} is empty (a missing value); fill or drop it first.`, { details: { index: r * width + c, multiIndex: [r, c] } });
      }
      const value = parseCell(trimmed);
      if (Number.isNaN(value) && !isNumericCell(trimmed)) {
        throw new DlError("MALFORMED_FILE", `${source}: row ${r + lineOffset}, column ${c + 1} holds "${trimmed}", which is not a number; only numeric CSV is supported${hasHeader ? "" : " (a header row must be the first row)"}.`);
      }
      data[r * width + c] = value;
    });
  });
  const shape = [body.length, width];
  assertFinite(data, shape, source);
  return { data, shape, dtype: "float64", columns };
}
