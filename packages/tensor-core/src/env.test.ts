import { availableParallelism } from "node:os";

import { afterEach, describe, expect, it, vi } from "vitest";

import { environment, resetEnvironmentForTests } from "./env.js";

afterEach(() => {
  vi.unstubAllGlobals();
  resetEnvironmentForTests();
});

describe("environment (Node)", () => {
  it("counts the cores Node may use, though Node 20 has no navigator", () => {
    resetEnvironmentForTests();
    const env = environment();
    expect(env.isNode).toBe(true);
    expect(env.hardwareConcurrency).toBe(availableParallelism());
  });

  it("prefers navigator.hardwareConcurrency where there is one", () => {
    vi.stubGlobal("navigator", { hardwareConcurrency: 7 });
    resetEnvironmentForTests();
    expect(environment().hardwareConcurrency).toBe(7);
  });
});
