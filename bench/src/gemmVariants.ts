/**
 * Issue 20's GEMM questions, measured outside tfjs: the shipped `gemm` of @dl/tensor-core (4 × 8 tiles, multiply then
 * add) against the prototype kernels of bench/assembly/gemmVariants.ts — larger register tiles (5 × 8, 6 × 8, 4 × 12,
 * 3 × 16, 4 × 16), B packed in panels, and each with relaxed SIMD's fused multiply-add — on the CNN's and cGAN's
 * product shapes and 1024², on 1 and 2 threads (worker_threads over one shared memory, split as the helper team
 * splits: rows for a tall C, else column panels). Variants run interleaved, `rounds` times each; the table gives the
 * median GFLOP/s of wall time and of process CPU time.
 *   node --conditions=@dl/source --import tsx src/gemmVariants.ts [threads=1,2] [rounds=3] [variants=all|4x8,6x8+fma,…] [shape filter]
 * It also checks the numbers: every variant without FMA equals the shipped kernel bit for bit, every FMA variant
 * equals a sequential loop of correctly rounded float32 fused multiply-adds bit for bit, on 1 and 2 threads alike.
 */
import { readFileSync } from "node:fs";
import { loadavg } from "node:os";
import { fileURLToPath } from "node:url";
import v8 from "node:v8";
import { Worker } from "node:worker_threads";

import { compileKernels } from "@dl/wasm-build";
import { FUSED_WASM_SHARED_BASE64 } from "../../packages/tensor-core/src/backend/wasmKernels/fusedWasm.generated.js";

// Set once this script's kernels are compiled to wasm by asc, before V8 compiles them: Node 20's V8 (11.3) has relaxed
// SIMD behind a flag; set at run time it applies to modules compiled afterwards, in this thread and in workers (V8's
// flags are the process's). --no-liftoff: every function compiled by TurboFan at once, so that a kernel called only a
// few times is not measured partly as Liftoff's baseline code (a training step's GEMM, called hundreds of times, is
// tiered up anyway).
const setFlags = (): void => {
  v8.setFlagsFromString("--experimental-wasm-relaxed-simd");
  v8.setFlagsFromString("--no-liftoff");
};

const threadCounts = (process.argv[2] ?? "1,2").split(",").map(Number);
const rounds = Number.parseInt(process.argv[3] ?? "3", 10);
const onlyVariants = process.argv[4] === undefined || process.argv[4] === "all" ? undefined : process.argv[4].split(",");
const shapeFilter = process.argv[5] ?? "";

/** [label, m, k, n, transposeA]: the products that run on our GEMM in a CNN and a cGAN train step, and 1024². */
const SHAPES: [string, number, number, number, boolean][] = [
  ["cnn conv2 dW 288x7744ᵀ·7744x64", 288, 7744, 64, true],
  ["cnn 7744x288·288x64", 7744, 288, 64, false],
  ["cnn dense 64x1600·1600x128", 64, 1600, 128, false],
  ["cnn dense dW 1600x64ᵀ·64x128", 1600, 64, 128, true],
  ["cnn dense dX 64x128·128x1600", 64, 128, 1600, false],
  ["gan 64x512·512x784", 64, 512, 784, false],
  ["gan 128x784·784x512", 128, 784, 512, false],
  ["gan 784x128ᵀ·128x512", 784, 128, 512, true],
  ["gan 64x784·784x512", 64, 784, 512, false],
  ["gan 128x512·512x256", 128, 512, 256, false],
  ["gan 512x64ᵀ·64x784", 512, 64, 784, true],
  ["gan 64x256·256x512", 64, 256, 512, false],
  ["gan 512x128ᵀ·128x256", 512, 128, 256, true],
  ["gan 64x80·80x256", 64, 80, 256, false],
  ["1024²", 1024, 1024, 1024, false],
];

interface Variant {
  name: string;
  fma: boolean;
  /** Export of the module; "shipped" is @dl/tensor-core's `gemm`. */
  fn: string;
  /** Row multiple a split by rows keeps (the tile's height), column multiple a split by columns keeps. */
  rows: number;
  cols: number;
}
const TILES: [string, number, number][] = [["4x8", 4, 8], ["5x8", 5, 8], ["6x8", 6, 8], ["4x12", 4, 12], ["3x16", 3, 16], ["4x16", 4, 16], ["Packed4x8", 4, 8]];
const VARIANTS: Variant[] = [
  { name: "shipped", fma: false, fn: "gemm", rows: 4, cols: 8 },
  ...TILES.flatMap(([t, rows, cols]) => [false, true].map((fma) => ({ name: `${t}${fma ? "+fma" : ""}`, fma, fn: `gemm${t}`, rows, cols }))),
].filter((v) => onlyVariants === undefined || v.name === "shipped" || onlyVariants.includes(v.name));

function compile(fma: boolean): Promise<Uint8Array<ArrayBuffer>> {
  const path = fileURLToPath(new URL("../assembly/gemmVariants.ts", import.meta.url));
  return compileKernels(readFileSync(path, "utf8").replace("__FMA__", String(fma)), { shared: true, features: ["relaxed-simd"], label: path });
}
const plainBytes = await compile(false);
const fmaBytes = await compile(true);
const validBeforeFlag = WebAssembly.validate(fmaBytes);
setFlags();
const shippedBytes = new Uint8Array(Buffer.from(FUSED_WASM_SHARED_BASE64, "base64"));
if (!WebAssembly.validate(plainBytes) || !WebAssembly.validate(fmaBytes)) throw new Error("relaxed SIMD module does not validate");

const PAGES = 2048; // 128 MiB
const memory = new WebAssembly.Memory({ initial: PAGES, maximum: 65536, shared: true });
type Exports = Record<string, (...args: number[]) => number>;
function instantiate(bytes: Uint8Array<ArrayBuffer>): Exports {
  const instance = new WebAssembly.Instance(new WebAssembly.Module(bytes), { env: { memory, abort: () => undefined, seed: () => 1 } });
  return instance.exports as unknown as Exports;
}
const modules = { plain: instantiate(plainBytes), fma: instantiate(fmaBytes), shipped: instantiate(shippedBytes) };

/** Job words: [generation, done, module (0 plain, 1 fma, 2 shipped), fn index, ...args]. */
const control = new Int32Array(new SharedArrayBuffer(4 * 32));
const FN_NAMES = ["gemm", ...TILES.map(([t]) => `gemm${t}`)];
const WORKER = `
const { workerData } = require("node:worker_threads");
const { memory, control, bytes, fnNames } = workerData;
const env = { memory, abort: () => undefined, seed: () => 1 };
const mods = bytes.map((b) => new WebAssembly.Instance(new WebAssembly.Module(b), { env }).exports);
let seen = 0;
require("node:worker_threads").parentPort.postMessage("ready");
for (;;) {
  Atomics.wait(control, 0, seen);
  seen = Atomics.load(control, 0);
  if (seen < 0) break;
  const f = mods[control[2]][fnNames[control[3]]];
  const n = control[4];
  const args = Array.from(control.subarray(5, 5 + n));
  f(...args);
  Atomics.add(control, 1, 1);
  Atomics.notify(control, 1);
}
`;
const workers: Worker[] = [];
for (let t = 1; t < Math.max(...threadCounts); t++) {
  workers.push(new Worker(WORKER, { eval: true, workerData: { memory, control, bytes: [plainBytes, fmaBytes, shippedBytes], fnNames: FN_NAMES } }));
}
await Promise.all(workers.map((w) => new Promise((resolve) => w.once("message", resolve))));

interface Layout { a: number; b: number; c: number; scratch: number[] }
/** Arguments of one call of `v` on rows/columns of the product, for the thread `part` of `parts`. */
function callArgs(v: Variant, l: Layout, m: number, k: number, n: number, tA: boolean, part: number, parts: number): number[] {
  const rowStride = tA ? 1 : k;
  const colStride = tA ? m : 1;
  const byRows = m >= 2 * n;
  const unitRows = 12; // a multiple of every tile height the split keeps
  let a = l.a, c = l.c, mm = m, j0 = 0, j1 = n;
  if (parts > 1) {
    if (byRows) {
      const mid = Math.min(m, Math.round(m / 2 / unitRows) * unitRows);
      const r0 = part === 0 ? 0 : mid, r1 = part === 0 ? mid : m;
      a = l.a + 4 * r0 * rowStride;
      c = l.c + 4 * r0 * n;
      mm = r1 - r0;
    } else {
      const unit = 48; // a multiple of every panel width
      const mid = Math.min(n, Math.max(unit, Math.round(n / 2 / unit) * unit));
      j0 = part === 0 ? 0 : mid;
      j1 = part === 0 ? mid : n;
    }
  }
  // A transposed and split by rows: A's element (i, p) still at a + 4(i + p·m), m the full height (colStride = m).
  if (v.fn === "gemm") return [a, l.b, c, mm, k, n, rowStride, colStride, 0, 0, 0, j0, j1];
  if (v.fn === "gemmPacked4x8") return [a, l.b, c, mm, k, n, rowStride, colStride, j0, j1, l.scratch[part] ?? 0];
  return [a, l.b, c, mm, k, n, rowStride, colStride, j0, j1];
}
function moduleOf(v: Variant): Exports {
  return v.fn === "gemm" ? modules.shipped : v.fma ? modules.fma : modules.plain;
}
function run(v: Variant, l: Layout, m: number, k: number, n: number, tA: boolean, threads: number): void {
  if (threads === 1) {
    moduleOf(v)[v.fn]?.(...callArgs(v, l, m, k, n, tA, 0, 1));
    return;
  }
  const args = callArgs(v, l, m, k, n, tA, 1, 2);
  control[2] = v.fn === "gemm" ? 2 : v.fma ? 1 : 0;
  control[3] = FN_NAMES.indexOf(v.fn);
  control[4] = args.length;
  control.set(args, 5);
  Atomics.store(control, 1, 0);
  Atomics.add(control, 0, 1);
  Atomics.notify(control, 0);
  moduleOf(v)[v.fn]?.(...callArgs(v, l, m, k, n, tA, 0, 2));
  while (Atomics.load(control, 1) < 1) Atomics.wait(control, 1, 0);
}

/** Seeded uniform floats in [-1, 1) (a 32-bit LCG), exact float32 values. */
function fill(view: Float32Array, seed: number): void {
  let s = seed >>> 0;
  for (let i = 0; i < view.length; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    view[i] = s / 2 ** 31 - 1;
  }
}
/** fma(x, y, z) rounded once to float32: x·y is exact in float64; the float64 sum's rounding error (TwoSum) breaks a tie the second rounding would get wrong. */
function fmaf(x: number, y: number, z: number): number {
  const p = x * y;
  const s = p + z;
  const bp = s - z;
  const err = (p - bp) + (z - (s - bp));
  const r = Math.fround(s);
  if (err === 0 || r === s) return r;
  // s lies between two float32 values; a float64 s exactly halfway between them is a tie only if err is 0.
  const other = Math.fround(r < s ? s + Math.abs(s - r) : s - Math.abs(s - r));
  if (Math.abs(s - r) !== Math.abs(other - s)) return r;
  return (err > 0) === (other > r) ? other : r;
}
/** C[i, j] as a sequential loop over p of float32 fused multiply-adds (reference for the FMA variants), only a sample of elements. */
function fmaReference(A: Float32Array, B: Float32Array, m: number, k: number, n: number, tA: boolean, i: number, j: number): number {
  let s = 0;
  for (let p = 0; p < k; p++) s = fmaf(A[tA ? p * m + i : i * k + p] ?? 0, B[p * n + j] ?? 0, s);
  return s;
}
function mulAddReference(A: Float32Array, B: Float32Array, m: number, k: number, n: number, tA: boolean, i: number, j: number): number {
  let s = 0;
  for (let p = 0; p < k; p++) s = Math.fround(s + Math.fround((A[tA ? p * m + i : i * k + p] ?? 0) * (B[p * n + j] ?? 0)));
  return s;
}

const median = (xs: number[]): number => [...xs].sort((x, y) => x - y)[Math.floor(xs.length / 2)] ?? Number.NaN;
const say = (s: string): void => {
  process.stdout.write(`${s}\n`);
};
// (1 + 2⁻²³)² − (1 + 2⁻²²) is 2⁻⁴⁶ exactly: a fused multiply-add returns it, a multiply then add returns 0.
const probe = modules.fma["maddProbe"]?.(Math.fround(1 + 2 ** -23), Math.fround(1 + 2 ** -23), -Math.fround(1 + 2 ** -22));
say(`node ${process.version}, V8 ${process.versions.v8}; a relaxed SIMD module validates: ${String(validBeforeFlag)} before setFlagsFromString, ${String(WebAssembly.validate(fmaBytes))} after; relaxed_madd here ${probe === 2 ** -46 ? "fuses (rounds once)" : `does not fuse (${String(probe)})`}; rounds ${String(rounds)}; load ${loadavg().map((x) => x.toFixed(2)).join(" ")}`);
const summary = new Map<string, { threads: number; shape: string; variant: string; wall: number; cpu: number }>();
for (const threads of threadCounts) {
  for (const [label, m, k, n, tA] of SHAPES.filter(([label]) => label.includes(shapeFilter))) {
    const flop = 2 * m * k * n;
    const reps = Math.max(1, Math.round(3e8 / flop));
    const base = 1 << 20; // past the modules' static data (each instance writes its data segments when it starts)
    const bytesA = 4 * m * k, bytesB = 4 * k * n, bytesC = 4 * m * n;
    const align = (x: number): number => Math.ceil(x / 64) * 64;
    const l: Layout = { a: base, b: align(base + bytesA), c: align(base + bytesA + bytesB), scratch: [] };
    const ref = align(l.c + bytesC);
    l.scratch = [align(ref + bytesC), align(ref + bytesC) + align(bytesB + 64 * 1024)];
    const A = new Float32Array(memory.buffer, l.a, m * k);
    const B = new Float32Array(memory.buffer, l.b, k * n);
    const C = new Float32Array(memory.buffer, l.c, m * n);
    fill(A, 1);
    fill(B, 2);
    // Checks: the shipped kernel on 1 thread is the reference of every variant without FMA, the first FMA variant's
    // result the reference of the other FMA variants; that one is checked against fmaReference on sampled elements.
    run(VARIANTS[0] as Variant, l, m, k, n, tA, 1);
    const shipped = C.slice();
    let fmaResult: Float32Array | undefined;
    const problems: string[] = [];
    for (const v of VARIANTS) {
      C.fill(Number.NaN);
      run(v, l, m, k, n, tA, threads);
      if (!v.fma) {
        if (C.some((x, q) => !Object.is(x, shipped[q]))) problems.push(`${v.name} ≠ shipped`);
      } else if (fmaResult === undefined) {
        fmaResult = C.slice();
        for (let s = 0; s < 64; s++) {
          const i = (s * 7919) % m, j = (s * 104729) % n;
          if (!Object.is(fmaResult[i * n + j], fmaReference(A, B, m, k, n, tA, i, j))) problems.push(`${v.name}[${String(i)},${String(j)}] ≠ fma loop`);
          if (!Object.is(shipped[i * n + j], mulAddReference(A, B, m, k, n, tA, i, j))) problems.push(`shipped[${String(i)},${String(j)}] ≠ mul-add loop`);
        }
      } else if (C.some((x, q) => !Object.is(x, fmaResult?.[q]))) problems.push(`${v.name} ≠ first fma variant`);
    }
    const times = new Map<string, { wall: number[]; cpu: number[] }>();
    for (let r = 0; r < rounds; r++) {
      for (const v of VARIANTS) {
        run(v, l, m, k, n, tA, threads);
        const c0 = process.cpuUsage();
        const w0 = performance.now();
        for (let q = 0; q < reps; q++) run(v, l, m, k, n, tA, threads);
        const used = process.cpuUsage(c0);
        const t = times.get(v.name) ?? { wall: [], cpu: [] };
        t.wall.push((performance.now() - w0) / reps);
        t.cpu.push((used.user + used.system) / 1000 / reps);
        times.set(v.name, t);
      }
    }
    const base0 = median(times.get("shipped")?.wall ?? []);
    const cells = VARIANTS.map((v) => {
      const t = times.get(v.name) ?? { wall: [], cpu: [] };
      const wall = median(t.wall), cpu = median(t.cpu);
      summary.set(`${String(threads)}|${label}|${v.name}`, { threads, shape: label, variant: v.name, wall, cpu });
      return `${v.name} ${(flop / wall / 1e6).toFixed(1)}/${(flop / cpu / 1e6).toFixed(1)} (${((base0 / wall - 1) * 100).toFixed(0)}%)`;
    });
    say(`${String(threads)}t ${label.padEnd(32)} ${(flop / 1e6).toFixed(0).padStart(5)} MFLOP ×${String(reps)}  load ${loadavg()[0]?.toFixed(2) ?? "?"}  ${problems.length === 0 ? "bits ok" : `BITS: ${problems.slice(0, 3).join("; ")}`}`);
    say(`   GFLOP/s wall/CPU (wall gain vs shipped): ${cells.join("  ")}`);
  }
}
// Sum over the step's shapes (1024² apart): total time per variant against shipped.
for (const threads of threadCounts) {
  const tot = new Map<string, { wall: number; cpu: number }>();
  for (const s of summary.values()) {
    if (s.threads !== threads || s.shape === "1024²") continue;
    const t = tot.get(s.variant) ?? { wall: 0, cpu: 0 };
    t.wall += s.wall;
    t.cpu += s.cpu;
    tot.set(s.variant, t);
  }
  const ship = tot.get("shipped");
  say(`${String(threads)}t sum over the step shapes, ms wall/CPU (change vs shipped): ${[...tot].map(([v, t]) => `${v} ${t.wall.toFixed(2)}/${t.cpu.toFixed(2)} (${ship === undefined ? "" : ((t.wall / ship.wall - 1) * 100).toFixed(0)}%)`).join("  ")}`);
}
Atomics.store(control, 0, -1);
Atomics.notify(control, 0);
for (const w of workers) await w.terminate();
