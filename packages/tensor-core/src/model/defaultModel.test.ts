import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from "node:fs/promises";
import { hostname, tmpdir } from "node:os";
import { join } from "node:path";

import { afterAll, beforeAll, describe, expect, it } from "vitest";

import "../backend/candidates.js";
import { initBackend } from "../backend/registry.js";
import { createDefaultModel } from "./architectures.js";
import { DEFAULT_TRAINING, defaultModelDir, defaultTrainingRecipe, loadDefaultModel, writeCachedModel } from "./defaultModel.js";
import type { TrainingRecord } from "./defaultModel.js";
import type { ProgressEvent } from "../progress.js";

let cacheDir: string;
beforeAll(async () => {
  await initBackend({ backend: "cpu" });
  cacheDir = await mkdtemp(join(tmpdir(), "dl-default-"));
});
afterAll(async () => {
  await rm(cacheDir, { recursive: true, force: true });
});

describe("defaultTrainingRecipe", () => {
  it("keeps the MNIST recipe, scales epochs by training-set size and applies Fashion-MNIST's CNN recipe", () => {
    expect(defaultTrainingRecipe("mnist", "cnn")).toEqual(DEFAULT_TRAINING.cnn);
    // 20 × 8,000 / 60,000 = 2.67 → 3 epochs, the MNIST augmentation kept.
    expect(defaultTrainingRecipe("fashion-mnist", "mlp")).toEqual({ ...DEFAULT_TRAINING.mlp, epochs: 3 });
    // Measured departure: 5 epochs without shifts (the scaled recipe, 1 epoch, reached 84.9 %).
    expect(defaultTrainingRecipe("fashion-mnist", "cnn")).toEqual({ ...DEFAULT_TRAINING.cnn, epochs: 5, augmentShift: 0 });
  });
});

describe("loadDefaultModel cache", () => {
  const record = (seed: number, options = { ...DEFAULT_TRAINING.mlp }): Omit<TrainingRecord, "files" | "checksum"> => ({
    data: "mnist",
    arch: "mlp",
    seed,
    testAccuracy: 0.5,
    trainSeconds: 12,
    backend: "cpu",
    tfjsVersion: "4.22.0",
    trainCount: 8000,
    testCount: 2000,
    options,
    history: [],
    cacheVersion: 1,
  });
  it("loads a cached model and its training record without training", async () => {
    const seed = 3;
    const dir = defaultModelDir("mnist", "mlp", seed, DEFAULT_TRAINING.mlp.epochs ?? 0, cacheDir);
    const model = createDefaultModel("mlp", { seed });
    await writeCachedModel(dir, model, record(seed));
    model.dispose();
    expect((await readdir(dir)).sort()).toEqual(["model.json", "training.json", "weights.bin"]);
    const events: ProgressEvent[] = [];
    const result = await loadDefaultModel({ data: "mnist", arch: "mlp", seed, cacheDir, onProgress: (e) => events.push(e) });
    expect(result.cached).toBe(true);
    expect(result.dir).toBe(dir);
    expect([result.testAccuracy, result.trainSeconds]).toEqual([0.5, 12]);
    expect(events).toEqual([]);
    expect(result.model.getLayer("logits").name).toBe("logits");
    result.model.dispose();
  });

  // Same-size corruptions of each file: the checksums in training.json (and of training.json) catch them.
  it.each([
    ["weights.bin", 101, (b: Buffer) => b.fill(0, 0, 4096)],
    ["weights.bin", 102, (b: Buffer) => b.fill((b[b.length - 1] ?? 0) ^ 0x40, b.length - 1)],
    ["model.json", 103, (b: Buffer) => Buffer.from(b.toString("utf8").replace('"relu"', '"elu" '))],
    ["training.json", 104, (b: Buffer) => Buffer.from(b.toString("utf8").replace('"testAccuracy": 0.5', '"testAccuracy": 0.9'))],
  ])("detects a same-size corruption of %s (seed %i), says so and retrains", async (file, seed, corrupt) => {
    const dir = defaultModelDir("mnist", "mlp", seed, DEFAULT_TRAINING.mlp.epochs ?? 0, cacheDir);
    const model = createDefaultModel("mlp", { seed });
    await writeCachedModel(dir, model, record(seed));
    model.dispose();
    const original = await readFile(join(dir, file));
    const damaged = Buffer.from(corrupt(Buffer.from(original)));
    expect(damaged.length).toBe(original.length);
    expect(damaged.equals(original)).toBe(false);
    await writeFile(join(dir, file), damaged);
    // The retraining it announces is cut short by aborting on the announcement.
    const controller = new AbortController();
    const events: ProgressEvent[] = [];
    const run = loadDefaultModel({
      data: "mnist",
      arch: "mlp",
      seed,
      cacheDir,
      signal: controller.signal,
      onProgress: (e) => {
        events.push(e);
        if (e.phase === "cache") controller.abort();
      },
    });
    await expect(run).rejects.toMatchObject({ code: "ABORTED" });
    expect(events.map((e) => e.message)).toEqual([`the cached model in ${dir} is not used: ${file} fails its checksum; training it again`]);
    expect((await readdir(join(cacheDir, "models"))).filter((n) => n.endsWith(".lock") || n.endsWith(".tmp"))).toEqual([]);
  });

  it("does not reuse a cached model trained with another recipe", async () => {
    const seed = 4;
    const dir = defaultModelDir("mnist", "mlp", seed, DEFAULT_TRAINING.mlp.epochs ?? 0, cacheDir);
    const model = createDefaultModel("mlp", { seed });
    await writeCachedModel(dir, model, record(seed, { ...DEFAULT_TRAINING.mlp, augmentShift: 0 }));
    model.dispose();
    // A cache miss goes on to train; the aborted signal stops it right there.
    const controller = new AbortController();
    controller.abort();
    await expect(loadDefaultModel({ data: "mnist", arch: "mlp", seed, cacheDir, signal: controller.signal })).rejects.toThrow(/abort/i);
  });
  it("waits while another run holds the lock, then reuses what it cached instead of training", async () => {
    const seed = 21;
    const dir = defaultModelDir("mnist", "mlp", seed, DEFAULT_TRAINING.mlp.epochs ?? 0, cacheDir);
    // The "other run": a live process (this one) holds the lock while it trains.
    await mkdir(join(cacheDir, "models"), { recursive: true });
    await writeFile(`${dir}.lock`, JSON.stringify({ pid: process.pid, host: hostname(), started: Date.now() }));
    const events: ProgressEvent[] = [];
    let settled = false;
    const second = loadDefaultModel({ data: "mnist", arch: "mlp", seed, cacheDir, onProgress: (e) => events.push(e) }).finally(() => (settled = true));
    await new Promise((resolve) => setTimeout(resolve, 1000));
    expect(settled).toBe(false);
    expect(events.map((e) => e.message)).toEqual([`another process (pid ${process.pid}) is training this default model; waiting to reuse it`]);
    // The other run finishes: writes the model, then releases the lock.
    const model = createDefaultModel("mlp", { seed });
    await writeCachedModel(dir, model, record(seed));
    model.dispose();
    await rm(`${dir}.lock`);
    const result = await second;
    expect(result.cached).toBe(true);
    expect(result.testAccuracy).toBe(0.5);
    expect(events.filter((e) => e.phase === "epoch")).toEqual([]);
    result.model.dispose();
  }, 30_000);

  it("takes over a lock left by a process that no longer exists", async () => {
    const seed = 22;
    const dir = defaultModelDir("mnist", "mlp", seed, DEFAULT_TRAINING.mlp.epochs ?? 0, cacheDir);
    const model = createDefaultModel("mlp", { seed });
    await writeCachedModel(dir, model, record(seed));
    model.dispose();
    // A corrupt cache plus the lock of a dead process: the run must neither wait forever nor keep the lock.
    await writeFile(join(dir, "training.json"), "{}");
    await writeFile(`${dir}.lock`, JSON.stringify({ pid: 2 ** 22 + 12_345, host: hostname(), started: 0 }));
    const controller = new AbortController();
    const messages: string[] = [];
    const run = loadDefaultModel({ data: "mnist", arch: "mlp", seed, cacheDir, signal: controller.signal, onProgress: (e) => e.message === undefined || messages.push(e.message) });
    // Long enough to take the lock and start training (which a waiting run would never do).
    const timer = setTimeout(() => controller.abort(), 3000);
    const error = await run.catch((e: unknown) => e);
    clearTimeout(timer);
    expect(error).toMatchObject({ code: "ABORTED" });
    expect(messages).toEqual([`the cached model in ${dir} is not used: training.json records no checksums (an older dl-lab wrote it); training it again`]);
    expect((await readdir(join(cacheDir, "models"))).filter((n) => n.endsWith(".lock"))).toEqual([]);
  }, 60_000);

  it("rejects unknown names before touching the cache", async () => {
    await expect(loadDefaultModel({ data: "cifar" as "mnist", arch: "mlp", cacheDir })).rejects.toMatchObject({ code: "UNKNOWN_DATASET" });
    await expect(loadDefaultModel({ data: "mnist", arch: "vit" as "mlp", cacheDir })).rejects.toThrow(/cnn or mlp/);
  });
});
