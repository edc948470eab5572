/** Options of {@link runInFreshProcess}. */
export interface FreshProcessOptions {
  /**
   * CommonJS modules to watch, by a name of the test's choosing → a part of their path (e.g. `{ mathjs: "/mathjs/lib/cjs/" }`);
   * the script's `loaded()` says, for each name, whether a module whose path holds that part is in `require.cache`.
   */
  watch?: Record<string, string>;
  /** Kills the process after this long (default 120 000 ms); the test's own timeout should be at least as long. */
  timeoutMs?: number;
}

/**
 * Runs `script` (an ES module's source) in a fresh Node process, from the root of the package that holds `testFile`
 * (pass `import.meta.url`), with the workspace's `@dl/source` condition and tsx, so the package imports itself from
 * source. The module cache starts empty there: what the script sees loaded is what the package's own imports loaded.
 * The script may call `loaded()` (the `watch` record of booleans) and must end with `report(value)`, which prints
 * `value` as JSON; the promise resolves to that value, parsed (not validated: the caller states its shape). Rejects with
 * the child's stderr when it exits non-zero.
 */
export declare function runInFreshProcess(testFile: string, script: string, options?: FreshProcessOptions): Promise<unknown>;
