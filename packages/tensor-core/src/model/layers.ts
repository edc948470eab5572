import * as tf from "@tensorflow/tfjs-core";
import * as tfl from "@tensorflow/tfjs-layers";

import { DlError, assertArgument, listNames } from "../errors.js";
import { validateDataset } from "../data/dataset.js";
import type { ImageDataset } from "../data/dataset.js";

/** Activations of one layer for N inputs, flattened per example. */
export interface LayerActivations {
  layer: string;
  /** `[N, ...featureShape]`. */
  shape: number[];
  /** N × features, row-major. */
  data: Float32Array;
}

/** Inputs to run through a model: a `[N, H, W, C]` tensor (not disposed) or a dataset. */
export type ModelInput = tf.Tensor | ImageDataset;

const DEFAULT_BATCH = 256;

/** Every layer name, in topological order (the input layer included). */
export function layerNames(model: tfl.LayersModel): string[] {
  return model.layers.map((l) => l.name);
}

function isInputLayer(layer: tfl.layers.Layer): boolean {
  return layer.getClassName() === "InputLayer";
}

/**
 * Validates layer names. `"all"` means every layer except input and dropout layers (dropout is the
 * identity at inference, so its activations duplicate the layer before it).
 */
export function resolveLayerNames(model: tfl.LayersModel, layers: readonly string[] | "all"): string[] {
  if (layers === "all") return model.layers.filter((l) => !isInputLayer(l) && l.getClassName() !== "Dropout").map((l) => l.name);
  const valid = layerNames(model);
  assertArgument(layers.length > 0, () => `Name at least one layer, or "all". Valid layers: ${listNames(valid)}.`);
  for (const name of layers) {
    if (!valid.includes(name)) {
      throw new DlError("UNKNOWN_LAYER", `Layer "${name}" is not in model "${model.name}". Valid layers: ${listNames(valid)}.`, { details: { valid } });
    }
  }
  return [...layers];
}

function getLayer(model: tfl.LayersModel, name: string): tfl.layers.Layer {
  resolveLayerNames(model, [name]);
  return model.getLayer(name);
}

function inputCount(x: ModelInput): number {
  return x instanceof tf.Tensor ? (x.shape[0] ?? 0) : x.count;
}

/** Rows `[start, start + size)` of the input as a float32 tensor shaped for the model. */
function batchTensor(model: tfl.LayersModel, x: ModelInput, start: number, size: number): tf.Tensor {
  if (x instanceof tf.Tensor) {
    const begin = x.shape.map((_, d) => (d === 0 ? start : 0));
    const sizes = x.shape.map((s, d) => (d === 0 ? size : s));
    return tf.slice(x, begin, sizes);
  }
  const perImage = x.height * x.width * x.channels;
  const inputShape = model.inputs[0]?.shape ?? [null, x.height, x.width, x.channels];
  const featureShape = inputShape.slice(1).map((d) => d ?? -1);
  const wanted = featureShape.reduce((a, b) => a * b, 1);
  if (wanted !== perImage) {
    throw new DlError("SHAPE_MISMATCH", `Model "${model.name}" expects inputs of shape [${featureShape.join(", ")}] but dataset "${x.name}" has images of ${x.height}×${x.width}×${x.channels}.`);
  }
  return tf.tensor(x.images.subarray(start * perImage, (start + size) * perImage), [size, ...featureShape], "float32");
}

function checkInput(x: ModelInput): void {
  if (!(x instanceof tf.Tensor)) validateDataset(x);
}

function checkBatchSize(batchSize: number): void {
  assertArgument(Number.isInteger(batchSize) && batchSize > 0, () => `batchSize must be a positive integer, got ${batchSize}.`);
}

/** A model from the input to the named layer's output (weights shared). */
export function modelUpToLayer(model: tfl.LayersModel, layerName: string): tfl.LayersModel {
  const layer = getLayer(model, layerName);
  return tfl.model({ inputs: model.inputs, outputs: layer.output, name: `${model.name}-to-${layerName}` });
}

/**
 * Activations of the named layers (or "all"), computed in batches; plain arrays, no tensors left.
 */
export async function activations(
  model: tfl.LayersModel,
  x: ModelInput,
  layers: readonly string[] | "all",
  options: { batchSize?: number } = {},
): Promise<LayerActivations[]> {
  const names = resolveLayerNames(model, layers);
  const batchSize = options.batchSize ?? DEFAULT_BATCH;
  checkBatchSize(batchSize);
  checkInput(x);
  const outputs = names.map((n) => model.getLayer(n).output as tfl.SymbolicTensor);
  const probe = tfl.model({ inputs: model.inputs, outputs });
  const n = inputCount(x);
  const featureShapes = outputs.map((o) => o.shape.slice(1).map((d) => d ?? 0));
  const sizes = featureShapes.map((s) => s.reduce((a, b) => a * b, 1));
  const result = names.map((layer, i) => ({ layer, shape: [n, ...(featureShapes[i] as number[])], data: new Float32Array(n * (sizes[i] as number)) }));
  for (let start = 0; start < n; start += batchSize) {
    const size = Math.min(batchSize, n - start);
    const out = tf.tidy(() => {
      const y = probe.predict(batchTensor(model, x, start, size));
      return Array.isArray(y) ? y : [y];
    });
    try {
      for (let i = 0; i < out.length; i++) {
        const values = await (out[i] as tf.Tensor).data();
        (result[i] as LayerActivations).data.set(values, start * (sizes[i] as number));
      }
    } finally {
      tf.dispose(out);
    }
  }
  return result;
}

/** The layer whose outputs are the logits: "logits" if present, else the model's last layer. */
export function logitsLayerName(model: tfl.LayersModel): string {
  const names = layerNames(model);
  return names.includes("logits") ? "logits" : (names[names.length - 1] as string);
}

/** The single layer feeding `layer` in the model's own graph, or undefined for an input layer. */
function parentOf(layer: tfl.layers.Layer): tfl.layers.Layer[] {
  return layer.inboundNodes[0]?.inboundLayers ?? [];
}

/**
 * The layers after `layerName` up to the logits, in order. Throws NO_GRADIENT_PATH when the logits
 * do not depend on the layer, NOT_SUPPORTED when the path branches (only chains are replayed).
 */
export function layersBetween(model: tfl.LayersModel, layerName: string): tfl.layers.Layer[] {
  const start = getLayer(model, layerName);
  const logitsName = logitsLayerName(model);
  const chain: tfl.layers.Layer[] = [];
  let current = model.getLayer(logitsName);
  const ancestors = new Set<string>();
  const stack = [current];
  while (stack.length > 0) {
    const l = stack.pop() as tfl.layers.Layer;
    if (ancestors.has(l.name)) continue;
    ancestors.add(l.name);
    stack.push(...parentOf(l));
  }
  if (!ancestors.has(start.name)) {
    throw new DlError(
      "NO_GRADIENT_PATH",
      `The logits (layer "${logitsName}") do not depend on layer "${layerName}", so there is no gradient of the logits with respect to it. Choose a layer before "${logitsName}": ${listNames(layerNames(model).filter((n) => ancestors.has(n) && n !== logitsName))}.`,
    );
  }
  while (current.name !== start.name) {
    chain.unshift(current);
    const parents = parentOf(current);
    if (parents.length !== 1) {
      throw new DlError("NOT_SUPPORTED", `Layer "${current.name}" has ${parents.length} inputs; gradients at an inner layer are supported for chain (sequential) models only.`);
    }
    current = parents[0] as tfl.layers.Layer;
  }
  return chain;
}

function isSoftmaxDense(layer: tfl.layers.Layer): boolean {
  return layer.getClassName() === "Dense" && layer.getConfig()["activation"] === "softmax";
}

/**
 * Applies `chain` (from `layersBetween`) to the activations `h`, eagerly and in inference mode (no
 * nodes are added to the model's graph). A last Dense layer with a softmax activation contributes
 * only its linear part, so the result is the logits (what gradients are taken of), not probabilities.
 */
export function replayToLogits(chain: readonly tfl.layers.Layer[], h: tf.Tensor): tf.Tensor {
  return tf.tidy(() => {
    let y = h;
    chain.forEach((layer, i) => {
      if (i === chain.length - 1 && isSoftmaxDense(layer)) {
        const [kernel, bias] = layer.getWeights();
        y = tf.matMul(y, kernel as tf.Tensor2D);
        if (bias !== undefined) y = tf.add(y, bias);
      } else {
        y = layer.apply(y, { training: false }) as tf.Tensor;
      }
    });
    return y;
  });
}

/** Layers with a gradient path to the logits (every layer the logits depend on through a chain), in model order. */
export function cuttableLayers(model: tfl.LayersModel): string[] {
  return model.layers
    .filter((layer) => !isInputLayer(layer))
    .map((layer) => layer.name)
    .filter((name) => {
      try {
        return layersBetween(model, name).length > 0;
      } catch {
        return false;
      }
    });
}

/** A model from the named layer's output to the logits (weights shared); chain models only. */
export function modelFromLayer(model: tfl.LayersModel, layerName: string): tfl.LayersModel {
  const chain = layersBetween(model, layerName);
  const layer = model.getLayer(layerName);
  const shape = (layer.output as tfl.SymbolicTensor).shape.slice(1).map((d) => d ?? 0);
  const input = tfl.input({ shape, name: `${layerName}_input` });
  let h: tfl.SymbolicTensor = input;
  for (const l of chain) h = l.apply(h) as tfl.SymbolicTensor;
  return tfl.model({ inputs: input, outputs: h, name: `${model.name}-from-${layerName}` });
}

/**
 * ∂ logit_k / ∂ h_l for every input: the directional-derivative ingredient of TCAV
 * (Kim et al. 2018, eq. 1). Shapes as in `activations`.
 */
export async function gradientsAtLayer(
  model: tfl.LayersModel,
  x: ModelInput,
  layerName: string,
  classIndex: number,
  options: { batchSize?: number } = {},
): Promise<LayerActivations> {
  const chain = layersBetween(model, layerName);
  const logitsName = logitsLayerName(model);
  const classes = (model.getLayer(logitsName).output as tfl.SymbolicTensor).shape.at(-1) ?? 0;
  assertArgument(Number.isInteger(classIndex) && classIndex >= 0 && classIndex < classes, () => `classIndex must be an integer in 0…${classes - 1}, got ${classIndex}.`);
  const batchSize = options.batchSize ?? DEFAULT_BATCH;
  checkBatchSize(batchSize);
  checkInput(x);
  const upTo = modelUpToLayer(model, layerName);
  const featureShape = (upTo.outputs[0] as tfl.SymbolicTensor).shape.slice(1).map((d) => d ?? 0);
  const features = featureShape.reduce((a, b) => a * b, 1);
  const n = inputCount(x);
  const data = new Float32Array(n * features);
  const logitK = (h: tf.Tensor): tf.Tensor => tf.sum(tf.slice(replayToLogits(chain, h), [0, classIndex], [-1, 1]));
  for (let start = 0; start < n; start += batchSize) {
    const size = Math.min(batchSize, n - start);
    // Examples are independent at inference, so ∇ of the batch sum gives each example's gradient.
    const grad = tf.tidy(() => tf.grad(logitK)(upTo.predict(batchTensor(model, x, start, size)) as tf.Tensor));
    try {
      data.set(await grad.data(), start * features);
    } finally {
      grad.dispose();
    }
  }
  return { layer: layerName, shape: [n, ...featureShape], data };
}
