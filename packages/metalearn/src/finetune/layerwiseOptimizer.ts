import type * as tfl from "@tensorflow/tfjs-layers";

import { DlError, assertArgument, listNames } from "@dl/tensor-core";

import * as tf from "@tensorflow/tfjs-core";

/** The trainable variables of one layer (or block), updated with one learning rate. */
export interface LayerGroup {
  name: string;
  variables: tf.Variable[];
}

/** One group per layer that has trainable weights, from the input side to the output side. */
export function layerGroupsOf(model: tfl.LayersModel): LayerGroup[] {
  return model.layers
    .filter((layer) => layer.trainableWeights.length > 0)
    .map((layer) => ({ name: layer.name, variables: layer.trainableWeights.map((w) => w.read() as tf.Variable) }));
}

/**
 * Discriminative fine-tuning (Howard & Ruder 2018, ULMFiT §3.2): the top group gets `baseRate`, each
 * group below it the rate of the one above divided by `decay` (η^{l−1} = η^l / 2.6). Input side first.
 */
export function discriminativeLearningRates(groupCount: number, baseRate: number, decay = 2.6): number[] {
  assertArgument(Number.isInteger(groupCount) && groupCount >= 1, () => `groupCount must be an integer ≥ 1, got ${groupCount}.`);
  assertArgument(baseRate > 0 && Number.isFinite(baseRate), () => `The learning rate must be > 0, got ${baseRate}.`);
  assertArgument(decay >= 1 && Number.isFinite(decay), () => `The decay factor must be ≥ 1 (1 = one rate for all layers), got ${decay}.`);
  return Array.from({ length: groupCount }, (_, i) => baseRate / decay ** (groupCount - 1 - i));
}

/**
 * Gradual unfreezing (ULMFiT §3.3): in stage s (0-based) the top s + 1 groups train, the rest stay
 * frozen. Returns, for a stage, which group indices are trainable.
 */
export function gradualUnfreezingStage(groupCount: number, stage: number): number[] {
  const unfrozen = Math.min(groupCount, Math.max(1, stage + 1));
  return Array.from({ length: unfrozen }, (_, i) => groupCount - unfrozen + i);
}

export interface LayerwiseOptimizerOptions {
  /** One learning rate per group, input side first (see `discriminativeLearningRates`). */
  learningRates: readonly number[];
  /** Builds the tfjs optimizer of one group from its rate (default plain SGD). */
  createOptimizer?: (learningRate: number) => tf.Optimizer;
}

/**
 * A tfjs optimizer wrapper with a learning rate per layer group and freeze/unfreeze: it holds one
 * inner optimizer per group (so Adam's moments stay per group) and routes each gradient to its group's.
 */
export class LayerwiseOptimizer {
  readonly groups: readonly LayerGroup[];
  private readonly optimizers: tf.Optimizer[];
  private readonly rates: number[];
  private readonly frozen = new Set<string>();
  private readonly groupOf = new Map<string, number>();

  constructor(groups: readonly LayerGroup[], options: LayerwiseOptimizerOptions) {
    assertArgument(
      options.learningRates.length === groups.length,
      () => `Got ${options.learningRates.length} learning rates for ${groups.length} layer groups (${listNames(groups.map((g) => g.name))}); give one per group.`,
    );
    for (const r of options.learningRates) assertArgument(r >= 0 && Number.isFinite(r), () => `Learning rates must be finite and ≥ 0, got ${r}.`);
    this.groups = groups;
    this.rates = [...options.learningRates];
    const create = options.createOptimizer ?? ((lr: number) => tf.train.sgd(lr));
    this.optimizers = this.rates.map((lr) => create(lr));
    groups.forEach((g, i) => {
      for (const v of g.variables) this.groupOf.set(v.name, i);
    });
  }

  get learningRates(): readonly number[] {
    return this.rates;
  }

  private indexOf(name: string): number {
    const i = this.groups.findIndex((g) => g.name === name);
    if (i < 0) {
      throw new DlError("UNKNOWN_LAYER", `No layer group "${name}"; groups: ${listNames(this.groups.map((g) => g.name))}.`, {
        details: { valid: this.groups.map((g) => g.name) },
      });
    }
    return i;
  }

  freeze(...names: string[]): void {
    for (const n of names) this.frozen.add(this.groups[this.indexOf(n)]?.name ?? n);
  }

  unfreeze(...names: string[]): void {
    for (const n of names) this.frozen.delete(this.groups[this.indexOf(n)]?.name ?? n);
  }

  /** Leaves exactly the groups at `indices` trainable (e.g. a gradual-unfreezing stage). */
  setTrainable(indices: readonly number[]): void {
    this.frozen.clear();
    this.groups.forEach((g, i) => {
      if (!indices.includes(i)) this.frozen.add(g.name);
    });
  }

  isFrozen(name: string): boolean {
    return this.frozen.has(this.groups[this.indexOf(name)]?.name ?? name);
  }

  /** The variables that currently train. */
  trainableVariables(): tf.Variable[] {
    return this.groups.filter((g) => !this.frozen.has(g.name)).flatMap((g) => g.variables);
  }

  /** Applies gradients keyed by variable name; gradients of frozen groups are ignored. */
  applyGradients(gradients: tf.NamedTensorMap): void {
    const perGroup = this.groups.map((): tf.NamedTensorMap => ({}));
    for (const [name, grad] of Object.entries(gradients)) {
      const i = this.groupOf.get(name);
      if (i === undefined) throw new DlError("INVALID_ARGUMENT", `Gradient for "${name}", which is in no layer group.`);
      const group = this.groups[i] as LayerGroup;
      if (this.frozen.has(group.name)) continue;
      (perGroup[i] as tf.NamedTensorMap)[name] = grad;
    }
    perGroup.forEach((grads, i) => {
      if (Object.keys(grads).length > 0) (this.optimizers[i] as tf.Optimizer).applyGradients(grads);
    });
  }

  /** One step on `loss`, differentiating only the unfrozen variables. Returns the loss value. */
  minimize(loss: () => tf.Scalar): number {
    return tf.tidy(() => {
      const { value, grads } = tf.variableGrads(loss, this.trainableVariables());
      this.applyGradients(grads);
      return value.dataSync()[0] as number;
    });
  }

  dispose(): void {
    for (const o of this.optimizers) o.dispose();
  }
}
