// End-to-end: the built CLI (dist/bin/dl.js) in fresh temp folders, real files. `pnpm --filter @dl/cli test:e2e` builds first.
import { existsSync } from "node:fs";
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

import { afterAll, beforeAll, describe, expect, it } from "vitest";

import { TOUR_TOPICS } from "./tour/index.js";
import { expectOutputsAsReadme } from "./test-utils/outputs.js";
import { CLI_PATH, runDl, type DlRun } from "./test-utils/runDl.js";

/** The tour reuses one cache across runs (the trained default model), kept out of the home folder. */
const SHARED_CACHE = fileURLToPath(new URL("../.cache/e2e-dl-cache", import.meta.url));

const dl = (args: readonly string[], options: { cwd: string; cacheDir: string; timeoutMs?: number }): Promise<DlRun> =>
  runDl(args, { ...options, timeoutMs: options.timeoutMs ?? 240_000 });

/** Non-empty stderr lines. */
const lines = (text: string): string[] => text.split("\n").filter((l) => l.trim() !== "");

let work: string;
let cache: string;
beforeAll(async () => {
  expect(existsSync(CLI_PATH), `${CLI_PATH} missing: build first (pnpm --filter @dl/cli build)`).toBe(true);
  work = await mkdtemp(join(tmpdir(), "dl-e2e-"));
  cache = join(work, "cache");
});
afterAll(() => rm(work, { recursive: true, force: true }));

describe("dl doctor", () => {
  it("--json prints one JSON document naming the backend, Node and the cache", async () => {
    const run = await dl(["doctor", "--json"], { cwd: work, cacheDir: cache });
    expect(run.code, run.stderr).toBe(0);
    const report = JSON.parse(run.stdout) as {
      backend: { name: string; tried: { name: string; ok: boolean; reason?: string }[]; tfjsVersion: string };
      node: { version: string };
      native: { installed: boolean; reason?: string; status: string; text: string };
      cache: { dir: string; datasets: Record<string, boolean> };
    };
    expect(["tfjs-node", "wasm", "cpu"]).toContain(report.backend.name);
    expect(report.backend.tried.find((t) => t.ok)?.name).toBe(report.backend.name);
    expect(report.backend.tfjsVersion).toMatch(/^4\.22\./);
    expect(report.node.version).toBe(process.version);
    expect(report.cache.dir).toBe(cache);
    expect(report.cache.datasets).toEqual({ mnist: false, "fashion-mnist": false });
    if (!report.native.installed) expect(report.native.reason).toMatch(/tfjs-node/);
    expect(report.native.status).toMatch(report.native.installed ? /^installed$/ : /^(not-installed|failed)$/);
  }, 120_000);

  it("says in words that the optional tfjs-node is not installed and how to install it, never the raw import error", async () => {
    const run = await dl(["doctor"], { cwd: work, cacheDir: cache });
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).not.toContain("Cannot find package");
    // This workspace never installs tfjs-node (pnpm-workspace.yaml), so the machine running the suite lacks it.
    expect(run.stdout).toMatch(/^ {2}✗ tfjs-node — not installed$/m);
    expect(run.stdout).toMatch(/^native \(tfjs-node\): not installed \(optional; wasm runs instead\)\. To use it: npm install @tensorflow\/tfjs-node@4\.22\.\d+ /m);
  }, 120_000);
});

describe("dl train", () => {
  it("trains on a small subset and writes the model, metrics.json and curves", async () => {
    const out = join(work, "train-out");
    const run = await dl(["train", "--data", "mnist", "--arch", "mlp", "--epochs", "2", "--limit", "1000", "--out", out, "--json"], {
      cwd: work,
      cacheDir: cache,
    });
    expect(run.code, run.stderr).toBe(0);
    const summary = JSON.parse(run.stdout) as { testAccuracy: number; history: unknown[]; backend: string; seconds: number };
    const files = await readdir(out);
    expect(files).toEqual(expect.arrayContaining(["model.json", "metrics.json", "training-curve.png", "training-curve.svg"]));
    await expectOutputsAsReadme("`dl train`", out);
    const metrics = JSON.parse(await readFile(join(out, "metrics.json"), "utf8")) as {
      testAccuracy: number;
      history: { epoch: number; loss: number; accuracy: number; testAccuracy: number }[];
      trainCount: number;
      testCount: number;
      options: { epochs: number; batchSize: number };
    };
    expect(metrics.history).toHaveLength(2);
    expect(metrics.trainCount).toBe(1000);
    expect(metrics.testCount).toBe(1000);
    expect(metrics.options.epochs).toBe(2);
    // Ten balanced classes: chance is 0.1; a 2-epoch MLP on 1,000 digits reaches far more.
    expect(metrics.testAccuracy).toBeGreaterThan(0.6);
    expect(summary.testAccuracy).toBe(metrics.testAccuracy);
    expect(summary.history).toHaveLength(2);
    const png = await readFile(join(out, "training-curve.png"));
    expect([...png.subarray(1, 4)]).toEqual([0x50, 0x4e, 0x47]);
    const modelJson = JSON.parse(await readFile(join(out, "model.json"), "utf8")) as { modelTopology?: unknown; weightsManifest?: unknown };
    expect(modelJson.modelTopology).toBeDefined();
    expect(modelJson.weightsManifest).toBeDefined();
  }, 300_000);

  describe("bad input: non-zero exit, one-line error, nothing written", () => {
    const expectRejected = async (args: readonly string[], pattern: RegExp): Promise<void> => {
      const out = join(work, `bad-${Math.random().toString(36).slice(2)}`);
      const run = await dl(["train", ...args.map((a) => (a === "OUT" ? out : a))], { cwd: work, cacheDir: cache, timeoutMs: 60_000 });
      expect(run.code).not.toBe(0);
      expect(run.stdout).toBe("");
      expect(lines(run.stderr), run.stderr).toHaveLength(1);
      expect(run.stderr).toMatch(pattern);
      expect(existsSync(out)).toBe(false);
    };

    it("unknown dataset lists the valid ones", async () => {
      await expectRejected(["--data", "cifar10", "--out", "OUT"], /UNKNOWN_DATASET.*"cifar10".*mnist.*fashion-mnist/);
    }, 120_000);

    it("unknown architecture lists the valid ones", async () => {
      await expectRejected(["--data", "mnist", "--arch", "resnet", "--out", "OUT"], /"resnet".*cnn.*mlp/);
    }, 120_000);

    it("bad --epochs", async () => {
      await expectRejected(["--data", "mnist", "--epochs", "0", "--out", "OUT"], /--epochs needs an integer in 1 … 1000, got "0"/);
      await expectRejected(["--data", "mnist", "--epochs", "many", "--out", "OUT"], /--epochs needs an integer/);
    }, 120_000);

    it("--out into an unwritable place (through a file)", async () => {
      const file = join(work, "a-file");
      await writeFile(file, "not a folder");
      const run = await dl(["train", "--data", "mnist", "--out", join(file, "out")], { cwd: work, cacheDir: cache, timeoutMs: 60_000 });
      expect(run.code).not.toBe(0);
      expect(lines(run.stderr)).toHaveLength(1);
      expect(run.stderr).toMatch(/IO_ERROR.*a-file/);
      expect(await readFile(file, "utf8")).toBe("not a folder");
      expect((await readdir(work)).filter((n) => n.includes("partial"))).toEqual([]);
    }, 120_000);
  });
});

describe("dl tsne", () => {
  it("writes the embedding, the scatter, the mosaic and metrics.json, as the README lists", async () => {
    const out = join(work, "tsne-out");
    const run = await dl(["tsne", "--data", "mnist", "--n", "200", "--iterations", "300", "--mosaic-size", "128", "--mosaic-count", "50", "--out", out, "--json"], { cwd: work, cacheDir: cache });
    expect(run.code, run.stderr).toBe(0);
    await expectOutputsAsReadme("`dl tsne`", out);
  }, 240_000);
});

describe("dl tour", () => {
  it("--quick writes a self-contained index.html with the foundation section", async () => {
    await mkdir(SHARED_CACHE, { recursive: true });
    const out = join(work, "tour");
    const run = await dl(["tour", "--quick", "--out", out, "--json"], { cwd: work, cacheDir: SHARED_CACHE, timeoutMs: 540_000 });
    expect(run.code, run.stderr).toBe(0);
    const summary = JSON.parse(run.stdout) as {
      report: string;
      model: { testAccuracy: number };
      sections: { id: string; ok: boolean; error?: string }[];
      failed: string[];
    };
    expect(summary.report).toBe(join(out, "index.html"));
    expect(run.stderr).toContain(join(out, "index.html"));
    expect(summary.sections[0]).toMatchObject({ id: "foundation", ok: true });
    // Every wired topic ran and rendered (a failing one would show as an error box instead).
    expect(summary.sections.map((s) => s.id)).toEqual(["foundation", ...TOUR_TOPICS.map((t) => t.id)]);
    expect(summary.sections.filter((s) => !s.ok), run.stderr).toEqual([]);
    await expectOutputsAsReadme("`dl tour`", out);
    const html = await readFile(join(out, "index.html"), "utf8");
    expect(html).toContain(`<section id="section-foundation">`);
    expect(html).toContain("data:image/png;base64,");
    expect(html).not.toMatch(/(src|href)="https?:/);
    expect(existsSync(join(out, "report.json"))).toBe(true);
    expect(summary.model.testAccuracy).toBeGreaterThan(0.9);
    // The cGAN section shows a trained cGAN's digits, not noise: noise scores about 0.1 (chance) with
    // the tour's classifier; the tour's cGAN (1,000 steps, default recipe, seed 42) scored 0.98 with the quick tour's MLP here.
    const report = JSON.parse(await readFile(join(out, "report.json"), "utf8")) as { sections: { id: string; metrics?: Record<string, number | string> }[] };
    const cgan = report.sections.find((s) => s.id === "gan-conditional")?.metrics ?? {};
    expect(Number(cgan["classifier accuracy on conditional samples"]), JSON.stringify(cgan)).toBeGreaterThan(0.8);
    expect(Number(cgan["lowest per-label accuracy"]), JSON.stringify(cgan)).toBeGreaterThan(0.4);
  }, 600_000);
});
