// End-to-end: `pnpm dl …` from the repo root, as the README says to run it, speaks only for `dl`:
// no turbo banner, no pnpm lines, nothing on stderr that `dl` itself did not write.
import { execFile } from "node:child_process";
import { readFile } from "node:fs/promises";
import { fileURLToPath } from "node:url";

import { describe, expect, it } from "vitest";

import { runDl, type DlRun } from "../test-utils/runDl.js";

const REPO_ROOT = fileURLToPath(new URL("../../../../", import.meta.url));

function pnpmDl(args: readonly string[]): Promise<DlRun> {
  return new Promise((resolve) => {
    execFile(
      "pnpm",
      ["dl", ...args],
      { cwd: REPO_ROOT, env: { ...process.env, DL_BACKEND: "", FORCE_COLOR: "0" }, timeout: 240_000 },
      (error, stdout, stderr) => {
        resolve({ code: error === null ? 0 : typeof error.code === "number" ? error.code : 1, stdout, stderr });
      },
    );
  });
}

describe("pnpm dl", () => {
  it("--help writes dl's own help and nothing else", async () => {
    const [viaPnpm, direct] = await Promise.all([pnpmDl(["--help"]), runDl(["--help"], { cwd: REPO_ROOT })]);
    expect(viaPnpm.code, viaPnpm.stderr).toBe(0);
    expect(viaPnpm.stderr).toBe("");
    expect(viaPnpm.stdout).toBe(direct.stdout);
    expect(viaPnpm.stdout.startsWith("Usage: dl [options] [command]\n")).toBe(true);
    expect(viaPnpm.stdout).not.toMatch(/turbo|Packages in scope|Tasks:|> dl-lab/);
  }, 240_000);

  it("--version prints @dl/cli's version on one line", async () => {
    const { version } = JSON.parse(await readFile(new URL("../../package.json", import.meta.url), "utf8")) as { version: string };
    const run = await pnpmDl(["--version"]);
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toBe(`${version}\n`);
    expect(run.stderr).toBe("");
  }, 240_000);

  it("dl --version and dl -V print the version alone, as dl help lists every command", async () => {
    const { version } = JSON.parse(await readFile(new URL("../../package.json", import.meta.url), "utf8")) as { version: string };
    const [long, short, help] = await Promise.all([runDl(["--version"], { cwd: REPO_ROOT }), runDl(["-V"], { cwd: REPO_ROOT }), runDl(["help"], { cwd: REPO_ROOT })]);
    for (const run of [long, short]) expect({ code: run.code, stdout: run.stdout, stderr: run.stderr }).toEqual({ code: 0, stdout: `${version}\n`, stderr: "" });
    // `dl help` loads every command module; `dl --help` only their help lines.
    const light = await runDl(["--help"], { cwd: REPO_ROOT });
    expect(light.stdout).toBe(help.stdout);
  }, 240_000);

  it("a bad option is one line on stderr, exit code 2, nothing on stdout", async () => {
    const run = await pnpmDl(["tsne", "--n", "-5"]);
    expect(run.code).toBe(2);
    expect(run.stdout).toBe("");
    expect(run.stderr).toBe('error [INVALID_ARGUMENT]: --n needs an integer in 4 … 1000000, got "-5".\n');
  }, 240_000);

  it("--backend lists only the backends Node can run and says where the others run", async () => {
    const run = await pnpmDl(["doctor", "--help"]);
    expect(run.code, run.stderr).toBe(0);
    const help = run.stdout.replace(/\s+/g, " ");
    expect(help).toContain('(choices: "auto", "tfjs-node", "wasm", "cpu")');
    expect(help).toContain("webgpu and webgl run only in the browser");
  }, 240_000);
});
