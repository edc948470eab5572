import * as tf from "@tensorflow/tfjs-core";
import { beforeAll, describe, expect, it } from "vitest";

import { initBackend, isDlError, unfinishedPhases, type ProgressEvent } from "@dl/tensor-core";

import { normalRows } from "@dl/bayes";
import { changeOfVariables1d, derivative, integrate, pushforward1d, resolveMap1d } from "./oneD.js";

beforeAll(async () => {
  await initBackend({ backend: "wasm" });
});

const phi = (x: number): number => Math.exp(-0.5 * x * x) / Math.sqrt(2 * Math.PI);

describe("1-D change of variables", () => {
  it("its progress ends with every histogram bin integrated", () => {
    const events: ProgressEvent[] = [];
    changeOfVariables1d("tanh", normalRows(0, 1), { seed: 1, onProgress: (e) => events.push(e) });
    expect(events.at(-1)).toEqual({ phase: "integrate p_y", step: 40, total: 40 });
    expect(unfinishedPhases(events)).toEqual([]);
  });

  it.each(["tanh", "sigmoid", "cubic", "exp", "2*x + sin(x)"])("%s: L1(analytic p_y, 1e5-sample histogram) < 0.02", (f) => {
    const before = tf.memory().numTensors;
    const result = changeOfVariables1d(f, normalRows(0, 1), { seed: 1 });
    expect(result.monotone).toBe(true);
    expect(result.l1).toBeLessThan(0.02);
    expect(result.l1).toBeLessThan(1.6 * result.samplingL1);
    expect(tf.memory().numTensors).toBe(before);
  });

  it("non-monotone x² sums both branches and matches the chi-square(1) density", () => {
    const push = pushforward1d("square", normalRows(0, 1));
    expect(push.monotone).toBe(false);
    expect(push.turningPoints[0]).toBeCloseTo(0, 6);
    expect(push.explanation).toMatch(/not monotone/);
    expect(push.preimages(4).sort((a, b) => a - b)).toEqual([expect.closeTo(-2, 9), expect.closeTo(2, 9)]);
    const ys = [0.1, 0.5, 1, 2, 4];
    const d = push.density(ys);
    ys.forEach((y, i) => expect(d[i]).toBeCloseTo(Math.exp(-y / 2) / Math.sqrt(2 * Math.PI * y), 5));
    expect(changeOfVariables1d("square", normalRows(0, 1), { seed: 2 }).l1).toBeLessThan(0.02);
  });

  it("non-monotone sin(2x) with several branches: L1 < 0.02 and total mass 1", () => {
    const result = changeOfVariables1d("sin(2*x)", normalRows(0.3, 1), { seed: 3 });
    expect(result.monotone).toBe(false);
    expect(result.turningPoints.length).toBeGreaterThan(2);
    expect(result.l1).toBeLessThan(0.02);
    expect(integrate(pushforward1d("sin(2*x)", normalRows(0.3, 1)), -1, 1)).toBeCloseTo(1, 4);
  });

  it("tanh density equals φ(atanh y)/(1 − y²)", () => {
    const push = pushforward1d("tanh", normalRows(0, 1));
    const ys = [-0.95, -0.5, 0, 0.3, 0.9];
    const d = push.density(ys);
    ys.forEach((y, i) => expect(d[i]).toBeCloseTo(phi(Math.atanh(y)) / (1 - y * y), 4));
  });

  it("autodiff f′ agrees with finite differences", () => {
    const expr = resolveMap1d("x^3 + 0.5*exp(-x) * sin(3*x)");
    const xs = [-1.5, -0.2, 0.7, 2];
    const d = derivative(expr, xs);
    xs.forEach((x, i) => {
      const h = 1e-5;
      expect(d[i]).toBeCloseTo((expr.evaluate([x + h]) - expr.evaluate([x - h])) / (2 * h), 3);
    });
  });

  it("malformed expressions and unknown symbols are DlErrors naming the allowed syntax", () => {
    for (const bad of ["x +", "foo(x)", "y * 2", "x; 1", "import('fs')"]) {
      let error: unknown;
      try {
        resolveMap1d(bad);
      } catch (e) {
        error = e;
      }
      expect(isDlError(error, "INVALID_ARGUMENT")).toBe(true);
      expect(String((error as Error).message)).toMatch(/tanh/);
    }
  });
});
