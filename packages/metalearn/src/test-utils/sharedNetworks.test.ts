import { mkdir, mkdtemp, readdir, rm, stat, utimes, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";

import { afterAll, beforeAll, describe, expect, it } from "vitest";

import { initBackend } from "@dl/tensor-core";

import * as tf from "@tensorflow/tfjs-core";
import { pretrainedFeatures } from "../pretrain/embedding.js";
import { pretrainClassifier, type PretrainOptions } from "../pretrain/supervised.js";
import { STALE_CACHE_ENTRY_MS, cachedPretraining, metalearnSourceVersion, storeFolder } from "./sharedNetworks.js";
import { syntheticImages } from "./synthetic.js";

let cacheDir: string;

beforeAll(async () => {
  await initBackend({ backend: "wasm" });
  cacheDir = await mkdtemp(join(tmpdir(), "dl-shared-networks-"));
});

afterAll(async () => {
  await rm(cacheDir, { recursive: true, force: true });
});

describe("cachedPretraining", () => {
  const data = syntheticImages({ classes: 4, perClass: 12, height: 8, width: 8, noise: 0.3, seed: 2 });
  const test = syntheticImages({ classes: 4, perClass: 5, height: 8, width: 8, noise: 0.3, seed: 3 });

  it("trains on a miss, loads on a hit, and both give features bit-identical to a fresh training", async () => {
    const options: PretrainOptions = { filters: [4, 8], batchSize: 16, steps: 20, seed: 7, head: "cosine" };
    const before = tf.memory().numTensors;
    const cached = cachedPretraining(pretrainClassifier, cacheDir);
    const fresh = await pretrainClassifier(data, options);
    const miss = await cached(data, options);
    // The same options in another key order are the same network.
    const hit = await cached(data, { head: "cosine", seed: 7, steps: 20, batchSize: 16, filters: [4, 8] });
    expect(await readdir(cacheDir)).toHaveLength(1);
    const features = await Promise.all([fresh, miss, hit].map((n) => pretrainedFeatures(n, test, { shiftRadius: 1, blocks: [{ block: 0, grid: 2 }, { block: 1, grid: 1 }] })));
    const [a, b, c] = features.map((f) => Array.from(f.data));
    expect(a?.length).toBe(test.count * (4 * 4 + 8));
    expect(b).toEqual(a);
    expect(c).toEqual(a);
    expect(Array.from(hit.classes)).toEqual(Array.from(fresh.classes));
    expect(hit.history).toEqual(fresh.history);
    expect(hit.steps).toBe(20);
    expect(hit.blocks.outputs.map((o) => o.shape.slice(1))).toEqual([[8, 8, 4], [4, 4, 8]]);
    for (const n of [fresh, miss, hit]) n.dispose();
    expect(tf.memory().numTensors).toBe(before);
  });

  it("keys by the data and the options: another seed or other images is another network", async () => {
    const cached = cachedPretraining(pretrainClassifier, cacheDir);
    const options: PretrainOptions = { filters: [4], batchSize: 16, steps: 2, seed: 1 };
    const networks = [await cached(data, options), await cached(data, { ...options, seed: 2 }), await cached(test, options)];
    const weights = networks.map((n) => Array.from(n.classifier.getLayer("conv1").getWeights()[0]?.dataSync() ?? []));
    expect(weights[1]).not.toEqual(weights[0]);
    expect(weights[2]).not.toEqual(weights[0]);
    for (const n of networks) n.dispose();
    // Three new folders beside the first test's one.
    expect(await readdir(cacheDir)).toHaveLength(4);
  });

  it("trains afresh, without caching, when given a teacher", async () => {
    const dir = await mkdtemp(join(tmpdir(), "dl-shared-networks-"));
    const cached = cachedPretraining(pretrainClassifier, dir);
    const teacher = await pretrainClassifier(data, { filters: [4], batchSize: 16, steps: 2, seed: 1 });
    const student = await cached(data, { filters: [4], batchSize: 16, steps: 2, seed: 2, teacher: { classifier: teacher.classifier } });
    expect(await readdir(dir)).toEqual([]);
    student.dispose();
    teacher.dispose();
    await rm(dir, { recursive: true, force: true });
  });

  it("versions the key by the package sources: a 64-digit hash, the same on every call", async () => {
    const version = await metalearnSourceVersion();
    expect(version).toMatch(/^[0-9a-f]{64}$/);
    expect(await metalearnSourceVersion()).toBe(version);
  });

  it("returns the trained network when the cache cannot be written (its folder is under a file)", async () => {
    const file = join(cacheDir, "not-a-folder");
    await writeFile(file, "");
    const before = tf.memory().numTensors;
    const network = await cachedPretraining(pretrainClassifier, join(file, "cache"))(data, { filters: [4], batchSize: 16, steps: 2, seed: 1 });
    expect(network.steps).toBe(2);
    network.dispose();
    expect(tf.memory().numTensors).toBe(before);
  });
});

describe("pruning the shared cache", () => {
  const day = 24 * 3600 * 1000;
  const age = async (path: string, ms: number): Promise<void> => {
    const then = new Date(Date.now() - ms);
    await utimes(path, then, then);
  };

  it("storing an entry deletes the entries unused for a week and keeps the rest; a hit counts as a use", async () => {
    const dir = await mkdtemp(join(tmpdir(), "dl-shared-networks-"));
    const data = syntheticImages({ classes: 2, perClass: 8, height: 8, width: 8, noise: 0.3, seed: 4 });
    const options: PretrainOptions = { filters: [4], batchSize: 8, steps: 2, seed: 3 };
    const first = await cachedPretraining(pretrainClassifier, dir)(data, options);
    first.dispose();
    const [network] = await readdir(dir);
    for (const name of ["stale", "recent"]) await mkdir(join(dir, name));
    await age(join(dir, "stale"), STALE_CACHE_ENTRY_MS + day);
    await age(join(dir, "recent"), STALE_CACHE_ENTRY_MS - day);
    await age(join(dir, network as string), STALE_CACHE_ENTRY_MS + day);
    // The old network is read again: the hit marks it used, so the store below keeps it.
    const hit = await cachedPretraining(pretrainClassifier, dir)(data, options);
    hit.dispose();
    expect(Date.now() - (await stat(join(dir, network as string))).mtimeMs).toBeLessThan(day);
    await storeFolder(join(dir, "new"), (temp) => writeFile(join(temp, "x"), "1"));
    expect((await readdir(dir)).sort()).toEqual([network, "new", "recent"].sort());
    await rm(dir, { recursive: true, force: true });
  });
});
