import * as tfl from "@tensorflow/tfjs-layers";

import { DlError, assertArgument, listNames } from "../errors.js";
import { DEFAULT_SEED, createRng } from "../random/rng.js";

/** The default architectures. */
export const DEFAULT_ARCHS = ["cnn", "mlp"] as const;
export type DefaultArch = (typeof DEFAULT_ARCHS)[number];

export interface CreateModelOptions {
  seed?: number;
  /** Default 10. */
  numClasses?: number;
  /** `[height, width, channels]`, default `[28, 28, 1]`. */
  inputShape?: readonly [number, number, number];
}

export function parseArch(arch: string): DefaultArch {
  if ((DEFAULT_ARCHS as readonly string[]).includes(arch)) return arch as DefaultArch;
  throw new DlError("INVALID_ARGUMENT", `Unknown architecture "${arch}". Valid architectures: ${listNames(DEFAULT_ARCHS)}.`, { details: { valid: [...DEFAULT_ARCHS] } });
}

/**
 * A default MNIST classifier. Layer names are stable:
 * - cnn: conv1 (5×5×16, valid) → pool1 → conv2 (5×5×32, valid) → pool2 → flatten → dense1 (128) → dropout1 (0.3) → logits → probs
 * - mlp: flatten → dense1 (512) → dropout1 (0.15) → dense2 (256) → dropout2 (0.15) → logits → probs
 * `logits` is linear; `probs` is a separate softmax layer so gradients of logits are reachable.
 */
export function createDefaultModel(arch: DefaultArch, options: CreateModelOptions = {}): tfl.LayersModel {
  const kind = parseArch(arch);
  const numClasses = options.numClasses ?? 10;
  assertArgument(Number.isInteger(numClasses) && numClasses >= 2, () => `numClasses must be an integer ≥ 2, got ${numClasses}.`);
  const inputShape = options.inputShape ?? [28, 28, 1];
  const rng = createRng(options.seed ?? DEFAULT_SEED);
  type Initializer = ReturnType<typeof tfl.initializers.heNormal>;
  const he = (): Initializer => tfl.initializers.heNormal({ seed: rng.tfSeed() });
  const glorot = (): Initializer => tfl.initializers.glorotUniform({ seed: rng.tfSeed() });

  const input = tfl.input({ shape: [...inputShape], name: "input" });
  let h: tfl.SymbolicTensor;
  switch (kind) {
    case "cnn": {
      h = tfl.layers.conv2d({ name: "conv1", filters: 16, kernelSize: 5, activation: "relu", kernelInitializer: he() }).apply(input) as tfl.SymbolicTensor;
      h = tfl.layers.maxPooling2d({ name: "pool1", poolSize: 2 }).apply(h) as tfl.SymbolicTensor;
      h = tfl.layers.conv2d({ name: "conv2", filters: 32, kernelSize: 5, activation: "relu", kernelInitializer: he() }).apply(h) as tfl.SymbolicTensor;
      h = tfl.layers.maxPooling2d({ name: "pool2", poolSize: 2 }).apply(h) as tfl.SymbolicTensor;
      h = tfl.layers.flatten({ name: "flatten" }).apply(h) as tfl.SymbolicTensor;
      h = tfl.layers.dense({ name: "dense1", units: 128, activation: "relu", kernelInitializer: he() }).apply(h) as tfl.SymbolicTensor;
      h = tfl.layers.dropout({ name: "dropout1", rate: 0.3 }).apply(h) as tfl.SymbolicTensor;
      break;
    }
    case "mlp": {
      h = tfl.layers.flatten({ name: "flatten" }).apply(input) as tfl.SymbolicTensor;
      h = tfl.layers.dense({ name: "dense1", units: 512, activation: "relu", kernelInitializer: he() }).apply(h) as tfl.SymbolicTensor;
      h = tfl.layers.dropout({ name: "dropout1", rate: 0.15 }).apply(h) as tfl.SymbolicTensor;
      h = tfl.layers.dense({ name: "dense2", units: 256, activation: "relu", kernelInitializer: he() }).apply(h) as tfl.SymbolicTensor;
      h = tfl.layers.dropout({ name: "dropout2", rate: 0.15 }).apply(h) as tfl.SymbolicTensor;
      break;
    }
  }
  const logits = tfl.layers.dense({ name: "logits", units: numClasses, kernelInitializer: glorot() }).apply(h) as tfl.SymbolicTensor;
  const probs = tfl.layers.activation({ name: "probs", activation: "softmax" }).apply(logits) as tfl.SymbolicTensor;
  return tfl.model({ inputs: input, outputs: probs, name: `default-${kind}` });
}
