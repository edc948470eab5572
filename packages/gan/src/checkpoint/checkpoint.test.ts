import { mkdir, mkdtemp, readdir, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";

import * as tf from "@tensorflow/tfjs-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

import { initBackend, isDlError } from "@dl/tensor-core";

import { createGan, generate, trainGan, type Gan } from "../train/gan.js";
import { TINY_GAN_CONFIG, tinyGanData } from "../test-utils/tinyGan.js";
import { GAN_CHECKPOINT_STATE_FILE, ganCheckpointFiles, loadGanCheckpoint, saveGanCheckpoint } from "./checkpoint.js";

let work: string;
beforeAll(async () => {
  await initBackend({ backend: "wasm" });
  work = await mkdtemp(join(tmpdir(), "dl-gan-checkpoint-test-"));
});
afterAll(async () => {
  await rm(work, { recursive: true, force: true });
});

function weightsOf(gan: Gan): number[] {
  return [...gan.generator.getWeights(), ...gan.discriminator.getWeights(), ...(gan.generatorEma?.getWeights() ?? [])].flatMap((w) => Array.from(w.dataSync()));
}

async function errorOf(work: () => Promise<unknown>): Promise<unknown> {
  try {
    await work();
  } catch (error) {
    return error;
  }
  return undefined;
}

describe("GAN checkpoints on disk", () => {
  it("a saved-then-loaded GAN generates the same samples for the same seed, trains on identically and leaks no tensors", async () => {
    const data = tinyGanData();
    const labels = [0, 1, 2, 2, 1, 0, 0];
    const empty = tf.memory().numTensors;
    const original = createGan(TINY_GAN_CONFIG, 9);
    await trainGan(original, data, { epochs: 1 });
    expect(original.generatorEma).toBeDefined();
    const dir = join(work, "run");

    const before = tf.memory().numTensors;
    await saveGanCheckpoint(original, dir);
    expect(tf.memory().numTensors).toBe(before);
    expect((await readdir(join(dir, "checkpoint"))).sort()).toEqual(["discriminator", "generator", "generator-ema", "state.json"]);

    const loaded = await loadGanCheckpoint(dir);
    expect([loaded.epoch, loaded.step, loaded.seed]).toEqual([original.epoch, original.step, original.seed]);
    expect(loaded.history).toEqual(original.history);
    // Bit-identical samples: the weights went through float32 files unchanged.
    expect(Array.from(generate(loaded, labels.length, { labels, seed: 5 }))).toEqual(Array.from(generate(original, labels.length, { labels, seed: 5 })));
    expect(weightsOf(loaded)).toEqual(weightsOf(original));
    loaded.dispose();
    expect(tf.memory().numTensors).toBe(before);

    // The Adam moments came back too: one more epoch on each lands on the same weights.
    const resumed = await loadGanCheckpoint(dir);
    await trainGan(original, data, { epochs: 2 });
    await trainGan(resumed, data, { epochs: 2 });
    const a = weightsOf(original);
    const b = weightsOf(resumed);
    expect(b.length).toBe(a.length);
    expect(Math.max(...b.map((v, i) => Math.abs(v - (a[i] as number))))).toBeLessThan(1e-6);
    resumed.dispose();
    original.dispose();
    expect(tf.memory().numTensors).toBe(empty);
  });

  it("lists the same files it writes, with the state as JSON", async () => {
    const gan = createGan({ ...TINY_GAN_CONFIG, numClasses: 0, labelEmbedding: 0 }, 2);
    const files = await ganCheckpointFiles(gan);
    const paths = files.map((f) => f.path);
    expect(paths).toContain(GAN_CHECKPOINT_STATE_FILE);
    expect(paths.filter((p) => p.endsWith("model.json")).length).toBe(gan.generatorEma ? 3 : 2);
    const state = files.find((f) => f.path === GAN_CHECKPOINT_STATE_FILE)?.contents as string;
    expect((JSON.parse(state) as { format: string; seed: number }).format).toBe("dl-gan-checkpoint@1");
    expect((JSON.parse(state) as { seed: number }).seed).toBe(2);
    gan.dispose();
  });

  it("a folder without a checkpoint is MODEL_NOT_FOUND and a broken state is MALFORMED_FILE, naming the folder", async () => {
    const missing = await errorOf(() => loadGanCheckpoint(join(work, "nothing-here")));
    expect(isDlError(missing, "MODEL_NOT_FOUND")).toBe(true);
    expect((missing as Error).message).toMatch(/nothing-here.*checkpoint\/state\.json is missing/);
    const bad = join(work, "bad");
    await mkdir(join(bad, "checkpoint"), { recursive: true });
    await writeFile(join(bad, GAN_CHECKPOINT_STATE_FILE), "{ not json");
    const malformed = await errorOf(() => loadGanCheckpoint(bad));
    expect(isDlError(malformed, "MALFORMED_FILE")).toBe(true);
    expect((malformed as Error).message).toMatch(/bad\/checkpoint\/state\.json is not valid JSON/);
  });
});
