// End-to-end: `dl bayes …` from the built CLI (dist/bin/dl.js) in a fresh temp folder, real files.
import { existsSync } from "node:fs";
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";

import { afterAll, beforeAll, describe, expect, it } from "vitest";

import { encodeNpy, parseNpy } from "@dl/tensor-core";
import { expectOutputsAsReadme } from "../test-utils/outputs.js";
import { CLI_PATH, runDl, type DlRun } from "../test-utils/runDl.js";

const dl = (args: readonly string[], cwd: string): Promise<DlRun> => runDl(args, { cwd, timeoutMs: 240_000 });

let work: string;
beforeAll(async () => {
  expect(existsSync(CLI_PATH), `${CLI_PATH} missing: build first (pnpm --filter @dl/cli build)`).toBe(true);
  work = await mkdtemp(join(tmpdir(), "dl-bayes-e2e-"));
  await writeFile(join(work, "mix.json"), JSON.stringify({ weights: [0.5, 0.5], means: [[0], [2]], covariances: [[[1]], [[1]]] }));
  await writeFile(join(work, "x.npy"), encodeNpy({ data: Float32Array.from([1, 0, 52]), shape: [3, 1], dtype: "float32" }));
});
afterAll(async () => {
  await rm(work, { recursive: true, force: true });
});

describe("dl bayes", () => {
  it("mixture --json gives the seed's posterior, N×K", async () => {
    const r = await dl(["bayes", "mixture", "--params", "mix.json", "--x", "x.npy", "--json"], work);
    expect(r.code).toBe(0);
    const out = JSON.parse(r.stdout) as { responsibilities: number[][] };
    expect(out.responsibilities.length).toBe(3);
    expect(out.responsibilities[0]?.[0]).toBeCloseTo(0.5, 6);
    expect(out.responsibilities[1]?.[0]).toBeCloseTo(1 / (1 + Math.exp(-2)), 6);
    expect(out.responsibilities[2]?.[1]).toBeCloseTo(1, 6);
  });

  it("mixture rejects weights that do not sum to 1", async () => {
    await writeFile(join(work, "bad.json"), JSON.stringify({ weights: [0.5, 0.6], means: [[0], [2]], covariances: [[[1]], [[1]]] }));
    const r = await dl(["bayes", "mixture", "--params", "bad.json", "--x", "x.npy"], work);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/sum to 1/);
  });

  it("sample writes an .npy and reports a KS test; errors write nothing", async () => {
    const r = await dl(["bayes", "sample", "--dist", "weibull", "--concentration", "1.5", "--scale", "2", "--n", "2000", "--out", "w.npy", "--json"], work);
    expect(r.code).toBe(0);
    const out = JSON.parse(r.stdout) as { ks: { statistic: number; pValue: number }; n: number };
    expect(out.n).toBe(2000);
    expect(out.ks.pValue).toBeGreaterThan(0.001);
    const arr = parseNpy(new Uint8Array(await readFile(join(work, "w.npy"))));
    expect(arr.shape).toEqual([2000]);
    const bad = await dl(["bayes", "sample", "--dist", "exponential", "--rate", "0", "--n", "10", "--out", "e.npy"], work);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/rate must be > 0/);
    expect(existsSync(join(work, "e.npy"))).toBe(false);
    const unknown = await dl(["bayes", "sample", "--dist", "weibul", "--n", "10", "--out", "u.npy"], work);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toMatch(/Valid distributions: normal/);
    expect(existsSync(join(work, "u.npy"))).toBe(false);
  });

  it("flow writes result.json and pictures; an unknown target fails cleanly", async () => {
    const r = await dl(["bayes", "flow", "--target", "U2", "--flows", "2", "--steps", "100", "--out", "flow", "--json"], work);
    expect(r.code).toBe(0);
    const out = JSON.parse(r.stdout) as { kl: number; logZ: number };
    expect(out.kl).toBeGreaterThan(0);
    await expectOutputsAsReadme("`dl bayes flow`", join(work, "flow"));
    const bad = await dl(["bayes", "flow", "--target", "U9", "--flows", "2", "--out", "flow-bad"], work);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/Valid targets: U1, U2, U3 or U4/);
    expect(existsSync(join(work, "flow-bad"))).toBe(false);
  });

  it("gaps --encoder-widths, --encoder-depths and --learning-rates refuse lists that do not increase or are not numbers, and write nothing", async () => {
    const down = await dl(["bayes", "gaps", "--encoder-widths", "256,64", "--out", "enc-bad"], work);
    expect(down.code).toBe(2);
    expect(down.stderr).toMatch(/--encoder-widths must increase \(smallest first\), got 256,64/);
    const junk = await dl(["bayes", "gaps", "--encoder-widths", "64,wide", "--out", "enc-bad"], work);
    expect(junk.code).toBe(2);
    expect(junk.stderr).toMatch(/--encoder-widths/);
    const deep = await dl(["bayes", "gaps", "--encoder-depths", "3,1", "--out", "enc-bad"], work);
    expect(deep.code).toBe(2);
    expect(deep.stderr).toMatch(/--encoder-depths must increase \(smallest first\), got 3,1/);
    const rate = await dl(["bayes", "gaps", "--encoder-widths", "16", "--learning-rates", "1e-3,0", "--out", "enc-bad"], work);
    expect(rate.code).toBe(2);
    expect(rate.stderr).toMatch(/--learning-rates needs a number > 0 and ≤ 1, got "0"/);
    expect(existsSync(join(work, "enc-bad"))).toBe(false);
  });
});
