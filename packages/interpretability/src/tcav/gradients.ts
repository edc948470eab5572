// Splits a LayersModel at a named layer: activations h_l(x) and gradients ∇_{h_l} logit_k(x).
import * as tf from "@tensorflow/tfjs-core";
import type * as tfl from "@tensorflow/tfjs-layers";

import { DlError, cuttableLayers, layersBetween, listNames, modelUpToLayer, replayToLogits } from "@dl/tensor-core";

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

/**
 * Cuts `model` after `layerName` (tensor-core's `layersBetween`: a chain of layers from there to the
 * logits layer). The logit part replays those layers eagerly in inference mode; a final softmax Dense
 * layer counts by its linear part, so gradients are taken of the logit, not the probability.
 */
export function splitModelAtLayer(model: tfl.LayersModel, layerName: string): LayerSplit {
  const after = layersBetween(model, layerName);
  if (after.length === 0) {
    throw new DlError("NO_GRADIENT_PATH", `Layer "${layerName}" is the logit layer itself; cut at an earlier layer: ${listNames(cuttableLayers(model))}.`);
  }
  const upTo = modelUpToLayer(model, layerName);
  const featureShape = (upTo.outputs[0] as tfl.SymbolicTensor).shape.slice(1).map((d) => d ?? 0);
  const numClasses = (((after.at(-1) as tfl.layers.Layer).outputShape as (number | null)[]).at(-1) ?? 0) || 0;
  return {
    layer: layerName,
    featureShape,
    dim: featureShape.reduce((a, b) => a * b, 1),
    numClasses,
    activations: (x) => upTo.predict(x) as tf.Tensor,
    logits: (h) => replayToLogits(after, h) as tf.Tensor2D,
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
