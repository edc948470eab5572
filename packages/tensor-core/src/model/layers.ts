// Reading a model's insides: layer selection by name or glob, activations and logit gradients at a
// layer, computed in batches and reduced over space so that large models stay within memory.
import * as tf from "@tensorflow/tfjs-core";
import type * as tfl from "@tensorflow/tfjs-layers";
import type { GraphModel } from "@tensorflow/tfjs-converter";
import { closest, distance } from "fastest-levenshtein";
import picomatch from "picomatch";

import { DlError, assertArgument, listNames, throwIfAborted } from "../errors.js";
import { assertDataset } from "../data/dataset.js";
import type { ImageDataset } from "../data/dataset.js";
import type { ProgressCallback } from "../progress.js";
import { type ImageModel, imageModel } from "./imageModel.js";

/** How a layer's `[N, H, W, C]` map becomes one row per image. */
export type SpatialReduction = "flatten" | "mean" | "max";
export const SPATIAL_REDUCTIONS: readonly (SpatialReduction | "auto")[] = ["auto", "flatten", "mean", "max"];

/** With `spatial: "auto"`, maps with more values per image than this are averaged over space (global average pooling). */
export const AUTO_FLATTEN_MAX_FEATURES = 16_384;

/** Activations of one layer for N inputs, one row per example. */
export interface LayerActivations {
  layer: string;
  /** `[N, ...features]`: the layer's own shape when flattened, `[N, C]` after a spatial reduction. */
  shape: number[];
  /** N × features, row-major. */
  data: Float32Array;
  /** What was done to a `[H, W, C]` map (`flatten` for layers without space). */
  reduction: SpatialReduction;
}

/** Images read batch by batch (e.g. `loadImageFolder`), pixels in [0, 1], NHWC. */
export interface ImageBatches {
  count: number;
  height: number;
  width: number;
  channels: number;
  read(start: number, size: number): Float32Array;
}

/** Inputs to run through a model: a `[N, H, W, C]` tensor (not disposed), a dataset or a batch reader. */
export type ModelInput = tf.Tensor | ImageDataset | ImageBatches;

/** What the reading functions accept as a model. */
export type AnyModel = tfl.LayersModel | GraphModel | ImageModel;

export interface ActivationOptions {
  batchSize?: number;
  /** Reduction of spatial maps; default `auto` (flatten up to `AUTO_FLATTEN_MAX_FEATURES` = 16,384 values per image, else `mean`). */
  spatial?: SpatialReduction | "auto";
  onProgress?: ProgressCallback;
  signal?: AbortSignal;
}

/** Default batch: 64 small images, fewer large ones (≈ 1M input values per batch, e.g. 6 at 224×224×3), so wide early maps of big models fit in wasm's memory. */
function defaultBatch(model: ImageModel): number {
  const per = model.inputShape.reduce<number>((a, d) => a * (d ?? 32), 1);
  return Math.max(1, Math.min(64, Math.floor(1_000_000 / Math.max(1, per))));
}

/** A failure inside the backend (e.g. wasm's "memory access out of bounds") as one line saying what to change. */
function backendFailure(error: unknown, batchSize: number): unknown {
  if (error instanceof DlError) return error;
  const message = error instanceof Error ? error.message : String(error);
  if (/out of bounds|out of memory|Array buffer allocation failed|Invalid typed array length|Aborted/i.test(message)) {
    return new DlError("NOT_SUPPORTED", `The backend ran out of memory on a batch of ${batchSize} images; use a smaller batchSize (the model's early maps are large).`, { cause: error });
  }
  return error;
}

/** Every layer name, in model order (nested models' layers as `outer/inner`; graph nodes by name). */
export function layerNames(model: AnyModel): string[] {
  return imageModel(model).layers.map((l) => l.name);
}

const SKIPPED_BY_ALL = new Set(["InputLayer", "Dropout", "SpatialDropout2D", "GaussianNoise", "GaussianDropout"]);

/** Names that look like `name`, best first (for "did you mean" lists). */
function closeNames(name: string, valid: readonly string[], count = 5): string[] {
  const lower = name.toLowerCase();
  const scored = valid.map((v) => ({ v, d: v.toLowerCase().includes(lower.replace(/[*?[\]{}]/g, "")) ? 0 : distance(lower, v.toLowerCase()) }));
  scored.sort((a, b) => a.d - b.d);
  const best = scored.slice(0, count).map((s) => s.v);
  const nearest = closest(name, [...valid]);
  return best.includes(nearest) ? best : [nearest, ...best.slice(0, count - 1)];
}

/**
 * Chooses layers: `"all"` means every top-level layer except inputs and dropout (dropout is the identity
 * at inference); otherwise names or globs (`block_1*_project_BN`, `**\/Relu6` for graph nodes), each of
 * which must match something. Order follows the model.
 */
export function resolveLayerNames(model: AnyModel, layers: readonly string[] | "all"): string[] {
  const handle = imageModel(model);
  if (layers === "all") {
    return handle.layers.filter((l) => l.parent === undefined && !SKIPPED_BY_ALL.has(l.kind)).map((l) => l.name);
  }
  const valid = handle.layers.map((l) => l.name);
  assertArgument(layers.length > 0, () => `Name at least one layer, or "all". Valid layers: ${listNames(valid)}.`);
  const chosen = new Set<string>();
  for (const pattern of layers) {
    // Exact names keep the caller's order; a glob adds its matches in model order.
    if (valid.includes(pattern)) {
      chosen.add(pattern);
      continue;
    }
    const isGlob = picomatch.scan(pattern).isGlob;
    const matcher = isGlob ? picomatch(pattern, { dot: true }) : undefined;
    const matches = matcher === undefined ? [] : valid.filter((v) => matcher(v));
    if (matches.length === 0) {
      const close = closeNames(pattern, valid);
      throw new DlError(
        "UNKNOWN_LAYER",
        `${isGlob ? "Pattern" : "Layer"} "${pattern}" matches no layer of model "${handle.name}" (${valid.length} layers). Close names: ${listNames(close)}; list them all with --list-layers.`,
        { details: { valid, close } },
      );
    }
    for (const m of matches) chosen.add(m);
  }
  return [...chosen];
}

/** The layer whose outputs are the logits: "logits" if present, else the model's last layer (LayersModel). */
export function logitsLayerName(model: tfl.LayersModel): string {
  const names = model.layers.map((l) => l.name);
  return names.includes("logits") ? "logits" : (names[names.length - 1] as string);
}

/** Layers with a gradient path to the logits, in model order (inputs and the logits layer itself excluded). */
export function cuttableLayers(model: AnyModel): string[] {
  return [...imageModel(model).gradientLayers];
}

function inputCount(x: ModelInput): number {
  return x instanceof tf.Tensor ? (x.shape[0] ?? 0) : x.count;
}

function isDataset(x: ModelInput): x is ImageDataset {
  return !(x instanceof tf.Tensor) && "images" in x;
}

function shapeText(shape: readonly (number | null)[]): string {
  return `[${shape.map((d) => d ?? "any").join(", ")}]`;
}

function assertModelInput(model: ImageModel, x: ModelInput): void {
  const want = model.inputShape;
  if (x instanceof tf.Tensor) {
    const got = x.shape.slice(1);
    const tiles = want.length === 3 && want[2] === 3 && got.length === 3 && got[2] === 1;
    const ok = got.length === want.length && want.every((d, i) => d === null || d === got[i] || (tiles && i === 2));
    if (!ok) throw new DlError("SHAPE_MISMATCH", `The inputs have shape ${shapeText(got)} per example but model "${model.name}" expects ${shapeText(want)}.`);
    return;
  }
  if (isDataset(x)) assertDataset(x);
  if (want.length !== 3) {
    throw new DlError("NOT_SUPPORTED", `Model "${model.name}" takes inputs of shape ${shapeText(want)}, not images [height, width, channels]; dl-lab feeds image folders and datasets to image classifiers only.`);
  }
  const [h, w, c] = want;
  const what = isDataset(x) ? `Dataset "${x.name}" has images of` : "The images have";
  if ((h !== null && h !== x.height) || (w !== null && w !== x.width)) {
    throw new DlError("SHAPE_MISMATCH", `${what} size ${x.height}×${x.width} but model "${model.name}" expects ${h ?? "any"}×${w ?? "any"}; resize them to the model's input size (loadImageFolder's size option).`);
  }
  if (c !== null && c !== x.channels && !(x.channels === 1 && c === 3)) {
    throw new DlError("SHAPE_MISMATCH", `${what} ${x.channels} channel(s) but model "${model.name}" expects ${c}; load the images with channels: ${c}.`);
  }
}

/** Rows `[start, start + size)` as a float32 batch in the model's input scale (grey tiled to RGB where the model wants 3 channels). */
function batchTensor(model: ImageModel, x: ModelInput, start: number, size: number): tf.Tensor {
  return tf.tidy(() => {
    let batch: tf.Tensor;
    if (x instanceof tf.Tensor) {
      const begin = x.shape.map((_, d) => (d === 0 ? start : 0));
      const sizes = x.shape.map((s, d) => (d === 0 ? size : s));
      batch = tf.cast(tf.slice(x, begin, sizes), "float32");
    } else {
      const per = x.height * x.width * x.channels;
      const values = isDataset(x) ? x.images.subarray(start * per, (start + size) * per) : x.read(start, size);
      batch = tf.tensor4d(values, [size, x.height, x.width, x.channels], "float32");
    }
    if (model.inputShape.length === 3 && model.inputShape[2] === 3 && batch.rank === 4 && batch.shape[3] === 1) batch = tf.tile(batch, [1, 1, 1, 3]);
    return model.prepare(batch);
  });
}

/** The checked input as a count and a batch maker (prepared for the model); for sibling modules. */
export function activationsInput(model: ImageModel, x: ModelInput): { count: number; batch: (start: number, size: number) => tf.Tensor } {
  assertModelInput(model, x);
  return { count: inputCount(x), batch: (start, size) => batchTensor(model, x, start, size) };
}

const SUGGESTION_SKIPS = new Set([...SKIPPED_BY_ALL, "ZeroPadding2D", "Reshape", "Flatten", "Rescaling", "Normalization", "Activation", "ReLU", "Softmax"]);

/**
 * A few layers spread over the depth of a model, for a first look when the user names none: evenly
 * spaced layers (nested models entered; inputs, dropout, reshapes and bare activations skipped), the
 * last one before the logits and the logits. Models with at most `count` + 1 such layers get all of them.
 */
export function suggestLayers(model: AnyModel, count = 4): string[] {
  const handle = imageModel(model);
  const before = new Set(handle.gradientLayers);
  // Nested models are entered: their own layers are the candidates, not the wrapper's single output.
  const containers = new Set(handle.layers.map((l) => l.parent).filter((p) => p !== undefined));
  const candidates = handle.layers.filter((l) => !containers.has(l.name) && !SUGGESTION_SKIPS.has(l.kind) && (before.has(l.name) || l.name === handle.logits.layer)).map((l) => l.name);
  if (candidates.length <= count + 1) return candidates;
  const picked = new Set<string>();
  for (let i = 1; i < count; i++) picked.add(candidates[Math.floor((i * (candidates.length - 2)) / count)] as string);
  picked.add(candidates[candidates.length - 2] as string);
  picked.add(candidates[candidates.length - 1] as string);
  return candidates.filter((c) => picked.has(c));
}

function assertBatchSize(batchSize: number): void {
  assertArgument(Number.isInteger(batchSize) && batchSize > 0, () => `batchSize must be a positive integer, got ${batchSize}.`);
}

/** The reduction a map of this per-image shape gets. */
export function resolveReduction(shape: readonly number[], spatial: SpatialReduction | "auto"): SpatialReduction {
  if (shape.length !== 3) return "flatten";
  if (spatial !== "auto") return spatial;
  return shape.reduce((a, b) => a * b, 1) > AUTO_FLATTEN_MAX_FEATURES ? "mean" : "flatten";
}

function reduceMap(t: tf.Tensor, reduction: SpatialReduction): tf.Tensor2D {
  const n = t.shape[0] ?? 0;
  if (t.rank === 4 && reduction === "mean") return tf.mean<tf.Tensor2D>(t, [1, 2]);
  if (t.rank === 4 && reduction === "max") return tf.max<tf.Tensor2D>(t, [1, 2]);
  return tf.reshape(t, [n, -1]);
}

function parseSpatial(spatial: string): SpatialReduction | "auto" {
  if (!(SPATIAL_REDUCTIONS as readonly string[]).includes(spatial)) {
    throw new DlError("INVALID_ARGUMENT", `Unknown spatial reduction "${spatial}"; use ${listNames(SPATIAL_REDUCTIONS)}.`);
  }
  return spatial as SpatialReduction | "auto";
}

/**
 * Activations of the named layers (or "all") for every input, computed batch by batch and reduced
 * over space as soon as each batch is out, so only N × features floats per layer are ever held.
 */
export async function activations(model: AnyModel, x: ModelInput, layers: readonly string[] | "all", options: ActivationOptions = {}): Promise<LayerActivations[]> {
  const handle = imageModel(model);
  const names = resolveLayerNames(handle, layers);
  const batchSize = options.batchSize ?? defaultBatch(handle);
  assertBatchSize(batchSize);
  const spatial = parseSpatial(options.spatial ?? "auto");
  assertModelInput(handle, x);
  const n = inputCount(x);
  const result: LayerActivations[] = names.map((layer) => ({ layer, shape: [], data: new Float32Array(0), reduction: "flatten" }));
  for (let start = 0; start < n; start += batchSize) {
    throwIfAborted(options.signal);
    const size = Math.min(batchSize, n - start);
    let out: tf.Tensor2D[];
    try {
      out = tf.tidy(() => {
      const batch = batchTensor(handle, x, start, size);
      return handle.outputsAt(batch, names).map((t, i) => {
        const row = result[i] as LayerActivations;
        if (start === 0) {
          row.reduction = resolveReduction(t.shape.slice(1), spatial);
        }
        return reduceMap(t, row.reduction);
      });
    });
    } catch (error) {
      throw backendFailure(error, size);
    }
    try {
      for (let i = 0; i < out.length; i++) {
        const t = out[i] as tf.Tensor2D;
        const row = result[i] as LayerActivations;
        const width = t.shape[1];
        if (start === 0) {
          row.data = new Float32Array(n * width);
          row.shape = [n, width];
        }
        row.data.set(await t.data<"float32">(), start * width);
      }
    } finally {
      tf.dispose(out);
    }
    options.onProgress?.({ phase: "activations", step: Math.min(start + size, n), total: n });
  }
  // Keep the layer's own feature shape where nothing was reduced (e.g. [N, 7, 7, 64]).
  const shapes = layerShapes(handle, names);
  result.forEach((r, i) => {
    const s = shapes[i];
    if (r.reduction === "flatten" && s?.reduce((a, b) => a * b, 1) === (r.shape[1] ?? 0)) r.shape = [n, ...(s ?? [])];
  });
  return result;
}

function layerShapes(handle: ImageModel, names: readonly string[]): (number[] | undefined)[] {
  const byName = new Map(handle.layers.map((l) => [l.name, l.outputShape]));
  return names.map((name) => {
    const s = byName.get(name);
    return s?.every((d) => d !== null) ? (s) : undefined;
  });
}

export interface GradientOptions extends Omit<ActivationOptions, "spatial"> {
  /** How the gradient rows match reduced activations: `mean` sums ∂/∂h over space (the derivative along a direction added at every position). `max` has no such counterpart. */
  spatial?: "flatten" | "mean" | "auto";
}

/**
 * ∂ logit_k / ∂ h_l for every input: the directional-derivative ingredient of TCAV (Kim et al. 2018,
 * eq. 1). The logit is taken before a final softmax. Every path from the layer to the logits counts
 * (residual and nested models included); inputs reaching the logits around the layer are held fixed.
 */
export async function gradientsAtLayer(model: AnyModel, x: ModelInput, layerName: string, classIndex: number, options: GradientOptions = {}): Promise<LayerActivations> {
  const handle = imageModel(model);
  const [layer] = resolveLayerNames(handle, [layerName]);
  if (layer === undefined || layer !== layerName) throw new DlError("UNKNOWN_LAYER", `Give one layer name for gradients, not a pattern: "${layerName}".`);
  if (!handle.gradientLayers.includes(layer) && layer !== handle.logits.layer) {
    throw new DlError(
      "NO_GRADIENT_PATH",
      `The logits (${handle.logits.layer}) do not depend on layer "${layer}" through the model, so there is no gradient of a logit with respect to it. Layers with a gradient path: ${listNames(handle.gradientLayers)}.`,
    );
  }
  const classes = handle.numClasses;
  assertArgument(Number.isInteger(classIndex) && classIndex >= 0 && classIndex < classes, () => `classIndex must be an integer in 0…${classes - 1}, got ${classIndex}.`);
  const batchSize = options.batchSize ?? defaultBatch(handle);
  assertBatchSize(batchSize);
  const spatial = parseSpatial(options.spatial ?? "auto");
  if (spatial === "max") throw new DlError("INVALID_ARGUMENT", "Gradients have no counterpart of max pooling; use spatial flatten or mean.");
  assertModelInput(handle, x);
  const n = inputCount(x);
  let data = new Float32Array(0);
  let shape: number[] = [];
  let reduction: SpatialReduction = "flatten";
  for (let start = 0; start < n; start += batchSize) {
    throwIfAborted(options.signal);
    const size = Math.min(batchSize, n - start);
    const grad = tf.tidy(() => {
      const batch = batchTensor(handle, x, start, size);
      const [h] = handle.outputsAt(batch, [layer]) as [tf.Tensor];
      if (start === 0) reduction = resolveReduction(h.shape.slice(1), spatial);
      // Examples are independent at inference, so ∇ of the batch sum gives each example's gradient.
      const logitK = (hv: tf.Tensor): tf.Scalar => tf.sum(tf.slice(handle.logitsWithLayer(batch, layer, hv), [0, classIndex], [-1, 1]));
      let g: tf.Tensor;
      try {
        g = tf.grad(logitK)(h);
      } catch (error) {
        const failure = backendFailure(error, size);
        throw failure === error ? gradientError(error, handle, layer) : failure;
      }
      return reduction === "mean" && g.rank === 4 ? tf.sum<tf.Tensor2D>(g, [1, 2]) : tf.reshape(g, [size, -1]);
    });
    try {
      const width = grad.shape[1] ?? 0;
      if (start === 0) {
        data = new Float32Array(n * width);
        shape = [n, width];
      }
      data.set(await grad.data<"float32">(), start * width);
    } finally {
      grad.dispose();
    }
    options.onProgress?.({ phase: "gradients", step: Math.min(start + size, n), total: n });
  }
  const [own] = layerShapes(handle, [layer]);
  if (reduction === "flatten" && own?.reduce((a, b) => a * b, 1) === shape[1]) shape = [n, ...(own ?? [])];
  return { layer, shape, data, reduction };
}

function gradientError(error: unknown, model: ImageModel, layer: string): DlError {
  if (error instanceof DlError) return error;
  const message = error instanceof Error ? error.message : String(error);
  const missing = /gradient function not found for (\S+?)\.?$/m.exec(message) ?? /Cannot compute gradient for fused activation (\S+?)\.?$/m.exec(message);
  const what = missing === null ? message.split("\n")[0] : missing[0].startsWith("Cannot") ? `the fused activation ${missing[1]} has no gradient in tfjs` : `op ${missing[1]} has no gradient in tfjs`;
  return new DlError("NO_GRADIENT_PATH", `Gradients do not flow from the logits (${model.logits.layer}) back to "${layer}": ${what}. Choose a layer after that op, or convert the model without fusing it.`, { cause: error });
}
