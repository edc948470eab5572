// End-to-end: `dl tcav` through the built CLI on a small saved model, real files, bad input.
import { existsSync } from "node:fs";
import { mkdtemp, readdir, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";

import { afterAll, beforeAll, describe, expect, it } from "vitest";

import { encodeNpy } from "@dl/tensor-core";
import { expectOutputsAsReadme } from "../test-utils/outputs.js";
import { CLI_PATH, runDl, type DlRun } from "../test-utils/runDl.js";

const dl = (args: readonly string[], cwd: string, cacheDir: string): Promise<DlRun> => runDl(args, { cwd, cacheDir });

let work: string;
let cache: string;
let model: string;

async function npyImages(path: string, count: number, side: number): Promise<void> {
  const data = Float32Array.from({ length: count * side * side }, (_, i) => (i % 7) / 7);
  await writeFile(path, encodeNpy({ data, shape: [count, side, side, 1], dtype: "float32" }));
}

beforeAll(async () => {
  expect(existsSync(CLI_PATH), `${CLI_PATH} missing: build first (pnpm --filter @dl/cli build)`).toBe(true);
  work = await mkdtemp(join(tmpdir(), "dl-tcav-e2e-"));
  cache = join(work, "cache");
  model = join(work, "model");
  const train = await dl(["train", "--data", "mnist", "--arch", "mlp", "--epochs", "1", "--limit", "300", "--out", model], work, cache);
  expect(train.code, train.stderr).toBe(0);
}, 300_000);
afterAll(() => rm(work, { recursive: true, force: true }));

describe("dl tcav", () => {
  it("--json prints one row per concept × layer and --out receives the report", async () => {
    const out = join(work, "out");
    const args = ["tcav", "--model", model, "--layers", "dense1,dense2", "--target", "0", "--concept", "loops", "--random", "20", "--runs", "2", "--target-count", "20", "--out", out, "--json"];
    const run = await dl(args, work, cache);
    expect(run.code, run.stderr).toBe(0);
    const doc = JSON.parse(run.stdout) as { rows: { concept: string; layer: string; score: number; nullMean: number; nullStd: number; pValues: Record<string, number>; significant: boolean; cavAccuracy: number }[]; warnings: string[] };
    expect(doc.rows.map((r) => `${r.concept}@${r.layer}`)).toEqual(["loops@dense1", "loops@dense2"]);
    for (const r of doc.rows) {
      expect(r.score).toBeGreaterThanOrEqual(0);
      expect(r.score).toBeLessThanOrEqual(1);
      expect(r.nullStd).toBeGreaterThanOrEqual(0);
      // 20 random concepts: the randomization p-value is a multiple of 1/21.
      expect(Math.round((r.pValues["randomization"] ?? 0) * 21)).toBeCloseTo((r.pValues["randomization"] ?? 0) * 21, 9);
      expect(typeof r.significant).toBe("boolean");
    }
    // 2 tests under Holm need p ≤ 0.025 < 1/21: the command says so.
    expect(doc.warnings[0]).toMatch(/random concepts/);
    const files = await readdir(out, { recursive: true });
    expect(files).toEqual(expect.arrayContaining(["index.html", "tcav.json", "report.json"]));
    expect(files.some((f) => f.endsWith(".png"))).toBe(true);
    await expectOutputsAsReadme("`dl tcav`", out);
    expect(JSON.parse(await readFile(join(out, "tcav.json"), "utf8"))).toMatchObject({ target: 0, layers: ["dense1", "dense2"] });
  }, 300_000);

  it("rejects bad input with exit code 2, a one-line error and nothing written", async () => {
    const few = join(work, "few.npy");
    const wrongShape = join(work, "small.npy");
    await npyImages(few, 5, 28);
    await npyImages(wrongShape, 20, 14);
    const base = ["tcav", "--model", model, "--random", "4", "--runs", "2"];
    const cases: [string[], RegExp][] = [
      [["--layers", "dense2", "--target", "0", "--concept", few], /at least 10/],
      [["--layers", "dense2", "--target", "10", "--concept", "loops"], /out of range/],
      [["--layers", "probs", "--target", "0", "--concept", "loops"], /NO_GRADIENT_PATH.*do not depend on layer "probs".*Choose a layer before "logits"/],
      [["--layers", "dense2", "--target", "0", "--concept", wrongShape], /shape/],
      [["--layers", "dense2", "--target", "0", "--concept", "stripes"], /built-in concept/],
    ];
    for (const [i, [extra, message]] of cases.entries()) {
      const out = join(work, `bad-${i}`);
      const run = await dl([...base, ...extra, "--out", out], work, cache);
      expect(run.code, run.stderr).toBe(2);
      expect(run.stderr).toMatch(message);
      expect(existsSync(out)).toBe(false);
    }
  }, 300_000);
});
