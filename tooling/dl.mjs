#!/usr/bin/env node
// `pnpm dl …`: rebuild the CLI through turbo when its sources changed (a cache hit costs ~0.2 s), then run
// it. Turbo's banner and task logs are kept back and shown only when the build fails, so `dl` speaks alone.
import { spawn, spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";

const root = fileURLToPath(new URL("..", import.meta.url));
const build = spawnSync("turbo", ["run", "build", "--filter=@dl/cli...", "--output-logs=errors-only", "--log-prefix=none"], {
  cwd: root,
  encoding: "utf8",
  shell: process.platform === "win32",
  env: { ...process.env, TURBO_PRINT_VERSION_DISABLED: "1" },
});
if (build.error !== undefined || build.status !== 0) {
  process.stderr.write(`${build.stdout ?? ""}${build.stderr ?? ""}`);
  process.stderr.write(`dl: building the CLI failed (turbo run build --filter=@dl/cli...${build.error ? `: ${build.error.message}` : ""}).\n`);
  process.exit(build.status ?? 1);
}

const child = spawn(process.execPath, [fileURLToPath(new URL("../apps/cli/dist/bin/dl.js", import.meta.url)), ...process.argv.slice(2)], {
  stdio: "inherit",
});
for (const signal of ["SIGINT", "SIGTERM"]) process.on(signal, () => child.kill(signal));
child.on("exit", (code, signal) => {
  if (signal !== null) process.kill(process.pid, signal);
  else process.exitCode = code ?? 1;
});
