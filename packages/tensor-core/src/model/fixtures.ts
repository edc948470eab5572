// Test fixtures for models dl-lab did not build (not exported from the package): a Keras-style
// functional model with a nested backbone, saved with uint8-quantised weights, and a GraphModel folder
// written the way tensorflowjs_converter writes a converted SavedModel.
import { mkdir, writeFile } from "node:fs/promises";
import { join } from "node:path";

import * as tf from "@tensorflow/tfjs-core";
import * as tfl from "@tensorflow/tfjs-layers";

export const THIRD_PARTY_INPUT = [20, 16, 3] as const;

/**
 * image [20, 16, 3] → rescaling (x·2 − 1) → backbone (a nested functional model: conv → batch norm → conv,
 * a residual add, relu, max pool, conv) → global average pool → dense softmax head of 4 classes.
 */
export function thirdPartyModel(seed = 1): tfl.LayersModel {
  const init = (s: number): ReturnType<typeof tfl.initializers.glorotUniform> => tfl.initializers.glorotUniform({ seed: seed * 100 + s });
  const inner = tfl.input({ shape: [...THIRD_PARTY_INPUT], name: "backbone_input" });
  const conv1 = tfl.layers.conv2d({ name: "b_conv1", filters: 6, kernelSize: 3, padding: "same", activation: "relu", kernelInitializer: init(1) }).apply(inner) as tfl.SymbolicTensor;
  const bn1 = tfl.layers.batchNormalization({ name: "b_bn1", movingMeanInitializer: tfl.initializers.constant({ value: 0.1 }), movingVarianceInitializer: tfl.initializers.constant({ value: 1.5 }) }).apply(conv1) as tfl.SymbolicTensor;
  const conv2 = tfl.layers.conv2d({ name: "b_conv2", filters: 6, kernelSize: 3, padding: "same", kernelInitializer: init(2) }).apply(bn1) as tfl.SymbolicTensor;
  const add = tfl.layers.add({ name: "b_add" }).apply([bn1, conv2]) as tfl.SymbolicTensor;
  const relu = tfl.layers.reLU({ name: "b_relu" }).apply(add) as tfl.SymbolicTensor;
  const pool = tfl.layers.maxPooling2d({ name: "b_pool", poolSize: 2 }).apply(relu) as tfl.SymbolicTensor;
  const conv3 = tfl.layers.conv2d({ name: "b_conv3", filters: 8, kernelSize: 3, padding: "same", activation: "tanh", kernelInitializer: init(3) }).apply(pool) as tfl.SymbolicTensor;
  const backbone = tfl.model({ inputs: inner, outputs: conv3, name: "backbone" });

  const image = tfl.input({ shape: [...THIRD_PARTY_INPUT], name: "image" });
  const scaled = tfl.layers.rescaling({ name: "rescale", scale: 2, offset: -1 }).apply(image) as tfl.SymbolicTensor;
  const features = backbone.apply(scaled) as tfl.SymbolicTensor;
  const gap = tfl.layers.globalAveragePooling2d({ name: "gap" }).apply(features) as tfl.SymbolicTensor;
  const head = tfl.layers.dense({ name: "head", units: 4, activation: "softmax", kernelInitializer: init(4) }).apply(gap) as tfl.SymbolicTensor;
  return tfl.model({ inputs: image, outputs: head, name: "third_party_net" });
}

/** Saves `model` as tensorflowjs_converter --quantize_uint8 would: each weight affinely mapped to 0…255. */
export async function saveQuantised(model: tfl.LayersModel, dir: string): Promise<void> {
  await model.save(
    tf.io.withSaveHandler(async (artifacts) => {
      const specs = artifacts.weightSpecs ?? [];
      const data = new Float32Array(tf.io.CompositeArrayBuffer.join(artifacts.weightData ?? new ArrayBuffer(0)));
      const bytes: number[] = [];
      let offset = 0;
      const weights = specs.map((spec) => {
        const size = spec.shape.reduce((a, b) => a * b, 1);
        const values = data.subarray(offset, offset + size);
        offset += size;
        let min = Infinity;
        let max = -Infinity;
        for (const v of values) {
          min = Math.min(min, v);
          max = Math.max(max, v);
        }
        const scale = max > min ? (max - min) / 255 : 1;
        for (const v of values) bytes.push(Math.round((v - min) / scale));
        return { ...spec, quantization: { dtype: "uint8" as const, min, scale } };
      });
      await mkdir(dir, { recursive: true });
      await writeFile(join(dir, "group1-shard1of1.bin"), Uint8Array.from(bytes));
      const json = { format: "layers-model", generatedBy: "keras v2.13", convertedBy: "TensorFlow.js Converter v4.22.0", modelTopology: artifacts.modelTopology, weightsManifest: [{ paths: ["group1-shard1of1.bin"], weights }] };
      await writeFile(join(dir, "model.json"), JSON.stringify(json));
      return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: "JSON" } };
    }),
  );
}

/** Weights of the graph fixture, by node name. */
export interface GraphFixtureWeights {
  kernel: Float32Array; // [3, 3, 3, 4]
  bias: Float32Array; // [4]
  dense: Float32Array; // [4, 3]
  denseBias: Float32Array; // [3]
}

export const GRAPH_INPUT = [6, 6, 3] as const;

function attrShape(dims: readonly number[]): { dim: { size: string }[] } {
  return { dim: dims.map((d) => ({ size: String(d) })) };
}

function constNode(name: string, dims: readonly number[], dtype: "DT_FLOAT" | "DT_INT32" = "DT_FLOAT"): object {
  return { name, op: "Const", attr: { value: { tensor: { dtype, tensorShape: attrShape(dims) } }, dtype: { type: dtype } } };
}

const b64 = (s: string): string => Buffer.from(s).toString("base64");

/**
 * A converted-SavedModel folder: input [−1, 6, 6, 3] → Mul by 1 → Conv2D 3×3 VALID + BiasAdd → Relu → Mean over
 * space → MatMul + BiasAdd (the logits) → Softmax → Identity. With `fusedRelu6`, the convolution is one
 * `_FusedConv2D` node with a Relu6, as the converter fuses it; with `cumprod`, a Cumprod over channels
 * (an op tfjs has no gradient for) follows the Mul.
 */
export async function writeGraphModel(dir: string, seed = 3, options: { fusedRelu6?: boolean; cumprod?: boolean } = {}): Promise<GraphFixtureWeights> {
  const rng = (() => {
    let s = seed >>> 0;
    return (): number => {
      s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
      return s / 2 ** 32 - 0.5;
    };
  })();
  const w: GraphFixtureWeights = {
    kernel: Float32Array.from({ length: 3 * 3 * 3 * 4 }, () => rng()),
    bias: Float32Array.from({ length: 4 }, () => rng() * 0.2),
    dense: Float32Array.from({ length: 4 * 3 }, () => rng() * 2),
    denseBias: Float32Array.from({ length: 3 }, () => rng() * 0.2),
  };
  const conv = {
    strides: { list: { i: ["1", "1", "1", "1"] } },
    padding: { s: b64("VALID") },
    data_format: { s: b64("NHWC") },
    dilations: { list: { i: ["1", "1", "1", "1"] } },
    T: { type: "DT_FLOAT" },
  };
  const convInput = options.cumprod === true ? "net/cum/Cumprod" : "net/scale/Mul";
  const nodes: object[] = [
    { name: "input", op: "Placeholder", attr: { shape: { shape: attrShape([-1, ...GRAPH_INPUT]) }, dtype: { type: "DT_FLOAT" } } },
    constNode("net/scale/y", []),
    { name: "net/scale/Mul", op: "Mul", input: ["input", "net/scale/y"], attr: { T: { type: "DT_FLOAT" } } },
    ...(options.cumprod === true
      ? [constNode("net/cum/axis", [], "DT_INT32"), { name: "net/cum/Cumprod", op: "Cumprod", input: ["net/scale/Mul", "net/cum/axis"], attr: { exclusive: { b: false }, reverse: { b: false }, T: { type: "DT_FLOAT" } } }]
      : []),
    constNode("net/conv/kernel", [3, 3, 3, 4]),
    constNode("net/conv/bias", [4]),
    constNode("net/gap/axes", [2], "DT_INT32"),
    constNode("net/dense/kernel", [4, 3]),
    constNode("net/dense/bias", [3]),
  ];
  if (options.fusedRelu6 === true) {
    nodes.push({ name: "net/conv/Relu6", op: "_FusedConv2D", input: [convInput, "net/conv/kernel", "net/conv/bias"], attr: { ...conv, num_args: { i: "1" }, fused_ops: { list: { s: [b64("BiasAdd"), b64("Relu6")] } }, epsilon: { f: 0 } } });
  } else {
    nodes.push(
      { name: "net/conv/Conv2D", op: "Conv2D", input: [convInput, "net/conv/kernel"], attr: conv },
      { name: "net/conv/BiasAdd", op: "BiasAdd", input: ["net/conv/Conv2D", "net/conv/bias"], attr: { T: { type: "DT_FLOAT" }, data_format: { s: b64("NHWC") } } },
      { name: "net/conv/Relu", op: "Relu", input: ["net/conv/BiasAdd"], attr: { T: { type: "DT_FLOAT" } } },
    );
  }
  const act = options.fusedRelu6 === true ? "net/conv/Relu6" : "net/conv/Relu";
  nodes.push(
    { name: "net/gap/Mean", op: "Mean", input: [act, "net/gap/axes"], attr: { keep_dims: { b: false }, T: { type: "DT_FLOAT" }, Tidx: { type: "DT_INT32" } } },
    { name: "net/dense/MatMul", op: "MatMul", input: ["net/gap/Mean", "net/dense/kernel"], attr: { transpose_a: { b: false }, transpose_b: { b: false }, T: { type: "DT_FLOAT" } } },
    { name: "net/dense/BiasAdd", op: "BiasAdd", input: ["net/dense/MatMul", "net/dense/bias"], attr: { T: { type: "DT_FLOAT" }, data_format: { s: b64("NHWC") } } },
    { name: "net/prediction/Softmax", op: "Softmax", input: ["net/dense/BiasAdd"], attr: { T: { type: "DT_FLOAT" } } },
    { name: "Identity", op: "Identity", input: ["net/prediction/Softmax"], attr: { T: { type: "DT_FLOAT" } } },
  );
  const axes = new Int32Array([1, 2]);
  const parts: { name: string; shape: number[]; dtype: "float32" | "int32"; data: ArrayBufferView }[] = [
    { name: "net/scale/y", shape: [], dtype: "float32", data: new Float32Array([1]) },
    ...(options.cumprod === true ? [{ name: "net/cum/axis", shape: [], dtype: "int32" as const, data: new Int32Array([3]) }] : []),
    { name: "net/conv/kernel", shape: [3, 3, 3, 4], dtype: "float32", data: w.kernel },
    { name: "net/conv/bias", shape: [4], dtype: "float32", data: w.bias },
    { name: "net/gap/axes", shape: [2], dtype: "int32", data: axes },
    { name: "net/dense/kernel", shape: [4, 3], dtype: "float32", data: w.dense },
    { name: "net/dense/bias", shape: [3], dtype: "float32", data: w.denseBias },
  ];
  const bin = Buffer.concat(parts.map((p) => Buffer.from(p.data.buffer, p.data.byteOffset, p.data.byteLength)));
  const json = {
    format: "graph-model",
    generatedBy: "2.13.0",
    convertedBy: "TensorFlow.js Converter v4.22.0",
    signature: {},
    modelTopology: { node: nodes, library: {}, versions: { producer: 1286 } },
    weightsManifest: [{ paths: ["group1-shard1of1.bin"], weights: parts.map(({ name, shape, dtype }) => ({ name, shape, dtype })) }],
  };
  await mkdir(dir, { recursive: true });
  await writeFile(join(dir, "group1-shard1of1.bin"), bin);
  await writeFile(join(dir, "model.json"), JSON.stringify(json));
  return w;
}
