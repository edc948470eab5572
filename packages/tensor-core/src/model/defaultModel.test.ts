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
  it("keeps the MNIST recipe and scales epochs by training-set size for Fashion-MNIST", () => {
    expect(defaultTrainingRecipe("mnist", "cnn")).toEqual(DEFAULT_TRAINING.cnn);
    // 8 epochs × 8,000 images ≈ 1 epoch × 60,000; 20 × 8,000 / 60,000 = 2.67 → 3.
    expect(defaultTrainingRecipe("fashion-mnist", "cnn").epochs).toBe(1);
    expect(defaultTrainingRecipe("fashion-mnist", "mlp").epochs).toBe(3);
  });
});

describe("loadDefaultModel cache", () => {
  it("loads a cached model and its training record without training", async () => {
    const seed = 3;
    const dir = defaultModelDir("mnist", "mlp", seed, DEFAULT_TRAINING.mlp.epochs ?? 0, cacheDir);
    await saveModel(createDefaultModel("mlp", { seed }), dir);
    await writeFile(join(dir, "training.json"), JSON.stringify({ cacheVersion: 1, testAccuracy: 0.5, trainSeconds: 12, backend: "cpu" }));
    const events: ProgressEvent[] = [];
    const result = await loadDefaultModel({ data: "mnist", arch: "mlp", seed, cacheDir, onProgress: (e) => events.push(e) });
    expect(result.cached).toBe(true);
    expect(result.dir).toBe(dir);
    expect([result.testAccuracy, result.trainSeconds]).toEqual([0.5, 12]);
    expect(events).toEqual([]);
    expect(result.model.getLayer("logits").name).toBe("logits");
  });
  it("rejects unknown names before touching the cache", async () => {
    await expect(loadDefaultModel({ data: "cifar" as "mnist", arch: "mlp", cacheDir })).rejects.toMatchObject({ code: "UNKNOWN_DATASET" });
    await expect(loadDefaultModel({ data: "mnist", arch: "vit" as "mlp", cacheDir })).rejects.toThrow(/cnn or mlp/);
  });
});
