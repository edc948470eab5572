// The files each command writes to --out, as apps/cli/README.md lists them ("What lands in --out"), and
// a check of a folder against that list: the README is the contract the e2e tests hold commands to.
import { readFileSync } from "node:fs";
import { readdir } from "node:fs/promises";
import { join, relative } from "node:path";

import { expect } from "vitest";

export interface OutputPattern {
  pattern: string;
  /** Written only in some cases (the README says when, in brackets). */
  optional: boolean;
}

const README = new URL("../../README.md", import.meta.url);

/** Rows of the README's `--out` table: first cell (e.g. "`dl gan cov` (1-D base)") → its file patterns. */
export function readmeOutputTable(): Map<string, OutputPattern[]> {
  const text = readFileSync(README, "utf8");
  const start = text.indexOf("## What lands in `--out`");
  const section = text.slice(start, text.indexOf("\n## ", start + 1));
  const table = new Map<string, OutputPattern[]>();
  for (const line of section.split("\n")) {
    const cells = line.split("|").map((c) => c.trim());
    const [, command, files] = cells;
    if (command === undefined || files === undefined || !command.startsWith("`dl ")) continue;
    table.set(
      command,
      files.split(/,\s*/).map((item) => ({ pattern: /`([^`]+)`/.exec(item)?.[1] ?? item, optional: item.includes("(") })),
    );
  }
  return table;
}

/** Every file under `dir`, as sorted paths relative to it. */
export async function filesUnder(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true });
  return entries.filter((e) => e.isFile()).map((e) => relative(dir, join(e.parentPath, e.name))).sort();
}

function matcher(pattern: string): RegExp {
  return new RegExp(`^${pattern.replace(/[.+?^${}()|[\]\\]/g, "\\$&").replace(/\*/g, "[^/]+")}$`);
}

/** `dir` holds exactly what the README's row `command` lists: no file outside it, every required entry present. */
export async function expectOutputsAsReadme(command: string, dir: string): Promise<void> {
  const patterns = readmeOutputTable().get(command);
  expect(patterns, `no row for ${command} in apps/cli/README.md`).toBeDefined();
  const files = await filesUnder(dir);
  const unlisted = files.filter((f) => !(patterns ?? []).some((p) => matcher(p.pattern).test(f)));
  expect(unlisted, `${command} wrote files its README row does not list`).toEqual([]);
  const missing = (patterns ?? []).filter((p) => !p.optional && !files.some((f) => matcher(p.pattern).test(f))).map((p) => p.pattern);
  expect(missing, `${command} did not write what its README row lists`).toEqual([]);
}
