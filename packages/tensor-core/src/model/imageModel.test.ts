import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";

import * as tf from "@tensorflow/tfjs-core";
import * as tfl from "@tensorflow/tfjs-layers";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

import "../backend/candidates.js";
import { initBackend } from "../backend/registry.js";
import { createRng } from "../random/rng.js";
import { GRAPH_INPUT, THIRD_PARTY_INPUT, saveQuantised, thirdPartyModel, writeGraphModel } from "./fixtures.js";
import { imageModel } from "./imageModel.js";
import { activations, cuttableLayers, gradientsAtLayer, resolveLayerNames, suggestLayers } from "./layers.js";
import { loadModel } from "./loadModel.js";

let dir: string;
let original: tfl.LayersModel;
const [H, W, C] = THIRD_PARTY_INPUT;

function randomImages(count: number, shape: readonly number[], seed: number): tf.Tensor4D {
  const rng = createRng(seed);
  const size = count * shape.reduce((a, b) => a * b, 1);
  return tf.tensor4d(Float32Array.from({ length: size }, () => rng.next()), [count, ...shape] as [number, number, number, number]);
}

beforeAll(async () => {
  await initBackend({ backend: "cpu" });
  dir = await mkdtemp(join(tmpdir(), "dl-image-model-"));
  original = thirdPartyModel();
  await saveQuantised(original, join(dir, "net"));
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe("a third-party LayersModel: nested backbone, residual add, uint8 weights, softmax head", () => {
  it("loads from the folder, the folder with a trailing slash, or its model.json, with dequantised weights", async () => {
    for (const path of [join(dir, "net"), `${join(dir, "net")}/`, join(dir, "net", "model.json")]) {
      const handle = await loadModel(path);
      expect(handle.kind).toBe("layers");
      expect(handle.inputShape).toEqual([H, W, C]);
      expect(handle.numClasses).toBe(4);
      const loaded = handle.model as tfl.LayersModel;
      const q = JSON.parse(await readFile(join(dir, "net", "model.json"), "utf8")) as { weightsManifest: { weights: { name: string; quantization: { scale: number } }[] }[] };
      const spec = q.weightsManifest[0]?.weights.find((s) => s.name.endsWith("b_conv1/kernel"));
      const a = (original.getLayer("backbone") as tfl.LayersModel).getLayer("b_conv1").getWeights()[0]?.dataSync() ?? new Float32Array();
      const b = (loaded.getLayer("backbone") as tfl.LayersModel).getLayer("b_conv1").getWeights()[0]?.dataSync() ?? new Float32Array();
      let worst = 0;
      for (let i = 0; i < a.length; i++) worst = Math.max(worst, Math.abs((a[i] as number) - (b[i] as number)));
      // Rounding to the nearest of 256 levels: at most half a step, and not exact.
      expect(worst).toBeGreaterThan(0);
      expect(worst).toBeLessThanOrEqual((spec?.quantization.scale ?? 0) / 2 + 1e-6);
      handle.dispose();
    }
  });

  it("lists nested layers as outer/inner, matches globs, and finds the logits before the softmax", async () => {
    const handle = await loadModel(join(dir, "net"));
    const names = handle.layers.map((l) => l.name);
    expect(names).toEqual(["image", "rescale", "backbone", "backbone/backbone_input", "backbone/b_conv1", "backbone/b_bn1", "backbone/b_conv2", "backbone/b_add", "backbone/b_relu", "backbone/b_pool", "backbone/b_conv3", "gap", "head"]);
    expect(handle.layers.find((l) => l.name === "backbone/b_add")).toMatchObject({ kind: "Add", parent: "backbone", outputShape: [H, W, 6] });
    expect(resolveLayerNames(handle, ["backbone/b_conv*"])).toEqual(["backbone/b_conv1", "backbone/b_conv2", "backbone/b_conv3"]);
    expect(resolveLayerNames(handle, "all")).toEqual(["rescale", "backbone", "gap", "head"]);
    expect(handle.logits).toEqual({ layer: "head", softmaxOutput: true });
    expect(cuttableLayers(handle)).toEqual(names.filter((n) => n !== "head"));
    expect(() => resolveLayerNames(handle, ["backbone/b_conv4"])).toThrow(/Close names: backbone\/b_conv1/);
    handle.dispose();
  });

  it("reads activations inside the nested model as the backbone's own sub-model computes them, in batches, leak-free", async () => {
    const handle = await loadModel(join(dir, "net"));
    const loaded = handle.model as tfl.LayersModel;
    const backbone = loaded.getLayer("backbone") as tfl.LayersModel;
    const x = randomImages(5, THIRD_PARTY_INPUT, 1);
    const before = tf.memory().numTensors;
    const [add, gap, pooled] = await activations(handle, x, ["backbone/b_add", "gap", "backbone/b_conv3"], { batchSize: 2 });
    const [addMean] = await activations(handle, x, ["backbone/b_add"], { spatial: "mean", batchSize: 3 });
    expect(tf.memory().numTensors).toBe(before);
    const reference = tf.tidy(() => {
      const sub = tfl.model({ inputs: backbone.inputs, outputs: backbone.getLayer("b_add").output });
      return sub.predict(tf.sub(tf.mul(x, 2), 1)) as tf.Tensor;
    });
    expect(add?.shape).toEqual([5, H, W, 6]);
    expect(add?.reduction).toBe("flatten");
    const ref = reference.dataSync();
    for (let i = 0; i < ref.length; i += 37) expect(add?.data[i]).toBeCloseTo(ref[i] as number, 5);
    const refMean = tf.tidy(() => tf.mean(reference, [1, 2]).dataSync());
    expect(addMean?.shape).toEqual([5, 6]);
    expect(addMean?.reduction).toBe("mean");
    refMean.forEach((v, i) => expect(addMean?.data[i]).toBeCloseTo(v, 5));
    // gap is the mean over space of b_conv3.
    expect(gap?.shape).toEqual([5, 8]);
    const conv3 = pooled?.data ?? new Float32Array();
    for (let n = 0; n < 5; n++) {
      for (let c = 0; c < 8; c++) {
        let s = 0;
        for (let p = 0; p < 10 * 8; p++) s += conv3[(n * 80 + p) * 8 + c] as number;
        expect(gap?.data[n * 8 + c]).toBeCloseTo(s / 80, 5);
      }
    }
    tf.dispose([x, reference]);
    handle.dispose();
  });

  it("takes ∂ logit / ∂ h inside a residual block with the skip branch held fixed, as an independently wired model does", async () => {
    const handle = await loadModel(join(dir, "net"));
    const loaded = handle.model as tfl.LayersModel;
    const bb = loaded.getLayer("backbone") as tfl.LayersModel;
    // The same layers, wired by hand: logits = head_linear(gap(conv3(pool(relu(bn1(conv1(2x − 1)) + h))))).
    const xIn = tfl.input({ shape: [H, W, C] });
    const hIn = tfl.input({ shape: [H, W, 6] });
    const bn1 = bb.getLayer("b_bn1").apply(bb.getLayer("b_conv1").apply(loaded.getLayer("rescale").apply(xIn))) as tfl.SymbolicTensor;
    let t = bb.getLayer("b_add").apply([bn1, hIn]) as tfl.SymbolicTensor;
    for (const name of ["b_relu", "b_pool", "b_conv3"]) t = bb.getLayer(name).apply(t) as tfl.SymbolicTensor;
    t = loaded.getLayer("gap").apply(t) as tfl.SymbolicTensor;
    const linear = tfl.layers.dense({ units: 4 });
    const logits = linear.apply(t) as tfl.SymbolicTensor;
    linear.setWeights(loaded.getLayer("head").getWeights());
    const side = tfl.model({ inputs: [xIn, hIn], outputs: logits });

    const x = randomImages(3, THIRD_PARTY_INPUT, 2);
    const before = tf.memory().numTensors;
    const ours = await gradientsAtLayer(handle, x, "backbone/b_conv2", 2, { batchSize: 2 });
    const oursMean = await gradientsAtLayer(handle, x, "backbone/b_conv2", 2, { spatial: "mean" });
    expect(tf.memory().numTensors).toBe(before);
    const expected = tf.tidy(() => {
      const [h] = handle.outputsAt(x, ["backbone/b_conv2"]) as [tf.Tensor];
      return tf.grad((hv: tf.Tensor) => tf.sum(tf.slice(side.apply([x, hv]) as tf.Tensor, [0, 2], [-1, 1])))(h);
    });
    const e = expected.dataSync();
    expect(ours.shape).toEqual([3, H, W, 6]);
    let scale = 0;
    for (const v of e) scale = Math.max(scale, Math.abs(v));
    expect(scale).toBeGreaterThan(0);
    for (let i = 0; i < e.length; i++) expect(Math.abs((ours.data[i] as number) - (e[i] as number))).toBeLessThan(1e-5 * Math.max(1, scale));
    const summed = tf.tidy(() => tf.sum(expected, [1, 2]).dataSync());
    expect(oursMean.shape).toEqual([3, 6]);
    summed.forEach((v, i) => expect(oursMean.data[i]).toBeCloseTo(v, 4));
    tf.dispose([x, expected]);
    handle.dispose();
  });

  it("agrees with central finite differences of the logit at the image input", async () => {
    const handle = imageModel(original);
    const x = randomImages(1, THIRD_PARTY_INPUT, 3);
    const grad = await gradientsAtLayer(handle, x, "image", 1);
    const pixels = x.dataSync();
    const logit = (values: Float32Array): number => tf.tidy(() => handle.logitsOf(tf.tensor4d(values, [1, H, W, C])).dataSync()[1] as number);
    const eps = 1e-2;
    for (const i of [17, 400, 777]) {
      const plus = Float32Array.from(pixels);
      const minus = Float32Array.from(pixels);
      plus[i] = (plus[i] as number) + eps;
      minus[i] = (minus[i] as number) - eps;
      expect(grad.data[i]).toBeCloseTo((logit(plus) - logit(minus)) / (2 * eps), 2);
    }
    // The logits are those of the softmax output: softmax(logits) = predict.
    const probs = tf.tidy(() => tf.softmax(handle.logitsOf(x)).dataSync());
    const predicted = tf.tidy(() => (original.predict(x) as tf.Tensor).dataSync());
    probs.forEach((p, k) => expect(p).toBeCloseTo(predicted[k] as number, 5));
    x.dispose();
  });
});

describe("a GraphModel (converted SavedModel)", () => {
  it("lists nodes, reads activations of any node and takes closed-form gradients through Mean and MatMul", async () => {
    const w = await writeGraphModel(join(dir, "graph"));
    const handle = await loadModel(join(dir, "graph"));
    expect(handle.kind).toBe("graph");
    expect(handle.inputShape).toEqual([...GRAPH_INPUT]);
    expect(handle.numClasses).toBe(3);
    expect(handle.logits).toEqual({ layer: "net/dense/BiasAdd", softmaxOutput: true });
    expect(handle.layers.map((l) => l.name)).toEqual(["net/scale/Mul", "net/conv/Conv2D", "net/conv/BiasAdd", "net/conv/Relu", "net/gap/Mean", "net/dense/MatMul", "net/dense/BiasAdd", "net/prediction/Softmax"]);
    expect(resolveLayerNames(handle, ["**/Relu"])).toEqual(["net/conv/Relu"]);
    const x = randomImages(4, GRAPH_INPUT, 4);
    const before = tf.memory().numTensors;
    const [relu, mean] = await activations(handle, x, ["net/conv/Relu", "net/gap/Mean"], { batchSize: 3 });
    const grad = await gradientsAtLayer(handle, x, "net/conv/Relu", 2);
    const gradMean = await gradientsAtLayer(handle, x, "net/conv/Relu", 2, { spatial: "mean" });
    expect(tf.memory().numTensors).toBe(before);
    const reference = tf.tidy(() => tf.relu(tf.add(tf.conv2d(x, tf.tensor4d(w.kernel, [3, 3, 3, 4]), 1, "valid"), tf.tensor1d(w.bias))).dataSync());
    expect(relu?.shape).toEqual([4, 16 * 4]);
    reference.forEach((v, i) => expect(relu?.data[i]).toBeCloseTo(v, 5));
    expect(mean?.shape).toEqual([4, 4]);
    // logit_k = Σ_c mean_ij(relu_ijc) W[c, k] + b_k, so ∂/∂relu_ijc = W[c, k] / 16 at every position.
    for (let n = 0; n < 4; n++) for (let p = 0; p < 16; p++) for (let c = 0; c < 4; c++) expect(grad.data[(n * 16 + p) * 4 + c]).toBeCloseTo((w.dense[c * 3 + 2] as number) / 16, 6);
    expect(gradMean.shape).toEqual([4, 4]);
    for (let n = 0; n < 4; n++) for (let c = 0; c < 4; c++) expect(gradMean.data[n * 4 + c]).toBeCloseTo(w.dense[c * 3 + 2] as number, 5);
    x.dispose();
    handle.dispose();
  });

  it("takes gradients through converter-fused ops and says in one line which op stops them", async () => {
    await writeGraphModel(join(dir, "fused"), 3, { fusedRelu6: true, cumprod: true });
    const handle = await loadModel(join(dir, "fused"));
    const x = randomImages(2, GRAPH_INPUT, 5);
    await expect(gradientsAtLayer(handle, x, "net/cum/Cumprod", 0)).resolves.toMatchObject({ shape: [2, 108] });
    const error = await gradientsAtLayer(handle, x, "net/scale/Mul", 0).then(() => new Error("resolved"), (e: unknown) => e as Error);
    expect(error).toMatchObject({ code: "NO_GRADIENT_PATH" });
    expect(error.message).toMatch(/^Gradients do not flow from the logits \(net\/dense\/BiasAdd\) back to "net\/scale\/Mul": op Cumprod has no gradient in tfjs/);
    expect(error.message).not.toContain("\n");
    x.dispose();
    handle.dispose();
  });
});

describe("models dl-lab cannot read, each in one line", () => {
  async function writeJson(name: string, json: unknown): Promise<string> {
    const folder = join(dir, name);
    await rm(folder, { recursive: true, force: true });
    await saveQuantised(thirdPartyModel(), folder);
    await writeFile(join(folder, "model.json"), JSON.stringify(json));
    return folder;
  }
  async function topologyOf(): Promise<{ modelTopology: { config: { layers: { class_name: string; config: Record<string, unknown> }[] } }; weightsManifest: unknown }> {
    return JSON.parse(await readFile(join(dir, "net", "model.json"), "utf8")) as never;
  }

  it("refuses weightless model.json unless random weights are allowed, and explains paths", async () => {
    const json = await topologyOf();
    const folder = await writeJson("weightless", { ...json, weightsManifest: undefined });
    await expect(loadModel(folder)).rejects.toThrow(/lists no weights .* --allow-random-weights/);
    const warnings: string[] = [];
    const handle = await loadModel(folder, { allowRandomWeights: true, onWarning: (m) => warnings.push(m) });
    expect(handle.numClasses).toBe(4);
    expect(warnings[0]).toMatch(/random initial weights/);
    handle.dispose();
    await expect(loadModel("")).rejects.toMatchObject({ code: "INVALID_ARGUMENT" });
    await expect(loadModel(join(dir, "absent"))).rejects.toThrow(/No model at .*absent: it does not exist/);
    await expect(loadModel(join(dir, "net", "group1-shard1of1.bin"))).rejects.toThrow(/is a file, not a model folder/);
  });

  it("names an unknown layer class, a second input and a non-image input", async () => {
    const json = await topologyOf();
    const layers = json.modelTopology.config.layers;
    const renamed = { ...json, modelTopology: { ...json.modelTopology, config: { ...json.modelTopology.config, layers: layers.map((l) => (l.class_name === "Rescaling" ? { ...l, class_name: "MyCustomNorm" } : l)) } } };
    const folder = await writeJson("custom", renamed);
    const error = await loadModel(folder).then(() => new Error("resolved"), (e: unknown) => e as Error);
    expect(error).toMatchObject({ code: "NOT_SUPPORTED" });
    expect(error.message).toMatch(/uses layer "MyCustomNorm", which tfjs-layers does not provide/);

    const a = tfl.input({ shape: [8, 8, 3] });
    const b = tfl.input({ shape: [8, 8, 3] });
    const two = tfl.model({ inputs: [a, b], outputs: tfl.layers.dense({ units: 2 }).apply(tfl.layers.flatten().apply(tfl.layers.add().apply([a, b]))) as tfl.SymbolicTensor });
    expect(() => imageModel(two)).toThrow(/has 2 inputs .* one image input/);
    const flat = tfl.sequential({ layers: [tfl.layers.dense({ units: 3, inputShape: [10] })] });
    // A model with a non-image input still reads tensors; image datasets and folders are refused in one line.
    const images = { name: "toy", images: new Float32Array(2 * 4 * 4), labels: new Int32Array(2), count: 2, height: 4, width: 4, channels: 1, classNames: ["a"] };
    await expect(activations(flat, images, "all")).rejects.toThrow(/takes inputs of shape \[10\], not images \[height, width, channels\]/);
  });
});

describe("suggested layers", () => {
  it("spread over depth inside nested models, ending at the last layer before the logits and the logits", () => {
    expect(suggestLayers(thirdPartyModel())).toEqual(["backbone/b_bn1", "backbone/b_add", "backbone/b_pool", "gap", "head"]);
    expect(suggestLayers(thirdPartyModel(), 8)).toEqual(["backbone/b_conv1", "backbone/b_bn1", "backbone/b_conv2", "backbone/b_add", "backbone/b_pool", "backbone/b_conv3", "gap", "head"]);
  });
});

describe("preprocessing on the handle", () => {
  it("resolves a preset for the model's channels and applies it to every batch", () => {
    const model = thirdPartyModel();
    const symmetric = imageModel(model, { preprocessing: "symmetric" });
    expect(symmetric.preprocessing).toMatchObject({ preset: "symmetric", scale: 1 / 127.5, offset: -1, mean: [0, 0, 0], std: [1, 1, 1], channelOrder: "rgb" });
    const plain = imageModel(model);
    expect(plain.preprocessing).toBeUndefined();
    const x = randomImages(2, THIRD_PARTY_INPUT, 8);
    const before = tf.memory().numTensors;
    // v = 255·x, so v/127.5 − 1 = 2x − 1.
    const viaPreset = tf.tidy(() => symmetric.logitsOf(symmetric.prepare(x)).dataSync());
    const byHand = tf.tidy(() => plain.logitsOf(tf.sub(tf.mul(x, 2), 1)).dataSync());
    expect(tf.memory().numTensors).toBe(before);
    viaPreset.forEach((v, i) => expect(v).toBeCloseTo(byHand[i] as number, 5));
    x.dispose();
  });
});
