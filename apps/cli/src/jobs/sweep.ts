// `dl sweep`: a grid of one `dl` command's flags × seeds, each run a task (a child `dl --json` run on a
// worker); the report gives every numeric figure's mean and 95 % CI per setting.
import { execFile } from "node:child_process";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

import { meanConfidenceInterval } from "@dl/metalearn";
import { DlError } from "@dl/tensor-core";

export interface SweepSpec {
  /** The `dl` command and its fixed arguments, e.g. ["bayes", "mixture", "--k", "3"]. */
  command: string[];
  /** Flag → values; every combination is a setting. */
  grid: Record<string, (string | number | boolean)[]>;
  /** Seeds per setting: a list, or a count n for seeds 1..n. */
  seeds: number[] | number;
  /** Dotted paths of the figures to summarise; default every numeric value of the JSON except timings. */
  figures?: string[];
  /** Name given to each run's --out inside a temp folder (e.g. "s.npy" for a command that writes a file); default "run". */
  out?: string;
}

export interface SweepTask {
  id: string;
  setting: number;
  seed: number;
  argv: string[];
  figures?: string[];
  out?: string;
}

export interface SweepTaskResult {
  id: string;
  setting: number;
  seed: number;
  figures: Record<string, number>;
}

export interface SweepRow {
  setting: Record<string, string | number | boolean>;
  figure: string;
  n: number;
  mean: number;
  std: number;
  /** The 95 % Student-t interval of the mean across seeds. */
  ci95: { lower: number; upper: number };
}

/** Checks a spec read from JSON; one line naming the first problem. */
export function parseSweepSpec(value: unknown, file: string): SweepSpec {
  const bad = (why: string): never => {
    throw new DlError("INVALID_ARGUMENT", `${file}: ${why}. Expected {"command": ["gan", …], "grid": {"--flag": [v1, v2]}, "seeds": 5}.`);
  };
  if (value === null || typeof value !== "object") return bad("not a JSON object");
  const v = value as Record<string, unknown>;
  if (!Array.isArray(v["command"]) || v["command"].length === 0 || !v["command"].every((c) => typeof c === "string")) return bad('"command" must be a non-empty list of strings');
  const command = v["command"];
  if (["sweep", "worker", "merge"].includes(command[0] ?? "")) bad(`"command" cannot be dl ${command[0] ?? ""}`);
  const grid = v["grid"] ?? {};
  if (typeof grid !== "object" || grid === null || Array.isArray(grid)) return bad('"grid" must map flags to lists of values');
  for (const [flag, values] of Object.entries(grid)) {
    if (!flag.startsWith("--")) bad(`grid key "${flag}" is not a --flag`);
    if (flag === "--seed" || flag === "--out" || flag === "--json") bad(`grid key ${flag} is set by the sweep itself`);
    if (!Array.isArray(values) || values.length === 0) bad(`grid "${flag}" needs a non-empty list`);
  }
  const seeds = v["seeds"] ?? 3;
  if (!(Array.isArray(seeds) ? seeds.length > 0 && seeds.every((s) => Number.isSafeInteger(s)) : Number.isInteger(seeds) && (seeds as number) >= 2)) return bad('"seeds" must be a list of integers or a count ≥ 2');
  const figures = v["figures"];
  if (figures !== undefined && !(Array.isArray(figures) && figures.every((f) => typeof f === "string"))) return bad('"figures" must be a list of dotted paths');
  const out = v["out"];
  if (out !== undefined && (typeof out !== "string" || out === "" || /[/\\]/.test(out) || out.startsWith("."))) return bad('"out" must be a plain file or folder name');
  return { command, grid: grid as SweepSpec["grid"], seeds: seeds as SweepSpec["seeds"], ...(figures === undefined ? {} : { figures }), ...(out === undefined ? {} : { out }) };
}

/** Every setting of the grid, in a fixed order (flags as given, values as listed). */
export function sweepSettings(spec: SweepSpec): Record<string, string | number | boolean>[] {
  let settings: Record<string, string | number | boolean>[] = [{}];
  for (const [flag, values] of Object.entries(spec.grid)) settings = settings.flatMap((s) => values.map((value) => ({ ...s, [flag]: value })));
  return settings;
}

/** One task per setting × seed; the task carries the exact argv (small JSON). */
export function sweepTasks(spec: SweepSpec): SweepTask[] {
  const seeds = Array.isArray(spec.seeds) ? spec.seeds : Array.from({ length: spec.seeds }, (_, i) => i + 1);
  return sweepSettings(spec).flatMap((setting, si) =>
    seeds.map((seed) => {
      const flags = Object.entries(setting).flatMap(([flag, value]) => (value === true ? [flag] : value === false ? [] : [flag, String(value)]));
      return { id: `sweep:${si}:${seed}`, setting: si, seed, argv: [...spec.command, ...flags, "--seed", String(seed)], ...(spec.figures === undefined ? {} : { figures: spec.figures }), ...(spec.out === undefined ? {} : { out: spec.out }) };
    }),
  );
}

const TIMING = /(^|\.)(seconds|ms|elapsed\w*|\w*Seconds|\w*Ms|peakRssMB|time\w*)$/i;

/** Numeric leaves of a JSON document by dotted path (arrays skipped: they are curves, not figures). */
export function numericFigures(doc: unknown, pick?: readonly string[]): Record<string, number> {
  const out: Record<string, number> = {};
  const walk = (v: unknown, path: string): void => {
    if (typeof v === "number") {
      if (pick === undefined ? !TIMING.test(path) : pick.includes(path)) out[path] = v;
    } else if (v !== null && typeof v === "object" && !Array.isArray(v)) {
      for (const [k, x] of Object.entries(v)) walk(x, path === "" ? k : `${path}.${k}`);
    }
  };
  walk(doc, "");
  return out;
}

const CLI_BIN = fileURLToPath(new URL("../bin/dl.js", import.meta.url));

/** Runs one setting × seed as a child `dl … --json --out TMP` and keeps its figures. */
export async function runSweepTask(raw: unknown, signal?: AbortSignal): Promise<SweepTaskResult> {
  const task = raw as SweepTask & { figures?: string[] };
  const out = await mkdtemp(join(tmpdir(), "dl-sweep-"));
  try {
    const stdout = await new Promise<string>((resolve, reject) => {
      execFile(process.execPath, [CLI_BIN, ...task.argv, "--json", "--out", join(out, task.out ?? "run")], { maxBuffer: 256 * 1024 * 1024, ...(signal === undefined ? {} : { signal }) }, (error, so, se) => {
        if (error === null) resolve(so);
        else reject(new Error(`dl ${task.argv.join(" ")} failed: ${se.trim().split("\n").pop() ?? error.message}`));
      });
    });
    const doc = JSON.parse(stdout) as unknown;
    return { id: task.id, setting: task.setting, seed: task.seed, figures: numericFigures(doc, task.figures) };
  } finally {
    await rm(out, { recursive: true, force: true });
  }
}

/** Per setting and figure: mean, sd and the 95 % t interval across seeds (results in any order, duplicates once). */
export function summariseSweep(spec: SweepSpec, results: readonly SweepTaskResult[]): SweepRow[] {
  const settings = sweepSettings(spec);
  const seen = new Map<string, SweepTaskResult>();
  for (const r of results) if (!seen.has(r.id)) seen.set(r.id, r);
  const rows: SweepRow[] = [];
  settings.forEach((setting, si) => {
    const mine = [...seen.values()].filter((r) => r.setting === si).sort((a, b) => a.seed - b.seed);
    const names = [...new Set(mine.flatMap((r) => Object.keys(r.figures)))].sort();
    for (const figure of names) {
      const values = mine.map((r) => r.figures[figure]).filter((x): x is number => x !== undefined && Number.isFinite(x));
      if (values.length === 0) continue;
      const s = meanConfidenceInterval(values);
      rows.push({ setting, figure, n: s.n, mean: s.mean, std: s.std, ci95: { lower: s.mean - s.ci95, upper: s.mean + s.ci95 } });
    }
  });
  return rows;
}
