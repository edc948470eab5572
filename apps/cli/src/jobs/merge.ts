// `dl merge`: the shards' parts of one run → the run's result, refusing parts of other runs or versions.
import { readFile, readdir, stat } from "node:fs/promises";
import { join } from "node:path";

import { type TcavResult, type TcavTaskResult, mergeTcav } from "@dl/interpretability";
import { DlError } from "@dl/tensor-core";

import { decode } from "./codec.js";
import type { TcavPart } from "./tcavJob.js";

/** Every `part-*.json` under the given folders (or the files themselves). */
export async function findParts(paths: readonly string[]): Promise<string[]> {
  const files: string[] = [];
  for (const p of paths) {
    const info = await stat(p).catch(() => undefined);
    if (info === undefined) throw new DlError("FILE_NOT_FOUND", `${p} does not exist; give the --out folders of the shards (or their part-*.json files).`);
    if (info.isDirectory()) {
      for (const name of (await readdir(p)).sort()) if (/^part-\d+-of-\d+\.json$/.test(name)) files.push(join(p, name));
    } else {
      files.push(p);
    }
  }
  if (files.length === 0) throw new DlError("FILE_NOT_FOUND", `No part-*.json in ${paths.join(", ")}; run the shards with --shard INDEX/COUNT --out DIR first.`);
  return files;
}

/** Merges the parts of one TCAV run; fails naming what is missing or mismatched. */
export async function mergeTcavParts(files: readonly string[]): Promise<{ result: TcavResult; part: TcavPart }> {
  let first: TcavPart | undefined;
  const results: TcavTaskResult[] = [];
  for (const file of files) {
    const part = decode(await readFile(file, "utf8")) as TcavPart;
    if (part.spec.kind !== "tcav") throw new DlError("UNSUPPORTED_FORMAT", `${file} is not a part of a dl tcav run.`);
    if (first === undefined) first = part;
    else if (part.spec.version !== first.spec.version || part.spec.digest !== first.spec.digest) {
      throw new DlError(
        "INVALID_ARGUMENT",
        `${file} belongs to another run (dl-lab ${part.spec.version}, digest ${part.spec.digest?.slice(0, 12) ?? "?"}) than ${files[0] ?? ""} (dl-lab ${first.spec.version}, digest ${first.spec.digest?.slice(0, 12) ?? "?"}); merge parts of one run.`,
      );
    }
    results.push(...part.results);
  }
  const part = first as TcavPart;
  const have = new Set(results.map((r) => r.id));
  const missing = part.taskIds.filter((id) => !have.has(id));
  if (missing.length > 0) throw new DlError("INVALID_ARGUMENT", `${missing.length} of ${part.taskIds.length} tasks have no result (first: ${missing[0] ?? ""}); a shard is missing or failed — rerun it.`);
  return { result: mergeTcav(part.summary, results), part };
}
