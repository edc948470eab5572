import * as tf from "@tensorflow/tfjs-core";
import { beforeAll, describe, expect, it } from "vitest";

import "../backend/candidates.js";
import { initBackend } from "../backend/registry.js";
import { createDefaultModel } from "./architectures.js";
import { layerNames } from "./layers.js";

beforeAll(async () => {
  await initBackend({ backend: "cpu" });
});

function weightsOf(model: ReturnType<typeof createDefaultModel>): Float32Array[] {
  return model.getWeights().map((w) => w.dataSync() as Float32Array);
}

describe("createDefaultModel", () => {
  it("has stable layer names ending in a linear logits layer and a softmax probs layer", () => {
    const cnn = createDefaultModel("cnn", { seed: 1 });
    expect(layerNames(cnn)).toEqual(["input", "conv1", "pool1", "conv2", "pool2", "flatten", "dense1", "dropout1", "logits", "probs"]);
    const mlp = createDefaultModel("mlp", { seed: 1 });
    expect(layerNames(mlp)).toEqual(["input", "flatten", "dense1", "dropout1", "dense2", "dropout2", "logits", "probs"]);
    expect((mlp.getLayer("logits").getConfig() as { activation: string }).activation).toBe("linear");
    expect((mlp.getLayer("probs").getConfig() as { activation: string }).activation).toBe("softmax");
    expect(cnn.outputs[0]?.shape).toEqual([null, 10]);
    expect(createDefaultModel("mlp", { numClasses: 3 }).outputs[0]?.shape).toEqual([null, 3]);
    tf.dispose([cnn, mlp].flatMap((m) => m.weights.map((w) => w.read())));
  });
  it("initialises reproducibly from the seed", () => {
    const a = weightsOf(createDefaultModel("cnn", { seed: 5 }));
    const b = weightsOf(createDefaultModel("cnn", { seed: 5 }));
    const c = weightsOf(createDefaultModel("cnn", { seed: 6 }));
    expect(a.map((w) => Array.from(w))).toEqual(b.map((w) => Array.from(w)));
    expect(Array.from(a[0] as Float32Array)).not.toEqual(Array.from(c[0] as Float32Array));
    // He-normal on a 5×5×1 kernel: variance 2 / fan_in = 2/25 (truncated normal shrinks it ~0.77).
    const k = a[0] as Float32Array;
    const variance = k.reduce((s, v) => s + v * v, 0) / k.length;
    expect(variance).toBeGreaterThan(0.04);
    expect(variance).toBeLessThan(0.1);
  });
  it("outputs probabilities and rejects bad arguments", () => {
    const mlp = createDefaultModel("mlp", { seed: 2 });
    const p = tf.tidy(() => mlp.predict(tf.randomUniform([4, 28, 28, 1], 0, 1, "float32", 3)) as tf.Tensor);
    const rows = p.arraySync() as number[][];
    for (const row of rows) expect(row.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 5);
    p.dispose();
    expect(() => createDefaultModel("resnet" as "cnn")).toThrow(/Unknown architecture "resnet".*cnn or mlp/);
    expect(() => createDefaultModel("mlp", { numClasses: 1 })).toThrow(/numClasses/);
  });
});
