// End-to-end: dl tcav, dl sweep and dl gan modes on a real Redis with 3 `dl worker` processes, against the local
// run; a worker SIGKILLed mid-run, Redis restarted mid-run, a task that throws, a worker of another version.
import { type ChildProcess, spawn } from "node:child_process";
import { cpSync, existsSync, readFileSync, symlinkSync, writeFileSync } from "node:fs";
import { mkdir, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

import { afterAll, beforeAll, describe, expect, it } from "vitest";

import { encodeNpy } from "@dl/tensor-core";

import { CLI_PATH, type DlRun, runDl } from "../test-utils/runDl.js";
import { type TestRedis, startRedis } from "../test-utils/redis.js";

const CLI_ROOT = fileURLToPath(new URL("../..", import.meta.url));
const VERSION = (JSON.parse(readFileSync(join(CLI_ROOT, "package.json"), "utf8")) as { version: string }).version;

let redis: TestRedis;
let work: string;
let cache: string;
let model: string;
const workers = new Set<Worker>();

interface Worker {
  child: ChildProcess;
  log: string;
  exited: Promise<void>;
}

function startWorker(cliPath = CLI_PATH, cwd = work): Worker {
  const child = spawn(process.execPath, [cliPath, "worker", "--queue", redis.url, "--lock-ms", "3000"], { cwd, env: { ...process.env, DL_CACHE_DIR: cache, DL_BACKEND: "", FORCE_COLOR: "0" }, stdio: ["ignore", "ignore", "pipe"] });
  const w: Worker = { child, log: "", exited: new Promise((resolve) => child.once("exit", () => resolve())) };
  child.stderr?.on("data", (chunk: Buffer) => (w.log += chunk.toString()));
  workers.add(w);
  void w.exited.then(() => workers.delete(w));
  return w;
}

async function stopWorkers(): Promise<void> {
  const all = [...workers];
  for (const w of all) w.child.kill("SIGTERM");
  await Promise.all(all.map((w) => w.exited));
}

const dl = (args: readonly string[], cwd = work): Promise<DlRun> => runDl(args, { cwd, cacheDir: cache, timeoutMs: 280_000 });

const until = async (what: () => boolean, timeoutMs = 120_000): Promise<void> => {
  const end = Date.now() + timeoutMs;
  while (!what()) {
    if (Date.now() > end) throw new Error("timed out waiting");
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
};

const done = (w: Worker): number => (w.log.match(/^done /gm) ?? []).length;

interface TcavDoc {
  rows: { concept: string; layer: string; scores: number[]; pValues: Record<string, number>; adjusted: number; nullMean: number }[];
}
const numbers = (doc: TcavDoc): unknown => doc.rows.map((r) => [r.concept, r.layer, r.scores, r.pValues, r.adjusted, r.nullMean]);

const small = (): string[] => ["tcav", "--model", model, "--layers", "dense1,dense2", "--target", "0", "--concept", "loops", "--random", "12", "--runs", "2", "--target-count", "20", "--set-size", "10", "--json"];
// 31 sets per layer in tasks of one set: 62 tasks, long enough to kill a worker or Redis in the middle.
const many = (): string[] => ["tcav", "--model", model, "--layers", "dense1,dense2", "--target", "0", "--concept", "loops", "--random", "30", "--runs", "2", "--target-count", "20", "--set-size", "10", "--json"];

let smallLocal: TcavDoc;
let manyLocal: TcavDoc;

beforeAll(async () => {
  expect(existsSync(CLI_PATH), `${CLI_PATH} missing: build first (pnpm --filter @dl/cli build)`).toBe(true);
  redis = await startRedis();
  work = await mkdtemp(join(tmpdir(), "dl-queue-e2e-"));
  cache = join(work, "cache");
  model = join(work, "model");
  const train = await dl(["train", "--data", "mnist", "--arch", "mlp", "--epochs", "1", "--limit", "300", "--out", model]);
  expect(train.code, train.stderr).toBe(0);
  const a = await dl([...small(), "--workers", "1", "--out", join(work, "small-local")]);
  expect(a.code, a.stderr).toBe(0);
  smallLocal = JSON.parse(a.stdout) as TcavDoc;
  const b = await dl([...many(), "--workers", "1", "--out", join(work, "many-local")]);
  expect(b.code, b.stderr).toBe(0);
  manyLocal = JSON.parse(b.stdout) as TcavDoc;
  for (let i = 0; i < 3; i++) startWorker();
}, 600_000);

afterAll(async () => {
  await stopWorkers();
  await redis.stop();
  await rm(work, { recursive: true, force: true });
});

describe("dl tcav and dl sweep on a BullMQ queue", () => {
  it("3 queue workers and 2 local worker processes give the in-process p-values exactly; the 3 workers shared the tasks", async () => {
    const q = await dl([...small(), "--queue", redis.url, "--task-size", "2", "--out", join(work, "small-queue")]);
    expect(q.code, q.stderr).toBe(0);
    expect(numbers(JSON.parse(q.stdout) as TcavDoc)).toEqual(numbers(smallLocal));
    // 2 layers × ceil(13 sets / 2) = 14 tasks, each done once.
    expect([...workers].reduce((s, w) => s + done(w), 0)).toBe(14);
    const pool = await dl([...small(), "--workers", "2", "--task-size", "3", "--out", join(work, "small-pool")]);
    expect(pool.code, pool.stderr).toBe(0);
    expect(numbers(JSON.parse(pool.stdout) as TcavDoc)).toEqual(numbers(smallLocal));
    // The tcav.json on disk holds the same numbers as stdout.
    expect(numbers(JSON.parse(await readFile(join(work, "small-queue", "tcav.json"), "utf8")) as TcavDoc)).toEqual(numbers(smallLocal));
  }, 300_000);

  it("a sweep gives the same table on the queue as on local workers, with the variance known exactly", async () => {
    const spec = join(work, "sweep.json");
    await writeFile(spec, JSON.stringify({ command: ["bayes", "sample", "--dist", "normal", "--loc", "0", "--n", "400"], grid: { "--scale": [1, 2] }, seeds: 3, out: "s.npy", figures: ["variance", "sampleMean", "sampleVariance"] }));
    const local = await dl(["sweep", spec, "--workers", "2", "--out", join(work, "sweep-local"), "--json"]);
    expect(local.code, local.stderr).toBe(0);
    const queued = await dl(["sweep", spec, "--queue", redis.url, "--out", join(work, "sweep-queue"), "--json"]);
    expect(queued.code, queued.stderr).toBe(0);
    interface Row { setting: Record<string, number>; figure: string; n: number; mean: number; ci95: { lower: number; upper: number } }
    const a = (JSON.parse(local.stdout) as { rows: Row[] }).rows;
    const b = (JSON.parse(queued.stdout) as { rows: Row[] }).rows;
    expect(b).toEqual(a);
    for (const scale of [1, 2]) {
      const row = (figure: string): Row | undefined => a.find((r) => r.setting["--scale"] === scale && r.figure === figure);
      // The distribution's variance is exact in every run: zero-width interval at scale².
      expect(row("variance")).toMatchObject({ n: 3, mean: scale ** 2, ci95: { lower: scale ** 2, upper: scale ** 2 } });
      // The sample variance of 400 draws has sd ≈ scale²·√(2/399) ≈ 0.07·scale²; the mean of 3 within 20 %.
      expect(Math.abs((row("sampleVariance")?.mean ?? 0) / scale ** 2 - 1)).toBeLessThan(0.2);
      const m = row("sampleMean");
      expect(m?.ci95.lower).toBeLessThan(m?.mean ?? Number.NaN);
      expect(m?.ci95.upper).toBeGreaterThan(m?.mean ?? Number.NaN);
    }
  }, 300_000);

  it("dl gan modes on the queue gives each seed's figures and the picture of the run in this process", async () => {
    const args = ["gan", "modes", "--method", "gan", "--seeds", "3", "--steps", "40", "--rejection-steps", "20", "--json"];
    const local = await dl([...args, "--workers", "1", "--out", join(work, "modes-local")]);
    expect(local.code, local.stderr).toBe(0);
    const queued = await dl([...args, "--queue", redis.url, "--out", join(work, "modes-queue")]);
    expect(queued.code, queued.stderr).toBe(0);
    const figures = (text: string): unknown[] => (JSON.parse(text) as { runs: Record<string, unknown>[] }).runs.map(({ seconds: _s, ...rest }) => rest);
    expect(figures(queued.stdout)).toEqual(figures(local.stdout));
    expect(figures(local.stdout)).toHaveLength(3);
    expect((await readFile(join(work, "modes-queue", "samples.png"))).equals(await readFile(join(work, "modes-local", "samples.png")))).toBe(true);
  }, 300_000);

  it("a worker SIGKILLed mid-run: its task is retried by another and the merge is unchanged", async () => {
    const run = dl([...many(), "--queue", redis.url, "--task-size", "1", "--out", join(work, "kill")]);
    const before = new Map([...workers].map((w) => [w, done(w)]));
    await until(() => [...workers].some((w) => done(w) > (before.get(w) ?? 0)));
    const victim = [...workers].find((w) => done(w) > (before.get(w) ?? 0)) as Worker;
    victim.child.kill("SIGKILL");
    const r = await run;
    expect(r.code, r.stderr).toBe(0);
    expect(victim.child.signalCode).toBe("SIGKILL");
    expect(numbers(JSON.parse(r.stdout) as TcavDoc)).toEqual(numbers(manyLocal));
    startWorker();
  }, 300_000);

  it("Redis restarted mid-run (its queue lost): submitter and workers reconnect, the lost tasks are queued again, the merge is unchanged", async () => {
    const run = dl([...many(), "--queue", redis.url, "--task-size", "1", "--out", join(work, "restart")]);
    const before = new Map([...workers].map((w) => [w, done(w)]));
    await until(() => [...workers].reduce((s, w) => s + done(w) - (before.get(w) ?? 0), 0) >= 3);
    await redis.restart();
    const r = await run;
    // The design re-queues what Redis lost; a run that cannot reach Redis fails naming it instead.
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/vanished from Redis .*queued again/);
    expect(numbers(JSON.parse(r.stdout) as TcavDoc)).toEqual(numbers(manyLocal));
  }, 300_000);

  it("--shard parts (index given, and from JOB_COMPLETION_INDEX) merge with dl merge into the local numbers; a missing part is named", async () => {
    const parts = join(work, "parts");
    const a = await dl([...small(), "--shard", "0/2", "--task-size", "3", "--out", parts]);
    expect(a.code, a.stderr).toBe(0);
    const b = await runDl([...small(), "--shard", "2", "--task-size", "3", "--out", parts], { cwd: work, cacheDir: cache, env: { JOB_COMPLETION_INDEX: "1" } });
    expect(b.code, b.stderr).toBe(0);
    const half = await dl(["merge", join(parts, "part-0-of-2.json"), "--out", join(work, "half")]);
    expect(half.code).toBe(2);
    expect(half.stderr).toMatch(/tasks have no result \(first: tcav:/);
    const merged = await dl(["merge", parts, "--out", join(work, "merged"), "--json"]);
    expect(merged.code, merged.stderr).toBe(0);
    expect(numbers(JSON.parse(merged.stdout) as TcavDoc)).toEqual(numbers(smallLocal));
  }, 300_000);

  it("a task that throws on every worker is retried 3 times, then the run fails naming the task and the error", async () => {
    // The concept file exists where the submitter runs but not where the workers run.
    const sub = join(work, "sub");
    await mkdir(sub, { recursive: true });
    const side = 28;
    const data = Float32Array.from({ length: 12 * side * side }, (_, i) => ((i * 7919) % 97) / 97);
    await writeFile(join(sub, "blobs.npy"), encodeNpy({ data, shape: [12, side, side, 1], dtype: "float32" }));
    const args = small().map((a) => (a === "loops" ? "blobs.npy" : a));
    const r = await dl([...args, "--queue", redis.url, "--out", join(work, "throws")], sub);
    expect(r.code).not.toBe(0);
    expect(r.stderr).toMatch(/Task tcav:\d+:\d+-\d+ failed after 3 attempt\(s\) on the queue: .*blobs\.npy/);
    expect(existsSync(join(work, "throws"))).toBe(false);
  }, 300_000);

  it("a worker of another dl-lab version refuses the task and the run fails naming both versions", async () => {
    await stopWorkers();
    // A copy of the built CLI whose package.json says another version.
    const fake = join(work, "fake-cli");
    cpSync(join(CLI_ROOT, "dist"), join(fake, "dist"), { recursive: true });
    writeFileSync(join(fake, "package.json"), JSON.stringify({ name: "@dl/cli", version: "0.0.0-other", type: "module" }));
    symlinkSync(join(CLI_ROOT, "node_modules"), join(fake, "node_modules"));
    const old = startWorker(join(fake, "dist", "bin", "dl.js"));
    await until(() => old.log.includes("taking tasks"));
    const r = await dl([...small(), "--queue", redis.url, "--out", join(work, "mixed")]);
    expect(r.code).not.toBe(0);
    expect(r.stderr).toContain(`comes from dl-lab ${VERSION} but this worker runs dl-lab 0.0.0-other`);
    expect(r.stderr).toMatch(/failed after 1 attempt/);
  }, 300_000);
});
