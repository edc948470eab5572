// End-to-end: `dl meta finetune`'s grid from the built CLI (dist/bin/dl.js) in a fresh temp folder.
import { existsSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";

import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { expectOutputsAsReadme } from "../../test-utils/outputs.js";
import { CLI_PATH, runDl, type DlRun } from "../../test-utils/runDl.js";

const dl = (args: readonly string[], cwd: string): Promise<DlRun> => runDl(args, { cwd, cacheDir: join(cwd, "cache"), backend: "wasm" });

let work: string;
beforeAll(async () => {
  expect(existsSync(CLI_PATH), `${CLI_PATH} missing: build first (pnpm --filter @dl/cli build)`).toBe(true);
  work = await mkdtemp(join(tmpdir(), "dl-finetune-e2e-"));
});
afterAll(() => rm(work, { recursive: true, force: true }));

interface GridJson {
  grid: boolean;
  skipped: { source: string; target: string }[];
  cells: { source: string; target: string; labelsPerClass: number; learningRate: number; methods: { method: string; perSeed: number[] }[]; discriminativeMinusUniform: { mean: number; ci95: number; n: number } }[];
}

describe("dl meta finetune (grid)", () => {
  it("runs source × target × labels per class × learning rate, pairs the methods' seeds, writes the figures the README lists", async () => {
    const args = ["meta", "finetune", "--source", "mnist/0-4 fashion-mnist", "--target", "mnist/5-9 fashion-mnist/5-9", "--labels-per-class", "1,2"];
    const r = await dl([...args, "--learning-rates", "1e-3,1e-2", "--methods", "uniform,discriminative", "--seeds", "2", "--steps", "2", "--pretrain-epochs", "1", "--test-per-class", "4", "--limit", "600", "--seed", "3", "--out", "grid", "--json"], work);
    expect(r.code, r.stderr).toBe(0);
    const out = JSON.parse(r.stdout) as GridJson;
    expect(out.grid).toBe(true);
    // fashion-mnist → fashion-mnist/5-9 shares classes 5–9: skipped, the other three pairs run.
    expect(out.skipped.map((s) => `${s.source}>${s.target}`)).toEqual(["fashion-mnist>fashion-mnist/5-9"]);
    expect(out.cells).toHaveLength(3 * 2 * 2);
    for (const c of out.cells) {
      const [u, d] = [c.methods[0]?.perSeed ?? [], c.methods[1]?.perSeed ?? []];
      expect(c.discriminativeMinusUniform.n).toBe(2);
      expect(c.discriminativeMinusUniform.mean).toBeCloseTo((d[0]! - u[0]! + d[1]! - u[1]!) / 2, 12);
      // 4 test images per class × 5 classes: accuracies are multiples of 1/20.
      for (const a of [...u, ...d]) expect(Math.abs(a * 20 - Math.round(a * 20))).toBeLessThan(1e-9);
    }
    await expectOutputsAsReadme("`dl meta finetune` (grid)", join(work, "grid"));
  }, 300_000);

  it("bad input: one-line error, exit code 2, nothing written", async () => {
    const cases: [string[], RegExp][] = [
      [["--source", "cifar", "--labels-per-class", "1"], /Unknown dataset "cifar"/],
      [["--source", "mnist/0-4", "--target", "mnist/3-7", "--labels-per-class", "1"], /shares classes/],
      [["--labels-per-class", "1,0"], /--labels-per-class needs an integer in 1 … 1000/],
      [["--labels-per-class", "1", "--methods", "uniform,magic"], /unknown method "magic"; valid: frozen/],
      [["--labels-per-class", "1", "--arch", "resnet"], /--arch must be one of mlp, cnn/],
      [["--arch", "cnn", "--shots", "1"], /--arch applies to the grid/],
      [[], /Give --shots K/],
    ];
    for (const [extra, message] of cases) {
      const r = await dl(["meta", "finetune", ...extra, "--out", "never"], work);
      expect(r.code, `${extra.join(" ")}: ${r.stderr}`).toBe(2);
      expect(r.stderr).toMatch(message);
      expect(r.stdout).toBe("");
      expect(existsSync(join(work, "never"))).toBe(false);
    }
  }, 300_000);
});
