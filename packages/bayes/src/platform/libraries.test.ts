// `@dl/bayes` in Node loads mathjs and @stdlib's incomplete beta function and Kolmogorov–Smirnov test only when
// first used (a `dl gan` or `dl bayes` command that needs none of them no longer pays ≈ 1 s of CPU to load them).
// Checked in a fresh process, where the module cache starts empty; the browser entry's loaders return its imports.
import { execFile } from "node:child_process";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";

import betaincEsm from "@stdlib/math-base-special-betainc";
import { parse as parseEsm } from "mathjs/number";
import { describe, expect, it } from "vitest";

import { libraries } from "./libraries.js";

const run = promisify(execFile);

// CommonJS modules land in require.cache; mathjs's CommonJS build is what the Node entry requires.
const CHILD = `
import { createRequire } from "node:module";
const cache = createRequire(import.meta.url).cache;
const has = (part) => Object.keys(cache).some((p) => p.includes(part));
const loaded = () => ({ mathjs: has("/mathjs/lib/cjs/"), betainc: has("/math-base-special-betainc/"), kstest: has("/stats-kstest/") });
const bayes = await import("@dl/bayes");
const atStart = loaded();
const spec = bayes.parseDistribution("normal(1, 2)");
const afterParse = loaded();
// The entry's own instance of the loaders (the same module URL).
const { libraries } = await import("./src/platform/libraries.ts");
const betainc = libraries.get("betainc")(0.5, 2, 3);
const afterBetainc = loaded();
console.log(JSON.stringify({ atStart, afterParse, afterBetainc, dim: spec.dim, betainc }));
`;

describe("the heavy libraries of @dl/bayes", () => {
  it("load on first use in Node: mathjs on the first spec parsed, the incomplete beta when first asked for", async () => {
    const { stdout } = await run(process.execPath, ["--conditions=@dl/source", "--import", "tsx", "--input-type=module", "-e", CHILD], {
      cwd: fileURLToPath(new URL("../..", import.meta.url)),
      timeout: 120_000,
    });
    const out = JSON.parse(stdout.trim().split("\n").at(-1) ?? "{}") as Record<string, unknown>;
    expect(out["atStart"]).toEqual({ mathjs: false, betainc: false, kstest: false });
    expect(out["afterParse"]).toEqual({ mathjs: true, betainc: false, kstest: false });
    expect(out["afterBetainc"]).toEqual({ mathjs: true, betainc: true, kstest: false });
    expect(out["dim"]).toBe(1);
    // I_½(2, 3) = 11/16.
    expect(out["betainc"] as number).toBeCloseTo(11 / 16, 12);
  }, 120_000);

  it("are the bundle's own imports once the browser entry is loaded", async () => {
    await import("../index.js");
    expect(libraries.get("parse")).toBe(parseEsm);
    expect(libraries.get("betainc")).toBe(betaincEsm);
  });
});
