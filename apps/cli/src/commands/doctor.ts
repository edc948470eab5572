import { readdir } from "node:fs/promises";
import { join } from "node:path";

import type { Command } from "commander";

import { DATASET_NAMES, backendInfo, defaultCacheDir, describeNative, loadTfjsNode, type BackendInfo, type NativeStatus } from "@dl/tensor-core";

import { runAction } from "../action.js";
import { backendOption, type CommonOptions } from "../options.js";

/** What `dl doctor --json` prints. */
export interface DoctorReport {
  backend: BackendInfo;
  node: { version: string; platform: string; arch: string };
  /** `status` and `text` say it in words; `reason` is the loader's own message. */
  native: { installed: boolean; reason?: string } & NativeStatus;
  cache: { dir: string; datasets: Record<string, boolean>; models: string[] };
}

/** Whether the optional native backend loads here, reusing the selection attempt when there was one. */
async function nativeStatus(info: BackendInfo): Promise<DoctorReport["native"]> {
  const words = (reason?: string): DoctorReport["native"] =>
    reason === undefined ? { installed: true, ...describeNative(undefined, info.tfjsVersion) } : { installed: false, reason, ...describeNative(reason, info.tfjsVersion) };
  const attempt = info.tried.find((t) => t.name === "tfjs-node");
  if (attempt !== undefined) return words(attempt.ok ? undefined : (attempt.reason ?? "failed"));
  try {
    await loadTfjsNode();
    return words();
  } catch (error) {
    return words(error instanceof Error ? (error.message.split("\n")[0] ?? error.name) : String(error));
  }
}

async function listDir(path: string): Promise<string[]> {
  return readdir(path).catch(() => []);
}

/** Cached datasets (`<cache>/datasets/<name>-v*.json` headers) and model folders holding a model.json. */
async function cacheStatus(dir: string): Promise<DoctorReport["cache"]> {
  const datasetFiles = await listDir(join(dir, "datasets"));
  const datasets: Record<string, boolean> = {};
  for (const name of DATASET_NAMES) {
    datasets[name] = datasetFiles.some((f) => f.startsWith(`${name}-v`) && f.endsWith(".json"));
  }
  const models: string[] = [];
  const walk = async (rel: string, depth: number): Promise<void> => {
    const entries = await listDir(join(dir, "models", rel));
    if (entries.includes("model.json")) models.push(rel === "" ? "." : rel);
    if (depth === 0) return;
    for (const e of entries) if (!e.includes(".")) await walk(rel === "" ? e : `${rel}/${e}`, depth - 1);
  };
  await walk("", 3);
  return { dir, datasets, models: models.sort() };
}

export function registerDoctorCommand(program: Command): void {
  program
    .command("doctor")
    .description("show the chosen backend and why, tfjs version, SIMD/threads, native backend, Node version and cache")
    .option("--json", "print one JSON document on stdout")
    .addOption(backendOption())
    .action((opts: CommonOptions) =>
      runAction("doctor", opts, async () => {
        const info = backendInfo();
        const report: DoctorReport = {
          backend: info,
          node: { version: process.version, platform: process.platform, arch: process.arch },
          native: await nativeStatus(info),
          cache: await cacheStatus(defaultCacheDir()),
        };
        if (opts.json !== true) for (const line of doctorLines(report)) process.stdout.write(`${line}\n`);
        return { json: { ...report }, summary: `dl doctor: backend ${info.name}` };
      }),
    );
}

/** The report in words, for a terminal. */
function doctorLines(report: DoctorReport): string[] {
  const info = report.backend;
  const lines = [`backend: ${info.name} (${info.requestedBy}), tfjs ${info.tfjsVersion}`];
  for (const t of info.tried) {
    // The native backend's line is said once, below, in words.
    const reason = t.name === "tfjs-node" && !t.ok ? report.native.status.replace("-", " ") : t.reason;
    lines.push(`  ${t.ok ? "✓" : "✗"} ${t.name}${reason ? ` — ${reason}` : ""}`);
  }
  if (info.wasm !== undefined) lines.push(`wasm: SIMD ${info.wasm.simd ? "yes" : "no"}, threads ${info.wasm.threads ? `yes (${String(info.wasm.threadCount ?? 1)} in the pool; DL_WASM_THREADS sets it)` : "no"}`);
  if (info.gapKernels.length > 0) lines.push(`gap kernels: ${info.gapKernels.join(", ")}`);
  lines.push(`native (tfjs-node): ${report.native.text}`);
  lines.push(`node: ${report.node.version} (${report.node.platform}/${report.node.arch})`);
  lines.push(`cache: ${report.cache.dir}`);
  for (const [name, ok] of Object.entries(report.cache.datasets)) lines.push(`  dataset ${name}: ${ok ? "cached" : "not cached (decoded on first use)"}`);
  lines.push(`  default models: ${report.cache.models.length === 0 ? "none cached (trained on first use)" : report.cache.models.join(", ")}`);
  return lines;
}
