import * as tf from "@tensorflow/tfjs-core";
import { afterAll, describe, expect, it } from "vitest";

import { initBackend } from "@dl/tensor-core";

import fixtures from "../fixtures/tails.json" with { type: "json" };
import type { Distribution } from "./distribution.js";
import { Dirichlet } from "./dirichlet.js";
import { distributionsByName, type FixtureParams } from "../test-utils/distributionsByName.js";

// TFP-style comparison against SciPy (scripts/make-fixtures.py → fixtures/tails.json): a parameter
// grid per distribution with points far out in both tails, on every backend the unit tests run.

type Method =
  | "logProb"
  | "cdf"
  | "logCdf"
  | "survivalFunction"
  | "logSurvivalFunction"
  | "icdf"
  | "mean"
  | "variance"
  | "entropy";
// Log-scale outputs: an absolute error δ there is a relative error δ of the probability, so |y| < 1 counts as 1.
const LOG_SCALE = new Set<Method>(["logProb", "logCdf", "logSurvivalFunction", "entropy"]);

const EPS32 = 2 ** -23;
/** Float32 rounding of the inputs alone may move a result by eps32·κ; allow a few such roundings. */
const CONDITIONING_ROUNDINGS = 4;
const TINY32 = 2 ** -126;
const MAX32 = 3.4028234663852886e38;
const TOLERANCE = { bulk: 1e-4, tail: 1e-3 } as const;

type Expected = number | "nan" | "inf" | "-inf" | null;
interface Case {
  name: string;
  params: FixtureParams;
  method: Method;
  points: [number | null, Expected, number, number][];
}

/** The error beyond conditioning, relative to max(|e|, floor); 0 when exact, ∞ for a wrong NaN/∞. */
function errorBeyondConditioning(actual: number, expected: Expected, kappa: number, logScale: boolean): number | undefined {
  if (expected === null) return undefined;
  if (expected === "nan") return Number.isNaN(actual) ? 0 : Infinity;
  if (expected === "inf") return actual === Infinity ? 0 : Infinity;
  if (expected === "-inf") return actual === -Infinity ? 0 : Infinity;
  if (Math.abs(expected) > MAX32) return undefined; // not representable in float32
  if (!Number.isFinite(actual)) return Infinity;
  const floor = logScale ? 1 : TINY32;
  const excess = Math.max(0, Math.abs(actual - expected) - CONDITIONING_ROUNDINGS * EPS32 * kappa);
  if (!logScale && Math.abs(expected) < TINY32) return Math.abs(actual) <= TINY32 ? 0 : Infinity;
  return excess / Math.max(Math.abs(expected), floor);
}

function call(d: Distribution, method: Method, x: tf.Tensor): tf.Tensor {
  switch (method) {
    case "logProb":
      return d.logProb(x);
    case "cdf":
      return d.cdf(x);
    case "logCdf":
      return d.logCdf(x);
    case "survivalFunction":
      return d.survivalFunction(x);
    case "logSurvivalFunction":
      return d.logSurvivalFunction(x);
    case "icdf":
      return d.quantile(x);
    case "mean":
      return d.mean();
    case "variance":
      return d.variance();
    case "entropy":
      return d.entropy();
  }
}

function evaluate(d: Distribution, method: Method, args: number[]): number[] {
  return tf.tidy(() => Array.from(call(d, method, tf.tensor1d(args, "float32")).dataSync()));
}

interface Summary {
  checks: number;
  /** Worst plain relative error |a − e| / max(|e|, floor), before the conditioning allowance. */
  worstRaw: number;
  worstRawAt: string;
  worst: number;
  worstAt: string;
  failures: string[];
}

function runGrid(backend: string): Map<string, Summary> {
  const summaries = new Map<string, Summary>();
  for (const c of fixtures.cases as unknown as Case[]) {
    const key = `${c.name}.${c.method}`;
    const summary = summaries.get(key) ?? { checks: 0, worstRaw: 0, worstRawAt: "", worst: 0, worstAt: "", failures: [] };
    summaries.set(key, summary);
    const make = distributionsByName[c.name];
    if (make === undefined) throw new Error(`no constructor for ${c.name}`);
    const d = make(c.params);
    const args = c.points.map((p) => p[0] ?? 0);
    let actual: number[];
    try {
      actual = evaluate(d, c.method, args);
    } catch (error) {
      summary.failures.push(`${key}: ${String(error)}`);
      summary.worst = Infinity;
      d.dispose();
      continue;
    }
    d.dispose();
    c.points.forEach(([arg, expected, kappa, tail], i) => {
      const a = actual[i] ?? Number.NaN;
      const err = errorBeyondConditioning(a, expected, kappa, LOG_SCALE.has(c.method));
      if (err === undefined) return;
      summary.checks += 1;
      if (typeof expected === "number" && Number.isFinite(a) && err !== Infinity) {
        // A value below the rounding scale of its inputs (icdf(½) = 0 ± 1e-17) counts at that scale.
        const raw = Math.abs(a - expected) / Math.max(Math.abs(expected), LOG_SCALE.has(c.method) ? 1 : TINY32, EPS32 * kappa);
        const rawSeen = Math.abs(expected) < TINY32 && !LOG_SCALE.has(c.method) ? 0 : raw;
        if (rawSeen > summary.worstRaw) {
          summary.worstRaw = rawSeen;
          summary.worstRawAt = `${c.name}(${JSON.stringify(c.params)}).${c.method}(${arg ?? ""}) = ${a}, scipy ${String(expected)}`;
        }
      }
      const where = `${c.name}(${JSON.stringify(c.params)}).${c.method}(${arg ?? ""}) = ${a}, scipy ${String(expected)}`;
      if (err > summary.worst || (Number.isNaN(err) && summary.worst !== Infinity)) {
        summary.worst = Number.isNaN(err) ? Infinity : err;
        summary.worstAt = where;
      }
      if (!(err <= (tail === 1 ? TOLERANCE.tail : TOLERANCE.bulk))) summary.failures.push(`${backend} ${where} (error ${err.toExponential(2)})`);
    });
  }
  return summaries;
}

const report: string[] = [];

describe.each(["cpu", "wasm"] as const)("distributions against SciPy over a tail grid, on %s", (backend) => {
  it("every method within float32 accuracy beyond conditioning (bulk 1e-4, tails 1e-3)", async () => {
    await initBackend({ backend });
    expect(tf.getBackend()).toBe(backend);
    const before = tf.memory().numTensors;
    const summaries = runGrid(backend);
    expect(tf.memory().numTensors).toBe(before);
    let total = 0;
    const failures: string[] = [];
    for (const [key, s] of summaries) {
      total += s.checks;
      report.push(`${backend.padEnd(4)} ${key.padEnd(34)} ${String(s.checks).padStart(5)} checks  worst ${s.worstRaw.toExponential(2)} (beyond conditioning ${s.worst.toExponential(2)}) at ${s.worstRawAt}${s.failures.length > 0 ? `  FAIL ${s.failures.length}: ${s.worstAt}` : ""}`);
      failures.push(...s.failures);
    }
    report.push(`${backend}: ${total} checks`);
    expect(total).toBeGreaterThan(4500);
    expect(failures.slice(0, 40)).toEqual([]);
  });
});

interface DirichletCase {
  concentration: number[];
  points: [number[], number, number][];
  mean: number[];
  variance: number[];
  entropy: number;
}

describe.each(["cpu", "wasm"] as const)("Dirichlet against SciPy, on %s", (backend) => {
  it("logProb (faces, tiny and huge concentrations), mean, variance and entropy", async () => {
    await initBackend({ backend });
    const before = tf.memory().numTensors;
    let worst = 0;
    let checks = 0;
    const check = (actual: number, expected: number, kappa: number, logScale: boolean, where: string): void => {
      const err = errorBeyondConditioning(actual, expected, kappa, logScale) ?? Infinity;
      worst = Math.max(worst, err);
      checks += 1;
      expect(err, `${where}: ${actual} vs ${expected}`).toBeLessThanOrEqual(TOLERANCE.bulk);
    };
    for (const c of fixtures.dirichlet as unknown as DirichletCase[]) {
      const alpha = tf.tensor1d(c.concentration);
      const d = new Dirichlet({ concentration: alpha });
      const lp = tf.tidy(() => Array.from(d.logProb(tf.tensor2d(c.points.map((p) => p[0]))).dataSync()));
      c.points.forEach(([x, y, kappa], i) => check(lp[i] ?? NaN, y, kappa, true, `Dirichlet(${c.concentration.join(", ")}).logProb([${x.join(", ")}])`));
      const m = tf.tidy(() => Array.from(d.mean().dataSync()));
      const v = tf.tidy(() => Array.from(d.variance().dataSync()));
      c.mean.forEach((e, i) => check(m[i] ?? NaN, e, 0, false, "mean"));
      c.variance.forEach((e, i) => check(v[i] ?? NaN, e, 0, false, "variance"));
      check(tf.tidy(() => d.entropy().dataSync()[0] ?? NaN), c.entropy, 0, true, `Dirichlet(${c.concentration.join(", ")}).entropy()`);
      d.dispose();
      alpha.dispose();
    }
    expect(tf.memory().numTensors).toBe(before);
    report.push(`${backend.padEnd(4)} ${"Dirichlet (all methods)".padEnd(34)} ${String(checks).padStart(5)} checks  worst beyond conditioning ${worst.toExponential(2)}`);
  });
});

afterAll(() => {
  process.stdout.write(`${report.join("\n")}\n`);
});
