// One handle for the image classifiers users bring: a tfjs LayersModel (nested sub-models, quantised
// weights, a softmax head) or a GraphModel converted from a TensorFlow SavedModel. Everything that
// reads a model's insides — activations at a layer, gradients of a logit at a layer — goes through it.
import * as tf from "@tensorflow/tfjs-core";
import * as tfl from "@tensorflow/tfjs-layers";
import type { GraphModel } from "@tensorflow/tfjs-converter";

import { DlError, listNames } from "../errors.js";
import { type Preprocessing, type PreprocessingSpec, parsePreprocessing, preprocessTensor } from "../data/preprocess.js";

/** A layer (LayersModel) or node (GraphModel) whose output can be read. */
export interface ModelLayer {
  /** Unique name; a layer of a nested model is `outer/inner`. */
  name: string;
  /** Keras class name (`Conv2D`, `Dense`, `Functional`…) or graph op (`_FusedConv2D`, `Relu6`…). */
  kind: string;
  /** Output shape without the batch axis (`null` where unknown before a run). */
  outputShape: (number | null)[] | undefined;
  /** The nested model holding this layer (`undefined` for the model's own layers and graph nodes). */
  parent?: string;
}

/** A pixel transform applied to every batch before the model sees it (see `Preprocessing`). */
export type InputTransform = (x: tf.Tensor) => tf.Tensor;

export interface ImageModelOptions {
  /** What the model was trained on, from [0, 1] pixels: a preset name or numbers (see `parsePreprocessing`), resolved for the model's channels; default: the pixels as they are. */
  preprocessing?: PreprocessingSpec;
  /** A custom pixel transform instead of `preprocessing`. */
  transform?: InputTransform;
  /** Class names by output index, for reports (default: the indices). */
  classNames?: readonly string[];
}

/** Where a model's logits come from, and whether its output is a softmax over them. */
export interface LogitsSource {
  /** Layer or node whose output (or pre-activation) is taken as the logits. */
  layer: string;
  /** True when the model ends in a softmax, so the logits are read before it. */
  softmaxOutput: boolean;
}

/**
 * A model with one input (images `[N, H, W, C]` for everything that reads image folders) whose (first)
 * output is `[N, classes]`, and the operations the interpretability methods need. Create it with `imageModel(model)` or `loadModel(dir)`.
 */
export interface ImageModel {
  readonly kind: "layers" | "graph";
  readonly name: string;
  /** Shape of one input without the batch axis: height, width, channels for image models (`null` where any size is accepted). */
  readonly inputShape: readonly (number | null)[];
  /** Readable layers or nodes, in model order. */
  readonly layers: readonly ModelLayer[];
  readonly logits: LogitsSource;
  /** Layers the logits depend on (a gradient path exists), in model order; inputs and the logits layer excluded. */
  readonly gradientLayers: readonly string[];
  readonly numClasses: number;
  readonly classNames: readonly string[] | undefined;
  /** The preprocessing every batch gets (undefined: none, or a custom transform). */
  readonly preprocessing: Preprocessing | undefined;
  /** The wrapped tfjs model. */
  readonly model: tfl.LayersModel | GraphModel;
  /** The batch in model input scale (the transform applied). */
  prepare(x: tf.Tensor): tf.Tensor;
  /** Outputs of the named layers for a prepared batch. */
  outputsAt(x: tf.Tensor, layers: readonly string[]): tf.Tensor[];
  /** Logits `[N, classes]` for a prepared batch. */
  logitsOf(x: tf.Tensor): tf.Tensor2D;
  /**
   * Logits for a prepared batch with the output of `layer` replaced by `h` — the function whose
   * gradient with respect to `h` is ∂ logit / ∂ h_l (every path from the layer to the logits counts;
   * inputs that reach the logits around the layer are held fixed).
   */
  logitsWithLayer(x: tf.Tensor, layer: string, h: tf.Tensor): tf.Tensor2D;
  dispose(): void;
}

export function isImageModel(value: unknown): value is ImageModel {
  return typeof value === "object" && value !== null && "outputsAt" in value && "logitsWithLayer" in value;
}

function isGraphModel(model: unknown): model is GraphModel {
  return typeof model === "object" && model !== null && "executor" in model && "inputNodes" in model && typeof (model as { execute?: unknown }).execute === "function";
}

/** Wraps a LayersModel or GraphModel (loaded by any tfjs 4.x the app shares with dl-lab). */
export function imageModel(model: tfl.LayersModel | GraphModel | ImageModel, options: ImageModelOptions = {}): ImageModel {
  if (isImageModel(model)) return model;
  if (isGraphModel(model)) return graphImageModel(model, options);
  if (model instanceof tfl.LayersModel) return layersImageModel(model, options);
  throw new DlError("INVALID_ARGUMENT", "Expected a tfjs LayersModel or GraphModel (tf.loadLayersModel / tf.loadGraphModel) or a dl-lab ImageModel.");
}

/** The per-example input shape; image models (rank 4, NHWC) must have 1, 3 or 4 channels. */
function exampleShape(shape: readonly (number | null)[], model: string): (number | null)[] {
  const example = shape.slice(1);
  const channels = example[2];
  if (example.length === 3 && channels !== null && channels !== undefined && channels !== 1 && channels !== 3 && channels !== 4) {
    throw new DlError("NOT_SUPPORTED", `Model "${model}" takes images with ${channels} channels; supported are 1 (grey), 3 (RGB) and 4 (RGBA), in NHWC order.`);
  }
  return example;
}

function classNamesFor(numClasses: number, given: readonly string[] | undefined, model: string): readonly string[] | undefined {
  if (given === undefined) return undefined;
  if (given.length !== numClasses) {
    throw new DlError("SHAPE_MISMATCH", `${given.length} class names given but model "${model}" has ${numClasses} outputs; give one name per output.`);
  }
  return given;
}

function unknownLayer(name: string, valid: readonly string[], model: string): DlError {
  return new DlError("UNKNOWN_LAYER", `Layer "${name}" is not in model "${model}". Valid layers: ${listNames(valid)}.`, { details: { valid } });
}

// ---------------------------------------------------------------------------------------------
// LayersModel: a small demand-driven executor over the symbolic graph, so that nested models can be
// entered and any layer's output can be read or replaced.

type Layer = tfl.layers.Layer;
type SymbolicTensor = tfl.SymbolicTensor;

function isContainer(layer: Layer): layer is tfl.LayersModel {
  return layer instanceof tfl.LayersModel;
}

/** Every symbolic tensor of `container`'s graph that a layer produced, keyed by the producing layer (first call site). */
function callSites(container: tfl.LayersModel): Map<Layer, SymbolicTensor> {
  const sites = new Map<Layer, SymbolicTensor>();
  const seen = new Set<number>();
  const stack = [...container.outputs];
  while (stack.length > 0) {
    const t = stack.pop() as SymbolicTensor;
    if (seen.has(t.id)) continue;
    seen.add(t.id);
    if (!sites.has(t.sourceLayer)) sites.set(t.sourceLayer, t);
    stack.push(...t.inputs);
  }
  return sites;
}

/** A layer reached through nested models: `path[0]` is a layer of the outer model, each next one a layer of the previous. */
type LayerPath = readonly Layer[];

interface Substitution {
  path: LayerPath;
  h: tf.Tensor;
}

/** One evaluation of a container's graph on concrete inputs, with memoised tensors (one per symbolic tensor). */
class LayersRun {
  private readonly memo = new Map<number, tf.Tensor>();
  private readonly nested = new Map<number, LayersRun>();
  private readonly sites: Map<Layer, SymbolicTensor>;

  constructor(
    private readonly container: tfl.LayersModel,
    inputs: readonly tf.Tensor[],
    private readonly substitution: Substitution | undefined,
    private readonly siteCache: WeakMap<tfl.LayersModel, Map<Layer, SymbolicTensor>>,
  ) {
    container.inputs.forEach((s, i) => {
      // Substituting an input layer replaces what is fed (gradients with respect to the pixels).
      const fed = substitution?.path.length === 1 && substitution.path[0] === s.sourceLayer ? substitution.h : inputs[i];
      this.memo.set(s.id, fed as tf.Tensor);
    });
    let sites = siteCache.get(container);
    if (sites === undefined) {
      sites = callSites(container);
      siteCache.set(container, sites);
    }
    this.sites = sites;
  }

  private site(layer: Layer): SymbolicTensor {
    const site = this.sites.get(layer);
    if (site === undefined) throw new DlError("NO_GRADIENT_PATH", `Layer "${layer.name}" is not connected to the output of "${this.container.name}".`);
    return site;
  }

  /** The run inside nested container `layer` at its call site in this graph. */
  private nestedRun(layer: tfl.LayersModel, site: SymbolicTensor): LayersRun {
    let run = this.nested.get(site.id);
    if (run === undefined) {
      const inputs = site.inputs.map((t) => this.value(t));
      const sub = this.substitution !== undefined && this.substitution.path.length > 1 && this.substitution.path[0] === layer ? { path: this.substitution.path.slice(1), h: this.substitution.h } : undefined;
      run = new LayersRun(layer, inputs, sub, this.siteCache);
      this.nested.set(site.id, run);
    }
    return run;
  }

  value(t: SymbolicTensor): tf.Tensor {
    const hit = this.memo.get(t.id);
    if (hit !== undefined) return hit;
    const layer = t.sourceLayer;
    let result: tf.Tensor;
    const sub = this.substitution;
    if (sub?.path.length === 1 && sub.path[0] === layer) {
      result = sub.h;
    } else if (t.inputs.length === 0) {
      throw new DlError("NOT_SUPPORTED", `Input "${t.name}" of "${this.container.name}" was not fed; dl-lab models take exactly one image input.`);
    } else if (isContainer(layer) && sub !== undefined && sub.path.length > 1 && sub.path[0] === layer) {
      const inner = this.nestedRun(layer, t);
      result = inner.value(layer.outputs[t.outputTensorIndex ?? 0] as SymbolicTensor);
    } else {
      const inputs = t.inputs.map((s) => this.value(s));
      const out = layer.apply(inputs.length === 1 ? (inputs[0] as tf.Tensor) : inputs, { ...t.callArgs, training: false });
      result = Array.isArray(out) ? (out[t.outputTensorIndex ?? 0] as tf.Tensor) : (out as tf.Tensor);
    }
    this.memo.set(t.id, result);
    return result;
  }

  /** Output of the layer at `path` (nested models entered at their call sites). */
  outputOf(path: LayerPath): tf.Tensor {
    const [first, ...rest] = path;
    if (first === undefined) throw new DlError("INVALID_ARGUMENT", "Empty layer path.");
    const site = this.site(first);
    if (rest.length === 0) return this.value(site);
    if (!isContainer(first)) throw new DlError("UNKNOWN_LAYER", `"${first.name}" is not a nested model.`);
    return this.nestedRun(first, site).outputOf(rest);
  }

  /** The run of the container at the end of `containers` (nested models entered at their call sites). */
  runIn(containers: readonly tfl.LayersModel[]): LayersRun {
    const [first, ...rest] = containers;
    if (first === undefined) return this;
    return this.nestedRun(first, this.site(first)).runIn(rest);
  }
}

function isSoftmaxActivation(layer: Layer): boolean {
  const cls = layer.getClassName();
  if (cls === "Softmax") return true;
  return cls === "Activation" && layer.getConfig()["activation"] === "softmax";
}

/** How the logits are read: a symbolic tensor in a (possibly nested) container, optionally the linear part of a softmax Dense. */
interface LayersLogits {
  containers: tfl.LayersModel[];
  tensor: SymbolicTensor;
  /** A Dense layer with a softmax activation: apply only its kernel and bias to `tensor`. */
  linear?: Layer;
  source: LogitsSource;
}

function locateLogits(model: tfl.LayersModel, prefix: string, containers: tfl.LayersModel[]): LayersLogits {
  const out = model.outputs[0] as SymbolicTensor;
  const layer = out.sourceLayer;
  if (isSoftmaxActivation(layer) && out.inputs.length === 1) {
    const input = out.inputs[0] as SymbolicTensor;
    return { containers, tensor: input, source: { layer: prefix + input.sourceLayer.name, softmaxOutput: true } };
  }
  if (layer.getClassName() === "Dense" && layer.getConfig()["activation"] === "softmax") {
    return { containers, tensor: out.inputs[0] as SymbolicTensor, linear: layer, source: { layer: prefix + layer.name, softmaxOutput: true } };
  }
  if (isContainer(layer)) return locateLogits(layer, `${prefix}${layer.name}/`, [...containers, layer]);
  return { containers, tensor: out, source: { layer: prefix + layer.name, softmaxOutput: false } };
}

function listLayersModel(model: tfl.LayersModel, prefix: string, parents: Layer[], into: Map<string, { path: Layer[]; info: ModelLayer }>): void {
  for (const layer of model.layers) {
    const name = prefix + layer.name;
    const path = [...parents, layer];
    let outputShape: (number | null)[] | undefined;
    try {
      const shape = layer.outputShape;
      outputShape = Array.isArray(shape[0]) ? undefined : (shape as (number | null)[]).slice(1);
    } catch {
      outputShape = undefined; // shared layer with several output shapes
    }
    const info: ModelLayer = { name, kind: layer.getClassName(), outputShape };
    if (prefix !== "") info.parent = prefix.slice(0, -1);
    into.set(name, { path, info });
    if (isContainer(layer)) listLayersModel(layer, `${name}/`, path, into);
  }
}

/** Adds to `into` every layer (qualified) that `from` depends on inside `container`, nested models entered. */
function collectAncestors(from: readonly SymbolicTensor[], prefix: string, into: Set<string>): void {
  const seen = new Set<number>();
  const stack = [...from];
  while (stack.length > 0) {
    const t = stack.pop() as SymbolicTensor;
    if (seen.has(t.id)) continue;
    seen.add(t.id);
    const layer = t.sourceLayer;
    into.add(prefix + layer.name);
    if (isContainer(layer)) collectAncestors(layer.outputs, `${prefix}${layer.name}/`, into);
    stack.push(...t.inputs);
  }
}

/** The layers the logits depend on: inside the innermost container from the logits tensor, then outward from each nested call site. */
function layersBeforeLogits(model: tfl.LayersModel, logits: LayersLogits): Set<string> {
  const into = new Set<string>();
  const containers = [model, ...logits.containers];
  let prefix = logits.containers.map((c) => `${c.name}/`).join("");
  collectAncestors([logits.tensor], prefix, into);
  for (let k = containers.length - 2; k >= 0; k--) {
    const outer = containers[k] as tfl.LayersModel;
    const inner = containers[k + 1] as tfl.LayersModel;
    prefix = prefix.slice(0, prefix.length - inner.name.length - 1);
    const site = callSites(outer).get(inner);
    if (site !== undefined) collectAncestors(site.inputs, prefix, into);
  }
  return into;
}

/** The preprocessing the options ask for, resolved for a model with this input shape. */
function resolvePreprocessing(options: ImageModelOptions, inputShape: readonly (number | null)[]): Preprocessing | undefined {
  if (options.preprocessing === undefined) return undefined;
  const channels = inputShape.length === 3 ? (inputShape[2] ?? 3) : 3;
  return parsePreprocessing(options.preprocessing, channels);
}

/** The batch transform the options ask for. */
function transformOf(options: ImageModelOptions, p: Preprocessing | undefined): InputTransform | undefined {
  if (options.transform !== undefined) return options.transform;
  if (p === undefined) return undefined;
  return (x) => (x.rank === 4 ? preprocessTensor(x as tf.Tensor4D, p) : x);
}

function layersImageModel(model: tfl.LayersModel, options: ImageModelOptions): ImageModel {
  if (model.inputs.length !== 1) {
    throw new DlError("NOT_SUPPORTED", `Model "${model.name}" has ${model.inputs.length} inputs (${listNames(model.inputs.map((i) => i.name))}); dl-lab reads models with one image input.`);
  }
  const inputShape = exampleShape(model.inputs[0]?.shape ?? [], model.name);
  const outShape = model.outputs[0]?.shape ?? [];
  if (outShape.length !== 2 || outShape[1] === null) {
    throw new DlError("NOT_SUPPORTED", `Model "${model.name}" outputs shape [${outShape.map((d) => d ?? "?").join(", ")}]; dl-lab reads classifiers whose output is [N, classes].`);
  }
  const numClasses = outShape[1] as number;
  const byName = new Map<string, { path: Layer[]; info: ModelLayer }>();
  listLayersModel(model, "", [], byName);
  const logits = locateLogits(model, "", []);
  const beforeLogits = layersBeforeLogits(model, logits);
  const siteCache = new WeakMap<tfl.LayersModel, Map<Layer, SymbolicTensor>>();
  const pathOf = (name: string): Layer[] => {
    const entry = byName.get(name);
    if (entry === undefined) throw unknownLayer(name, [...byName.keys()], model.name);
    return entry.path;
  };
  const readLogits = (run: LayersRun): tf.Tensor2D => {
    const inner = run.runIn(logits.containers);
    const h = inner.value(logits.tensor);
    if (logits.linear === undefined) return h as tf.Tensor2D;
    const [kernel, bias] = logits.linear.getWeights();
    const z: tf.Tensor2D = tf.matMul(h, kernel as tf.Tensor2D);
    return bias === undefined ? z : tf.add<tf.Tensor2D>(z, bias);
  };
  const preprocessing = resolvePreprocessing(options, inputShape);
  const transform = transformOf(options, preprocessing);
  return {
    kind: "layers",
    preprocessing,
    name: model.name,
    inputShape,
    layers: [...byName.values()].map((e) => e.info),
    logits: logits.source,
    gradientLayers: [...byName.keys()].filter((n) => beforeLogits.has(n) && n !== logits.source.layer),
    numClasses,
    classNames: classNamesFor(numClasses, options.classNames, model.name),
    model,
    prepare: (x) => (transform === undefined ? x : transform(x)),
    outputsAt(x, layers) {
      const paths = layers.map(pathOf);
      return tf.tidy(() => {
        const run = new LayersRun(model, [x], undefined, siteCache);
        return paths.map((p) => run.outputOf(p));
      });
    },
    logitsOf: (x) => tf.tidy(() => readLogits(new LayersRun(model, [x], undefined, siteCache))),
    logitsWithLayer: (x, layer, h) => readLogits(new LayersRun(model, [x], { path: pathOf(layer), h }, siteCache)),
    dispose: () => model.dispose(),
  };
}

// ---------------------------------------------------------------------------------------------
// GraphModel: nodes are read and fed by name through the converter's executor.

interface GraphNodeDef {
  name: string;
  op: string;
  input?: string[];
}

function graphNodes(model: GraphModel): GraphNodeDef[] {
  const artifacts = (model as unknown as { artifacts?: { modelTopology?: { node?: GraphNodeDef[] } } }).artifacts;
  return artifacts?.modelTopology?.node ?? [];
}

const HIDDEN_OPS = new Set(["Const", "Placeholder", "NoOp", "Identity"]);

function nodeName(input: string): string {
  return input.replace(/^\^/, "").replace(/:\d+$/, "");
}

function graphImageModel(model: GraphModel, options: ImageModelOptions): ImageModel {
  const name = "graph-model";
  if (model.inputs.length !== 1) {
    throw new DlError("NOT_SUPPORTED", `The graph model has ${model.inputs.length} inputs (${listNames(model.inputNodes)}); dl-lab reads models with one image input.`);
  }
  const input = model.inputs[0] as { name: string; shape?: number[] };
  const inputShape = exampleShape((input.shape ?? []).map((d) => (d < 0 ? null : d)), name);
  const nodes = graphNodes(model);
  const byName = new Map(nodes.map((n) => [n.name, n]));
  // Walk back from the output through identities; a softmax is stepped over so gradients are of the logits.
  let logitsNode = nodeName(model.outputNodes[0] as string);
  let softmaxOutput = false;
  for (let guard = 0; guard < nodes.length + 1; guard++) {
    const node = byName.get(logitsNode);
    if (node === undefined) break;
    const first = node.input?.find((i) => !i.startsWith("^"));
    if ((node.op === "Identity" || node.op === "Softmax") && first !== undefined) {
      softmaxOutput ||= node.op === "Softmax";
      logitsNode = nodeName(first);
      continue;
    }
    break;
  }
  const outShape = (model.outputs[0] as { shape?: number[] }).shape ?? [];
  let numClasses = outShape.length === 2 && (outShape[1] ?? -1) > 0 ? (outShape[1] as number) : 0;
  const layers: ModelLayer[] = nodes.filter((n) => !HIDDEN_OPS.has(n.op)).map((n) => ({ name: n.name, kind: n.op, outputShape: undefined }));
  const valid = new Set(layers.map((l) => l.name));
  const before = new Set<string>();
  const stack = [...(byName.get(logitsNode)?.input ?? [])].map(nodeName);
  while (stack.length > 0) {
    const n = stack.pop() as string;
    if (before.has(n)) continue;
    before.add(n);
    stack.push(...(byName.get(n)?.input ?? []).map(nodeName));
  }
  const check = (layer: string): string => {
    if (!valid.has(layer)) throw unknownLayer(layer, [...valid], name);
    return layer;
  };
  const feed = (x: tf.Tensor): tf.NamedTensorMap => ({ [input.name]: x });
  const execute = (inputs: tf.NamedTensorMap, outputs: string[]): tf.Tensor[] => {
    try {
      const out = model.execute(inputs, outputs);
      return Array.isArray(out) ? out : [out];
    } catch (error) {
      throw graphError(error);
    }
  };
  const preprocessing = resolvePreprocessing(options, inputShape);
  const transform = transformOf(options, preprocessing);
  if (numClasses === 0) {
    // Unknown statically: one probe on a zero image.
    const probe = tf.zeros([1, ...inputShape.map((d) => d ?? 32)]);
    const out = execute(feed(probe), [logitsNode]);
    numClasses = out[0]?.shape.at(-1) ?? 0;
    tf.dispose([probe, ...out]);
  }
  return {
    kind: "graph",
    preprocessing,
    name,
    inputShape,
    layers,
    logits: { layer: logitsNode, softmaxOutput },
    gradientLayers: layers.map((l) => l.name).filter((n) => before.has(n)),
    numClasses,
    classNames: classNamesFor(numClasses, options.classNames, name),
    model,
    prepare: (x) => (transform === undefined ? x : transform(x)),
    outputsAt: (x, names) => execute(feed(x), names.map(check)),
    logitsOf: (x) => execute(feed(x), [logitsNode])[0] as tf.Tensor2D,
    logitsWithLayer: (x, layer, h) => execute({ ...feed(x), [check(layer)]: h }, [logitsNode])[0] as tf.Tensor2D,
    dispose: () => model.dispose(),
  };
}

function graphError(error: unknown): DlError {
  const message = error instanceof Error ? error.message : String(error);
  const firstLine = message.split("\n")[0]?.slice(0, 300) ?? "";
  return new DlError("NOT_SUPPORTED", `The graph model could not run: ${firstLine}`, { cause: error });
}
