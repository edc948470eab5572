// `@dl/gan` in Node loads mathjs only when the first expression is parsed: `dl gan train` no longer pays ≈ 0.6 s of
// CPU at start for a parser it never uses. Checked in a fresh process, where the module cache starts empty; the
// browser entry's loader returns the bundle's own import.
import { parse as parseEsm } from "mathjs/number";
import { describe, expect, it } from "vitest";

import { runInFreshProcess } from "@dl/vitest-config/freshProcess";

import { libraries } from "./libraries.js";

// mathjs's CommonJS build is what the Node entry requires.
const CHILD = `
const gan = await import("@dl/gan");
const atStart = loaded().mathjs;
const map = gan.resolveMap1d("x^3 - 2*x");
const afterParse = loaded().mathjs;
report({ atStart, afterParse, value: map.evaluate([2]) });
`;

describe("mathjs in @dl/gan", () => {
  it("loads on the first expression parsed in Node, not with the package", async () => {
    const out = (await runInFreshProcess(import.meta.url, CHILD, { watch: { mathjs: "/mathjs/lib/cjs/" } })) as { atStart: boolean; afterParse: boolean; value: number };
    expect(out.atStart).toBe(false);
    expect(out.afterParse).toBe(true);
    expect(out.value).toBe(4);
  }, 120_000);

  it("is the bundle's own import once the browser entry is loaded", async () => {
    await import("../index.js");
    expect(libraries.get("parse")).toBe(parseEsm);
  });
});
