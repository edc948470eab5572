import { describe, expect, it } from "vitest";

import { isDlError } from "./errors.js";
import { lazyLibraries } from "./lazyLibraries.js";

describe("lazyLibraries", () => {
  it("loads each library once, on its first use, with the loaders installed last", () => {
    const libraries = lazyLibraries<{ square: (x: number) => number; cube: (x: number) => number }>("@dl/example");
    const calls: string[] = [];
    libraries.install({
      square: () => {
        calls.push("square");
        return (x) => x * x;
      },
      cube: () => {
        calls.push("cube");
        return (x) => x * x * x;
      },
    });
    expect(calls).toEqual([]);
    expect(libraries.get("square")(3)).toBe(9);
    expect(libraries.get("square")(4)).toBe(16);
    expect(calls).toEqual(["square"]);
    expect(libraries.get("cube")(2)).toBe(8);
    expect(calls).toEqual(["square", "cube"]);
    // Installing again replaces what was loaded: the next use loads from the new loaders.
    libraries.install({ square: () => (x) => -x * x, cube: () => (x) => -x * x * x });
    expect(libraries.get("square")(3)).toBe(-9);
    expect(libraries.get("cube")(2)).toBe(-8);
    expect(calls).toEqual(["square", "cube"]);
  });

  it("names the package and the fix when no entry installed loaders", () => {
    const libraries = lazyLibraries<{ parse: () => void }>("@dl/example");
    let caught: unknown;
    try {
      libraries.get("parse");
    } catch (error) {
      caught = error;
    }
    expect(isDlError(caught) && caught.code === "NOT_SUPPORTED").toBe(true);
    expect((caught as Error).message).toBe("@dl/example could not load parse: import @dl/example (its entry installs the library loaders), not an internal module.");
  });
});
