import wasmPlain from "@tensorflow/tfjs-backend-wasm/wasm-out/tfjs-backend-wasm.wasm?url";
import wasmSimd from "@tensorflow/tfjs-backend-wasm/wasm-out/tfjs-backend-wasm-simd.wasm?url";
import wasmThreaded from "@tensorflow/tfjs-backend-wasm/wasm-out/tfjs-backend-wasm-threaded-simd.wasm?url";

import { environment, initBackend, type BackendInfo } from "@dl/tensor-core";

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

/** Threads and device in a few words: "SIMD, 2 threads", "1 thread: page not cross-origin isolated", "SwiftShader". */
function describeDetails(info: BackendInfo): string | undefined {
  if (info.wasm !== undefined) {
    const { simd, threads, threadCount, crossOriginIsolated } = info.wasm;
    const count = threadCount ?? 1;
    let why = crossOriginIsolated ? ": no wasm threads in this browser" : ": page not cross-origin isolated";
    // tfjs-wasm's threaded build runs half the logical cores, so 2 cores give it one thread.
    if (threads) why = count > 1 ? " (threaded build)" : ` (threaded build; tfjs-wasm uses half of ${environment().hardwareConcurrency} logical cores)`;
    return `${simd ? "SIMD, " : ""}${count} thread${count === 1 ? "" : "s"}${why}`;
  }
  if (info.device !== undefined) {
    return info.device.software === undefined ? info.device.name : `${info.device.name}, software: ${info.device.software}`;
  }
  return undefined;
}

export function describeBackend(info: BackendInfo): string {
  const details = describeDetails(info);
  const rejected = info.tried.filter((t) => !t.ok).map((t) => `${t.name}: ${t.reason ?? "failed"}`);
  return `backend: ${info.name}${details === undefined ? "" : ` [${details}]`}${rejected.length > 0 ? ` (rejected ${rejected.join("; ")})` : ""}`;
}

/** Data attributes on the header's backend label, for tests and styles. */
export function backendAttributes(info: BackendInfo): Record<string, string> {
  return {
    backend: info.name,
    ...(info.wasm === undefined ? {} : { threads: String(info.wasm.threadCount ?? 1), multithread: String(info.wasm.threads), isolated: String(info.wasm.crossOriginIsolated) }),
    ...(info.device?.software === undefined ? {} : { software: info.device.software }),
  };
}
