import { mkdir, mkdtemp, readFile, readdir, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";

import * as tf from "@tensorflow/tfjs-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

import "../backend/candidates.js";
import { initBackend } from "../backend/registry.js";
import { createDefaultModel } from "./architectures.js";
import { layerNames } from "./layers.js";
import { loadLayersModel, saveModel } from "./directory.js";

let dir: string;
beforeAll(async () => {
  await initBackend({ backend: "cpu" });
  dir = await mkdtemp(join(tmpdir(), "dl-model-"));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe("saveModel / loadLayersModel", () => {
  it("round-trips topology and weights in the standard tfjs layout", async () => {
    const model = createDefaultModel("cnn", { seed: 4 });
    const target = join(dir, "cnn");
    await saveModel(model, target);
    expect((await readdir(target)).sort()).toEqual(["model.json", "weights.bin"]);
    const json = JSON.parse(await readFile(join(target, "model.json"), "utf8")) as { format: string; weightsManifest: { paths: string[]; weights: { name: string; shape: number[] }[] }[] };
    expect(json.format).toBe("layers-model");
    expect(json.weightsManifest[0]?.paths).toEqual(["./weights.bin"]);
    // conv1 5×5×1×16 + 16, conv2 5×5×16×32 + 32, dense1 512×128 + 128, logits 128×10 + 10 float32s.
    const params = 400 + 16 + 12800 + 32 + 65536 + 128 + 1280 + 10;
    expect((await readFile(join(target, "weights.bin"))).length).toBe(4 * params);
    const loaded = await loadLayersModel(target);
    expect(layerNames(loaded)).toEqual(layerNames(model));
    const a = model.getWeights().map((w) => Array.from(w.dataSync()));
    const b = loaded.getWeights().map((w) => Array.from(w.dataSync()));
    expect(b).toEqual(a);
    const x = tf.randomUniform([2, 28, 28, 1], 0, 1, "float32", 1);
    const pa = (model.predict(x) as tf.Tensor).dataSync();
    const pb = (loaded.predict(x) as tf.Tensor).dataSync();
    expect(Array.from(pb)).toEqual(Array.from(pa));
  });
  it("says what is missing or broken", async () => {
    await expect(loadLayersModel(join(dir, "absent"))).rejects.toThrow(/absent does not exist/);
    const empty = join(dir, "empty");
    await mkdir(empty);
    await expect(loadLayersModel(empty)).rejects.toMatchObject({ code: "MODEL_NOT_FOUND" });
    await expect(loadLayersModel(empty)).rejects.toThrow(/has no model\.json.*Expected a tfjs layers model directory with model\.json and weights\.bin/);
    const broken = join(dir, "broken");
    await mkdir(broken);
    await writeFile(join(broken, "model.json"), "{ not json");
    await expect(loadLayersModel(broken)).rejects.toMatchObject({ code: "MALFORMED_FILE" });
    const truncated = join(dir, "truncated");
    await saveModel(createDefaultModel("mlp", { seed: 1 }), truncated);
    const weights = await readFile(join(truncated, "weights.bin"));
    await writeFile(join(truncated, "weights.bin"), weights.subarray(0, 1000));
    await expect(loadLayersModel(truncated)).rejects.toThrow(/hold 1000 bytes but model\.json describes/);
    await rm(join(truncated, "weights.bin"));
    await expect(loadLayersModel(truncated)).rejects.toThrow(/lists weight file weights\.bin, which cannot be read/);
  });
});
