// Runs a test's script in a fresh Node process, where the module cache starts empty: the way to check which
// libraries a package loads at import and which it loads on first use (a vitest worker has loaded them already).
import { execFile } from "node:child_process";
import { existsSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";

const run = promisify(execFile);

/** @param {string} testFile */
function packageRoot(testFile) {
  let dir = dirname(fileURLToPath(testFile));
  while (!existsSync(join(dir, "package.json"))) {
    const parent = dirname(dir);
    if (parent === dir) throw new Error(`No package.json above ${testFile}.`);
    dir = parent;
  }
  return dir;
}

/**
 * @param {string} testFile
 * @param {string} script
 * @param {{ watch?: Record<string, string>, timeoutMs?: number }} [options]
 * @returns {Promise<unknown>}
 */
export async function runInFreshProcess(testFile, script, options = {}) {
  // CommonJS modules (what a Node entry `require`s on first use) land in require.cache, keyed by absolute path.
  const prelude = `
import { createRequire as __createRequire } from "node:module";
const __watch = ${JSON.stringify(options.watch ?? {})};
const __cache = __createRequire(import.meta.url).cache;
const loaded = () => Object.fromEntries(Object.entries(__watch).map(([name, part]) => [name, Object.keys(__cache).some((p) => p.includes(part))]));
const report = (value) => console.log(JSON.stringify(value));
`;
  const timeout = options.timeoutMs ?? 120_000;
  const { stdout } = await run(process.execPath, ["--conditions=@dl/source", "--import", "tsx", "--input-type=module", "-e", prelude + script], {
    cwd: packageRoot(testFile),
    timeout,
  });
  const last = stdout.trim().split("\n").at(-1);
  if (last === undefined || last === "") throw new Error(`The fresh process reported nothing; its script must end with report(value). stdout: ${stdout}`);
  return JSON.parse(last);
}
