import * as tf from "@tensorflow/tfjs-core";

import { environment } from "../env.js";
import { DlError, listNames } from "../errors.js";
import { BACKEND_NAMES, recordLoadedTfjs, type BackendName } from "./names.js";

export { BACKEND_NAMES, type BackendName };

recordLoadedTfjs(tf);

export type Platform = "node" | "browser";

/** A backend that can be tried: tfjs's (name, factory, priority) registry, made explicit. */
export interface BackendCandidate {
  name: BackendName;
  /** The name tfjs registers it under (`tensorflow` for tfjs-node). */
  tfName: string;
  /** Higher is tried first. */
  priority: number;
  platforms: readonly Platform[];
  /**
   * The npm package that provides it: a peer dependency the app installs at its own tfjs version,
   * named in the reason when it is missing.
   */
  peer?: string;
  /**
   * Imports and registers the backend with tfjs; throws when it is not available here (or, unless
   * `context.forced`, when it would be a poor choice, e.g. WebGL emulated on the CPU).
   */
  load: (options: InitBackendOptions, context: LoadContext) => Promise<void>;
  /** Runs after tfjs selected the backend (e.g. registers gap kernels, times a probe); throwing rejects it. */
  afterSelect?: (context: LoadContext) => Promise<void> | void;
  /** What it found about the device and its threads, for `backendInfo()`. */
  details?: () => Promise<BackendDetails> | BackendDetails;
}

export interface LoadContext {
  /** The user asked for this backend by name (option, `DL_BACKEND` or `?backend=`), so only hard failures reject it. */
  forced: boolean;
}

export interface BackendDetails {
  device?: BackendDevice;
  /** wasm: threads tfjs-wasm's pool runs (1 when the threaded binary was not loaded). */
  wasmThreadCount?: number;
}

export interface BackendDevice {
  /** The GPU as the browser names it (WebGL RENDERER, or the WebGPU adapter's info); "unknown" when hidden. */
  name: string;
  /** The CPU rasteriser recognised in that name (e.g. "SwiftShader"); set only when a user forced a software GPU. */
  software?: string;
}

export interface BackendAttempt {
  name: BackendName;
  ok: boolean;
  /** Why it was rejected, e.g. "tfjs-node not installed: Cannot find module …". */
  reason?: string;
}

export interface BackendInfo {
  /** The backend in use. */
  name: BackendName;
  /** tfjs's own name for it. */
  tfName: string;
  /** Every candidate, in the order tried, with why each was rejected. */
  tried: readonly BackendAttempt[];
  /** How the choice was made. */
  requestedBy: "option" | "DL_BACKEND" | "auto";
  platform: Platform;
  tfjsVersion: string;
  /**
   * wasm only: SIMD and threads as tfjs-wasm detected them (`threads`: its WASM_HAS_MULTITHREAD_SUPPORT,
   * which in a browser needs a cross-origin isolated page, and which dl-lab turns on in Node); `threadCount`: the
   * threads its XNNPACK pool runs: in browsers tfjs-wasm caps it at half the logical cores (1 on a 2-core machine),
   * in Node it is `wasmThreads` (default: every core, at most 8, unless the machine is already loaded).
   */
  wasm?: { simd: boolean; threads: boolean; threadCount?: number; crossOriginIsolated: boolean };
  /** webgl/webgpu only: the device it runs on. */
  device?: BackendDevice;
  /** Kernels dl-lab registered for this backend to fill tfjs gaps. */
  gapKernels: readonly string[];
}

export interface InitBackendOptions {
  /** Force one backend; `auto` (default) tries candidates by priority. Overrides `DL_BACKEND`. */
  backend?: BackendName | "auto";
  /** Browser only: where tfjs-backend-wasm's `.wasm` files are served (folder URL or per-file map). */
  wasmPaths?: string | Record<string, string>;
  /**
   * Node only: threads of tfjs-wasm's XNNPACK pool (its threaded SIMD binary), fixed when wasm first starts in the
   * process. Default `DL_WASM_THREADS`, else the cores Node may use (at most 8) — 1 when the 1-minute load average
   * already reaches the core count; 1 loads the single-threaded binary.
   */
  wasmThreads?: number;
}

const candidates = new Map<BackendName, BackendCandidate>();
const gapKernelsByBackend = new Map<string, string[]>();
let current: BackendInfo | undefined;
let pending: Promise<BackendInfo> | undefined;

/** Adds (or replaces) a candidate. Entries register theirs on import. */
export function registerBackendCandidate(candidate: BackendCandidate): void {
  candidates.set(candidate.name, candidate);
}

/** Records kernels registered to fill gaps of a tfjs backend (reported by `backendInfo`). */
export function recordGapKernels(tfBackendName: string, kernelNames: readonly string[]): void {
  const list = gapKernelsByBackend.get(tfBackendName) ?? [];
  for (const k of kernelNames) if (!list.includes(k)) list.push(k);
  gapKernelsByBackend.set(tfBackendName, list);
}

function currentPlatform(): Platform {
  return environment().isNode ? "node" : "browser";
}

function parseBackendName(value: string, source: string): BackendName | "auto" {
  const normalized = value.trim().toLowerCase();
  if (normalized === "auto") return "auto";
  if (normalized === "tensorflow" || normalized === "node") return "tfjs-node";
  if ((BACKEND_NAMES as readonly string[]).includes(normalized)) return normalized as BackendName;
  throw new DlError(
    "UNKNOWN_BACKEND",
    `Unknown backend "${value}" (from ${source}). Valid backends: ${listNames(["auto", ...BACKEND_NAMES])}.`,
    { details: { valid: ["auto", ...BACKEND_NAMES] } },
  );
}

function describe(error: unknown): string {
  if (error instanceof Error) return error.message.split("\n")[0] ?? error.name;
  return String(error);
}

async function trySelect(candidate: BackendCandidate, options: InitBackendOptions, context: LoadContext): Promise<void> {
  await candidate.load(options, context);
  // setBackend resolves false (rather than throwing) when the factory fails to initialise.
  const ok = await tf.setBackend(candidate.tfName);
  if (!ok) throw new Error(`tfjs could not initialise the ${candidate.tfName} backend`);
  await tf.ready();
  await candidate.afterSelect?.(context);
}

async function select(options: InitBackendOptions): Promise<BackendInfo> {
  const platform = currentPlatform();
  const env = environment();
  let requestedBy: BackendInfo["requestedBy"] = "auto";
  let wanted: BackendName | "auto" = "auto";
  if (options.backend !== undefined && options.backend !== "auto") {
    wanted = parseBackendName(options.backend, "the backend option");
    requestedBy = "option";
  } else if (options.backend === undefined && env.requestedBackend !== undefined) {
    wanted = parseBackendName(env.requestedBackend, "the DL_BACKEND variable");
    requestedBy = wanted === "auto" ? "auto" : "DL_BACKEND";
  }

  const available = [...candidates.values()]
    .filter((c) => c.platforms.includes(platform))
    .sort((a, b) => b.priority - a.priority);
  const order = wanted === "auto" ? available : available.filter((c) => c.name === wanted);
  if (order.length === 0) {
    const valid = available.map((c) => c.name);
    throw new DlError(
      "BACKEND_UNAVAILABLE",
      `Backend "${wanted}" is not available on ${platform}. Available here: ${listNames(valid)}.`,
      { details: { valid } },
    );
  }

  const tried: BackendAttempt[] = [];
  for (const candidate of order) {
    try {
      await trySelect(candidate, options, { forced: wanted !== "auto" });
      tried.push({ name: candidate.name, ok: true });
      return await makeInfo(candidate, tried, requestedBy, platform);
    } catch (error) {
      tried.push({ name: candidate.name, ok: false, reason: reasonFor(candidate, error) });
    }
  }
  const reasons = tried.map((t) => `${t.name}: ${t.reason ?? "failed"}`).join("; ");
  throw new DlError(
    "BACKEND_UNAVAILABLE",
    wanted === "auto"
      ? `No TensorFlow.js backend could start (${reasons}).`
      : `Backend "${wanted}" could not start (${reasons}). Use --backend auto to fall back.`,
    { details: { tried } },
  );
}

function isModuleNotFound(error: unknown): boolean {
  const code = (error as { code?: unknown } | undefined)?.code;
  if (code === "MODULE_NOT_FOUND" || code === "ERR_MODULE_NOT_FOUND") return true;
  // Browsers loading unbundled ESM report an unresolvable bare specifier as a TypeError without a code.
  return error instanceof TypeError && error.message.includes("Failed to resolve module specifier");
}

function reasonFor(candidate: BackendCandidate, error: unknown): string {
  const missing = isModuleNotFound(error);
  if (candidate.name === "tfjs-node") {
    return missing ? `tfjs-node not installed: ${describe(error)}` : `tfjs-node failed to load its native addon: ${describe(error)}`;
  }
  // Only when the missing module is the peer itself, not something it imports.
  if (missing && candidate.peer !== undefined && describe(error).includes(`'${candidate.peer}'`)) {
    // Backends pin tfjs-core exactly, so the one that fits is the app's own tfjs-core version.
    return `${candidate.peer} is not installed (a peer dependency of @dl/tensor-core): install ${candidate.peer}@${tf.version_core} to match @tensorflow/tfjs-core`;
  }
  return describe(error);
}

async function makeInfo(
  candidate: BackendCandidate,
  tried: BackendAttempt[],
  requestedBy: BackendInfo["requestedBy"],
  platform: Platform,
): Promise<BackendInfo> {
  const details = (await candidate.details?.()) ?? {};
  let wasm: BackendInfo["wasm"];
  if (candidate.tfName === "wasm") {
    const simd = Boolean(await tf.env().getAsync("WASM_HAS_SIMD_SUPPORT"));
    const threads = Boolean(await tf.env().getAsync("WASM_HAS_MULTITHREAD_SUPPORT"));
    const { crossOriginIsolated } = environment();
    wasm = { simd, threads, crossOriginIsolated, ...(details.wasmThreadCount === undefined ? {} : { threadCount: details.wasmThreadCount }) };
  }
  const info: BackendInfo = {
    name: candidate.name,
    tfName: candidate.tfName,
    tried,
    requestedBy,
    platform,
    tfjsVersion: tf.version_core,
    gapKernels: [...(gapKernelsByBackend.get(candidate.tfName) ?? [])],
    ...(wasm === undefined ? {} : { wasm }),
    ...(details.device === undefined ? {} : { device: details.device }),
  };
  return Object.freeze(info);
}

/**
 * Chooses and starts a backend: the option, else `DL_BACKEND`, else the best available by
 * priority (Node: tfjs-node → wasm → cpu; browser: webgpu → webgl → wasm → cpu). Repeated calls
 * with the same request return the same info; a different request switches backend.
 */
export async function initBackend(options: InitBackendOptions = {}): Promise<BackendInfo> {
  if (pending !== undefined) {
    const info = await pending.catch(() => undefined);
    const sameRequest = options.backend === undefined || options.backend === "auto" || options.backend === info?.name;
    if (info !== undefined && sameRequest && tf.getBackend() === info.tfName) return info;
  }
  pending = select(options);
  try {
    current = await pending;
    return current;
  } catch (error) {
    pending = undefined;
    throw error;
  }
}

/** The backend chosen by `initBackend`; throws if none was chosen yet. */
export function backendInfo(): BackendInfo {
  if (current === undefined) {
    throw new DlError("BACKEND_UNAVAILABLE", "No backend chosen yet: await initBackend() first.");
  }
  return current;
}

/** Names of the candidates registered for this platform, best first. */
export function availableBackends(): BackendName[] {
  const platform = currentPlatform();
  return [...candidates.values()]
    .filter((c) => c.platforms.includes(platform))
    .sort((a, b) => b.priority - a.priority)
    .map((c) => c.name);
}

/** Tests only: forget the chosen backend so selection runs again. */
export function resetBackendForTests(): void {
  current = undefined;
  pending = undefined;
}
