import { execFile } from "node:child_process";
import { cp, mkdtemp, readdir, readFile, rm, writeFile } from "node:fs/promises";
import { builtinModules } from "node:module";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";

import { chromium } from "playwright-core";
import { build, preview, type Plugin } from "vite";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

const run = promisify(execFile);
const repoRoot = fileURLToPath(new URL("../../../", import.meta.url));
const fixture = fileURLToPath(new URL("../fixture/", import.meta.url));
const PACKAGES = ["tensor-core", "interpretability", "gan", "metalearn", "bayes"];
const CHROMIUM = process.env["CHROMIUM_PATH"] ?? "/usr/bin/chromium";

/** The 95% interval's half-width of [1, 2, 3, 4]: t₀.₉₇₅,₃ (scipy.stats.t.ppf(0.975, 3)) × s/√n, with s² = 5/3. */
const INTERVAL_1234 = (3.182446305284263 * Math.sqrt(5 / 3)) / 2;
const TFJS = ["tfjs-core", "tfjs-layers", "tfjs-backend-cpu", "tfjs-backend-wasm"].map((p) => `@tensorflow/${p}`);

let work: string;
/** Installs our tarballs as `npm i` does: npm adds the required tfjs peers at their newest 4.x. */
let app: string;
/** Pins the oldest tfjs our peer range accepts and brings its own model and tensors. */
let pinnedApp: string;
let pinnedVersion: string;
let defaultVersion: string;

/** The catalog versions: the workspace's own tfjs, and the floor of the peer range apps may bring. */
async function tfjsVersions(): Promise<{ workspace: string; floor: string }> {
  const yaml = await readFile(join(repoRoot, "pnpm-workspace.yaml"), "utf8");
  const workspace = /^ {2}"@tensorflow\/tfjs-core": (\S+)$/m.exec(yaml)?.[1];
  const floor = /^ {4}"@tensorflow\/tfjs-core": \^(\S+)$/m.exec(yaml.slice(yaml.indexOf("tfjs-peer:")))?.[1];
  if (workspace === undefined || floor === undefined) throw new Error("pnpm-workspace.yaml has no tfjs-core catalog entry or tfjs-peer range");
  return { workspace, floor };
}

async function makeApp(name: string, dependencies: Record<string, string>, installs: string[]): Promise<string> {
  const dir = join(work, name);
  await cp(fixture, dir, { recursive: true });
  await writeFile(join(dir, "package.json"), JSON.stringify({ name: `dl-pack-${name}`, private: true, type: "module", dependencies }));
  await run("npm", ["install", "--no-audit", "--no-fund", "--ignore-scripts", "--loglevel=error", ...installs], { cwd: dir, maxBuffer: 16 * 1024 * 1024 });
  return dir;
}

/** Every installed copy of a package under an app, as `path → version`. */
async function copiesOf(dir: string, name: string): Promise<Record<string, string>> {
  const entries = await readdir(join(dir, "node_modules"), { recursive: true });
  const manifest = new RegExp(`(^|/node_modules/)${name.replace("/", "\\/")}/package\\.json$`);
  const found: Record<string, string> = {};
  for (const entry of entries.filter((e) => manifest.test(e))) {
    found[entry] = (JSON.parse(await readFile(join(dir, "node_modules", entry), "utf8")) as { version: string }).version;
  }
  return found;
}

beforeAll(async () => {
  // Outside the workspace: no pnpm-workspace.yaml above it, no @dl/source condition.
  work = await mkdtemp(join(tmpdir(), "dl-pack-"));
  const tarballs = join(work, "tarballs");
  for (const name of PACKAGES) {
    await run("pnpm", ["pack", "--pack-destination", tarballs], { cwd: join(repoRoot, "packages", name) });
  }
  const files = (await readdir(tarballs)).map((f) => join(tarballs, f));
  const versions = await tfjsVersions();
  defaultVersion = versions.workspace;
  pinnedVersion = process.env["TFJS_APP_VERSION"] ?? versions.floor;
  // webgl and webgpu are optional peers, but a bundler resolves our dynamic imports of them at build time.
  app = await makeApp("app", {}, [...files, "@tensorflow/tfjs-backend-webgl", "@tensorflow/tfjs-backend-webgpu"]);
  pinnedApp = await makeApp("pinned", Object.fromEntries(TFJS.map((p) => [p, pinnedVersion])), files);
}, 600_000);

afterAll(async () => {
  if (work !== undefined) await rm(work, { recursive: true, force: true });
});

describe("packages installed from their tarballs", () => {
  it("ship dist with types and no test files", async () => {
    for (const name of PACKAGES) {
      const dir = join(app, "node_modules", "@dl", name);
      const manifest = JSON.parse(await readFile(join(dir, "package.json"), "utf8")) as { dependencies?: Record<string, string>; peerDependencies?: Record<string, string> };
      for (const spec of Object.values(manifest.dependencies ?? {})) expect(spec).not.toMatch(/^(workspace|catalog):/);
      // tfjs comes from the app (peers), never bundled as our own copy.
      expect(Object.keys(manifest.dependencies ?? {}).filter((d) => d.startsWith("@tensorflow/"))).toEqual([]);
      expect(manifest.peerDependencies?.["@tensorflow/tfjs-core"]).toMatch(/^\^4\.\d+\.\d+$/);
      expect(manifest.peerDependencies?.["@tensorflow/tfjs-layers"]).toBe(manifest.peerDependencies?.["@tensorflow/tfjs-core"]);
      const dist = await readdir(join(dir, "dist"), { recursive: true });
      expect(dist).toContain("index.js");
      expect(dist).toContain("index.d.ts");
      expect(dist.some((f) => f.endsWith(".test.js"))).toBe(false);
    }
  });

  it("share one tfjs with the app: npm installs a single copy of each tfjs package, at one version", async () => {
    expect(pinnedVersion).not.toBe(defaultVersion);
    const defaultCore = Object.values(await copiesOf(app, TFJS[0] ?? ""))[0];
    // The default install takes the newest 4.x; the pinned app keeps the version it pinned.
    expect(defaultCore).toMatch(/^4\./);
    for (const [dir, version] of [[app, defaultCore], [pinnedApp, pinnedVersion]] as const) {
      for (const name of TFJS) expect(await copiesOf(dir, name)).toEqual({ [`${name}/package.json`]: version });
    }
  });

  it.each([
    ["the default install", () => app],
    ["an app pinning the oldest tfjs in range", () => pinnedApp],
  ])("work in Node (%s): backend falls through to wasm, typed errors, no leaks", async (_, dir) => {
    const { stdout } = await run("node", ["node-smoke.mjs"], { cwd: dir() });
    const result = JSON.parse(stdout.trim().split("\n").pop() ?? "{}") as {
      backend: string;
      sum: number[];
      leaked: number;
      errorOk: boolean;
      exports: Record<string, number>;
      firstDraw: number;
      tsne: { threads: number; identical: boolean; kl: number };
      subpaths: { sameModules: boolean; tcavHasTsne: boolean; counts: number[]; hostShared: boolean };
      installed: { spec: number; map: number; interval: number; png: number[] };
    };
    expect(result.backend).toBe("wasm");
    // mathjs, @stdlib's t quantile and pngjs load on first use from the tarballs' Node entries: a spec, a map (2³ − 2·2 = 4),
    // an interval and a PNG signature.
    expect(result.installed).toEqual({ spec: 1, map: 4, interval: expect.closeTo(INTERVAL_1234, 12), png: [80, 78, 71] });
    expect(result.sum).toEqual([4, 6]);
    expect(result.leaked).toBe(0);
    expect(result.errorOk).toBe(true);
    expect(result.exports["tensor-core"]).toBeGreaterThan(10);
    // @dl/interpretability/tsne, /tcav and /embed resolve from the tarball to the root's own modules; /tcav has no t-SNE.
    expect(result.subpaths.sameModules).toBe(true);
    expect(result.subpaths.tcavHasTsne).toBe(false);
    expect(result.subpaths.hostShared).toBe(true);
    expect(result.exports["interpretability"]).toBe(result.subpaths.counts.reduce((a, b) => a + b, 0));
    // Two worker threads ran and gave the one-thread embedding bit for bit (fixed chunks, ordered sums).
    expect(result.tsne.threads).toBe(2);
    expect(result.tsne.identical).toBe(true);
    expect(result.tsne.kl).toBeGreaterThan(0);
    expect(result.tsne.kl).toBeLessThan(3);
    // Same seed, same stream, also from the published build.
    const { createRng } = (await import(join(repoRoot, "packages/tensor-core/src/random/rng.ts"))) as typeof import("@dl/tensor-core");
    expect(result.firstDraw).toBe(createRng(1).next());
  });

  it("take the app's own loaded model and tensors, on the app's tfjs, matching the app's own predict", async () => {
    const { stdout } = await run("node", ["own-model.mjs"], { cwd: pinnedApp, maxBuffer: 16 * 1024 * 1024 });
    const r = JSON.parse(stdout.trim().split("\n").pop() ?? "{}") as {
      appVersion: string;
      layersVersion: string;
      reportedVersion: string;
      backend: string;
      appBackend: string;
      gapKernels: number;
      gapKernelInAppRegistry: boolean;
      trainedEpochs: number;
      finiteLoss: boolean;
      gapKernelGradError: number;
      gradScale: number;
      reloadedMatches: number;
      hiddenError: number;
      logitsError: number;
      activationShapes: number[][];
      tcavActsError: number;
      gradientRows: number;
      gradientError: number;
      returnedAppTensor: boolean;
      leakedByUs: number;
      tcav: { rows: number; scores: number[]; magnitude: number; p: number };
      leakedByTcav: number;
    };
    // The version we report is the app's, and our initBackend drove the app's engine.
    expect(r.appVersion).toBe(pinnedVersion);
    expect(r.layersVersion).toBe(pinnedVersion);
    expect(r.reportedVersion).toBe(pinnedVersion);
    expect(r.backend).toBe("wasm");
    expect(r.appBackend).toBe("wasm");
    expect(r.gapKernels).toBeGreaterThan(0);
    expect(r.gapKernelInAppRegistry).toBe(true);
    // The app trained through our gap kernels; they agree with tfjs's cpu kernels of that version.
    expect(r.trainedEpochs).toBe(2);
    expect(r.finiteLoss).toBe(true);
    expect(r.gradScale).toBeGreaterThan(0.1);
    expect(r.gapKernelGradError).toBeLessThan(1e-4 * r.gradScale);
    expect(r.reloadedMatches).toBe(0);
    // Our activations of the app's model on the app's tensor are the app's own predict.
    expect(r.activationShapes).toEqual([[20, 5], [20, 2]]);
    expect(r.hiddenError).toBeLessThan(1e-6);
    expect(r.logitsError).toBeLessThan(1e-6);
    expect(r.tcavActsError).toBeLessThan(1e-6);
    // ∇_hidden logit_0 is the logits kernel's column 0 for every input (the head is linear).
    expect(r.gradientRows).toBe(20);
    expect(r.gradientError).toBeLessThan(1e-6);
    expect(r.returnedAppTensor).toBe(true);
    expect(r.leakedByUs).toBe(0);
    // With a linear head every input has the same directional derivative, so each run scores 0 or 1.
    expect(r.tcav.rows).toBe(1);
    expect(r.tcav.scores).toHaveLength(3);
    for (const score of r.tcav.scores) expect([0, 1]).toContain(score);
    expect([0, 1]).toContain(r.tcav.magnitude);
    expect(r.tcav.p).toBeGreaterThanOrEqual(1 / 3);
    expect(r.tcav.p).toBeLessThanOrEqual(1);
    expect(r.leakedByTcav).toBe(0);
  });

  it("bundle for the browser without node-only modules and run in Chromium", async () => {
    const outDir = join(app, "dist");
    const builtinImports: { source: string; importer: string }[] = [];
    const recordBuiltins: Plugin = {
      name: "record-node-builtins",
      enforce: "pre",
      resolveId(source, importer) {
        const bare = source.replace(/^node:/, "");
        if (importer !== undefined && (source.startsWith("node:") || builtinModules.includes(bare))) builtinImports.push({ source, importer });
        return null;
      },
    };
    const result = await build({ root: app, logLevel: "error", plugins: [recordBuiltins], build: { outDir, target: "es2022" } });
    const outputs = (Array.isArray(result) ? result : [result]) as { output: { modules?: Record<string, unknown> }[] }[];
    const moduleIds = outputs.flatMap((o) => o.output.flatMap((chunk) => Object.keys(chunk.modules ?? {})));
    expect(moduleIds.some((id) => id.includes("@dl/tensor-core"))).toBe(true);
    // No node-only entry of ours in the bundle, and no node builtin imported by our code. (Third-party
    // guarded requires — emscripten's require("fs"), seedrandom's require("crypto") — are not ours.)
    expect(moduleIds.filter((id) => /@dl\/[^/]+\/dist\/(index\.node|.*\/node)\.js$|tfjs-node/.test(id))).toEqual([]);
    expect(builtinImports.filter((b) => b.importer.includes("/@dl/"))).toEqual([]);
    const server = await preview({ root: app, build: { outDir }, preview: { port: 0, host: "127.0.0.1" }, logLevel: "error" });
    const browser = await chromium.launch({
      executablePath: CHROMIUM,
      headless: true,
      args: ["--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"],
    });
    try {
      const page = await browser.newPage();
      const errors: string[] = [];
      page.on("pageerror", (e) => errors.push(e.message));
      await page.goto(server.resolvedUrls?.local[0] ?? "");
      await page.waitForFunction(() => document.title === "ready", undefined, { timeout: 60_000 });
      const result = (await page.evaluate(() => (window as unknown as { __result: unknown }).__result)) as {
        backend: string;
        value: number;
        modules: number[];
        tsne: { threads: number; finite: boolean; kl: number };
        installed: { spec: number; map: number; interval: number; png: number[] };
      };
      expect(errors).toEqual([]);
      // The browser entries installed their bundled mathjs, t quantile and fast-png (a bundler must not drop them as side-effect free).
      expect(result.installed).toEqual({ spec: 1, map: 4, interval: expect.closeTo(INTERVAL_1234, 12), png: [80, 78, 71] });
      expect(result.backend).toBe("cpu");
      expect(result.value).toBe(6);
      // The browser build has no workers: the same call runs on one thread.
      expect(result.tsne.threads).toBe(1);
      expect(result.tsne.finite).toBe(true);
      expect(result.tsne.kl).toBeGreaterThan(0);
    } finally {
      await browser.close();
      await server.close();
    }
  });
});
