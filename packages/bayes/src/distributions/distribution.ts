import * as tf from "@tensorflow/tfjs-core";

import { DlError } from "@dl/tensor-core";

import { log1p } from "../special/ops.js";

/** A parameter: a plain number (validated eagerly) or a tensor (validated only with `validateArgs`). */
export type TensorLike = number | tf.Tensor;

export interface DistributionOptions {
  /** Check tensor parameters on construction (downloads them once); plain numbers are always checked. */
  validateArgs?: boolean;
}

/** Sample shape as TFP takes it: a count or a shape. */
export type SampleShape = number | readonly number[];

export function normalizeSampleShape(shape: SampleShape): number[] {
  const dims = typeof shape === "number" ? [shape] : [...shape];
  for (const d of dims) {
    if (!Number.isInteger(d) || d < 0) {
      throw new DlError("INVALID_ARGUMENT", `A sample shape needs non-negative integers, got [${dims.join(", ")}].`);
    }
  }
  return dims;
}

/**
 * The TensorFlow Probability distribution interface, on tfjs tensors. Samples have shape
 * `sampleShape ++ batchShape ++ eventShape`; `logProb(x)` reduces the event dimensions.
 */
export abstract class Distribution {
  abstract readonly name: string;
  /** True when `sample` is differentiable with respect to the parameters (pathwise gradients). */
  abstract readonly reparameterized: boolean;
  abstract readonly batchShape: readonly number[];
  abstract readonly eventShape: readonly number[];
  private readonly ownedTensors: tf.Tensor[] = [];
  protected readonly validateArgs: boolean;

  protected constructor(options: DistributionOptions = {}) {
    this.validateArgs = options.validateArgs ?? false;
  }

  /** Draws `sampleShape` samples; `seed` makes the draw reproducible on one backend. */
  abstract sample(sampleShape: SampleShape, seed: number): tf.Tensor;
  abstract logProb(x: tf.Tensor): tf.Tensor;
  abstract mean(): tf.Tensor;
  abstract variance(): tf.Tensor;

  prob(x: tf.Tensor): tf.Tensor {
    return tf.tidy(() => tf.exp(this.logProb(x)));
  }

  stddev(): tf.Tensor {
    return tf.tidy(() => tf.sqrt(this.variance()));
  }

  /** P(X ≤ x); distributions without one throw NOT_SUPPORTED. */
  cdf(_x: tf.Tensor): tf.Tensor {
    throw new DlError("NOT_SUPPORTED", `${this.name} has no cdf; univariate continuous distributions do.`);
  }

  /** The quantile function F⁻¹(p); distributions without one throw NOT_SUPPORTED. */
  icdf(_p: tf.Tensor): tf.Tensor {
    throw new DlError("NOT_SUPPORTED", `${this.name} has no icdf; use inverseCdfSample for a numeric inversion.`);
  }

  /** log P(X ≤ x); the default takes the log of `cdf`, distributions override it where that underflows. */
  logCdf(x: tf.Tensor): tf.Tensor {
    return tf.tidy(() => tf.log(this.cdf(x)));
  }

  /** P(X > x) = 1 − cdf(x); overridden where the upper tail would cancel. */
  survivalFunction(x: tf.Tensor): tf.Tensor {
    return tf.tidy(() => tf.sub(1, this.cdf(x)));
  }

  /** log P(X > x). */
  logSurvivalFunction(x: tf.Tensor): tf.Tensor {
    return tf.tidy(() => log1p(tf.neg(this.cdf(x))));
  }

  /** TFP's name for `icdf`. */
  quantile(p: tf.Tensor): tf.Tensor {
    return this.icdf(p);
  }

  /** Differential (or Shannon) entropy in nats; distributions without a closed form throw NOT_SUPPORTED. */
  entropy(): tf.Tensor {
    throw new DlError("NOT_SUPPORTED", `${this.name} has no closed-form entropy; estimate it as −mean(logProb(sample)).`);
  }

  /** Whether `cdf` is implemented (so KS tests and numeric inversion can use it). */
  readonly hasCdf: boolean = false;

  /** Frees the parameter tensors this distribution created from plain numbers. */
  dispose(): void {
    for (const t of this.ownedTensors) t.dispose();
    this.ownedTensors.length = 0;
  }

  /** Takes ownership of a kept tensor this distribution derived (freed by `dispose`). */
  protected adopt(t: tf.Tensor): void {
    this.ownedTensors.push(t);
  }

  /** Turns a parameter into a float32 tensor; numbers are checked against `check` right away. */
  protected param(name: string, value: TensorLike, check?: { test: (v: number) => boolean; expected: string }): tf.Tensor {
    if (typeof value === "number") {
      if (!Number.isFinite(value) || (check !== undefined && !check.test(value))) {
        throw new DlError(
          "INVALID_ARGUMENT",
          `${this.name}: ${name} must be ${check?.expected ?? "finite"}, got ${value}. Pass a valid ${name}.`,
          { details: { parameter: name, value } },
        );
      }
      const t = tf.scalar(value, "float32");
      this.ownedTensors.push(t);
      return t;
    }
    const t = value.dtype === "float32" ? value : tf.cast(value, "float32");
    if (t !== value) this.ownedTensors.push(t);
    if (this.validateArgs && check !== undefined) {
      const values = t.dataSync();
      for (const v of values) {
        if (!Number.isFinite(v) || !check.test(v)) {
          throw new DlError("INVALID_ARGUMENT", `${this.name}: every ${name} must be ${check.expected}, found ${v}.`, {
            details: { parameter: name, value: v },
          });
        }
      }
    }
    return t;
  }
}

export const POSITIVE = { test: (v: number) => v > 0, expected: "> 0" } as const;
export const PROBABILITY = { test: (v: number) => v >= 0 && v <= 1, expected: "in [0, 1]" } as const;

/** The broadcast shape of several parameter shapes (throws SHAPE_MISMATCH with the shapes). */
export function broadcastShapes(name: string, ...shapes: (readonly number[])[]): number[] {
  let out: number[] = [];
  for (const s of shapes) {
    try {
      out = tf.broadcast_util.assertAndGetBroadcastShape(out, [...s]);
    } catch (cause) {
      throw new DlError(
        "SHAPE_MISMATCH",
        `${name}: parameter shapes ${shapes.map((x) => `[${x.join(", ")}]`).join(" and ")} do not broadcast; make them equal or size 1 along each axis.`,
        { cause },
      );
    }
  }
  return out;
}

/** Uniform draws in the open interval (0, 1), so quantile functions never see 0 or 1. */
export function openUniform(shape: readonly number[], seed: number): tf.Tensor {
  return tf.tidy(() => tf.clipByValue(tf.randomUniform([...shape], 0, 1, "float32", seed), 2 ** -24, 1 - 2 ** -24));
}
