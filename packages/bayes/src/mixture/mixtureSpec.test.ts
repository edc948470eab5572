import { describe, expect, it } from "vitest";

import { DlError } from "@dl/tensor-core";

import { mixtureResponsibilities } from "./gaussianMixture.js";
import { parseMixtureSpec } from "./mixtureSpec.js";

function errorOf(text: string): DlError {
  try {
    parseMixtureSpec(text, "mix.json");
  } catch (error) {
    if (error instanceof DlError) return error;
    throw error;
  }
  throw new Error("parseMixtureSpec accepted a bad spec");
}

describe("parseMixtureSpec", () => {
  it("reads a 1-D spec whose posterior is the logistic function of the seed's example", () => {
    const mixture = parseMixtureSpec('{ "weights": [0.5, 0.5], "means": [0, 2], "covariances": [1, 1] }', "mix.json");
    expect(mixture).toEqual({ weights: [0.5, 0.5], means: [0, 2], covariances: [1, 1] });
    const { responsibilities } = mixtureResponsibilities(mixture, [1, 0]);
    expect(responsibilities[0]?.[0]).toBeCloseTo(0.5, 14);
    expect(responsibilities[1]?.[0]).toBeCloseTo(1 / (1 + Math.exp(-2)), 14);
  });

  it("reads a 2-D full-covariance spec unchanged", () => {
    const spec = { weights: [0.25, 0.75], means: [[0, 1], [2, -1]], covariances: [[[1, 0.5], [0.5, 2]], [[3, 0], [0, 1]]] };
    expect(parseMixtureSpec(JSON.stringify(spec), "mix.json")).toEqual(spec);
  });

  it.each([
    ["not JSON", "weights: [1]", /^mix\.json is not valid JSON; expected \{ "weights"/],
    ["a JSON array", "[1, 2]", /^mix\.json needs the arrays "weights" \(K\), "means" \(K×D\) and "covariances" \(K×D×D\)\.$/],
    ["null", "null", /needs the arrays "weights"/],
    ["a missing covariances array", '{ "weights": [1], "means": [0] }', /needs the arrays "weights"/],
    ["weights as a number", '{ "weights": 1, "means": [0], "covariances": [1] }', /needs the arrays "weights"/],
    ["arrays only under __proto__", '{ "__proto__": { "weights": [1], "means": [0], "covariances": [1] } }', /needs the arrays "weights"/],
  ])("refuses %s with one MALFORMED_FILE line naming the file", (_name, text, message) => {
    const error = errorOf(text);
    expect(error.code).toBe("MALFORMED_FILE");
    expect(error.message).toMatch(message);
    expect(error.message).not.toContain("\n");
  });
});
