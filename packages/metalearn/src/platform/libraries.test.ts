// `@dl/metalearn` in Node loads @stdlib's Student-t quantile only when the first interval is computed: `dl meta`
// no longer pays ≈ 0.3 s of CPU at start for it. Checked in a fresh process, where the module cache starts empty; the
// browser entry's loader returns the bundle's own import.
import tQuantileEsm from "@stdlib/stats-base-dists-t-quantile";
import { describe, expect, it } from "vitest";

import { runInFreshProcess } from "@dl/vitest-config/freshProcess";

import { libraries } from "./libraries.js";

// @stdlib's packages are CommonJS: the Node entry requires them.
const CHILD = `
const metalearn = await import("@dl/metalearn");
const atStart = loaded().tQuantile;
const summary = metalearn.meanConfidenceInterval([1, 2, 3, 4]);
report({ atStart, afterInterval: loaded().tQuantile, ci95: summary.ci95 });
`;

describe("@stdlib's t quantile in @dl/metalearn", () => {
  it("loads on the first interval computed in Node, not with the package", async () => {
    const out = (await runInFreshProcess(import.meta.url, CHILD, { watch: { tQuantile: "/stats-base-dists-t-quantile/" } })) as { atStart: boolean; afterInterval: boolean; ci95: number };
    expect(out.atStart).toBe(false);
    expect(out.afterInterval).toBe(true);
    // s = √(5/3) for 1…4, t₀.₉₇₅,₃ = 3.182446305284263 (scipy.stats.t.ppf(0.975, 3)); half-width t·s/√4.
    expect(out.ci95).toBeCloseTo((3.182446305284263 * Math.sqrt(5 / 3)) / 2, 10);
  }, 120_000);

  it("is the bundle's own import once the browser entry is loaded", async () => {
    await import("../index.js");
    expect(libraries.get("tQuantile")).toBe(tQuantileEsm);
  });
});
