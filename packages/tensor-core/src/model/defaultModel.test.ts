import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";

import { afterAll, beforeAll, describe, expect, it } from "vitest";

import "../backend/candidates.js";
import { initBackend } from "../backend/registry.js";
import { createDefaultModel } from "./architectures.js";
import { DEFAULT_TRAINING, defaultModelDir, defaultTrainingRecipe, loadDefaultModel } from "./defaultModel.js";
import { saveModel } from "./directory.js";
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
  it("loads a cached model and its training record without training", async () => {
    const seed = 3;
    const dir = defaultModelDir("mnist", "mlp", seed, DEFAULT_TRAINING.mlp.epochs ?? 0, cacheDir);
    await saveModel(createDefaultModel("mlp", { seed }), dir);
    await writeFile(join(dir, "training.json"), JSON.stringify({ cacheVersion: 1, testAccuracy: 0.5, trainSeconds: 12, backend: "cpu", options: { ...DEFAULT_TRAINING.mlp } }));
    const events: ProgressEvent[] = [];
    const result = await loadDefaultModel({ data: "mnist", arch: "mlp", seed, cacheDir, onProgress: (e) => events.push(e) });
    expect(result.cached).toBe(true);
    expect(result.dir).toBe(dir);
    expect([result.testAccuracy, result.trainSeconds]).toEqual([0.5, 12]);
    expect(events).toEqual([]);
    expect(result.model.getLayer("logits").name).toBe("logits");
  });
  it("does not reuse a cached model trained with another recipe", async () => {
    const seed = 4;
    const dir = defaultModelDir("mnist", "mlp", seed, DEFAULT_TRAINING.mlp.epochs ?? 0, cacheDir);
    await saveModel(createDefaultModel("mlp", { seed }), dir);
    await writeFile(join(dir, "training.json"), JSON.stringify({ cacheVersion: 1, testAccuracy: 0.5, trainSeconds: 12, backend: "cpu", options: { ...DEFAULT_TRAINING.mlp, augmentShift: 0 } }));
    // A cache miss goes on to train; the aborted signal stops it right there.
    const controller = new AbortController();
    controller.abort();
    await expect(loadDefaultModel({ data: "mnist", arch: "mlp", seed, cacheDir, signal: controller.signal })).rejects.toThrow(/abort/i);
  });
  it("rejects unknown names before touching the cache", async () => {
    await expect(loadDefaultModel({ data: "cifar" as "mnist", arch: "mlp", cacheDir })).rejects.toMatchObject({ code: "UNKNOWN_DATASET" });
    await expect(loadDefaultModel({ data: "mnist", arch: "vit" as "mlp", cacheDir })).rejects.toThrow(/cnn or mlp/);
  });
});
