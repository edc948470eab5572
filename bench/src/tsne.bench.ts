/**
 * Time to a result: the whole `dl tsne` command against the whole process of each peer, on the same points in the
 * same run — Rtsne (van der Maaten's Barnes–Hut C++ from Debian's r-cran-rtsne, 2 threads, `py/rtsne.R`) and
 * scikit-learn's Barnes–Hut TSNE (`py/tsne.py`) — at 5k, 10k and 20k Fashion-MNIST images after PCA to 50 (the PCA
 * is shared and not timed; every side gets the same 50-D points). Each process is run under /usr/bin/time for its
 * wall time, CPU time (user + system, all threads) and peak RSS. Every embedding is scored by the same code (10-NN
 * accuracy, trustworthiness@10 on 2000 query points). Ours also reports its wall time by phase (`--json`).
 * Each side runs defaults: ours 750 iterations (method auto), Rtsne and scikit-learn 1000.
 */
import { execFile } from "node:child_process";
import { existsSync } from "node:fs";
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { loadavg, tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

import { knnAccuracy, pca, trustworthiness } from "@dl/interpretability";
import { encodeNpy, initBackend, loadDataset, parseNpy } from "@dl/tensor-core";

import { PYTHON, peerEnvironment } from "./harness.js";
import type { BenchContext, BenchResult, Comparison, Measurement } from "./harness.js";

const K = 10;
const TW_SAMPLE = 2000;
const root = join(dirname(fileURLToPath(import.meta.url)), "..", "..");
const CLI = join(root, "apps", "cli", "dist", "bin", "dl.js");
const RTSNE = join(root, "bench", "py", "rtsne.R");
const TIME = "/usr/bin/time";
const RSCRIPT = "/usr/bin/Rscript";

/** One whole process: its wall and CPU seconds, peak RSS and last JSON line (or why it failed). */
interface ProcessRun {
  ok: boolean;
  reason?: string;
  wall: number;
  cpu: number;
  peakMiB: number;
  json?: Record<string, unknown>;
}

/** Runs `command args` under /usr/bin/time (wall, user + system of all threads, max RSS), ours and the peers alike in `peerEnvironment()`. Never throws. */
function timedProcess(command: string, args: readonly string[], timeoutMs: number): Promise<ProcessRun> {
  const marker = "@@time";
  return new Promise((resolve) => {
    execFile(TIME, ["-f", `${marker} %e %U %S %M`, command, ...args], { timeout: timeoutMs, maxBuffer: 64 * 1024 * 1024, env: peerEnvironment() }, (error, stdout, stderr) => {
      const line = stderr.split("\n").find((l) => l.startsWith(marker));
      const [wall, user, system, rssKb] = (line ?? "").slice(marker.length).trim().split(/\s+/).map(Number);
      const jsonLine = stdout.trim().split("\n").filter((l) => l.trim().startsWith("{")).pop();
      let json: Record<string, unknown> | undefined;
      try {
        // `dl tsne --json` prints one (pretty-printed) document; the peers print one line.
        json = JSON.parse(stdout.trim().startsWith("{") ? stdout : (jsonLine ?? "")) as Record<string, unknown>;
      } catch {
        json = undefined;
      }
      const failed = error !== null || line === undefined;
      resolve({
        ok: !failed,
        ...(failed ? { reason: `${command} failed: ${stderr.trim().split("\n").filter((l) => !l.startsWith(marker)).pop() ?? error?.message ?? "no output"}` } : {}),
        wall: wall ?? Number.NaN,
        cpu: (user ?? Number.NaN) + (system ?? Number.NaN),
        peakMiB: (rssKb ?? Number.NaN) / 1024,
        ...(json === undefined ? {} : { json }),
      });
    });
  });
}

async function readFloat32(path: string): Promise<Float32Array> {
  const bytes = await readFile(path);
  return new Float32Array(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength));
}

function load(): string {
  return loadavg()
    .map((v) => v.toFixed(1))
    .join(" / ");
}

export async function run(ctx: BenchContext): Promise<BenchResult> {
  const notes: string[] = [];
  const measurements: Measurement[] = [];
  const comparisons: Comparison[] = [];
  if (!existsSync(CLI)) throw new Error(`${CLI} is missing: build the CLI first (pnpm turbo run build --filter=@dl/cli).`);
  if (!existsSync(TIME)) throw new Error(`${TIME} is missing (apt-get install time): it measures each process's CPU time and peak memory.`);
  const sizes = ctx.quick ? [5000] : [5000, 10000, 20000];
  const largest = Math.max(...sizes);
  await initBackend({ backend: "wasm" });
  const ds = await loadDataset("fashion-mnist", { split: "all" });
  const d = ds.height * ds.width * ds.channels;
  const pcaStart = performance.now();
  const all = Float32Array.from(pca(ds.images.subarray(0, largest * d), largest, d, 50, { seed: 1 }).projections);
  notes.push(`PCA 784 → 50 of the first ${largest} Fashion-MNIST images: ${((performance.now() - pcaStart) / 1000).toFixed(1)} s (shared by every side, not timed).`);
  const hasR = existsSync(RSCRIPT);
  if (!hasR) notes.push("Rtsne peer missing: /usr/bin/Rscript not found (apt-get install r-cran-rtsne).");

  const scratch = await mkdtemp(join(tmpdir(), "dl-bench-tsne-"));
  try {
    for (const n of sizes) {
      const x = all.subarray(0, n * 50);
      const labels = ds.labels.subarray(0, n);
      const xNpy = join(scratch, `x${n}.npy`);
      const yNpy = join(scratch, `y${n}.npy`);
      const xRaw = join(scratch, `x${n}.f32`);
      await writeFile(xNpy, encodeNpy({ data: x, shape: [n, 50], dtype: "float32" }));
      await writeFile(yNpy, encodeNpy({ data: labels, shape: [n], dtype: "int32" }));
      await writeFile(xRaw, x);
      const score = (embedding: Float32Array): { acc: number; tw: number } => ({
        acc: knnAccuracy(embedding, n, 2, labels, K),
        tw: trustworthiness(x, n, 50, embedding, 2, K, { sample: TW_SAMPLE }),
      });
      const row = (who: string, r: ProcessRun, quality: { acc: number; tw: number }, detail: string): void => {
        const m: Measurement = { label: `${who} ${n}`, value: r.wall, unit: "s", better: "lower", detail: `CPU ${r.cpu.toFixed(1)} s, peak RSS ${r.peakMiB.toFixed(0)} MiB, 10-NN acc ${quality.acc.toFixed(4)}, T@10 ${quality.tw.toFixed(4)}; ${detail}` };
        measurements.push(m);
        // Each row as it comes: a long full run that is stopped keeps what it measured.
        ctx.log(`${m.label}: ${m.value.toFixed(1)} s wall (${m.detail ?? ""})`);
      };

      ctx.log(`${n} points: dl tsne (load ${load()})…`);
      const outDir = join(scratch, `out${n}`);
      const ours = await timedProcess(process.execPath, [CLI, "tsne", "--input", xNpy, "--labels", yNpy, "--out", outDir, "--json"], 30 * 60 * 1000);
      if (!ours.ok || ours.json === undefined) throw new Error(`dl tsne failed at ${n} points: ${ours.reason ?? "no JSON"}`);
      const oursY = Float32Array.from(parseNpy(new Uint8Array(await readFile(join(outDir, "embedding.npy")))).data as Float32Array);
      const oursQ = score(oursY);
      const phases = ours.json["phases"] as Record<string, number>;
      const inside = (phases["affinities"] ?? 0) + (phases["optimisation"] ?? 0);
      const outside = (phases["total"] ?? 0) - inside;
      const phaseText = Object.entries(phases)
        .map(([k, v]) => `${k} ${v.toFixed(2)}`)
        .join(", ");
      row("dl-lab", ours, oursQ, `${String(ours.json["method"])}, ${String(ours.json["threads"])} threads, ${String(ours.json["iterations"])} iterations; phases (s): ${phaseText}`);
      measurements.push({ label: `dl-lab ${n} outside t-SNE`, value: (100 * outside) / (phases["total"] ?? Number.NaN), unit: "%", better: "lower", detail: `start-up, loading, metrics, figures, writing: ${outside.toFixed(2)} s of ${(phases["total"] ?? 0).toFixed(2)} s` });
      comparisons.push({ ours: `dl-lab ${n} outside t-SNE`, peer: "total", slowdown: outside / (phases["total"] ?? Number.NaN), goal: 0.1, met: outside <= 0.1 * (phases["total"] ?? 0) });

      const versus = (peer: string, r: ProcessRun, q: { acc: number; tw: number }, goal: number): void => {
        const ratio = ours.wall / r.wall;
        comparisons.push({ ours: `dl-lab ${n}`, peer: `${peer} ${n}`, slowdown: ratio, goal, met: ratio <= goal && oursQ.acc >= q.acc - 0.005 && oursQ.tw >= q.tw - 0.005 });
        notes.push(`${n}: ${peer} / dl-lab whole process: wall ${(r.wall / ours.wall).toFixed(2)}×, CPU ${(r.cpu / ours.cpu).toFixed(2)}×, peak RSS ${(ours.peakMiB / r.peakMiB).toFixed(2)}× theirs; 10-NN ${oursQ.acc.toFixed(4)} vs ${q.acc.toFixed(4)}, T@10 ${oursQ.tw.toFixed(4)} vs ${q.tw.toFixed(4)}.`);
      };

      if (hasR) {
        ctx.log(`${n} points: Rtsne (load ${load()})…`);
        const rOut = join(scratch, `r${n}.f32`);
        const r = await timedProcess(RSCRIPT, [RTSNE, xRaw, String(n), "50", rOut, "2"], 60 * 60 * 1000);
        if (r.ok) {
          const q = score(await readFloat32(rOut));
          row("Rtsne", r, q, `Rtsne ${String(r.json?.["rtsne"])}, 2 threads, 1000 iterations, fit ${Number(r.json?.["seconds"]).toFixed(1)} s`);
          versus("Rtsne", r, q, 0.5);
        } else notes.push(`Rtsne at ${n}: ${r.reason ?? "failed"}`);
      }

      ctx.log(`${n} points: scikit-learn (load ${load()})…`);
      const sOut = join(scratch, `s${n}.npy`);
      const s = existsSync(PYTHON) ? await timedProcess(PYTHON, [join(root, "bench", "py", "tsne.py"), "--input", xNpy, "--output", sOut], 60 * 60 * 1000) : undefined;
      if (s?.ok === true) {
        const q = score(Float32Array.from(parseNpy(new Uint8Array(await readFile(sOut))).data as ArrayLike<number>));
        row("sklearn", s, q, `scikit-learn ${String(s.json?.["sklearn"])}, barnes_hut θ=0.5, 1000 iterations, fit ${Number(s.json?.["seconds"]).toFixed(1)} s`);
        versus("sklearn", s, q, 0.25);
      } else notes.push(`scikit-learn peer at ${n} missing: ${s?.reason ?? `${PYTHON} not found`} (apt-get install python3-sklearn)`);
      notes.push(`${n}: load average after the row ${load()} (2 cores).`);
    }
  } finally {
    await rm(scratch, { recursive: true, force: true });
  }
  return {
    name: "tsne",
    description: `whole-process t-SNE (perplexity 30) of ${sizes.join(", ")} Fashion-MNIST images after PCA to 50: \`dl tsne --input --labels --out --json\` (defaults: method auto, 750 iterations, metrics and scatter PNG included) vs Rtsne (2 threads) and scikit-learn TSNE(barnes_hut) whole processes; wall, CPU (all threads) and peak RSS from /usr/bin/time; quality scored by the same code.`,
    measurements,
    comparisons,
    notes,
  };
}
