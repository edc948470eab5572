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
  /** The WebGL `RENDERER` (unmasked through `WEBGL_debug_renderer_info` where offered); undefined without WebGL or when hidden. */
  readonly webGlRenderer: string | undefined;
  /** Browser: `crossOriginIsolated` (COOP + COEP), which SharedArrayBuffer and tfjs-wasm's threads need. Node: true. */
  readonly crossOriginIsolated: boolean;
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

// Chromium and Firefox now return the unmasked name from RENDERER itself; the extension covers older ones.
function rendererOf(gl: WebGLRenderingContext | WebGL2RenderingContext): string | undefined {
  const debug = gl.getExtension("WEBGL_debug_renderer_info");
  const value: unknown = gl.getParameter(debug === null ? gl.RENDERER : debug.UNMASKED_RENDERER_WEBGL);
  return typeof value === "string" && value !== "" ? value : undefined;
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
  let webGlRenderer: string | undefined;
  if (hasWindow) {
    try {
      const canvas = (g["document"] as Document).createElement("canvas");
      const gl = canvas.getContext("webgl2") ?? canvas.getContext("webgl");
      hasWebGl = gl !== null;
      if (gl !== null) webGlRenderer = rendererOf(gl);
      // Browsers cap live contexts; this probe's is not needed again.
      gl?.getExtension("WEBGL_lose_context")?.loseContext();
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
    webGlRenderer,
    crossOriginIsolated: isNode || g["crossOriginIsolated"] === true,
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

interface GpuLike {
  requestAdapter?: () => Promise<AdapterLike | null>;
}
interface AdapterInfoLike {
  vendor?: string;
  architecture?: string;
  device?: string;
  description?: string;
  isFallbackAdapter?: boolean;
}
interface AdapterLike {
  info?: AdapterInfoLike;
  isFallbackAdapter?: boolean;
}

/** What the browser's default WebGPU adapter says about itself (`null`: no adapter). */
export interface WebGpuAdapterReport {
  vendor?: string;
  architecture?: string;
  device?: string;
  description?: string;
  isFallbackAdapter?: boolean;
}

let adapterReport: Promise<WebGpuAdapterReport | null> | undefined;

/** Asks `navigator.gpu` for its default adapter once; `null` when there is none or WebGPU is missing. */
export function webGpuAdapter(): Promise<WebGpuAdapterReport | null> {
  adapterReport ??= (async () => {
    const gpu = (globalThis as { navigator?: { gpu?: GpuLike } }).navigator?.gpu;
    const adapter = (await gpu?.requestAdapter?.()) ?? null;
    if (adapter === null) return null;
    const info = adapter.info ?? {};
    // isFallbackAdapter moved from the adapter to adapter.info (Chrome 136); read either.
    const isFallbackAdapter = info.isFallbackAdapter ?? adapter.isFallbackAdapter;
    return {
      ...(info.vendor === undefined ? {} : { vendor: info.vendor }),
      ...(info.architecture === undefined ? {} : { architecture: info.architecture }),
      ...(info.device === undefined ? {} : { device: info.device }),
      ...(info.description === undefined ? {} : { description: info.description }),
      ...(isFallbackAdapter === undefined ? {} : { isFallbackAdapter }),
    };
  })();
  return adapterReport;
}

/** Tests only: forget the detected environment so a changed `DL_BACKEND` is read again. */
export function resetEnvironmentForTests(): void {
  cached = undefined;
  adapterReport = undefined;
}
