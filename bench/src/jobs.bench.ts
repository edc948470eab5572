/**
 * The distributed path of `dl`: TCAV with 400 random concepts × 3 layers on 1 vs 2 local worker
 * processes (the built CLI, default MNIST MLP), and the queue's per-task overhead: no-op tasks per
 * second through BullMQ on a loopback redis-server with one `dl worker`.
 */
import { type ChildProcess, execFile, spawn } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

import type { BenchContext, BenchResult, Comparison, Measurement } from "./harness.js";

const CLI_ROOT = join(dirname(fileURLToPath(import.meta.url)), "..", "..", "apps", "cli");
const CLI = join(CLI_ROOT, "dist", "bin", "dl.js");

interface NoopRunner {
  run(spec: { kind: "noop"; argv: string[]; version: string }, tasks: { id: string; task: unknown }[]): Promise<Map<string, string>>;
}

function dl(args: readonly string[], cwd: string): Promise<{ seconds: number; stdout: string }> {
  const start = performance.now();
  return new Promise((resolve, reject) => {
    execFile(process.execPath, [CLI, ...args], { cwd, maxBuffer: 256 * 1024 * 1024 }, (error, stdout, stderr) => {
      if (error === null) resolve({ seconds: (performance.now() - start) / 1000, stdout });
      else reject(new Error(`dl ${args.join(" ")}: ${stderr.trim().split("\n").pop() ?? error.message}`));
    });
  });
}

function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const s = createServer().listen(0, "127.0.0.1", () => {
      const a = s.address();
      s.close(() => resolve(typeof a === "object" && a !== null ? a.port : 0));
    });
  });
}

async function until(child: ChildProcess, stream: "stdout" | "stderr", text: string): Promise<void> {
  await new Promise<void>((resolve, reject) => {
    let seen = "";
    child[stream]?.on("data", (c: Buffer) => {
      seen += c.toString();
      if (seen.includes(text)) resolve();
    });
    child.once("exit", () => reject(new Error(`exited before "${text}": ${seen}`)));
  });
}

export async function run(ctx: BenchContext): Promise<BenchResult> {
  if (!existsSync(CLI)) throw new Error(`${CLI} missing: pnpm --filter @dl/cli build first.`);
  const measurements: Measurement[] = [];
  const comparisons: Comparison[] = [];
  const notes: string[] = [];
  const work = await mkdtemp(join(tmpdir(), "dl-bench-jobs-"));
  try {
    const random = ctx.quick ? 60 : 400;
    const args = ["tcav", "--arch", "mlp", "--layers", "flatten,dense1,dense2", "--target", "0", "--concept", "loops", "--random", String(random), "--runs", "5", "--target-count", "50", "--set-size", "15", "--json"];
    ctx.log("default MLP (trains once if not cached)…");
    await dl([...args.slice(0, 3), "--list-layers", "--target", "0"], work);
    const times: number[] = [];
    let first = "";
    for (const workers of [1, 2]) {
      ctx.log(`dl tcav ${random} random concepts × 3 layers, --workers ${workers}…`);
      const r = await dl([...args, "--workers", String(workers), "--out", join(work, `w${workers}`)], work);
      const rows = JSON.stringify((JSON.parse(r.stdout) as { rows: { pValues: unknown; scores: unknown }[] }).rows.map((x) => [x.pValues, x.scores]));
      if (workers === 1) first = rows;
      else notes.push(`--workers 2 rows ${rows === first ? "identical to" : "DIFFER from"} --workers 1`);
      times.push(r.seconds);
      measurements.push({ label: `tcav --workers ${workers}`, value: r.seconds, unit: "s", better: "lower", detail: `${random} random concepts × 5 runs × 3 layers (flatten, dense1, dense2), wall clock incl. model load` });
    }
    const speedup = (times[0] ?? 0) / (times[1] ?? 1);
    measurements.push({ label: "speed-up 2 workers", value: speedup, unit: "×", better: "higher" });
    comparisons.push({ ours: "tcav --workers 2", peer: "tcav --workers 1", slowdown: 1 / speedup });

    // Queue overhead: no-op tasks through Redis, one worker.
    if (!existsSync("/usr/bin/redis-server")) {
      notes.push("queue overhead not measured: /usr/bin/redis-server missing (tooling/setup.sh --browser installs it)");
    } else {
      const port = await freePort();
      const redis = spawn("/usr/bin/redis-server", ["--port", String(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"], { stdio: ["ignore", "pipe", "ignore"] });
      const worker = spawn(process.execPath, [CLI, "worker", "--queue", `redis://127.0.0.1:${port}`], { cwd: work, stdio: ["ignore", "ignore", "pipe"] });
      try {
        await until(redis, "stdout", "Ready to accept connections");
        await until(worker, "stderr", "taking tasks");
        const { queueRunner } = (await import(pathToFileURL(join(CLI_ROOT, "dist", "jobs", "queue.js")).href)) as { queueRunner: (url: string) => NoopRunner };
        const version = (JSON.parse(readFileSync(join(CLI_ROOT, "package.json"), "utf8")) as { version: string }).version;
        const n = ctx.quick ? 200 : 2000;
        ctx.log(`${n} no-op tasks through Redis, 1 worker…`);
        const tasks = Array.from({ length: n }, (_, i) => ({ id: `noop:${i}`, task: i }));
        const start = performance.now();
        const results = await queueRunner(`redis://127.0.0.1:${port}`).run({ kind: "noop", argv: [], version }, tasks);
        const seconds = (performance.now() - start) / 1000;
        if (results.size !== n) throw new Error(`${results.size} of ${n} no-op results came back`);
        measurements.push({ label: "queue no-op tasks/s", value: n / seconds, unit: "tasks/s", better: "higher", detail: `${n} tasks, 1 worker, loopback Redis, submitter polling included` });
        measurements.push({ label: "queue per-task overhead", value: (seconds * 1000) / n, unit: "ms/task", better: "lower" });
      } finally {
        worker.kill("SIGTERM");
        redis.kill("SIGTERM");
      }
    }
  } finally {
    await rm(work, { recursive: true, force: true });
  }
  return { name: "jobs", description: "dl tcav on 1 vs 2 local worker processes (400 random concepts × 3 layers) and no-op tasks/s through the BullMQ queue", measurements, comparisons, notes };
}
