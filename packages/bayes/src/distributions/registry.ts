import * as tf from "@tensorflow/tfjs-core";

import { DlError, listNames } from "@dl/tensor-core";

import { libraries } from "../platform/libraries.js";
import { Bernoulli } from "./discrete.js";
import type { Distribution } from "./distribution.js";
import { Beta, Gamma } from "./gammaBeta.js";
import { Cauchy, Exponential, Gumbel, Laplace, Logistic, Normal, Uniform, Weibull } from "./univariate.js";

interface Spec {
  /** Parameter names as in TensorFlow Probability; `required` lists must all be given. */
  required: readonly string[];
  optional?: readonly string[];
  /** Exactly one of these must be given (e.g. logits | probs). */
  oneOf?: readonly string[];
  continuous: boolean;
  create: (p: Readonly<Record<string, number>>) => Distribution;
}

const num = (p: Readonly<Record<string, number>>, k: string): number => p[k] ?? Number.NaN;

/** Univariate distributions by their TFP names in lower case (what `dl bayes sample --dist` takes). */
const SPECS: Readonly<Record<string, Spec>> = {
  normal: { required: ["loc", "scale"], continuous: true, create: (p) => new Normal({ loc: num(p, "loc"), scale: num(p, "scale") }) },
  uniform: { required: [], optional: ["low", "high"], continuous: true, create: (p) => new Uniform({ low: p["low"] ?? 0, high: p["high"] ?? 1 }) },
  exponential: { required: ["rate"], continuous: true, create: (p) => new Exponential({ rate: num(p, "rate") }) },
  laplace: { required: ["loc", "scale"], continuous: true, create: (p) => new Laplace({ loc: num(p, "loc"), scale: num(p, "scale") }) },
  logistic: { required: ["loc", "scale"], continuous: true, create: (p) => new Logistic({ loc: num(p, "loc"), scale: num(p, "scale") }) },
  cauchy: { required: ["loc", "scale"], continuous: true, create: (p) => new Cauchy({ loc: num(p, "loc"), scale: num(p, "scale") }) },
  gumbel: { required: ["loc", "scale"], continuous: true, create: (p) => new Gumbel({ loc: num(p, "loc"), scale: num(p, "scale") }) },
  weibull: {
    required: ["concentration", "scale"],
    continuous: true,
    create: (p) => new Weibull({ concentration: num(p, "concentration"), scale: num(p, "scale") }),
  },
  gamma: {
    required: ["concentration"],
    optional: ["rate"],
    continuous: true,
    create: (p) => new Gamma({ concentration: num(p, "concentration"), rate: p["rate"] ?? 1 }),
  },
  beta: {
    required: ["concentration1", "concentration0"],
    continuous: true,
    create: (p) => new Beta({ concentration1: num(p, "concentration1"), concentration0: num(p, "concentration0") }),
  },
  bernoulli: {
    required: [],
    oneOf: ["probs", "logits"],
    continuous: false,
    create: (p) => (p["probs"] !== undefined ? new Bernoulli({ probs: num(p, "probs") }) : new Bernoulli({ logits: num(p, "logits") })),
  },
};

export const DISTRIBUTION_NAMES: readonly string[] = Object.keys(SPECS);

/** Every parameter name any named distribution takes (the CLI declares one flag per name). */
export const DISTRIBUTION_PARAMETER_NAMES: readonly string[] = [
  ...new Set(Object.values(SPECS).flatMap((s) => [...s.required, ...(s.optional ?? []), ...(s.oneOf ?? [])])),
];

function specFor(name: string): Spec {
  // Own properties only: "constructor" or "__proto__" must be unknown names, not Object.prototype's.
  const key = name.toLowerCase();
  const spec = Object.hasOwn(SPECS, key) ? SPECS[key] : undefined;
  if (spec === undefined) {
    throw new DlError("UNKNOWN_NAME", `Unknown distribution "${name}". Valid distributions: ${listNames(DISTRIBUTION_NAMES)}.`, {
      details: { valid: DISTRIBUTION_NAMES },
    });
  }
  return spec;
}

/** Builds a named distribution from scalar parameters, checking names and values. */
export function createDistribution(name: string, params: Readonly<Record<string, number>>): Distribution {
  const spec = specFor(name);
  const allowed = [...spec.required, ...(spec.optional ?? []), ...(spec.oneOf ?? [])];
  const given = Object.keys(params);
  const extra = given.filter((k) => !allowed.includes(k));
  if (extra.length > 0) {
    throw new DlError(
      "INVALID_ARGUMENT",
      `${name} does not take ${listNames(extra)}; its parameters are ${listNames(allowed)}.`,
    );
  }
  const missing = spec.required.filter((k) => params[k] === undefined);
  if (missing.length > 0) throw new DlError("INVALID_ARGUMENT", `${name} needs ${listNames(missing)} (parameters: ${listNames(allowed)}).`);
  if (spec.oneOf !== undefined && spec.oneOf.filter((k) => params[k] !== undefined).length !== 1) {
    throw new DlError("INVALID_ARGUMENT", `${name} needs exactly one of ${listNames(spec.oneOf)}.`);
  }
  return spec.create(params);
}

export interface NamedSample {
  distribution: string;
  params: Record<string, number>;
  samples: Float32Array;
  mean: number;
  variance: number;
  sampleMean: number;
  sampleVariance: number;
  /** One-sample Kolmogorov–Smirnov test of the samples against the distribution's own CDF (continuous only). */
  ks: { statistic: number; pValue: number } | null;
}

function readAndDispose(t: tf.Tensor): Float64Array {
  const out = Float64Array.from(t.dataSync());
  t.dispose();
  return out;
}

/** Draws n samples of a named distribution and tests them against its CDF. */
export function sampleNamed(name: string, params: Readonly<Record<string, number>>, n: number, seed: number): NamedSample {
  if (!Number.isInteger(n) || n < 1) throw new DlError("INVALID_ARGUMENT", `The sample size must be a positive integer, got ${n}.`);
  const spec = specFor(name);
  const d = createDistribution(name, params);
  try {
    const x = tf.tidy(() => tf.cast(d.sample(n, seed), "float32"));
    const samples = Float32Array.from(x.dataSync());
    const cdfs = spec.continuous ? readAndDispose(tf.tidy(() => d.cdf(x))) : undefined;
    x.dispose();
    const mean = readAndDispose(d.mean())[0] ?? Number.NaN;
    const variance = readAndDispose(d.variance())[0] ?? Number.NaN;
    let sampleMean = 0;
    for (const v of samples) sampleMean += v / n;
    let sampleVariance = 0;
    for (const v of samples) sampleVariance += (v - sampleMean) ** 2 / Math.max(1, n - 1);
    let ks: NamedSample["ks"] = null;
    if (cdfs !== undefined && n >= 2) {
      // kstest asks for F at each sample; the values were computed above in one tensor op.
      const lookup = new Map<number, number>();
      samples.forEach((v, i) => lookup.set(v, cdfs[i] ?? Number.NaN));
      const result = libraries.get("kstest")(Array.from(samples), (v: number) => lookup.get(v) ?? Number.NaN);
      ks = { statistic: result.statistic, pValue: result.pValue };
    }
    return { distribution: name.toLowerCase(), params: { ...params }, samples, mean, variance, sampleMean, sampleVariance, ks };
  } finally {
    d.dispose();
  }
}
