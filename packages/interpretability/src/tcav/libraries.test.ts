// `@dl/interpretability` (and its /tcav subpath) in Node loads @stdlib's binomial CDF and Student-t CDF and quantile
// only when a p-value, interval or binomial margin is first computed: `dl tcav …` no longer pays for them at start.
// Checked in a fresh process, where the module cache starts empty; the browser's loaders return the bundle's imports.
import { readFileSync } from "node:fs";

import binomialCdfEsm from "@stdlib/stats-base-dists-binomial-cdf";
import tCdfEsm from "@stdlib/stats-base-dists-t-cdf";
import tQuantileEsm from "@stdlib/stats-base-dists-t-quantile";
import { describe, expect, it } from "vitest";

import { runInFreshProcess } from "@dl/vitest-config/freshProcess";

import { libraries } from "./libraries.js";

const WATCH = { tCdf: "/stats-base-dists-t-cdf/", tQuantile: "/stats-base-dists-t-quantile/", binomialCdf: "/stats-base-dists-binomial-cdf/" };

// Wikipedia, "Welch's t-test", example 1 (the fixture of stats.test.ts).
const A1 = [27.5, 21.0, 19.0, 23.6, 17.0, 17.9, 16.9, 20.1, 21.9, 22.6, 23.1, 19.6, 19.0, 21.7, 21.4];
const A2 = [27.1, 22.0, 20.8, 23.4, 23.4, 23.5, 25.8, 22.0, 24.8, 20.2, 21.9, 22.1, 22.9, 20.5, 24.4];

const CHILD = `
const tcav = await import("@dl/interpretability/tcav");
const atTcav = loaded();
const root = await import("@dl/interpretability");
const atRoot = loaded();
// The entries' own instance of the statistics (the same module URL).
const stats = await import("./src/tcav/stats.ts");
const welch = stats.welchTTest(${JSON.stringify(A1)}, ${JSON.stringify(A2)}).pValue;
const paper = stats.oneSampleTTest([0.6, 0.7, 0.55, 0.8, 0.65], 0.5).pValue;
const afterTests = loaded();
const ci = stats.meanDifferenceCI(${JSON.stringify(A1)}, ${JSON.stringify(A2)}, 0.95);
const afterInterval = loaded();
const tail = stats.binomialUpperTail(10, 100, 0.05);
const afterTail = loaded();
report({ atTcav, atRoot, afterTests, afterInterval, afterTail, welch, paper, ciHalfWidth: ci.upper - ci.estimate, tail, sameRunTcav: root.runTcav === tcav.runTcav });
`;

interface ChildReport {
  atTcav: Record<keyof typeof WATCH, boolean>;
  atRoot: Record<keyof typeof WATCH, boolean>;
  afterTests: Record<keyof typeof WATCH, boolean>;
  afterInterval: Record<keyof typeof WATCH, boolean>;
  afterTail: Record<keyof typeof WATCH, boolean>;
  welch: number;
  paper: number;
  ciHalfWidth: number;
  tail: number;
  sameRunTcav: boolean;
}

/** Where a package "imports" entry leads under `conditions`: the first matching key at each level (Node's rule). */
function resolveTarget(target: unknown, conditions: readonly string[]): string | undefined {
  if (typeof target === "string") return target;
  if (target === null || typeof target !== "object") return undefined;
  for (const [condition, next] of Object.entries(target)) {
    if (condition === "default" || conditions.includes(condition)) return resolveTarget(next, conditions);
  }
  return undefined;
}

describe("TCAV's statistics libraries", () => {
  it("load on first use in Node: the t CDF with the first t-test, the t quantile with the first interval, the binomial CDF with the first margin", async () => {
    const out = (await runInFreshProcess(import.meta.url, CHILD, { watch: WATCH })) as ChildReport;
    const none = { tCdf: false, tQuantile: false, binomialCdf: false };
    expect(out.atTcav).toEqual(none);
    expect(out.atRoot).toEqual(none);
    expect(out.afterTests).toEqual({ tCdf: true, tQuantile: false, binomialCdf: false });
    expect(out.afterInterval).toEqual({ tCdf: true, tQuantile: true, binomialCdf: false });
    expect(out.afterTail).toEqual({ tCdf: true, tQuantile: true, binomialCdf: true });
    expect(out.sameRunTcav).toBe(true);
    // scipy 1.10: ttest_ind(A1, A2, equal_var=False).pvalue and ttest_1samp([.6, .7, .55, .8, .65], .5).pvalue.
    expect(out.welch).toBeCloseTo(0.021378001462866985, 6);
    expect(out.paper).toBeCloseTo(0.02047587442091071, 7);
    // scipy 1.17: t.ppf(0.975, df) · se with Welch's df = 24.9885 and se = 0.88242; binom.sf(9, 100, 0.05).
    expect(out.ciHalfWidth).toBeCloseTo(1.817429600474261, 9);
    expect(out.tail).toBeCloseTo(0.02818829416341614, 10);
  }, 120_000);

  it("are the bundle's own imports once the browser loaders are installed", async () => {
    await import("./libraries.browser.js");
    expect(libraries.get("binomialCdf")).toBe(binomialCdfEsm);
    expect(libraries.get("tCdf")).toBe(tCdfEsm);
    expect(libraries.get("tQuantile")).toBe(tQuantileEsm);
  });

  it("are installed by the browser loaders outside Node and by the Node loaders in Node, from source and from dist", () => {
    const manifest = JSON.parse(readFileSync(new URL("../../package.json", import.meta.url), "utf8")) as { imports: Record<string, unknown>; sideEffects: string[] };
    const entry = manifest.imports["#tcavLibraries"];
    expect(resolveTarget(entry, ["browser", "import"])).toBe("./dist/tcav/libraries.browser.js");
    expect(resolveTarget(entry, ["node", "import"])).toBe("./dist/tcav/libraries.node.js");
    expect(resolveTarget(entry, ["@dl/source", "browser", "import"])).toBe("./src/tcav/libraries.browser.ts");
    expect(resolveTarget(entry, ["@dl/source", "node", "import"])).toBe("./src/tcav/libraries.node.ts");
    // A bundler that trusts "sideEffects" keeps the loaders' installation (their whole purpose is a side effect).
    for (const target of ["./dist/tcav/libraries.browser.js", "./src/tcav/libraries.browser.ts"]) expect(manifest.sideEffects).toContain(target);
  });
});
