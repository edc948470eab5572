import { describe, expect, it } from "vitest";

import { createRng, isDlError } from "@dl/tensor-core";

import { laplaceRows, mvnDiagRows, normalRows, parseDistribution } from "./rowSpec.js";

describe("row distributions", () => {
  it("logProb is the closed-form density and samples have the stated moments", () => {
    const n = normalRows(1, 2);
    // log N(2; 1, 2²) = −log 2 − ½ log 2π − ⅛
    expect(n.logProb([2])[0]).toBeCloseTo(-Math.log(2) - 0.5 * Math.log(2 * Math.PI) - 0.125, 12);
    const l = laplaceRows(0, 0.5);
    expect(l.logProb([1])[0]).toBeCloseTo(-Math.log(1) - 2, 12);
    const m = mvnDiagRows([0, 1], [1, 3]);
    expect(m.logProb([0, 1])[0]).toBeCloseTo(-Math.log(3) - Math.log(2 * Math.PI), 12);
    const xs = n.sample(20000, createRng(1));
    const mean = xs.reduce((a, v) => a + v, 0) / xs.length;
    const variance = xs.reduce((a, v) => a + (v - mean) ** 2, 0) / (xs.length - 1);
    // 5 standard errors: 2/√20000 for the mean, 4·√(2/20000) for the variance.
    expect(Math.abs(mean - 1)).toBeLessThan(5 * 2 / Math.sqrt(20000));
    expect(Math.abs(variance - 4)).toBeLessThan(5 * 4 * Math.sqrt(2 / 20000));
  });
});

describe("parseDistribution", () => {
  it("parses TFP-parameter specs with constant arithmetic", () => {
    expect(parseDistribution("normal(0, sqrt(1/4))").spec).toBe("normal(0, 0.5)");
    expect(parseDistribution("laplace(-1, exp(0))").spec).toBe("laplace(-1, 1)");
    expect(parseDistribution("mvn_diag([0, pi], [1, 2])").dim).toBe(2);
  });

  it.each([
    "normal(sqrt.constructor, 1)",
    "normal(constructor(1), 1)",
    "normal(toString, 1)",
    "normal(0, hasOwnProperty(1))",
    "normal(x, 1)",
    "normal(0, [1][1])",
    "normal(0, 1 ? 2 : 3)",
    "normal(f(x) = 1, 1)",
    "normal(0, sqrt(-1))",
    "gamma(2)",
  ])("rejects %s with our one-line message, not a mathjs internal", (text) => {
    let error: unknown;
    try {
      parseDistribution(text);
    } catch (e) {
      error = e;
    }
    expect(isDlError(error, "INVALID_ARGUMENT")).toBe(true);
    expect((error as Error).message).toMatch(/^(Unknown or malformed distribution|Cannot parse distribution)/);
    expect((error as Error).message).not.toContain("\n");
  });

  it.each(["normal(0, 1e-300)", "normal(1e308, 1)", "laplace(0, 1e39)", "mvn_diag([0], [1e-40])"])("rejects %s: outside float32's range", (text) => {
    expect(() => parseDistribution(text)).toThrow(/outside float32's range/);
  });
});
