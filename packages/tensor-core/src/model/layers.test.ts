import * as tf from "@tensorflow/tfjs-core";
import * as tfl from "@tensorflow/tfjs-layers";
import { beforeAll, describe, expect, it } from "vitest";

import "../backend/candidates.js";
import { initBackend } from "../backend/registry.js";
import { DlError } from "../errors.js";
import { createDefaultModel } from "./architectures.js";
import { imageModel } from "./imageModel.js";
import { activations, cuttableLayers, gradientsAtLayer, resolveLayerNames } from "./layers.js";
import { toyImages } from "./testing.js";

beforeAll(async () => {
  await initBackend({ backend: "cpu" });
});

/** input 8×8×1 → flatten → h1 (dense 5, tanh) → logits (dense 3) → probs, plus an "aux" head off h1. */
function tinyModel(withAux = false): tfl.LayersModel {
  const input = tfl.input({ shape: [8, 8, 1], name: "input" });
  const flat = tfl.layers.flatten({ name: "flatten" }).apply(input) as tfl.SymbolicTensor;
  const h1 = tfl.layers.dense({ name: "h1", units: 5, activation: "tanh", kernelInitializer: tfl.initializers.randomNormal({ seed: 1, stddev: 0.3 }), biasInitializer: tfl.initializers.randomNormal({ seed: 2, stddev: 0.1 }) }).apply(flat) as tfl.SymbolicTensor;
  const logits = tfl.layers.dense({ name: "logits", units: 3, kernelInitializer: tfl.initializers.randomNormal({ seed: 3 }) }).apply(h1) as tfl.SymbolicTensor;
  const probs = tfl.layers.activation({ name: "probs", activation: "softmax" }).apply(logits) as tfl.SymbolicTensor;
  const outputs = [probs];
  if (withAux) outputs.push(tfl.layers.dense({ name: "aux", units: 2 }).apply(h1) as tfl.SymbolicTensor);
  return tfl.model({ inputs: input, outputs });
}

function errorOf(fn: () => unknown): DlError {
  try {
    fn();
  } catch (error) {
    if (error instanceof DlError) return error;
    throw error;
  }
  throw new Error("expected a DlError");
}

describe("layer names", () => {
  it("lists, resolves 'all' without input/dropout layers, and rejects unknown names with the valid list", () => {
    const model = createDefaultModel("mlp", { seed: 1 });
    expect(resolveLayerNames(model, "all")).toEqual(["flatten", "dense1", "dense2", "logits", "probs"]);
    expect(resolveLayerNames(model, ["logits", "dense1"])).toEqual(["logits", "dense1"]);
    const err = errorOf(() => resolveLayerNames(model, ["dense3"]));
    expect(err.code).toBe("UNKNOWN_LAYER");
    expect(err.message).toMatch(/Layer "dense3" matches no layer of model .* Close names: dense1, dense2/);
    expect(resolveLayerNames(model, ["dense*"])).toEqual(["dense1", "dense2"]);
    expect(resolveLayerNames(model, ["logits", "dense?"])).toEqual(["logits", "dense1", "dense2"]);
    expect(errorOf(() => resolveLayerNames(model, ["conv*"])).message).toMatch(/Pattern "conv\*" matches no layer/);
    expect(errorOf(() => resolveLayerNames(model, [])).code).toBe("INVALID_ARGUMENT");
  });
});

describe("activations", () => {
  it("matches a hand computation of the layers, batched or not, leaving no tensors", async () => {
    const model = tinyModel();
    const ds = toyImages(7, 1);
    const before = tf.memory().numTensors;
    const [flat, h1, probs] = await activations(model, ds, ["flatten", "h1", "probs"], { batchSize: 3 });
    expect(tf.memory().numTensors).toBe(before);
    expect(flat?.shape).toEqual([7, 64]);
    expect(Array.from(flat?.data ?? [])).toEqual(Array.from(ds.images));
    const [w1, b1, w2, b2] = model.getWeights().map((w) => Array.from(w.dataSync()));
    for (let n = 0; n < 7; n++) {
      const x = ds.images.subarray(n * 64, (n + 1) * 64);
      const h = Array.from({ length: 5 }, (_, j) => Math.tanh(x.reduce((s, v, i) => s + v * (w1?.[i * 5 + j] ?? 0), b1?.[j] ?? 0)));
      h.forEach((v, j) => expect(h1?.data[n * 5 + j]).toBeCloseTo(v, 5));
      const z = Array.from({ length: 3 }, (_, k) => h.reduce((s, v, j) => s + v * (w2?.[j * 3 + k] ?? 0), b2?.[k] ?? 0));
      const zmax = Math.max(...z);
      const norm = z.reduce((s, v) => s + Math.exp(v - zmax), 0);
      z.forEach((v, k) => expect(probs?.data[n * 3 + k]).toBeCloseTo(Math.exp(v - zmax) / norm, 5));
    }
    const x = tf.tensor4d(ds.images, [7, 8, 8, 1]);
    const [fromTensor] = await activations(model, x, ["h1"], { batchSize: 100 });
    expect(Array.from(fromTensor?.data ?? [])).toEqual(Array.from(h1?.data ?? []));
    x.dispose();
    expect(tf.memory().numTensors).toBe(before);
  });
  it("keeps conv feature maps as [N, H, W, C] and rejects bad inputs", async () => {
    const cnn = createDefaultModel("cnn", { seed: 1 });
    const x = tf.zeros<tf.Rank.R4>([2, 28, 28, 1]);
    const [pool2] = await activations(cnn, x, ["pool2"]);
    expect(pool2?.shape).toEqual([2, 4, 4, 32]);
    x.dispose();
    await expect(activations(cnn, toyImages(2, 1), ["conv1"])).rejects.toMatchObject({ code: "SHAPE_MISMATCH" });
    await expect(activations(cnn, toyImages(2, 1), ["nope"])).rejects.toMatchObject({ code: "UNKNOWN_LAYER" });
    await expect(activations(tinyModel(), toyImages(2, 1), "all", { batchSize: 0 })).rejects.toThrow(/batchSize/);
  });
});

describe("splitting a model at a layer", () => {
  it("logits with h1 replaced by its own value reproduce the logits; the softmax output is stepped over", () => {
    const model = tinyModel();
    const handle = imageModel(model);
    expect(handle.logits).toEqual({ layer: "logits", softmaxOutput: true });
    const x = tf.tensor4d(toyImages(4, 2).images, [4, 8, 8, 1]);
    const direct = tf.tidy(() => tf.log(model.predict(x) as tf.Tensor)).arraySync() as number[][];
    const composed = tf.tidy(() => {
      const [h1] = handle.outputsAt(x, ["h1"]) as [tf.Tensor];
      return tf.logSoftmax(handle.logitsWithLayer(x, "h1", h1));
    });
    (composed.arraySync()).forEach((row, n) => row.forEach((v, k) => expect(v).toBeCloseTo(direct[n]?.[k] ?? NaN, 5)));
    tf.dispose([x, composed]);
  });
  it("gradientsAtLayer equals the closed form ∂z_k/∂h1 = W2[:, k] and ∂z_k/∂x = W1 diag(1 − h1²) W2[:, k]", async () => {
    const model = tinyModel();
    const ds = toyImages(5, 3);
    const before = tf.memory().numTensors;
    const atH1 = await gradientsAtLayer(model, ds, "h1", 2, { batchSize: 2 });
    const atFlat = await gradientsAtLayer(model, ds, "flatten", 1);
    expect(tf.memory().numTensors).toBe(before);
    const [w1, , w2] = model.getWeights().map((w) => Array.from(w.dataSync()));
    const [h1] = await activations(model, ds, ["h1"]);
    expect(atH1.shape).toEqual([5, 5]);
    for (let n = 0; n < 5; n++) {
      for (let j = 0; j < 5; j++) expect(atH1.data[n * 5 + j]).toBeCloseTo(w2?.[j * 3 + 2] ?? NaN, 5);
      for (let i = 0; i < 64; i++) {
        let expected = 0;
        for (let j = 0; j < 5; j++) {
          const h = h1?.data[n * 5 + j] ?? NaN;
          expected += (w1?.[i * 5 + j] ?? 0) * (1 - h * h) * (w2?.[j * 3 + 1] ?? 0);
        }
        expect(atFlat.data[n * 64 + i]).toBeCloseTo(expected, 5);
      }
    }
    const atLogits = await gradientsAtLayer(model, ds, "logits", 0);
    expect(Array.from(atLogits.data.subarray(0, 3))).toEqual([1, 0, 0]);
  });
  it("agrees with central finite differences at the input of a default CNN", async () => {
    const cnn = createDefaultModel("cnn", { seed: 3 });
    const x = tf.randomUniform<tf.Rank.R4>([1, 28, 28, 1], 0, 1, "float32", 9);
    const grad = await gradientsAtLayer(cnn, x, "input", 4);
    const pixels = x.dataSync();
    const handle = imageModel(cnn);
    const logit = (values: Float32Array): number => tf.tidy(() => handle.logitsOf(tf.tensor4d(values, [1, 28, 28, 1])).dataSync()[4] as number);
    // Small steps: ReLU and max-pool kinks make wider differences unreliable.
    const eps = 1e-3;
    for (const i of [300, 405, 410, 500]) {
      const plus = Float32Array.from(pixels);
      const minus = Float32Array.from(pixels);
      plus[i] = (plus[i] as number) + eps;
      minus[i] = (minus[i] as number) - eps;
      expect(grad.data[i]).toBeCloseTo((logit(plus) - logit(minus)) / (2 * eps), 2);
    }
    x.dispose();
  });
  it("takes gradients of the logit, not the probability, when the last layer is a softmax Dense", async () => {
    const input = tfl.input({ shape: [8, 8, 1], name: "input" });
    const flat = tfl.layers.flatten({ name: "flatten" }).apply(input) as tfl.SymbolicTensor;
    const h1 = tfl.layers.dense({ name: "h1", units: 5, activation: "tanh", kernelInitializer: tfl.initializers.randomNormal({ seed: 4, stddev: 0.3 }) }).apply(flat) as tfl.SymbolicTensor;
    const out = tfl.layers.dense({ name: "out", units: 3, activation: "softmax", kernelInitializer: tfl.initializers.randomNormal({ seed: 5 }) }).apply(h1) as tfl.SymbolicTensor;
    const model = tfl.model({ inputs: input, outputs: out });
    const before = tf.memory().numTensors;
    const grad = await gradientsAtLayer(model, toyImages(4, 3), "h1", 1);
    expect(tf.memory().numTensors).toBe(before);
    // ∂z_1/∂h1 = W[:, 1] for every input; the softmax's gradient would vary with the input.
    const w = Array.from((model.getLayer("out").getWeights()[0] as tf.Tensor).dataSync());
    for (let n = 0; n < 4; n++) for (let j = 0; j < 5; j++) expect(grad.data[n * 5 + j]).toBeCloseTo(w[j * 3 + 1] ?? NaN, 5);
    expect(cuttableLayers(model)).toEqual(["input", "flatten", "h1"]);
  });
  it("lists the layers with a gradient path to the logits as cuttable", () => {
    expect(cuttableLayers(tinyModel(true))).toEqual(["input", "flatten", "h1"]);
  });
  it("reports NO_GRADIENT_PATH for layers the logits do not depend on", async () => {
    const model = tinyModel(true);
    const ds = toyImages(2, 1);
    await expect(gradientsAtLayer(model, ds, "aux", 0)).rejects.toMatchObject({ code: "NO_GRADIENT_PATH" });
    await expect(gradientsAtLayer(model, ds, "probs", 0)).rejects.toThrow(/do not depend on layer "probs".*input, flatten or h1/);
    await expect(gradientsAtLayer(model, ds, "nope", 0)).rejects.toMatchObject({ code: "UNKNOWN_LAYER" });
    await expect(gradientsAtLayer(model, ds, "h1", 3)).rejects.toThrow(/classIndex must be an integer in 0…2/);
  });
});
