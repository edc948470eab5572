/**
 * The one place that reads the environment (STYLE.md rule 6): computed once, frozen.
 */
export interface Environment {
  readonly isNode: boolean;
  readonly isBrowser: boolean;
  readonly isWebWorker: boolean;
  /** `DL_BACKEND` (Node) or `?backend=`/`globalThis.DL_BACKEND` (browser), if set. */
  readonly requestedBackend: string | undefined;
  /** `DL_CACHE_DIR`, where decoded datasets and default models are cached (Node). */
  readonly cacheDir: string | undefined;
  readonly hasWebGpu: boolean;
  readonly hasWebGl: boolean;
  readonly hasWebAssembly: boolean;
  readonly hardwareConcurrency: number;
}

interface ProcessLike {
  versions?: { node?: string };
  env?: Record<string, string | undefined>;
  /** Node ≥ 20.16: a built-in module without an import, so this file stays browser-safe. */
  getBuiltinModule?: (id: string) => unknown;
}

/** Logical cores: `navigator.hardwareConcurrency` in browsers (and Node ≥ 21), `os.availableParallelism()` in Node 20 (no navigator). */
function coreCount(proc: ProcessLike | undefined, nav: { hardwareConcurrency?: number } | undefined): number {
  if (typeof nav?.hardwareConcurrency === "number" && nav.hardwareConcurrency > 0) return nav.hardwareConcurrency;
  const os = proc?.getBuiltinModule?.("node:os") as { availableParallelism?: () => number } | undefined;
  const cores = os?.availableParallelism?.();
  return typeof cores === "number" && cores > 0 ? cores : 1;
}

function nonEmpty(value: string | undefined): string | undefined {
  return value === undefined || value === "" ? undefined : value;
}

function detect(): Environment {
  const g = globalThis as Record<string, unknown>;
  const proc = g["process"] as ProcessLike | undefined;
  const isNode = typeof proc?.versions?.node === "string";
  const hasWindow = typeof g["window"] === "object" && typeof g["document"] === "object";
  const isWebWorker = !isNode && typeof g["importScripts"] === "function";
  const nav = g["navigator"] as { gpu?: unknown; hardwareConcurrency?: number } | undefined;
  let requestedBackend: string | undefined;
  let cacheDir: string | undefined;
  if (isNode) {
    requestedBackend = nonEmpty(proc?.env?.["DL_BACKEND"]);
    cacheDir = nonEmpty(proc?.env?.["DL_CACHE_DIR"]);
  } else {
    const fromGlobal = g["DL_BACKEND"];
    requestedBackend = typeof fromGlobal === "string" ? fromGlobal : undefined;
    const loc = g["location"] as { search?: string } | undefined;
    if (requestedBackend === undefined && typeof loc?.search === "string") {
      requestedBackend = new URLSearchParams(loc.search).get("backend") ?? undefined;
    }
  }
  let hasWebGl = false;
  if (hasWindow) {
    try {
      const canvas = (g["document"] as Document).createElement("canvas");
      hasWebGl = canvas.getContext("webgl2") !== null || canvas.getContext("webgl") !== null;
    } catch {
      hasWebGl = false;
    }
  }
  return Object.freeze({
    isNode,
    isBrowser: hasWindow,
    isWebWorker,
    requestedBackend,
    cacheDir,
    hasWebGpu: !isNode && nav?.gpu !== undefined,
    hasWebGl,
    hasWebAssembly: typeof g["WebAssembly"] === "object",
    hardwareConcurrency: coreCount(proc, nav),
  });
}

let cached: Environment | undefined;

/** The environment, detected on first call. */
export function environment(): Environment {
  cached ??= detect();
  return cached;
}

/** Tests only: forget the detected environment so a changed `DL_BACKEND` is read again. */
export function resetEnvironmentForTests(): void {
  cached = undefined;
}
