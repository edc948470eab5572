import wasmPlain from "@tensorflow/tfjs-backend-wasm/wasm-out/tfjs-backend-wasm.wasm?url";
import wasmSimd from "@tensorflow/tfjs-backend-wasm/wasm-out/tfjs-backend-wasm-simd.wasm?url";
import wasmThreaded from "@tensorflow/tfjs-backend-wasm/wasm-out/tfjs-backend-wasm-threaded-simd.wasm?url";

import { initBackend, type BackendInfo } from "@dl/tensor-core";

let started: Promise<BackendInfo> | undefined;

/** Starts the best backend once (webgpu → webgl → wasm → cpu; `?backend=` overrides). */
export function startBackend(): Promise<BackendInfo> {
  started ??= initBackend({
    wasmPaths: {
      "tfjs-backend-wasm.wasm": wasmPlain,
      "tfjs-backend-wasm-simd.wasm": wasmSimd,
      "tfjs-backend-wasm-threaded-simd.wasm": wasmThreaded,
    },
  });
  return started;
}

export function describeBackend(info: BackendInfo): string {
  const rejected = info.tried.filter((t) => !t.ok).map((t) => `${t.name}: ${t.reason ?? "failed"}`);
  return `backend: ${info.name}${rejected.length > 0 ? ` (rejected ${rejected.join("; ")})` : ""}`;
}
