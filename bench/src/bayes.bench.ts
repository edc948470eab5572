/**
 * One VAE training epoch of @dl/bayes (diagonal-Gaussian encoder, Bernoulli decoder, Adam, batch
 * 100, dynamic binarization) on wasm and cpu, against PyTorch-CPU (2 threads) in the same run.
 */
import * as tf from "@tensorflow/tfjs-core";
import { Vae, trainVae } from "@dl/bayes";
import type { BackendName, ImageDataset } from "@dl/tensor-core";

import { startBackends, use } from "./backends.js";
import { compareAll, peerNumber } from "./harness.js";
import type { BenchContext, BenchResult, Measurement } from "./harness.js";

const ARCHITECTURE = "encoder 784-200-200-16 (tanh) → diag Gaussian z ∈ R⁸, decoder 8-200-200-784 (tanh) → Bernoulli logits";

function syntheticImages(count: number): ImageDataset {
  const images = Float32Array.from({ length: count * 784 }, (_, i) => 0.5 + 0.5 * Math.sin(i * 0.37));
  return { name: "synthetic", images, labels: new Int32Array(count), count, height: 28, width: 28, channels: 1, classNames: ["0"] };
}

async function secondsPerEpoch(images: ImageDataset, epochs: number): Promise<number> {
  const vae = new Vae({ family: "diag", inputDim: 784, latentDim: 8, hidden: 200, encoderHidden: 200, seed: 1 });
  try {
    await trainVae(vae, images, { epochs: 1, seed: 1 }); // warm-up
    const r = await trainVae(vae, images, { epochs, seed: 2 });
    return r.seconds / epochs;
  } finally {
    vae.dispose();
  }
}

export async function run(ctx: BenchContext): Promise<BenchResult> {
  const notes: string[] = [];
  const measurements: Measurement[] = [];
  const count = ctx.quick ? 500 : 2000;
  const epochs = ctx.quick ? 1 : 2;
  const { started, skipped } = await startBackends(["wasm", "cpu"] as BackendName[]);
  notes.push(...skipped);

  ctx.log("PyTorch peer…");
  const torch = await ctx.runPython("bayes.py", ["--images", String(count), "--epochs", String(epochs), "--threads", "2"]);
  const torchSeconds = peerNumber(torch, "seconds_per_epoch");
  if (torchSeconds !== undefined) {
    measurements.push({ label: "pytorch", value: torchSeconds, unit: "s/epoch", better: "lower", detail: `torch ${torch.ok ? String(torch.data["torch"]) : ""}, 2 threads` });
  } else {
    notes.push(`PyTorch peer missing: ${torch.ok ? "no seconds_per_epoch" : torch.reason} (apt-get install python3-torch)`);
  }
  const images = syntheticImages(count);
  for (const name of started) {
    ctx.log(`${name}: VAE epoch over ${count} images…`);
    await use(name);
    measurements.push({ label: name, value: await secondsPerEpoch(images, epochs), unit: "s/epoch", better: "lower", detail: `${count} images, batch 100, mean of ${epochs} epochs` });
  }
  notes.push(`tensors alive after the run: ${tf.memory().numTensors}`);
  return {
    name: "bayes",
    description: `VAE training epoch (${count} images, batch 100, Adam, dynamic binarization): ${ARCHITECTURE}`,
    measurements,
    comparisons: compareAll(measurements, ["wasm", "cpu"], "pytorch"),
    notes,
  };
}
