// Shared by the CLI's end-to-end tests: run the built `dl` (dist/bin/dl.js) as a user would.
import { execFile } from "node:child_process";
import { fileURLToPath } from "node:url";

export const CLI_PATH = fileURLToPath(new URL("../../dist/bin/dl.js", import.meta.url));

export interface DlRun {
  code: number;
  stdout: string;
  stderr: string;
}

export interface RunDlOptions {
  cwd: string;
  /** `DL_CACHE_DIR` for the run; unset keeps the caller's. */
  cacheDir?: string;
  /** `DL_BACKEND` for the run; "" lets the CLI choose. */
  backend?: string;
  timeoutMs?: number;
  /** Extra environment variables for the run. */
  env?: Readonly<Record<string, string>>;
}

/** Runs `node dist/bin/dl.js …args`; resolves with the exit code and both streams (never rejects). */
export function runDl(args: readonly string[], options: RunDlOptions): Promise<DlRun> {
  const env: NodeJS.ProcessEnv = { ...process.env, DL_BACKEND: options.backend ?? "", FORCE_COLOR: "0", ...options.env };
  if (options.cacheDir !== undefined) env["DL_CACHE_DIR"] = options.cacheDir;
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [CLI_PATH, ...args],
      { cwd: options.cwd, env, timeout: options.timeoutMs ?? 300_000, maxBuffer: 64 * 1024 * 1024 },
      (error, stdout, stderr) => {
        resolve({ code: error === null ? 0 : typeof error.code === "number" ? error.code : 1, stdout, stderr });
      },
    );
  });
}
