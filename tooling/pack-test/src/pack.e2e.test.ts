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

let work: string;
let app: string;

beforeAll(async () => {
  // Outside the workspace: no pnpm-workspace.yaml above it, no @dl/source condition.
  work = await mkdtemp(join(tmpdir(), "dl-pack-"));
  const tarballs = join(work, "tarballs");
  for (const name of PACKAGES) {
    await run("pnpm", ["pack", "--pack-destination", tarballs], { cwd: join(repoRoot, "packages", name) });
  }
  app = join(work, "app");
  await cp(fixture, app, { recursive: true });
  await writeFile(join(app, "package.json"), JSON.stringify({ name: "dl-pack-app", private: true, type: "module" }));
  const files = (await readdir(tarballs)).map((f) => join(tarballs, f));
  await run("npm", ["install", "--no-audit", "--no-fund", "--ignore-scripts", "--loglevel=error", ...files], {
    cwd: app,
    maxBuffer: 16 * 1024 * 1024,
  });
}, 600_000);

afterAll(async () => {
  if (work !== undefined) await rm(work, { recursive: true, force: true });
});

describe("packages installed from their tarballs", () => {
  it("ship dist with types and no test files", async () => {
    for (const name of PACKAGES) {
      const dir = join(app, "node_modules", "@dl", name);
      const manifest = JSON.parse(await readFile(join(dir, "package.json"), "utf8")) as { dependencies?: Record<string, string> };
      for (const spec of Object.values(manifest.dependencies ?? {})) expect(spec).not.toMatch(/^(workspace|catalog):/);
      const dist = await readdir(join(dir, "dist"), { recursive: true });
      expect(dist).toContain("index.js");
      expect(dist).toContain("index.d.ts");
      expect(dist.some((f) => f.endsWith(".test.js"))).toBe(false);
    }
  });

  it("work in Node: backend falls through to wasm, typed errors, no leaks", async () => {
    const { stdout } = await run("node", ["node-smoke.mjs"], { cwd: app });
    const result = JSON.parse(stdout.trim().split("\n").pop() ?? "{}") as {
      backend: string;
      sum: number[];
      leaked: number;
      errorOk: boolean;
      exports: Record<string, number>;
      firstDraw: number;
      tsne: { threads: number; identical: boolean; kl: number };
    };
    expect(result.backend).toBe("wasm");
    expect(result.sum).toEqual([4, 6]);
    expect(result.leaked).toBe(0);
    expect(result.errorOk).toBe(true);
    expect(result.exports["tensor-core"]).toBeGreaterThan(10);
    // Two worker threads ran and gave the one-thread embedding bit for bit (fixed chunks, ordered sums).
    expect(result.tsne.threads).toBe(2);
    expect(result.tsne.identical).toBe(true);
    expect(result.tsne.kl).toBeGreaterThan(0);
    expect(result.tsne.kl).toBeLessThan(3);
    // Same seed, same stream, also from the published build.
    const { createRng } = (await import(join(repoRoot, "packages/tensor-core/src/random/rng.ts"))) as typeof import("@dl/tensor-core");
    expect(result.firstDraw).toBe(createRng(1).next());
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
      };
      expect(errors).toEqual([]);
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
