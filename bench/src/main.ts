/**
 * `pnpm bench [name…] [--quick]`: runs every `src/<name>.bench.ts` (or the named ones), prints a
 * table with ratios against the peers measured in the same run, and writes `results/<name>.json`.
 */
import { mkdirSync, readdirSync, writeFileSync } from "node:fs";
import { cpus, loadavg } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

import { formatResult, runPython } from "./harness.js";
import type { BenchContext, BenchResult } from "./harness.js";

interface BenchModule {
  run: (ctx: BenchContext) => Promise<BenchResult>;
}

const srcDir = dirname(fileURLToPath(import.meta.url));
const resultsDir = join(srcDir, "..", "results");

function available(): string[] {
  return readdirSync(srcDir)
    .filter((f) => f.endsWith(".bench.ts"))
    .map((f) => f.slice(0, -".bench.ts".length))
    .sort();
}

async function main(): Promise<number> {
  const args = process.argv.slice(2).filter((a) => a !== "--");
  const quick = args.includes("--quick");
  const wanted = args.filter((a) => !a.startsWith("--"));
  const all = available();
  const unknown = wanted.filter((w) => !all.includes(w));
  if (unknown.length > 0) {
    console.error(`Unknown benchmark ${unknown.join(", ")}. Available: ${all.join(", ")}.`);
    return 2;
  }
  const names = wanted.length > 0 ? wanted : all;
  const ctx: BenchContext = { quick, log: (line) => console.error(`  … ${line}`), runPython };
  mkdirSync(resultsDir, { recursive: true });
  console.error(`machine: ${cpus().length} cores (${cpus()[0]?.model ?? "?"}), load ${loadavg().map((l) => l.toFixed(2)).join(" ")}`);
  let failed = 0;
  for (const name of names) {
    console.error(`running ${name}${quick ? " (quick)" : ""}…`);
    const load = loadavg()[0] ?? 0;
    try {
      const mod = (await import(pathToFileURL(join(srcDir, `${name}.bench.ts`)).href)) as BenchModule;
      const result = await mod.run(ctx);
      result.notes.push(`1-min load average at start ${load.toFixed(2)} on ${cpus().length} cores (shared machines inflate times)`);
      console.log(formatResult(result));
      writeFileSync(
        join(resultsDir, `${name}.json`),
        `${JSON.stringify({ ...result, date: new Date().toISOString(), quick, node: process.version }, null, 2)}\n`,
      );
    } catch (error) {
      failed++;
      console.error(`${name} failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
    }
  }
  return failed === 0 ? 0 : 1;
}

process.exitCode = await main();
