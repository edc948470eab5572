/**
 * One conditional-GAN training step (a D step and a G step, Adam, batch 64) of @dl/gan's MNIST MLP
 * cGAN on wasm (and cpu), against PyTorch-CPU (2 threads) running the same networks in the same run.
 */
import * as tf from "@tensorflow/tfjs-core";
import type { BackendName } from "@dl/tensor-core";
import { createGan, imageGanConfig, trainGan } from "@dl/gan";

import { startBackends, use } from "./backends.js";
import { compareAll, peerNumber } from "./harness.js";
import type { BenchContext, BenchResult, Measurement } from "./harness.js";

const config = imageGanConfig("mlp", true);
export const ARCHITECTURE = `G: z${config.latentDim} ⊕ embed${config.labelEmbedding}(y) → ${config.hidden.join(" → ")} (leaky ReLU) → 784 tanh; D: 784 ⊕ embed${config.labelEmbedding}(y) → ${[...config.hidden].reverse().join(" → ")} → logit + projection ⟨embed(y), φ⟩`;

/** Median-free mean ms per step over `steps` steps after `warmup` untimed ones (a step is D + G). */
async function measureStep(warmup: number, steps: number): Promise<number> {
  const count = 512;
  const points = Float32Array.from({ length: count * 784 }, (_, i) => Math.sin(i) * 0.9);
  const labels = Int32Array.from({ length: count }, (_, i) => i % 10);
  const gan = createGan(config, 1);
  try {
    await trainGan(gan, { points, labels, count }, { epochs: 1, stepsPerEpoch: warmup });
    const start = performance.now();
    await trainGan(gan, { points, labels, count }, { epochs: 2, stepsPerEpoch: steps });
    return (performance.now() - start) / steps;
  } finally {
    gan.dispose();
  }
}

export async function run(ctx: BenchContext): Promise<BenchResult> {
  const notes: string[] = [];
  const measurements: Measurement[] = [];
  const { started, skipped } = await startBackends(["wasm", "cpu"] as BackendName[]);
  notes.push(...skipped);
  const steps = ctx.quick ? 5 : 30;

  ctx.log("PyTorch peer…");
  const torch = await ctx.runPython("gan.py", ["--steps", String(steps), "--threads", "2"]);
  const torchMs = peerNumber(torch, "ms_per_step");
  if (torchMs !== undefined) {
    measurements.push({ label: "pytorch", value: torchMs, unit: "ms/step", better: "lower", detail: `torch ${torch.ok ? String(torch.data["torch"]) : ""}, 2 threads` });
  } else {
    notes.push(`PyTorch peer missing: ${torch.ok ? "no ms_per_step" : torch.reason} (apt-get install python3-torch)`);
  }
  for (const name of started) {
    const n = name === "cpu" ? Math.max(2, Math.floor(steps / 5)) : steps;
    ctx.log(`${name}: 3 warm-up + ${n} timed cGAN steps…`);
    await use(name);
    measurements.push({ label: name, value: await measureStep(3, n), unit: "ms/step", better: "lower", detail: `mean of ${n} steps (D step + G step)` });
  }
  notes.push(`tensors alive after the run: ${tf.memory().numTensors}`);
  return {
    name: "gan",
    description: `conditional GAN train step, batch ${config.batchSize}, Adam: ${ARCHITECTURE}`,
    measurements,
    comparisons: compareAll(measurements, ["wasm", "cpu"], "pytorch"),
    notes,
  };
}
