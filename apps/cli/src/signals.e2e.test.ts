// End-to-end: Ctrl-C (SIGINT) and SIGTERM sent to each long-running command of the built CLI at a
// random moment; it must exit non-zero, promptly, leaving nothing at --out, beside it or in the cache.
import { spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

import { afterAll, beforeAll, describe, expect, it } from "vitest";

import { createRng } from "@dl/tensor-core";

import { CLI_PATH, runDl } from "./test-utils/runDl.js";

const IO_PATH = fileURLToPath(new URL("../dist/io.js", import.meta.url));

/** From the signal to the exit, on a loaded 2-core CI machine (the goal is 1–2 s). */
const PROMPT_MS = 2500;

interface Stopped {
  code: number | null;
  signal: NodeJS.Signals | null;
  stderr: string;
  /** Milliseconds from the (last) signal to the exit. */
  stopMs: number;
  /** The child exited before any signal was sent. */
  early: boolean;
}

/**
 * Spawns `node script …args`, sends `signals` (spaced `gapMs`) `delayMs` after the start (or after
 * stderr first matches `after`), and times the exit.
 */
function runAndSignal(script: string, args: readonly string[], opts: { cwd: string; cacheDir: string; delayMs: number; signals: NodeJS.Signals[]; gapMs?: number; after?: RegExp }): Promise<Stopped> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [script, ...args], { cwd: opts.cwd, env: { ...process.env, DL_CACHE_DIR: opts.cacheDir, DL_BACKEND: "", FORCE_COLOR: "0" }, stdio: ["ignore", "ignore", "pipe"] });
    let stderr = "";
    let sentAt: number | undefined;
    const timers: NodeJS.Timeout[] = [];
    let armed = false;
    const arm = (): void => {
      armed = true;
      opts.signals.forEach((signal, i) => {
        timers.push(
          setTimeout(
            () => {
              sentAt = performance.now();
              child.kill(signal);
            },
            opts.delayMs + i * (opts.gapMs ?? 200),
          ),
        );
      });
    };
    child.stderr.on("data", (chunk: Buffer) => {
      stderr += chunk.toString();
      if (!armed && opts.after?.test(stderr) === true) arm();
    });
    if (opts.after === undefined) arm();
    child.on("close", (code, signal) => {
      timers.forEach(clearTimeout);
      resolve({ code, signal, stderr, stopMs: sentAt === undefined ? 0 : performance.now() - sentAt, early: sentAt === undefined });
    });
  });
}

/** Every file and folder under `dir` (relative paths), hidden ones included. */
async function tree(dir: string): Promise<string[]> {
  if (!existsSync(dir)) return [];
  return (await readdir(dir, { recursive: true })).map(String).sort();
}

let work: string;
let cache: string;
beforeAll(async () => {
  expect(existsSync(CLI_PATH), `${CLI_PATH} missing: build first (pnpm --filter @dl/cli build)`).toBe(true);
  work = await mkdtemp(join(tmpdir(), "dl-signals-"));
  cache = join(work, "cache");
  // Decode the MNIST cache once (a second or two); the default models are deliberately not cached,
  // so tour, embed and tcav are interrupted while they train one.
  const warm = await runDl(["train", "--data", "mnist", "--epochs", "1", "--limit", "20", "--out", join(work, "warm")], { cwd: work, cacheDir: cache });
  expect(warm.code, warm.stderr).toBe(0);
}, 120_000);
afterAll(() => rm(work, { recursive: true, force: true }));

/**
 * Long-running commands (without --out). The signal lands `SIGNAL_WINDOW_MS` after the start, or
 * after stderr first matches `after` (a later phase: feature extraction, temperature fitting and
 * evaluation once pretraining is over).
 */
const LONG_COMMANDS: readonly { args: string[]; prompt: boolean; after?: RegExp }[] = [
  { args: ["train", "--data", "mnist", "--epochs", "20"], prompt: true },
  { args: ["tour"], prompt: true },
  { args: ["embed", "--data", "mnist"], prompt: true },
  { args: ["tcav", "--target", "0", "--concept", "loops"], prompt: true },
  { args: ["gan", "train", "--data", "mnist", "--epochs", "50", "--no-evaluate"], prompt: true },
  { args: ["gan", "encoder", "--method", "bigan", "--data", "mnist"], prompt: true },
  { args: ["gan", "encoder", "--method", "vae", "--data", "mnist"], prompt: true },
  { args: ["bayes", "vae", "--family", "diag"], prompt: true },
  { args: ["bayes", "gaps"], prompt: true },
  { args: ["bayes", "flow", "--target", "U1", "--flows", "8", "--steps", "100000"], prompt: true },
  { args: ["meta", "finetune", "--shots", "3"], prompt: true },
  { args: ["meta", "regress", "--shots", "5"], prompt: true },
  { args: ["meta", "fewshot", "--data", "mnist", "--shots", "1"], prompt: true },
  { args: ["meta", "fewshot", "--data", "mnist", "--shots", "1", "--steps", "4"], prompt: true, after: /pretrain 4\/4/ },
  { args: ["meta", "fewshot", "--data", "mnist", "--shots", "1", "--training", "episodic"], prompt: true },
  { args: ["meta", "temperature", "--data", "mnist"], prompt: true },
  { args: ["gan", "modes", "--method", "bigan"], prompt: true },
  // t-SNE returns to the event loop at least every ~50 ms of work in each phase (PCA, k-NN, calibration, optimisation).
  { args: ["tsne", "--data", "mnist"], prompt: true },
];

/** The random moment of each signal, from the start (or the `after` line): 1–4 s, or 0–3 s after a phase line. */
const SIGNAL_WINDOW_MS = { start: [1000, 4000], after: [0, 3000] } as const;
/** Seeded, so a failing moment can be replayed: each case draws from its own stream (seed + case index). */
const SIGNAL_SEED = 18;

describe.each(["SIGINT", "SIGTERM"] as const)("%s at a random moment", (signal) => {
  it.each(LONG_COMMANDS.map((c, i) => [c.args.join(" "), c, i] as const))(
    "%s stops, exits non-zero and leaves nothing",
    async (_name, { args, prompt, after }, index) => {
      const dir = await mkdtemp(join(work, "run-"));
      const out = join(dir, "out");
      const [lo, hi] = after === undefined ? SIGNAL_WINDOW_MS.start : SIGNAL_WINDOW_MS.after;
      const rng = createRng(SIGNAL_SEED + 2 * index + (signal === "SIGINT" ? 0 : 1));
      const delayMs = lo + Math.round(rng.next() * (hi - lo));
      const r = await runAndSignal(CLI_PATH, [...args, "--out", out], { cwd: dir, cacheDir: cache, delayMs, signals: [signal], ...(after === undefined ? {} : { after }) });
      const context = `${args.join(" ")}: ${signal} after ${delayMs} ms${after === undefined ? "" : ` (from ${String(after)})`}, stopped ${Math.round(r.stopMs)} ms later\n${r.stderr}`;
      expect(r.early, context).toBe(false);
      // Exit 130/143 after a clean stop, or killed by the signal itself before any handler was set.
      if (r.code === null) expect(r.signal, context).toBe(signal);
      else expect(r.code, context).toBe(signal === "SIGINT" ? 130 : 143);
      expect(r.stopMs, context).toBeLessThan(prompt ? PROMPT_MS : 60_000);
      expect(r.stderr, context).not.toMatch(/^\s+at /m);
      expect(r.stderr.split("\n").filter((l) => l.startsWith("error")).length, context).toBeLessThanOrEqual(1);
      expect(await tree(dir), context).toEqual([]);
      expect((await tree(cache)).filter((p) => /\.tmp|partial|\.lock/.test(p)), context).toEqual([]);
      expect(await tree(join(cache, "models")), context).toEqual([]);
    },
    120_000,
  );
});

describe("a second Ctrl-C", () => {
  it("quits at once with 130 during training, leaving nothing", async () => {
    const dir = await mkdtemp(join(work, "twice-"));
    const r = await runAndSignal(CLI_PATH, ["tour", "--out", join(dir, "out")], { cwd: dir, cacheDir: cache, delayMs: 300, signals: ["SIGINT", "SIGINT"], gapMs: 30, after: /epoch/ });
    // A second Ctrl-C that lands while Node is already exiting kills the process by SIGINT, which a
    // shell reports as the same status 130 (128 + 2); either way it is Ctrl-C's code.
    expect(r.code ?? (r.signal === "SIGINT" ? 130 : null), r.stderr).toBe(130);
    expect(r.stopMs, r.stderr).toBeLessThan(PROMPT_MS);
    expect(await tree(dir)).toEqual([]);
  }, 60_000);
});

describe("SIGTERM while an existing --out is being replaced", () => {
  it("leaves the old folder or the new one, never a mix, and no staging folder", async () => {
    const dir = await mkdtemp(join(work, "replace-"));
    const out = join(dir, "out");
    const count = 400;
    const files = (tag: string): [string, string][] => Array.from({ length: count }, (_, i) => [`f${i}.txt`, `${tag}-${i}-${"x".repeat(20_000)}`]);
    await mkdir(out);
    await Promise.all(files("old").map(([name, body]) => writeFile(join(out, name), body)));
    // The child replaces the folder in a loop (so any moment falls inside a write) with the CLI's writer.
    const script = join(dir, "writer.mjs");
    await writeFile(
      script,
      `import { writeOutputs } from ${JSON.stringify(IO_PATH)};\n` +
        `const files = ${JSON.stringify(files("new").map(([n]) => n))}.map((n, i) => [n, "new-" + i + "-" + "x".repeat(20000)]);\n` +
        `process.stderr.write("writing\\n");\n` +
        `for (;;) await writeOutputs(${JSON.stringify(out)}, files);\n`,
    );
    const rng = createRng(SIGNAL_SEED + 1000);
    for (let trial = 0; trial < 8; trial++) {
      const delayMs = Math.round(rng.next() * 1000);
      const r = await runAndSignal(script, [], { cwd: dir, cacheDir: cache, delayMs, signals: ["SIGTERM"], after: /writing/ });
      expect(r.code, r.stderr).toBe(143);
      expect(r.stopMs).toBeLessThan(PROMPT_MS);
      expect((await readdir(dir)).sort(), `SIGTERM after ${delayMs} ms`).toEqual(["out", "writer.mjs"]);
      const tags = new Set(await Promise.all((await readdir(out)).map(async (name) => (await readFile(join(out, name), "utf8")).split("-")[0])));
      expect((await readdir(out)).length).toBe(count);
      expect(tags.size, `SIGTERM after ${delayMs} ms: tags ${[...tags].join(",")}`).toBe(1);
    }
  }, 120_000);
});
