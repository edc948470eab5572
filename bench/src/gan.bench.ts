/**
 * One conditional-GAN training step (a D step and a G step, Adam, batch 64) of @dl/gan's MNIST MLP
 * cGAN on wasm (and cpu), against PyTorch-CPU (2 threads) running the same networks in the same run;
 * wasm runs tfjs-wasm's XNNPACK pool on every core, and once more with one thread in a child process.
 */
import * as tf from "@tensorflow/tfjs-core";
import type { BackendName } from "@dl/tensor-core";
import { createGan, imageGanConfig, trainGan } from "@dl/gan";

import { startBackends, use, wasmThreadCount } from "./backends.js";
import { compareAll, oneWasmThreadFigures, pytorchPeer } from "./harness.js";
import type { BenchContext, BenchResult, Measurement } from "./harness.js";

// Pinned to the projection recipe (MLP, label projection, no packing) so the bench measures the same network whatever the default recipe becomes.
export const config = imageGanConfig("mlp", true, "projection");
export const ARCHITECTURE = `G: z${config.latentDim} ⊕ embed${config.labelEmbedding}(y) → ${config.hidden.join(" → ")} (leaky ReLU) → 784 tanh; D: 784 ⊕ embed${config.labelEmbedding}(y) → ${[...config.hidden].reverse().join(" → ")} → logit + projection ⟨embed(y), φ⟩`;

/** Mean wall and process CPU ms per step over `steps` steps after `warmup` untimed ones (a step is D + G). */
async function measureStep(warmup: number, steps: number): Promise<{ wallMs: number; cpuMs: number }> {
  const count = 512;
  const points = Float32Array.from({ length: count * 784 }, (_, i) => Math.sin(i) * 0.9);
  const labels = Int32Array.from({ length: count }, (_, i) => i % 10);
  const gan = createGan(config, 1);
  try {
    await trainGan(gan, { points, labels, count }, { epochs: 1, stepsPerEpoch: warmup });
    const cpuStart = process.cpuUsage();
    const start = performance.now();
    await trainGan(gan, { points, labels, count }, { epochs: 2, stepsPerEpoch: steps });
    const wallMs = (performance.now() - start) / steps;
    const cpu = process.cpuUsage(cpuStart);
    return { wallMs, cpuMs: (cpu.user + cpu.system) / 1000 / steps };
  } finally {
    gan.dispose();
  }
}

const stepsFor = (quick: boolean): number => (quick ? 5 : 30);

/** The wasm step on the backend already started (wasmThreadsChild.ts runs it with another thread count). */
export async function wasmFigures(quick: boolean): Promise<Record<string, number>> {
  return measureStep(3, stepsFor(quick));
}

export async function run(ctx: BenchContext): Promise<BenchResult> {
  const notes: string[] = [];
  const measurements: Measurement[] = [];
  const { started, skipped } = await startBackends(["wasm", "cpu"] as BackendName[]);
  notes.push(...skipped);
  const steps = stepsFor(ctx.quick);

  // PyTorch runs before and after our backends, with 2 threads (the peer) and 1; the faster run of each counts.
  const torch = pytorchPeer(ctx, "gan.py", steps, notes);
  await torch.run();
  for (const name of started) {
    const n = name === "cpu" ? Math.max(2, Math.floor(steps / 5)) : steps;
    ctx.log(`${name}: 3 warm-up + ${n} timed cGAN steps…`);
    await use(name);
    const { wallMs, cpuMs } = await measureStep(3, n);
    const threads = name === "wasm" ? `, ${String(await wasmThreadCount())} thread(s)` : "";
    measurements.push({ label: name, value: wallMs, unit: "ms/step", better: "lower", detail: `mean of ${n} steps (D step + G step)${threads}` });
    measurements.push({ label: `${name} CPU time`, value: cpuMs, unit: "ms/step", better: "lower", detail: "process CPU time per step, summed over threads" });
  }
  const one = started.includes("wasm") ? await oneWasmThreadFigures(ctx, "gan", { wall: "wallMs", cpu: "cpuMs" }, notes) : undefined;
  if (one) {
    measurements.push({ label: "wasm 1 thread", value: one.wall, unit: "ms/step", better: "lower", detail: "tfjs-wasm's single-threaded binary" });
    measurements.push({ label: "wasm 1 thread CPU time", value: one.cpu, unit: "ms/step", better: "lower", detail: "process CPU time per step" });
  }
  await torch.run();
  measurements.unshift(...torch.measurements());
  notes.push(`tensors alive after the run: ${tf.memory().numTensors}`);
  return {
    name: "gan",
    description: `conditional GAN train step, batch ${config.batchSize}, Adam: ${ARCHITECTURE}`,
    measurements,
    comparisons: [
      // "As fast as PyTorch": against whichever of its thread settings ran faster in this run (its 2-thread
      // runs spin on this 2-core machine and are often the slower ones, so judging against them flattered us).
      ...compareAll(measurements, ["wasm"], "pytorch, faster setting", 1.0),
      ...compareAll(measurements, ["wasm", "cpu"], "pytorch"),
      ...compareAll(measurements, ["wasm"], "pytorch 1 thread"),
      ...compareAll(measurements, ["wasm 1 thread"], "pytorch 1 thread"),
      // > 1: how much faster the pool on every core runs a step than one thread.
      ...compareAll(measurements, ["wasm 1 thread"], "wasm"),
      ...compareAll(measurements, ["wasm CPU time"], "pytorch CPU time"),
    ],
    notes,
  };
}
