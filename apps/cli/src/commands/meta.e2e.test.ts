// End-to-end: `dl meta …` from the built CLI (dist/bin/dl.js) in a fresh temp folder, real files.
import { existsSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";

import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { expectOutputsAsReadme } from "../test-utils/outputs.js";
import { CLI_PATH, runDl, type DlRun } from "../test-utils/runDl.js";

const dl = (args: readonly string[], cwd: string): Promise<DlRun> => runDl(args, { cwd, cacheDir: join(cwd, "cache"), backend: "wasm" });

let work: string;
beforeAll(async () => {
  expect(existsSync(CLI_PATH), `${CLI_PATH} missing: build first (pnpm --filter @dl/cli build)`).toBe(true);
  work = await mkdtemp(join(tmpdir(), "dl-meta-e2e-"));
});
afterAll(() => rm(work, { recursive: true, force: true }));

const quick = ["--limit", "600", "--seed", "3"];

describe("dl meta", () => {
  it("fewshot: one JSON document with accuracies and CIs, figures written", async () => {
    const r = await dl(["meta", "fewshot", "--data", "fashion-mnist", "--ways", "3", "--shots", "1", "--queries", "2", "--episodes", "8", "--steps", "3", "--symmetries", "2", "--out", "fs", "--json", ...quick], work);
    expect(r.code, r.stderr).toBe(0);
    const out = JSON.parse(r.stdout) as { learned: Record<string, { mean: number; ci95: number; n: number }>; pixels: Record<string, { mean: number }>; training: { steps: number; embedding: string; trainClasses: number; temperature: number } };
    for (const m of ["matching", "proto", "knn"]) {
      expect(out.learned[m]?.n).toBe(8);
      expect(out.learned[m]?.mean).toBeGreaterThanOrEqual(0);
      expect(out.learned[m]?.mean).toBeLessThanOrEqual(1);
    }
    expect(out.training.steps).toBe(3);
    expect(out.training.embedding).toBe("pretrain");
    expect(out.training.trainClasses).toBe(10); // classes 0–4 × 2 symmetries
    expect(out.training.temperature).toBeGreaterThan(0);
    await expectOutputsAsReadme("`dl meta fewshot`", join(work, "fs"));
  }, 300_000);

  it("fewshot --generations 2 --ensemble 2 --head cosine --logistic: two chains of two networks, steps added, the head, the logistic figure and the run's wall and CPU seconds in the JSON", async () => {
    const r = await dl(["meta", "fewshot", "--data", "fashion-mnist", "--ways", "3", "--shots", "1", "--queries", "2", "--episodes", "4", "--steps", "2", "--symmetries", "2", "--generations", "2", "--ensemble", "2", "--head", "cosine", "--cosine-scale", "8", "--warps", "z1.1,r-10", "--logistic", "--out", "fs-gen", "--json", ...quick], work);
    expect(r.code, r.stderr).toBe(0);
    const out = JSON.parse(r.stdout) as { training: { steps: number; generations: number; ensemble: number; head: string; cosineScale: number; warps: unknown; logistic: boolean }; learned: { proto: { mean: number }; logistic?: { mean: number } }; run: { wallSeconds: number; cpuSeconds: number } };
    expect(out.training.head).toBe("cosine");
    expect(out.training.logistic).toBe(true);
    // A probability over 4 episodes of 3 ways × 2 queries: a multiple of 1/24.
    expect(Math.abs(24 * (out.learned.logistic?.mean ?? NaN) - Math.round(24 * (out.learned.logistic?.mean ?? NaN)))).toBeLessThan(1e-9);
    expect(out.training.warps).toEqual([
      { scale: 1.1, degrees: 0 },
      { scale: 1, degrees: -10 },
    ]);
    expect(out.training.cosineScale).toBe(8);
    expect(out.training.generations).toBe(2);
    expect(out.training.ensemble).toBe(2);
    expect(out.training.steps).toBe(8);
    expect(out.run.cpuSeconds).toBeGreaterThan(0);
    expect(out.run.wallSeconds).toBeGreaterThan(0);
  }, 300_000);

  it("fewshot --training episodic with MNIST as extra meta-train classes", async () => {
    const r = await dl(["meta", "fewshot", "--data", "fashion-mnist", "--extra-data", "mnist", "--training", "episodic", "--ways", "3", "--shots", "1", "--queries", "2", "--episodes", "4", "--steps", "2", "--symmetries", "1", "--out", "fs-episodic", "--json", ...quick], work);
    expect(r.code, r.stderr).toBe(0);
    const out = JSON.parse(r.stdout) as { extraData: string; training: { embedding: string; trainClasses: number; steps: number } };
    expect(out.extraData).toBe("mnist");
    expect(out.training.embedding).toBe("episodic");
    expect(out.training.trainClasses).toBe(15); // 5 Fashion-MNIST classes + 10 digits
    expect(out.training.steps).toBe(2);
    const some = await dl(["meta", "fewshot", "--data", "fashion-mnist", "--extra-data", "mnist", "--extra-classes", "0,1,2,3,4", "--training", "episodic", "--ways", "3", "--shots", "1", "--queries", "2", "--episodes", "4", "--steps", "2", "--symmetries", "1", "--out", "fs-extra5", "--json", ...quick], work);
    expect(some.code, some.stderr).toBe(0);
    const someOut = JSON.parse(some.stdout) as { extraClasses: number[]; training: { trainClasses: number } };
    expect(someOut.extraClasses).toEqual([0, 1, 2, 3, 4]);
    expect(someOut.training.trainClasses).toBe(10); // 5 Fashion-MNIST classes + digits 0–4
  }, 300_000);

  it("regress, temperature and finetune run end to end on tiny settings", async () => {
    const re = await dl(["meta", "regress", "--shots", "5", "--steps", "3", "--tasks", "4", "--out", "re", "--json"], work);
    expect(re.code, re.stderr).toBe(0);
    const reOut = JSON.parse(re.stdout) as { maml: { mean: number }; softNearestNeighbour: { n: number } };
    expect(reOut.maml.mean).toBe(1.13);
    expect(reOut.softNearestNeighbour.n).toBe(4);
    await expectOutputsAsReadme("`dl meta regress`", join(work, "re"));
    const t = await dl(["meta", "temperature", "--data", "fashion-mnist", "--temperatures", "0.1,10", "--steps", "2", "--episodes", "3", "--out", "temp", "--json", ...quick], work);
    expect(t.code, t.stderr).toBe(0);
    expect((JSON.parse(t.stdout) as { temperatures: { temperature: number }[] }).temperatures.map((p) => p.temperature)).toEqual([0.1, 10]);
    await expectOutputsAsReadme("`dl meta temperature`", join(work, "temp"));
    const ft = await dl(["meta", "finetune", "--shots", "3", "--seeds", "2", "--steps", "2", "--out", "ft", "--json", ...quick], work);
    expect(ft.code, ft.stderr).toBe(0);
    expect((JSON.parse(ft.stdout) as { strategies: { perSeed: number[] }[] }).strategies.every((s) => s.perSeed.length === 2)).toBe(true);
    await expectOutputsAsReadme("`dl meta finetune`", join(work, "ft"));
  }, 300_000);

  it("bad input: one-line error, exit code 2, nothing written", async () => {
    const cases: [string[], RegExp][] = [
      [["meta", "fewshot", "--data", "fashion-mnist", "--ways", "6", "--shots", "1", "--out", "never", ...quick], /only 5 are available/],
      [["meta", "fewshot", "--data", "fashion-mnist", "--shots", "50", "--queries", "15", "--out", "never", ...quick], /shots \+ queries = 65 exceeds/],
      [["meta", "fewshot", "--data", "fashion-mnist", "--shots", "1", "--temperature", "0", "--out", "never", ...quick], /temperature must be a finite number > 0/],
      [["meta", "fewshot", "--data", "cifar", "--shots", "1", "--out", "never"], /cifar/],
      [["meta", "fewshot", "--data", "fashion-mnist", "--shots", "1", "--training", "magic", "--out", "never", ...quick], /valid: .*pretrain.*episodic/],
      [["meta", "fewshot", "--data", "fashion-mnist", "--shots", "1", "--extra-data", "fashion-mnist", "--out", "never", ...quick], /would train on the meta-test classes/],
      [["meta", "fewshot", "--data", "fashion-mnist", "--shots", "1", "--filters", "16,0", "--out", "never", ...quick], /--filters needs/],
      [["meta", "fewshot", "--data", "fashion-mnist", "--shots", "1", "--centre", "query", "--out", "never", ...quick], /--centre must be one of none, support/],
      [["meta", "fewshot", "--data", "fashion-mnist", "--shots", "1", "--power", "0", "--out", "never", ...quick], /--power must be > 0/],
      [["meta", "fewshot", "--data", "fashion-mnist", "--shots", "1", "--label-smoothing", "1", "--out", "never", ...quick], /--label-smoothing must be in \[0, 1\)/],
      [["meta", "fewshot", "--data", "fashion-mnist", "--shots", "1", "--mixup", "-0.5", "--out", "never", ...quick], /--mixup must be ≥ 0/],
      [["meta", "fewshot", "--data", "fashion-mnist", "--shots", "1", "--head", "arc", "--out", "never", ...quick], /--head must be one of linear or cosine, got "arc"/],
      [["meta", "fewshot", "--data", "fashion-mnist", "--shots", "1", "--head", "cosine", "--cosine-scale", "0", "--out", "never", ...quick], /--cosine-scale must be a number > 0/],
      [["meta", "fewshot", "--data", "fashion-mnist", "--shots", "1", "--warps", "z0", "--out", "never", ...quick], /--warps: Unknown warp "z0"; write z<scale>/],
      [["meta", "temperature", "--data", "mnist", "--temperatures", "1,-2", "--out", "never", ...quick], /temperature must be a finite number > 0/],
      [["meta", "finetune", "--shots", "3", "--lr-decay", "0.5", "--out", "never"], /lr-decay must be ≥ 1/],
    ];
    for (const [args, message] of cases) {
      const r = await dl(args, work);
      expect(r.code, `${args.join(" ")}: ${r.stderr}`).toBe(2);
      expect(r.stderr).toMatch(message);
      expect(r.stdout).toBe("");
      expect(existsSync(join(work, "never"))).toBe(false);
    }
  }, 300_000);
});
