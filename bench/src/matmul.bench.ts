/**
 * 1024² float32 matmul throughput on every backend that starts here against numpy in the same
 * run, plus the transposed-operand path on wasm before and after dl-lab's plain-path fix; wasm runs
 * tfjs-wasm's XNNPACK pool on every core, and once more with one thread in a child process.
 */
import * as tf from "@tensorflow/tfjs-core";
import type { BackendName } from "@dl/tensor-core";

import { startBackends, use, wasmThreadCount, withStockWasmKernels } from "./backends.js";
import { compareAll, oneWasmThreadFigures, peerNumber, timeIt } from "./harness.js";
import type { BenchContext, BenchResult, Measurement } from "./harness.js";

const N = 1024;
const FLOP = 2 * N * N * N;

/** GFLOP/s from wall time, and from process CPU time summed over threads (per-core throughput). */
async function gflops(transposeA: boolean, warmup: number, iterations: number): Promise<{ wall: number; cpu: number }> {
  const a = tf.randomUniform([N, N], -1, 1, "float32", 1);
  const b = tf.randomUniform([N, N], -1, 1, "float32", 2);
  const timing = await timeIt(
    () => {
      const c = tf.matMul(a, b, transposeA, false);
      c.dataSync();
      c.dispose();
    },
    { warmup, iterations },
  );
  tf.dispose([a, b]);
  return { wall: FLOP / (timing.medianMs * 1e6), cpu: FLOP / (timing.cpuMedianMs * 1e6) };
}

/** A·B on the backend already started (wasmThreadsChild.ts runs it with another thread count). */
export async function wasmFigures(quick: boolean): Promise<Record<string, number>> {
  return gflops(false, 3, quick ? 5 : 15);
}

export async function run(ctx: BenchContext): Promise<BenchResult> {
  const notes: string[] = [];
  const measurements: Measurement[] = [];
  const gflop = (label: string, value: number, detail: string): void => {
    measurements.push({ label, value, unit: "GFLOP/s", better: "higher", detail });
  };
  const { started, skipped } = await startBackends(["tfjs-node", "wasm", "cpu"] as BackendName[]);
  notes.push(...skipped.filter((s) => !s.startsWith("tfjs-node")));

  // numpy runs before and after ours; the faster run counts (a load burst must not flatter us).
  const numpyRuns: number[] = [];
  let numpyVersion = "";
  const runNumpy = async (): Promise<void> => {
    ctx.log("numpy peer…");
    const outcome = await ctx.runPython("matmul.py", ["--n", String(N), "--threads", "2"]);
    const value = peerNumber(outcome, "gflops");
    if (value !== undefined) numpyRuns.push(value);
    else notes.push(`numpy peer missing: ${outcome.ok ? "no gflops" : outcome.reason} (apt-get install python3-numpy)`);
    if (outcome.ok) numpyVersion = String(outcome.data["numpy"]);
  };
  await runNumpy();

  for (const name of started) {
    await use(name);
    const slow = name === "cpu";
    ctx.log(`${name}: A·B…`);
    const plain = await gflops(false, slow ? 1 : 3, slow ? 3 : ctx.quick ? 5 : 15);
    gflop(name, plain.wall, `A·B, median${name === "wasm" ? `, ${String(await wasmThreadCount())} thread(s)` : ""}`);
    if (name === "wasm") {
      gflop("wasm CPU time", plain.cpu, "A·B, from process CPU time summed over threads (per-core throughput)");
      ctx.log("wasm: Aᵀ·B after the fix…");
      const fixed = await gflops(true, 3, ctx.quick ? 5 : 15);
      gflop("wasm Aᵀ·B", fixed.wall, "transposeA, dl-lab plain path");
      ctx.log("wasm: Aᵀ·B with tfjs-wasm's stock kernel (slow)…");
      const before = await withStockWasmKernels(["BatchMatMul"], () => gflops(true, 1, ctx.quick ? 1 : 3));
      gflop("wasm Aᵀ·B, stock", before.wall, "transposeA, tfjs-wasm's own kernel");
    }
  }

  const one = started.includes("wasm") ? await oneWasmThreadFigures(ctx, "matmul", { wall: "wall", cpu: "cpu" }, notes) : undefined;
  if (one) {
    gflop("wasm 1 thread", one.wall, "A·B, tfjs-wasm's single-threaded binary, median");
    gflop("wasm 1 thread CPU time", one.cpu, "A·B, from process CPU time");
  }

  await runNumpy();
  if (numpyRuns.length > 0) {
    measurements.unshift({
      label: "numpy",
      value: Math.max(...numpyRuns),
      unit: "GFLOP/s",
      better: "higher",
      detail: `numpy ${numpyVersion}, 2 BLAS threads, best of ${numpyRuns.length} runs (before/after ours)`,
    });
  }

  return {
    name: "matmul",
    description: `${N}×${N} float32 matmul (${(FLOP / 1e9).toFixed(2)} GFLOP per call), throughput`,
    measurements,
    comparisons: [
      ...compareAll(measurements, ["tfjs-node", "wasm", "wasm CPU time", "wasm 1 thread", "wasm Aᵀ·B", "cpu"], "numpy"),
      // < 1: how many times the pool on every core outruns one wasm thread.
      ...compareAll(measurements, ["wasm"], "wasm 1 thread"),
      ...compareAll(measurements, ["wasm Aᵀ·B, stock"], "wasm Aᵀ·B"),
    ],
    notes: [...new Set(notes)],
  };
}
