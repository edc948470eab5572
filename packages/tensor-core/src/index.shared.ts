// The surface of @dl/tensor-core that its browser entry (index.ts) and Node entry (index.node.ts) share: browser-safe.
// Each entry adds what only its platform has — here, which code writes PNGs (report/png.ts).
import "./backend/candidates.js";
import "./backend/gradients.js";

export { YIELD_INTERVAL_MS, cancelPoint, nextMacrotask } from "./cancel.js";
export { DlError, assertArgument, isDlError, listNames, throwIfAborted } from "./errors.js";
export type { DlErrorCode, DlErrorOptions } from "./errors.js";
export type { ProgressCallback, ProgressEvent, RunOptions } from "./progress.js";
export { unfinishedPhases } from "./progress.js";
export { environment } from "./env.js";
export { lazyLibraries } from "./lazyLibraries.js";
export type { LazyLibraries, LibraryLoaders } from "./lazyLibraries.js";
export type { Environment } from "./env.js";
export { DEFAULT_SEED, createRng } from "./random/rng.js";
export type { Rng } from "./random/rng.js";
export { sampleBeta, sampleStandardGamma } from "./random/gamma.js";
export {
  BACKEND_NAMES,
  availableBackends,
  backendInfo,
  initBackend,
  recordGapKernels,
  registerBackendCandidate,
} from "./backend/registry.js";
export type {
  BackendAttempt,
  BackendCandidate,
  BackendDetails,
  BackendDevice,
  BackendInfo,
  BackendName,
  InitBackendOptions,
  LoadContext,
  Platform,
} from "./backend/registry.js";
export { loadedTfjs } from "./backend/names.js";
export { describeNative } from "./backend/nativeStatus.js";
export type { NativeStatus } from "./backend/nativeStatus.js";
export { classifyRenderer } from "./backend/softwareRenderer.js";
export type { RendererKind } from "./backend/softwareRenderer.js";
export { registerWasmGapKernels } from "./backend/wasmKernels/index.js";
export * from "./data/index.js";
export * from "./model/index.js";
export * from "./report/index.js";
