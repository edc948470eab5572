// `@dl/metalearn` in Node loads @stdlib's Student-t quantile only when the first interval is computed: `dl meta`
// no longer pays ≈ 0.3 s of CPU at start for it. Checked in a fresh process, where the module cache starts empty; the
// browser entry's loader returns the bundle's own import.
import { execFile } from "node:child_process";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";

import tQuantileEsm from "@stdlib/stats-base-dists-t-quantile";
import { describe, expect, it } from "vitest";

import { libraries } from "./libraries.js";

const run = promisify(execFile);

// @stdlib's packages are CommonJS: they land in require.cache.
const CHILD = `
import { createRequire } from "node:module";
const cache = createRequire(import.meta.url).cache;
const loaded = () => Object.keys(cache).some((p) => p.includes("/stats-base-dists-t-quantile/"));
const metalearn = await import("@dl/metalearn");
const atStart = loaded();
const summary = metalearn.meanConfidenceInterval([1, 2, 3, 4]);
console.log(JSON.stringify({ atStart, afterInterval: loaded(), ci95: summary.ci95 }));
`;

describe("@stdlib's t quantile in @dl/metalearn", () => {
  it("loads on the first interval computed in Node, not with the package", async () => {
    const { stdout } = await run(process.execPath, ["--conditions=@dl/source", "--import", "tsx", "--input-type=module", "-e", CHILD], {
      cwd: fileURLToPath(new URL("../..", import.meta.url)),
      timeout: 120_000,
    });
    const out = JSON.parse(stdout.trim().split("\n").at(-1) ?? "{}") as { atStart: boolean; afterInterval: boolean; ci95: number };
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
