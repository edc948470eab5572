/**
 * One training step of the MNIST-shaped CNN (2 conv + 2 dense, batch 64) on every backend that
 * starts here, against PyTorch-CPU (2 threads) running the same architecture in the same run; wasm
 * runs tfjs-wasm's XNNPACK pool on every core, and once more with one thread in a child process.
 */
import { cpus, loadavg } from "node:os";

import "@tensorflow/tfjs-layers"; // registers tfjs-core's gradients
import * as tf from "@tensorflow/tfjs-core";
import * as tfl from "@tensorflow/tfjs-layers";
import type { BackendName } from "@dl/tensor-core";

import { startBackends, use, wasmThreadCount, withStockWasmKernels } from "./backends.js";
import { compareAll, oneWasmThreadFigures, pytorchPeer, timeIt } from "./harness.js";
import type { BenchContext, BenchResult, Measurement } from "./harness.js";

export const BATCH = 64;
export const ARCHITECTURE =
  "conv 3×3×32 relu → maxpool 2 → conv 3×3×64 relu → maxpool 2 → dense 128 relu → dense 10, softmax cross-entropy, SGD";

export function buildModel(): tfl.LayersModel {
  const init = (seed: number) => ({ kernelInitializer: tfl.initializers.glorotUniform({ seed }) });
  return tfl.sequential({
    layers: [
      tfl.layers.conv2d({ inputShape: [28, 28, 1], filters: 32, kernelSize: 3, activation: "relu", ...init(1) }),
      tfl.layers.maxPooling2d({ poolSize: 2 }),
      tfl.layers.conv2d({ filters: 64, kernelSize: 3, activation: "relu", ...init(2) }),
      tfl.layers.maxPooling2d({ poolSize: 2 }),
      tfl.layers.flatten(),
      tfl.layers.dense({ units: 128, activation: "relu", ...init(3) }),
      tfl.layers.dense({ units: 10, ...init(4) }),
    ],
  });
}

/** The q-quantile (0 … 1, nearest rank) of `values`. */
function quantile(values: readonly number[], q: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.round(q * (sorted.length - 1))))] ?? Number.NaN;
}

/** The bench's training step on the active backend (a fixed seeded batch, SGD), and what frees its tensors. */
export function createTrainingStep(): { step: () => void; dispose: () => void } {
  const model = buildModel();
  const optimizer = tf.train.sgd(0.01);
  const x = tf.randomUniform([BATCH, 28, 28, 1], 0, 1, "float32", 7);
  const y = tf.tidy(() => tf.oneHot(tf.randomUniform<tf.Rank.R1>([BATCH], 0, 10, "int32", 8), 10));
  const step = (): void => {
    tf.tidy(() => {
      optimizer.minimize(() => tf.losses.softmaxCrossEntropy<tf.Tensor, tf.Scalar>(y, model.apply(x) as tf.Tensor));
    });
  };
  const dispose = (): void => {
    tf.dispose([x, y]);
    optimizer.dispose();
    model.dispose();
  };
  return { step, dispose };
}

/** Median wall and CPU ms per training step on the active backend, with the wall time's 10th and 90th percentiles. */
async function measureStep(warmup: number, iterations: number): Promise<{ wallMs: number; cpuMs: number; p10Ms: number; p90Ms: number }> {
  const { step, dispose } = createTrainingStep();
  const timing = await timeIt(step, { warmup, iterations });
  dispose();
  return { wallMs: timing.medianMs, cpuMs: timing.cpuMedianMs, p10Ms: quantile(timing.samplesMs, 0.1), p90Ms: quantile(timing.samplesMs, 0.9) };
}

const WASM_PLAN = { quick: [2, 5], full: [5, 20] } as const;

/** The wasm step on the backend already started (wasmThreadsChild.ts runs it with another thread count). */
export async function wasmFigures(quick: boolean): Promise<Record<string, number>> {
  const [warmup, iterations] = quick ? WASM_PLAN.quick : WASM_PLAN.full;
  return measureStep(warmup, iterations);
}

export async function run(ctx: BenchContext): Promise<BenchResult> {
  const notes: string[] = [];
  const measurements: Measurement[] = [];
  const { started, skipped } = await startBackends(["tfjs-node", "wasm", "cpu"] as BackendName[]);
  notes.push(...skipped.filter((s) => !s.startsWith("tfjs-node")));
  const plan: Record<string, [number, number]> = ctx.quick
    ? { "tfjs-node": [2, 5], wasm: [...WASM_PLAN.quick], cpu: [0, 1] }
    : { "tfjs-node": [5, 20], wasm: [...WASM_PLAN.full], cpu: [0, 1] }; // a cpu step takes ~30 s

  // PyTorch runs before and after our backends and the faster run counts; the 1-thread run matches wasm with one thread.
  const torch = pytorchPeer(ctx, "cnn.py", ctx.quick ? 5 : 20, notes);
  await torch.run();

  for (const name of started) {
    const [warmup, iterations] = plan[name] ?? [1, 2];
    ctx.log(`${name}: ${warmup} warm-up + ${iterations} timed steps…`);
    await use(name);
    const { wallMs, cpuMs, p10Ms, p90Ms } = await measureStep(warmup, iterations);
    const threads = name === "wasm" ? `, ${String(await wasmThreadCount())} thread(s)` : "";
    // The spread of the step within the run, and the load it ran under: a wide spread at a low load is ours, not the host's.
    const spread = `, p10–p90 ${p10Ms.toFixed(1)}–${p90Ms.toFixed(1)} ms, load ${(loadavg()[0] ?? 0).toFixed(1)}`;
    measurements.push({ label: name, value: wallMs, unit: "ms/step", better: "lower", detail: `median of ${iterations}${threads}${iterations > 1 ? spread : ""}` });
    if (name === "wasm") {
      measurements.push({
        label: "wasm CPU time",
        value: cpuMs,
        unit: "ms/step",
        better: "lower",
        detail: "process CPU time per step, summed over threads",
      });
    }
  }

  const one = started.includes("wasm") ? await oneWasmThreadFigures(ctx, "cnn", { wall: "wallMs", cpu: "cpuMs" }, notes) : undefined;
  if (one) {
    measurements.push({ label: "wasm 1 thread", value: one.wall, unit: "ms/step", better: "lower", detail: "tfjs-wasm's single-threaded binary, median" });
    measurements.push({ label: "wasm 1 thread CPU time", value: one.cpu, unit: "ms/step", better: "lower", detail: "process CPU time per step" });
  }

  if (started.includes("wasm")) {
    ctx.log("wasm with tfjs-wasm's stock kernels (before dl-lab's replacements)…");
    await use("wasm");
    const stock = await withStockWasmKernels(["BatchMatMul", "_FusedMatMul", "Conv2DBackpropInput", "MaxPoolGrad"], () =>
      measureStep(1, ctx.quick ? 2 : 4),
    );
    measurements.push({
      label: "wasm, stock kernels",
      value: stock.wallMs,
      unit: "ms/step",
      better: "lower",
      detail: "tfjs-wasm's MatMul/Conv2DBackpropInput/MaxPoolGrad; only the missing filter gradient is ours",
    });
  }

  await torch.run();
  if ((loadavg()[0] ?? 0) > cpus().length) {
    notes.push(
      "load exceeds the core count: two-thread runs (PyTorch, wasm) lose far more wall time than one-thread runs, " +
        "so wall-clock ratios are noisy; read the CPU-time ratios beside them",
    );
  }
  measurements.unshift(...torch.measurements());

  return {
    name: "cnn",
    description: `CNN train step, batch ${BATCH}, 28×28×1 input: ${ARCHITECTURE}`,
    measurements,
    comparisons: [
      ...compareAll(measurements, ["wasm"], "pytorch", 2.0),
      ...compareAll(measurements, ["tfjs-node", "cpu", "wasm, stock kernels"], "pytorch"),
      ...compareAll(measurements, ["wasm 1 thread"], "pytorch 1 thread"),
      // > 1: how much faster the pool on every core runs a step than one thread.
      ...compareAll(measurements, ["wasm 1 thread"], "wasm"),
      ...compareAll(measurements, ["wasm CPU time"], "pytorch CPU time"),
      // CPU time survives a loaded machine better than wall time; the goal is judged on wall time against
      // PyTorch with 2 threads, as the issue states it, and these CPU ratios are shown beside it.
      ...compareAll(measurements, ["wasm 1 thread CPU time"], "pytorch 1 thread CPU time"),
    ],
    notes: [...new Set(notes)],
  };
}
