// `@dl/gan` in Node loads mathjs only when the first expression is parsed: `dl gan train` no longer pays ≈ 0.6 s of
// CPU at start for a parser it never uses. Checked in a fresh process, where the module cache starts empty; the
// browser entry's loader returns the bundle's own import.
import { execFile } from "node:child_process";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";

import { parse as parseEsm } from "mathjs/number";
import { describe, expect, it } from "vitest";

import { libraries } from "./libraries.js";

const run = promisify(execFile);

// mathjs's CommonJS build (what the Node entry requires) lands in require.cache.
const CHILD = `
import { createRequire } from "node:module";
const cache = createRequire(import.meta.url).cache;
const mathjs = () => Object.keys(cache).some((p) => p.includes("/mathjs/lib/cjs/"));
const gan = await import("@dl/gan");
const atStart = mathjs();
const map = gan.resolveMap1d("x^3 - 2*x");
const afterParse = mathjs();
console.log(JSON.stringify({ atStart, afterParse, value: map.evaluate([2]) }));
`;

describe("mathjs in @dl/gan", () => {
  it("loads on the first expression parsed in Node, not with the package", async () => {
    const { stdout } = await run(process.execPath, ["--conditions=@dl/source", "--import", "tsx", "--input-type=module", "-e", CHILD], {
      cwd: fileURLToPath(new URL("../..", import.meta.url)),
      timeout: 120_000,
    });
    const out = JSON.parse(stdout.trim().split("\n").at(-1) ?? "{}") as { atStart: boolean; afterParse: boolean; value: number };
    expect(out.atStart).toBe(false);
    expect(out.afterParse).toBe(true);
    expect(out.value).toBe(4);
  }, 120_000);

  it("is the bundle's own import once the browser entry is loaded", async () => {
    await import("../index.js");
    expect(libraries.get("parse")).toBe(parseEsm);
  });
});
