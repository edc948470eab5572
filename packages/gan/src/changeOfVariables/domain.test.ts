import { beforeAll, describe, expect, it } from "vitest";

import { initBackend, isDlError } from "@dl/tensor-core";

import { parseDistribution } from "@dl/bayes";
import { pushforward1d } from "./oneD.js";

beforeAll(async () => {
  await initBackend({ backend: "cpu" });
});

/** The refusal's message, or undefined when the map is accepted. */
function refusal(f: string, base = "normal(0, 1)"): string | undefined {
  try {
    pushforward1d(f, parseDistribution(base));
    return undefined;
  } catch (error) {
    expect(isDlError(error, "INVALID_ARGUMENT")).toBe(true);
    return (error as Error).message;
  }
}

describe("pushforward1d refuses maps with no density", () => {
  it.each([
    // Half of N(0, 1) lies where sqrt and log are undefined: Φ(0) = 50 %, less the half grid cell at
    // x = 0 that the rectangle rule leaves out (φ(0)·h/2 = 0.399 × 0.00375 / 2 = 0.075 %): 49.9 %.
    ["sqrt(x)", "normal(0, 1)", /undefined for x in \[-7\.5, -0\.00375\], which holds about 49\.9 % of normal\(0, 1\)'s mass/],
    ["log(x)", "normal(0, 1)", /undefined .* about 49\.9 %/],
    // Φ(−1) = 15.9 % of N(0, 1) lies below x = −1.
    ["sqrt(x + 1)", "normal(0, 1)", /undefined for x in \[-7\.5, -1\.00\d*\], which holds about 15\.9 %/],
  ])("%s on %s: undefined on part of the base", (f, base, message) => {
    expect(refusal(f, base)).toMatch(message);
  });

  it.each([
    ["0*x", /constant \(f = 0\) for x in \[-7\.5, 7\.5\], which holds about 100 %/],
    ["x - x + 3", /constant \(f = 3\)/],
    // abs(x) − x is 0 for x ≥ 0: a point mass of 1/2 at 0.
    ["abs(x) - x", /constant \(f = 0\) for x in \[0, 7\.5\], which holds about 50\.\d %/],
  ])("%s: constant on part of the base", (f, message) => {
    expect(refusal(f)).toMatch(message);
  });

  it.each(["tanh", "x^3", "x^2 - x", "1/x", "sqrt(abs(x))", "exp(x)", "sin(x)/x"])("accepts %s (undefined or flat only at isolated points)", (f) => {
    expect(refusal(f)).toBeUndefined();
  });

  it("accepts sqrt(x) on a base inside its domain", () => {
    expect(refusal("sqrt(x)", "normal(50, 1)")).toBeUndefined();
  });
});
