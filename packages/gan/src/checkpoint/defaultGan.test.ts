import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";

import * as tf from "@tensorflow/tfjs-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

import { createRng, initBackend, type ImageDataset, type ProgressEvent } from "@dl/tensor-core";

import { sampleGrid } from "../train/imageGan.js";
import { defaultGanDir, loadDefaultGan, type DefaultGanRecord } from "./defaultGan.js";

let cacheDir: string;
beforeAll(async () => {
  await initBackend({ backend: "wasm" });
  cacheDir = await mkdtemp(join(tmpdir(), "dl-default-gan-test-"));
});
afterAll(async () => {
  await rm(cacheDir, { recursive: true, force: true });
});

function digits(n: number, seed = 1): ImageDataset {
  const rng = createRng(seed);
  return {
    name: "noise-digits/train",
    images: Float32Array.from({ length: n * 784 }, () => rng.next()),
    labels: Int32Array.from({ length: n }, (_, i) => i % 10),
    count: n,
    height: 28,
    width: 28,
    channels: 1,
    classNames: Array.from({ length: 10 }, (_, i) => String(i)),
  };
}

describe("the cached default cGAN", () => {
  it("trains once, then loads from the cache a GAN that draws the same grid; a corrupt or re-keyed cache retrains", async () => {
    const train = digits(64);
    const options = { train, epochs: 1, stepsPerEpoch: 2, seed: 5, cacheDir };
    const before = tf.memory().numTensors;
    const phases: string[] = [];
    const first = await loadDefaultGan({ ...options, onProgress: (p: ProgressEvent) => phases.push(p.phase) });
    expect(first.cached).toBe(false);
    expect(phases.some((p) => p.startsWith("epoch"))).toBe(true);
    expect(first.dir).toBe(defaultGanDir(options));
    expect(first.record.steps).toBe(2);
    const grid = sampleGrid(first.gan);

    const second = await loadDefaultGan(options);
    expect(second.cached).toBe(true);
    expect(second.record.checksum).toBe(first.record.checksum);
    expect(Array.from(sampleGrid(second.gan).images)).toEqual(Array.from(grid.images));
    first.gan.dispose();
    second.gan.dispose();
    expect(tf.memory().numTensors).toBe(before);

    // Other data, epochs or seed: another key, another folder.
    expect(defaultGanDir({ ...options, train: digits(64, 2) })).not.toBe(first.dir);
    expect(defaultGanDir({ ...options, epochs: 2 })).not.toBe(first.dir);
    expect(defaultGanDir({ ...options, seed: 6 })).not.toBe(first.dir);

    // A flipped byte in the weights fails the checksum: retrained, with the reason said.
    const weightsPath = join(first.dir, "generator.bin");
    const bytes = await readFile(weightsPath);
    bytes[100] = (bytes[100] ?? 0) ^ 1;
    await writeFile(weightsPath, bytes);
    const messages: string[] = [];
    const third = await loadDefaultGan({ ...options, onProgress: (p: ProgressEvent) => p.message !== undefined && messages.push(p.message) });
    expect(third.cached).toBe(false);
    expect(messages.join(" ")).toContain("generator.bin fails its checksum");
    expect(Array.from(sampleGrid(third.gan).images)).toEqual(Array.from(grid.images));
    third.gan.dispose();

    // An edited record fails its own checksum.
    const recordPath = join(first.dir, "generator.json");
    const record = JSON.parse(await readFile(recordPath, "utf8")) as DefaultGanRecord;
    await writeFile(recordPath, JSON.stringify({ ...record, trainSeconds: 0 }));
    const edited: string[] = [];
    const fourth = await loadDefaultGan({ ...options, onProgress: (p: ProgressEvent) => p.message !== undefined && edited.push(p.message) });
    expect(edited.join(" ")).toContain("generator.json fails its checksum");
    fourth.gan.dispose();
    expect(tf.memory().numTensors).toBe(before);
  }, 120_000);
});
