import * as tf from "@tensorflow/tfjs-core";
import { beforeAll, describe, expect, it } from "vitest";

import { initBackend, isDlError } from "@dl/tensor-core";

import { parseDistribution } from "../distributions/distributions.js";
import { parseExpression } from "./expression.js";

beforeAll(async () => {
  await initBackend({ backend: "cpu" });
});

describe("parseExpression", () => {
  it("evaluates whitelisted functions and constants on numbers and tensors alike", () => {
    const e = parseExpression("tanh(x) + pi * x^2 - e", ["x"]);
    const x = 0.3;
    const expected = Math.tanh(x) + Math.PI * x * x - Math.E;
    expect(e.evaluate([x])).toBeCloseTo(expected, 12);
    const t = tf.tidy(() => e.evaluateTensor([tf.scalar(x)]).dataSync()[0]);
    expect(t).toBeCloseTo(expected, 5);
  });

  // Names that exist on Object.prototype must be unknown, not looked up through the prototype chain.
  it.each(["constructor(x)", "hasOwnProperty(x)", "toString(x)", "valueOf(x)", "__proto__(x)", "x+toString", "x+__proto__", "x+constructor", "isPrototypeOf(x)", "__defineGetter__(x)"])(
    "rejects %s with a one-line INVALID_ARGUMENT naming the name",
    (text) => {
      let error: unknown;
      try {
        parseExpression(text, ["x"]).evaluate([1]);
      } catch (e) {
        error = e;
      }
      expect(isDlError(error, "INVALID_ARGUMENT")).toBe(true);
      const message = (error as Error).message;
      expect(message).toMatch(/^Malformed expression ".*": unknown (function|symbol) "[A-Za-z_]+"/);
      expect(message).not.toContain("\n");
    },
  );
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
