/**
 * Shared helpers for dl-lab benchmarks: timing with warm-up, medians, Python peers, tables.
 * Every `src/<name>.bench.ts` exports `run(ctx: BenchContext): Promise<BenchResult>`.
 */
import { execFile } from "node:child_process";
import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { dirname, join } from "node:path";

export interface BenchContext {
  /** `--quick`: fewer repetitions (smoke runs); figures are noisier. */
  quick: boolean;
  /** Progress lines (stderr); the runner prints the result table itself. */
  log: (line: string) => void;
  /** Runs `bench/py/<script>` with Debian's /usr/bin/python3 and parses its last JSON line. */
  runPython: (script: string, args?: readonly string[], options?: { timeoutMs?: number }) => Promise<PeerOutcome>;
}

/** One figure: a label (who/what was measured), a value and its unit. */
export interface Measurement {
  /** e.g. "wasm", "cpu", "pytorch", "numpy", "wasm (transposed, before fix)". */
  label: string;
  value: number;
  unit: string;
  /** Times are lower-is-better, throughputs (GFLOP/s) higher-is-better. */
  better: "lower" | "higher";
  /** Anything that qualifies the figure (steps timed, threads, shapes). */
  detail?: string;
}

/** "ours is `slowdown`× slower than the peer" (> 1 slower, < 1 faster), and an optional goal. */
export interface Comparison {
  ours: string;
  peer: string;
  slowdown: number;
  /** e.g. 1.5 for "wasm ≤ 1.5× PyTorch"; `met` says whether this run met it. */
  goal?: number;
  met?: boolean;
}

export interface BenchResult {
  name: string;
  /** What was measured, in one or two sentences. */
  description: string;
  measurements: Measurement[];
  comparisons: Comparison[];
  /** Missing peers, skipped backends, machine load… */
  notes: string[];
}

export interface Timing {
  medianMs: number;
  /** Median process CPU time (user + system) per call: robust to a loaded machine for single-threaded work. */
  cpuMedianMs: number;
  minMs: number;
  meanMs: number;
  samplesMs: number[];
}

export function median(values: readonly number[]): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? (sorted[mid] ?? Number.NaN) : ((sorted[mid - 1] ?? 0) + (sorted[mid] ?? 0)) / 2;
}

/**
 * Times `fn` (sync or async): `warmup` untimed calls, then `iterations` timed ones; reports the
 * median (robust to the machine being shared) with min and mean.
 */
export async function timeIt(
  fn: () => unknown,
  options: { warmup?: number; iterations?: number } = {},
): Promise<Timing> {
  const warmup = options.warmup ?? 3;
  const iterations = Math.max(1, options.iterations ?? 10);
  for (let i = 0; i < warmup; i++) await fn();
  const samplesMs: number[] = [];
  const cpuSamplesMs: number[] = [];
  for (let i = 0; i < iterations; i++) {
    const cpuStart = process.cpuUsage();
    const start = performance.now();
    await fn();
    samplesMs.push(performance.now() - start);
    const cpu = process.cpuUsage(cpuStart);
    cpuSamplesMs.push((cpu.user + cpu.system) / 1000);
  }
  return {
    medianMs: median(samplesMs),
    cpuMedianMs: median(cpuSamplesMs),
    minMs: Math.min(...samplesMs),
    meanMs: samplesMs.reduce((a, b) => a + b, 0) / samplesMs.length,
    samplesMs,
  };
}

/** How many times slower `ours` is than `peer`, whichever direction their unit points. */
export function slowdown(ours: Measurement, peer: Measurement): number {
  return ours.better === "lower" ? ours.value / peer.value : peer.value / ours.value;
}

/** Comparisons of every `ours` label present against `peer` (skips labels that were not measured). */
export function compareAll(
  measurements: readonly Measurement[],
  ours: readonly string[],
  peer: string,
  goal?: number,
): Comparison[] {
  const p = measurements.find((m) => m.label === peer);
  if (p === undefined) return [];
  const out: Comparison[] = [];
  for (const label of ours) {
    const o = measurements.find((m) => m.label === label);
    if (o === undefined) continue;
    const s = slowdown(o, p);
    out.push(goal === undefined ? { ours: label, peer, slowdown: s } : { ours: label, peer, slowdown: s, goal, met: s <= goal });
  }
  return out;
}

export type PeerOutcome =
  | { ok: true; data: Record<string, unknown>; stderr: string }
  | { ok: false; reason: string };

export const PYTHON = "/usr/bin/python3";

/**
 * The reference BLAS library a peer ran on (its JSON's `blas`: the BLAS libraries mapped into its process, from
 * py/peer_blas.py), or undefined when it ran on an optimised one (OpenBLAS, MKL, BLIS, ATLAS) or did not say. Debian's
 * numpy and torch use whatever `libblas.so.3` points to: the reference BLAS unless `libopenblas0-pthread` is installed.
 */
function referenceBlas(blas: unknown): string | undefined {
  if (!Array.isArray(blas)) return undefined;
  const paths = blas.filter((p): p is string => typeof p === "string");
  if (paths.some((p) => /openblas|mkl|blis|atlas/i.test(p))) return undefined;
  return paths.find((p) => p.includes("/libblas.so"));
}
const pyDir = join(dirname(fileURLToPath(import.meta.url)), "..", "py");
/**
 * The environment every peer process runs in: glibc's malloc told to keep freed memory (a 32 MiB mmap threshold, the
 * largest glibc accepts, and no trimming). By default glibc hands each freed multi-megabyte tensor back to the kernel
 * and the next step faults its pages in again; on this VM that made PyTorch's 1-thread CNN step 55–104 ms of CPU
 * instead of 17–26 ms, and erratic from run to run (bench/README.md, "A fair peer"). Our own process keeps its wasm
 * heap, so without this every ratio flattered us. A `GLIBC_TUNABLES` the user set is kept and extended.
 */
export function peerEnvironment(): NodeJS.ProcessEnv {
  const keep = "glibc.malloc.mmap_threshold=33554432:glibc.malloc.trim_threshold=4294967295";
  const own = process.env["GLIBC_TUNABLES"];
  return { ...process.env, GLIBC_TUNABLES: own === undefined || own === "" ? keep : `${own}:${keep}` };
}


/**
 * Runs a Python peer (Debian python3-torch / python3-numpy / python3-sklearn live under
 * /usr/bin/python3, not the pyenv python on PATH). The script prints one JSON object as its last
 * stdout line; a missing interpreter or module is reported as `{ ok: false, reason }`, never thrown.
 */
export function runPython(
  script: string,
  args: readonly string[] = [],
  options: { timeoutMs?: number } = {},
): Promise<PeerOutcome> {
  const path = join(pyDir, script);
  if (!existsSync(PYTHON)) return Promise.resolve({ ok: false, reason: `${PYTHON} not found` });
  if (!existsSync(path)) return Promise.resolve({ ok: false, reason: `peer script ${path} not found` });
  return new Promise((resolve) => {
    execFile(
      PYTHON,
      [path, ...args],
      { timeout: options.timeoutMs ?? 600_000, maxBuffer: 16 * 1024 * 1024, env: peerEnvironment() },
      (error, stdout, stderr) => {
        const lines = stdout.trim().split("\n").filter((l) => l.trim().startsWith("{"));
        const last = lines[lines.length - 1];
        if (error !== null || last === undefined) {
          const why = /No module named '([^']+)'/.exec(stderr)?.[0] ?? stderr.trim().split("\n").pop() ?? error?.message ?? "no JSON line on stdout";
          resolve({ ok: false, reason: `${script} failed: ${why}` });
          return;
        }
        let data: Record<string, unknown>;
        try {
          data = JSON.parse(last) as Record<string, unknown>;
        } catch (e) {
          resolve({ ok: false, reason: `${script} printed invalid JSON: ${String(e)}` });
          return;
        }
        const reference = referenceBlas(data["blas"]);
        if (reference !== undefined) {
          resolve({ ok: false, reason: `${script} ran on the reference BLAS (${reference}), ~30× slower than an optimised one, so every ratio against it would flatter us; apt-get install libopenblas0-pthread` });
          return;
        }
        resolve({ ok: true, data, stderr });
      },
    );
  });
}

/**
 * A bench's wasm figures (its `wasmFigures(quick)`) in a child Node process whose tfjs-wasm pool runs `threads`
 * threads: the thread count is fixed once per process.
 */
function wasmFiguresWithThreads(bench: string, threads: number, quick: boolean): Promise<PeerOutcome> {
  const child = join(dirname(fileURLToPath(import.meta.url)), "wasmThreadsChild.ts");
  const args = ["--conditions=@dl/source", "--import", "tsx", child, bench, String(threads), ...(quick ? ["--quick"] : [])];
  return new Promise((resolve) => {
    execFile(process.execPath, args, { timeout: 900_000, maxBuffer: 16 * 1024 * 1024 }, (error, stdout, stderr) => {
      const last = stdout.trim().split("\n").filter((l) => l.startsWith("{")).pop();
      if (error !== null || last === undefined) {
        resolve({ ok: false, reason: `wasm with ${String(threads)} thread(s) failed: ${stderr.trim().split("\n").pop() ?? error?.message ?? "no JSON"}` });
        return;
      }
      resolve({ ok: true, data: JSON.parse(last) as Record<string, unknown>, stderr });
    });
  });
}

/**
 * wasm on one thread, measured in a child process (`wasmFiguresWithThreads(bench, 1)`): its wall and CPU
 * figures read from the keys given, or undefined with the reason added to `notes` when the child failed.
 */
export async function oneWasmThreadFigures(
  ctx: BenchContext,
  bench: string,
  keys: { wall: string; cpu: string },
  notes: string[],
): Promise<{ wall: number; cpu: number } | undefined> {
  ctx.log("wasm with one thread (child process)…");
  const one = await wasmFiguresWithThreads(bench, 1, ctx.quick);
  const wall = peerNumber(one, keys.wall);
  const cpu = peerNumber(one, keys.cpu);
  if (wall !== undefined && cpu !== undefined) return { wall, cpu };
  if (!one.ok) notes.push(one.reason);
  return undefined;
}

/** A number from a peer's JSON, or undefined. */
/**
 * PyTorch as the peer of a training-step bench, with 2 threads and with 1, run before and after our
 * backends; the faster run of each counts, so a peer slowed by a burst of load cannot flatter us. On this
 * 2-core machine PyTorch's 2-thread runs are often the slower ones (its threads spin), so both settings
 * are reported, and the faster of the two as "pytorch, faster setting". `script` prints `ms_per_step`,
 * `cpu_ms_per_step` and `torch` (its version).
 */
export function pytorchPeer(ctx: BenchContext, script: string, steps: number, notes: string[]): { run: () => Promise<void>; measurements: () => Measurement[] } {
  const wall: Record<string, number[]> = { pytorch: [], "pytorch 1 thread": [] };
  const cpu: Record<string, number[]> = { pytorch: [], "pytorch 1 thread": [] };
  let version = "";
  return {
    async run() {
      for (const [label, threads] of [["pytorch", "2"], ["pytorch 1 thread", "1"]] as const) {
        ctx.log(`PyTorch peer, ${threads} thread(s)…`);
        const outcome = await ctx.runPython(script, ["--steps", String(steps), "--threads", threads]);
        const ms = peerNumber(outcome, "ms_per_step");
        if (ms !== undefined) wall[label]?.push(ms);
        const cpuMs = peerNumber(outcome, "cpu_ms_per_step");
        if (cpuMs !== undefined) cpu[label]?.push(cpuMs);
        else if (!outcome.ok) notes.push(`PyTorch peer (${threads} threads) missing: ${outcome.reason} (apt-get install python3-torch)`);
        if (outcome.ok) version = String(outcome.data["torch"]);
      }
    },
    measurements() {
      const out: Measurement[] = [];
      for (const [label, runs] of Object.entries(wall)) {
        if (runs.length === 0) continue;
        const threads = label.includes("1 thread") ? 1 : 2;
        out.push({ label, value: Math.min(...runs), unit: "ms/step", better: "lower", detail: `torch ${version}, ${threads} thread(s), best of ${runs.length} runs (before/after ours)` });
      }
      for (const [label, runs] of Object.entries(cpu)) {
        if (runs.length === 0) continue;
        out.push({ label: `${label} CPU time`, value: Math.min(...runs), unit: "ms/step", better: "lower", detail: "process CPU time per step, summed over threads" });
      }
      const settings = Object.entries(wall).filter(([, runs]) => runs.length > 0).map(([label, runs]) => ({ label, ms: Math.min(...runs) }));
      const fastest = settings.reduce<{ label: string; ms: number } | undefined>((best, s) => (best === undefined || s.ms < best.ms ? s : best), undefined);
      if (fastest !== undefined) out.push({ label: "pytorch, faster setting", value: fastest.ms, unit: "ms/step", better: "lower", detail: `the faster of its thread settings here: ${fastest.label}` });
      return out;
    },
  };
}

export function peerNumber(outcome: PeerOutcome, key: string): number | undefined {
  if (!outcome.ok) return undefined;
  const v = outcome.data[key];
  return typeof v === "number" && Number.isFinite(v) ? v : undefined;
}

function fmt(value: number): string {
  if (!Number.isFinite(value)) return String(value);
  const abs = Math.abs(value);
  return abs >= 100 ? value.toFixed(0) : abs >= 10 ? value.toFixed(1) : abs >= 1 ? value.toFixed(2) : value.toPrecision(3);
}

/** The compact table the runner prints. */
export function formatResult(result: BenchResult): string {
  const lines = [`== ${result.name}: ${result.description}`];
  const width = Math.max(8, ...result.measurements.map((m) => m.label.length));
  for (const m of result.measurements) {
    lines.push(`  ${m.label.padEnd(width)}  ${fmt(m.value).padStart(9)} ${m.unit}${m.detail === undefined ? "" : `  (${m.detail})`}`);
  }
  for (const c of result.comparisons) {
    const goal = c.goal === undefined ? "" : `  goal ≤ ${c.goal}× ${c.met === true ? "met" : "NOT met"}`;
    lines.push(`  ${c.ours} / ${c.peer}: ${fmt(c.slowdown)}× ${c.slowdown >= 1 ? "slower" : "faster"}${goal}`);
  }
  for (const n of result.notes) lines.push(`  note: ${n}`);
  return lines.join("\n");
}
