// Builds the pretrained conditional GAN that the cGAN page shows at once: @dl/gan's default recipe
// (trainImageGan, conditional, default arch and config) on the 8,000 MNIST training digits, on the
// wasm backend (deterministic for a seed), scored on the test digits by the default CNN classifier.
// Writes public/models/cgan-mnist/: generator.json (the snapshot: config and weight shapes),
// generator.bin (float32 weights of the averaged generator) and training.json (command, seed, time,
// figures). From the repository root: `pnpm --filter @dl/playground build:cgan [--epochs N] [--seed S]`.
import { createHash } from "node:crypto";
import { mkdir, writeFile } from "node:fs/promises";
import { fileURLToPath } from "node:url";

import { snapshotGenerator, trainImageGan } from "@dl/gan";
import { initBackend, loadDataset, loadDefaultModel } from "@dl/tensor-core";
import * as tf from "@tensorflow/tfjs-core";

/** Epochs of 125 steps (batch 64 over 8,000 digits); the tour's full cGAN trains as many. */
const DEFAULT_EPOCHS = 8;
const DEFAULT_SEED = 42;

function flag(name: string, fallback: number): number {
  const i = process.argv.indexOf(name);
  const value = i < 0 ? fallback : Number(process.argv[i + 1]);
  if (!Number.isSafeInteger(value) || value < 1) throw new Error(`${name} takes a positive integer, got ${process.argv[i + 1] ?? "nothing"}.`);
  return value;
}

const epochs = flag("--epochs", DEFAULT_EPOCHS);
const seed = flag("--seed", DEFAULT_SEED);
const out = fileURLToPath(new URL("../public/models/cgan-mnist/", import.meta.url));

const cpuStart = process.cpuUsage();
const wallStart = performance.now();
await initBackend({ backend: "wasm" });
const train = await loadDataset("mnist", { split: "train" });
const test = await loadDataset("mnist", { split: "test" });
const classifier = (await loadDefaultModel({ data: "mnist", arch: "cnn" })).model;
let last = "";
const result = await trainImageGan({
  train,
  evaluationSet: test,
  classifier,
  conditional: true,
  epochs,
  seed,
  onProgress: (p) => {
    const line = `${p.phase} ${p.step}/${p.total ?? "?"}`;
    if (p.phase !== last) process.stderr.write(`\n`);
    last = p.phase;
    process.stderr.write(`\r${line}`);
  },
  onEpoch: ({ record }) => {
    process.stderr.write(`\nepoch ${record.epoch}: D ${record.dLoss.toFixed(3)}, G ${record.gLoss.toFixed(3)} (${record.seconds.toFixed(1)} s)\n`);
  },
});
const final = result.final;
if (final === undefined) throw new Error("trainImageGan returned no final evaluation");
const { snapshot, weights } = snapshotGenerator(result.gan);
const cpu = process.cpuUsage(cpuStart);
const record = {
  command: `pnpm --filter @dl/playground build:cgan --epochs ${epochs} --seed ${seed}`,
  recipe: "@dl/gan trainImageGan defaults (conditional, default arch and imageGanConfig); samples from the averaged generator when the recipe keeps one",
  data: train.name,
  trainCount: train.count,
  seed,
  epochs,
  steps: result.gan.step,
  backend: "wasm",
  tfjsVersion: tf.version_core,
  trainSeconds: result.seconds,
  scriptWallSeconds: (performance.now() - wallStart) / 1000,
  scriptCpuSeconds: (cpu.user + cpu.system) / 1e6,
  scoredBy: "the default CNN classifier (dl train's cached model), on 1,000 samples against the 2,000 test digits",
  final: {
    labelAccuracy: final.labelAccuracy,
    perLabelAccuracy: final.perLabelAccuracy,
    precision: final.precision,
    recall: final.recall,
    frechet: final.frechet,
    frechetRealBaseline: final.frechetRealBaseline,
  },
  weightsBytes: weights.byteLength,
  weightsSha256: createHash("sha256").update(weights).digest("hex"),
  history: result.history.map((h) => ({ epoch: h.epoch, dLoss: h.dLoss, gLoss: h.gLoss, labelAccuracy: h.metrics?.["labelAccuracy"] })),
};
await mkdir(out, { recursive: true });
await writeFile(`${out}generator.bin`, weights);
await writeFile(`${out}generator.json`, `${JSON.stringify(snapshot)}\n`);
await writeFile(`${out}training.json`, `${JSON.stringify(record, null, 2)}\n`);
result.gan.dispose();
classifier.dispose();
process.stderr.write(
  `\nwrote ${out} (${(weights.byteLength / 1e6).toFixed(2)} MB of weights): ${result.gan.step} steps in ${result.seconds.toFixed(0)} s; ` +
    `classifier accuracy ${final.labelAccuracy.toFixed(3)}, precision ${final.precision.toFixed(3)}, recall ${final.recall.toFixed(3)}, Fréchet ${final.frechet.toFixed(2)} (real ${final.frechetRealBaseline.toFixed(2)}); ` +
    `script ${record.scriptWallSeconds.toFixed(0)} s wall, ${record.scriptCpuSeconds.toFixed(0)} s CPU\n`,
);
