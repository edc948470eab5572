// Splits a LayersModel at a named layer: activations h_l(x) and gradients ∇_{h_l} logit_k(x).
import * as tf from "@tensorflow/tfjs-core";
import * as tfl from "@tensorflow/tfjs-layers";

import { DlError, listNames } from "@dl/tensor-core";

import type { ActivationMatrix } from "./cav.js";

/** A model cut at one layer: the input → h_l part and the h_l → logits part. */
export interface LayerSplit {
  layer: string;
  /** Shape of h_l for one input (without the batch axis). */
  featureShape: number[];
  /** Number of features of h_l (product of `featureShape`). */
  dim: number;
  /** Number of logits (classes). */
  numClasses: number;
  /** h_l for a batch of inputs. */
  activations(x: tf.Tensor): tf.Tensor;
  /** Logits from h_l for a batch. */
  logits(h: tf.Tensor): tf.Tensor2D;
}

/** The layer TCAV differentiates: one named "logits" if present, otherwise the last layer. */
function logitsLayerIndex(layers: readonly tfl.layers.Layer[]): number {
  const named = layers.findIndex((l) => l.name === "logits");
  return named >= 0 ? named : layers.length - 1;
}

function isSoftmaxDense(layer: tfl.layers.Layer): boolean {
  const config = layer.getConfig();
  return layer.getClassName() === "Dense" && config["activation"] === "softmax";
}

/** Layers that TCAV can cut at: every layer strictly before the logits layer in a chain model. */
export function cuttableLayers(model: tfl.LayersModel): string[] {
  const layers = chainLayers(model);
  if (layers === undefined) return [];
  const end = logitsLayerIndex(layers);
  return layers.slice(0, end).map((l) => l.name);
}

/** The model's layers in order when each layer feeds only the next one (Sequential or a functional chain); undefined otherwise. */
function chainLayers(model: tfl.LayersModel): tfl.layers.Layer[] | undefined {
  const layers = model.layers.filter((l) => l.getClassName() !== "InputLayer");
  for (let i = 1; i < layers.length; i++) {
    const layer = layers[i] as tfl.layers.Layer;
    if (layer.inboundNodes.length !== 1) return undefined;
    const inbound = layer.inboundNodes[0]?.inboundLayers ?? [];
    const previous = layers[i - 1] as tfl.layers.Layer;
    if (inbound.length !== 1 || inbound[0] !== previous) return undefined;
  }
  return layers;
}

/**
 * Cuts `model` after `layerName`. The logit part re-applies the following layers eagerly (inference
 * mode), stopping at the "logits" layer; a final softmax Dense layer is replaced by its linear part
 * so gradients are taken of the logit, not the probability.
 */
export function splitModelAtLayer(model: tfl.LayersModel, layerName: string): LayerSplit {
  const all = model.layers.map((l) => l.name);
  if (!all.includes(layerName)) {
    throw new DlError("UNKNOWN_LAYER", `The model has no layer "${layerName}"; valid layers: ${listNames(all)}.`, { details: { valid: all } });
  }
  const layers = chainLayers(model);
  if (layers === undefined) {
    throw new DlError("NOT_SUPPORTED", "TCAV needs a model whose layers form a single chain (a Sequential model or a functional model without branches).");
  }
  const cut = layers.findIndex((l) => l.name === layerName);
  const end = logitsLayerIndex(layers);
  if (cut < 0 || cut >= end) {
    throw new DlError(
      "NO_GRADIENT_PATH",
      `Layer "${layerName}" has no gradient path to the logits (it is the logit layer, comes after it or is the input); use one of: ${listNames(cuttableLayers(model))}.`,
    );
  }
  const cutLayer = layers[cut] as tfl.layers.Layer;
  const upTo = tfl.model({ inputs: model.inputs, outputs: cutLayer.output });
  const outShape = (cutLayer.outputShape as (number | null)[]).slice(1).map((d) => d ?? 0);
  const after = layers.slice(cut + 1, end + 1);
  const endLayer = layers[end] as tfl.layers.Layer;
  const linearEnd = isSoftmaxDense(endLayer);
  const numClasses = ((endLayer.outputShape as (number | null)[]).at(-1) ?? 0) || 0;
  return {
    layer: layerName,
    featureShape: outShape,
    dim: outShape.reduce((a, b) => a * b, 1),
    numClasses,
    activations: (x) => upTo.predict(x) as tf.Tensor,
    logits: (h) =>
      tf.tidy(() => {
        let t: tf.Tensor = h;
        for (let i = 0; i < after.length; i++) {
          const layer = after[i] as tfl.layers.Layer;
          if (i === after.length - 1 && linearEnd) {
            const [kernel, bias] = layer.getWeights();
            t = tf.matMul(t, kernel as tf.Tensor2D);
            if (bias !== undefined) t = tf.add(t, bias);
          } else {
            t = layer.apply(t, { training: false }) as tf.Tensor;
          }
        }
        return t as tf.Tensor2D;
      }),
  };
}

function checkInput(model: tfl.LayersModel, x: tf.Tensor): void {
  const expected = (model.inputs[0]?.shape ?? []).slice(1);
  const got = x.shape.slice(1);
  const ok = expected.length === got.length && expected.every((d, i) => d === null || d === got[i]);
  if (!ok) {
    throw new DlError("SHAPE_MISMATCH", `The images have shape [${got.join(", ")}] but the model expects [${expected.map((d) => d ?? "any").join(", ")}]; resize or pick the matching model.`);
  }
}

/** h_l(x) for every row of `x`, batched, as a rows × dim matrix. */
export async function layerActivations(model: tfl.LayersModel, split: LayerSplit, x: tf.Tensor, batchSize = 128): Promise<ActivationMatrix> {
  checkInput(model, x);
  const rows = x.shape[0] ?? 0;
  const data = new Float32Array(rows * split.dim);
  for (let start = 0; start < rows; start += batchSize) {
    const size = Math.min(batchSize, rows - start);
    const h = tf.tidy(() => tf.reshape(split.activations(tf.slice(x, start, size)), [size, split.dim]));
    data.set(await h.data<"float32">(), start * split.dim);
    h.dispose();
  }
  return { data, rows, dim: split.dim };
}

/**
 * ∇_{h_l} logit_k(x) for every row of `x`, batched. Inputs are independent in inference mode, so
 * the gradient of the summed logit gives each input's own gradient in one backward pass.
 */
export async function layerGradients(model: tfl.LayersModel, split: LayerSplit, x: tf.Tensor, classIndex: number, batchSize = 64): Promise<ActivationMatrix> {
  checkInput(model, x);
  if (!Number.isInteger(classIndex) || classIndex < 0 || classIndex >= split.numClasses) {
    throw new DlError("INVALID_ARGUMENT", `Target class ${classIndex} is out of range; the model has classes 0..${split.numClasses - 1}.`);
  }
  const rows = x.shape[0] ?? 0;
  const data = new Float32Array(rows * split.dim);
  const gradOf = tf.grad((h: tf.Tensor) => tf.sum(tf.slice(split.logits(h), [0, classIndex], [-1, 1])));
  for (let start = 0; start < rows; start += batchSize) {
    const size = Math.min(batchSize, rows - start);
    const g = tf.tidy(() => tf.reshape(gradOf(split.activations(tf.slice(x, start, size))), [size, split.dim]));
    data.set(await g.data<"float32">(), start * split.dim);
    g.dispose();
  }
  return { data, rows, dim: split.dim };
}
