import * as tf from "@tensorflow/tfjs-core";
import { beforeAll, describe, expect, it } from "vitest";

import { initBackend, isDlError } from "@dl/tensor-core";

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
