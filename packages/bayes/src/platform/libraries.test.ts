// `@dl/bayes` in Node loads mathjs and @stdlib's incomplete beta function and Kolmogorov–Smirnov test only when
// first used (a `dl gan` or `dl bayes` command that needs none of them no longer pays ≈ 1 s of CPU to load them).
// Checked in a fresh process, where the module cache starts empty; the browser entry's loaders return its imports.
import betaincEsm from "@stdlib/math-base-special-betainc";
import { parse as parseEsm } from "mathjs/number";
import { describe, expect, it } from "vitest";

import { runInFreshProcess } from "@dl/vitest-config/freshProcess";

import { libraries } from "./libraries.js";

// mathjs's CommonJS build is what the Node entry requires.
const WATCH = { mathjs: "/mathjs/lib/cjs/", betainc: "/math-base-special-betainc/", kstest: "/stats-kstest/" };

const CHILD = `
const bayes = await import("@dl/bayes");
const atStart = loaded();
const spec = bayes.parseDistribution("normal(1, 2)");
const afterParse = loaded();
// The entry's own instance of the loaders (the same module URL).
const { libraries } = await import("./src/platform/libraries.ts");
const betainc = libraries.get("betainc")(0.5, 2, 3);
const afterBetainc = loaded();
report({ atStart, afterParse, afterBetainc, dim: spec.dim, betainc });
`;

describe("the heavy libraries of @dl/bayes", () => {
  it("load on first use in Node: mathjs on the first spec parsed, the incomplete beta when first asked for", async () => {
    const out = (await runInFreshProcess(import.meta.url, CHILD, { watch: WATCH })) as Record<string, unknown>;
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
