import * as tf from "@tensorflow/tfjs-core";

import { registerWasmGapKernels } from "./wasmKernels/index.js";
import { recordGapKernels, registerBackendCandidate, type BackendDevice, type InitBackendOptions } from "./registry.js";
import { classifyRenderer, classifyWebGpuAdapter, describeWebGpuAdapter, type RendererKind } from "./softwareRenderer.js";
import { environment, webGpuAdapter } from "../env.js";

/** Why a GPU backend that would run on a CPU rasteriser is passed over (kept in `backendInfo().tried`). */
export function softwareRejection(backend: "webgl" | "webgpu", device: string, rasterizer: string): string {
  return (
    `software renderer "${device}" (${rasterizer}): ${backend === "webgl" ? "WebGL" : "WebGPU"} is emulated on the CPU here, ` +
    `slower than wasm; force it with backend "${backend}" (?backend=${backend})`
  );
}

function deviceOf(name: string | undefined, kind: RendererKind): BackendDevice {
  return { name: name ?? "unknown", ...(kind.kind === "software" ? { software: kind.rasterizer } : {}) };
}

// A hidden renderer ("WebKit WebGL") is judged by time instead: one 512×512 matmul (0.27 GFLOP) with read-back
// takes a few milliseconds on a GPU (mostly the read-back), far longer on SwiftShader/llvmpipe.
const PROBE_SIZE = 512;
const PROBE_RUNS = 3;
export const SOFTWARE_PROBE_MS = 30;

/** Median milliseconds of a PROBE_SIZE² matmul and its read-back on the current backend, after one warm-up (shader compile). */
export async function matMulProbeMs(): Promise<number> {
  const a = tf.randomUniform([PROBE_SIZE, PROBE_SIZE], -1, 1, "float32", 1);
  const b = tf.randomUniform([PROBE_SIZE, PROBE_SIZE], -1, 1, "float32", 2);
  try {
    const times: number[] = [];
    for (let run = -1; run < PROBE_RUNS; run++) {
      const started = performance.now();
      const c = tf.matMul(a, b);
      await c.data();
      c.dispose();
      if (run >= 0) times.push(performance.now() - started);
    }
    times.sort((x, y) => x - y);
    return times[Math.floor(times.length / 2)] ?? Number.POSITIVE_INFINITY;
  } finally {
    a.dispose();
    b.dispose();
  }
}

let wasmThreads: (() => number) | undefined;

/** What the wasm candidate uses of tfjs-backend-wasm. */
export interface WasmModule {
  setThreadsCount: (threads: number) => void;
  getThreadsCount: () => number;
}
type WasmThreading = (wasm: WasmModule, options: InitBackendOptions) => void;
let wasmThreading: WasmThreading | undefined;

/** The Node entry's way to start tfjs-wasm's threaded binary (wasmThreadsNode.ts); browsers decide by cross-origin isolation. */
export function setWasmThreading(threading: WasmThreading): void {
  wasmThreading = threading;
}

// Platform-neutral candidates: dynamic imports keep unused backends out of the start-up path. Each
// backend is a peer dependency (cpu and wasm required, webgl and webgpu optional) so it registers with
// the app's own tfjs engine; a missing one is rejected with the package to install.
registerBackendCandidate({
  name: "wasm",
  tfName: "wasm",
  peer: "@tensorflow/tfjs-backend-wasm",
  priority: 50,
  platforms: ["node", "browser"],
  async load(options) {
    if (!environment().hasWebAssembly) throw new Error("WebAssembly is not available");
    const wasm = await import("@tensorflow/tfjs-backend-wasm");
    if (options.wasmPaths !== undefined) wasm.setWasmPaths(options.wasmPaths);
    wasmThreading?.(wasm, options);
    wasmThreads = wasm.getThreadsCount;
    recordGapKernels("wasm", registerWasmGapKernels());
  },
  details() {
    // Throws only before the backend initialised, which makeInfo never sees.
    return wasmThreads === undefined ? {} : { wasmThreadCount: wasmThreads() };
  },
});

registerBackendCandidate({
  name: "cpu",
  tfName: "cpu",
  peer: "@tensorflow/tfjs-backend-cpu",
  priority: 10,
  platforms: ["node", "browser"],
  async load() {
    await import("@tensorflow/tfjs-backend-cpu");
  },
});

registerBackendCandidate({
  name: "webgl",
  tfName: "webgl",
  peer: "@tensorflow/tfjs-backend-webgl",
  priority: 80,
  platforms: ["browser"],
  async load(_options, { forced }) {
    const env = environment();
    if (!env.hasWebGl) throw new Error("WebGL is not available in this browser");
    const kind = classifyRenderer(env.webGlRenderer);
    if (kind.kind === "software" && !forced) throw new Error(softwareRejection("webgl", env.webGlRenderer ?? "", kind.rasterizer));
    await import("@tensorflow/tfjs-backend-webgl");
  },
  async afterSelect({ forced }) {
    if (forced || classifyRenderer(environment().webGlRenderer).kind !== "unknown") return;
    const ms = await matMulProbeMs();
    if (ms > SOFTWARE_PROBE_MS) {
      throw new Error(
        `renderer hidden and a ${PROBE_SIZE}×${PROBE_SIZE} matmul took ${ms.toFixed(1)} ms (over ${SOFTWARE_PROBE_MS} ms), as on a software renderer: ` +
          `slower than wasm; force it with backend "webgl" (?backend=webgl)`,
      );
    }
  },
  details() {
    const renderer = environment().webGlRenderer;
    return { device: deviceOf(renderer, classifyRenderer(renderer)) };
  },
});

registerBackendCandidate({
  name: "webgpu",
  tfName: "webgpu",
  peer: "@tensorflow/tfjs-backend-webgpu",
  priority: 90,
  platforms: ["browser"],
  async load(_options, { forced }) {
    if (!environment().hasWebGpu) throw new Error("WebGPU is not available in this browser (navigator.gpu is missing)");
    const adapter = await webGpuAdapter();
    if (adapter === null) throw new Error("WebGPU has no adapter here (navigator.gpu.requestAdapter() returned null)");
    const kind = classifyWebGpuAdapter(adapter);
    if (kind.kind === "software" && !forced) {
      throw new Error(softwareRejection("webgpu", describeWebGpuAdapter(adapter) || "fallback adapter", kind.rasterizer));
    }
    await import("@tensorflow/tfjs-backend-webgpu");
  },
  async details() {
    const adapter = await webGpuAdapter();
    if (adapter === null) return {};
    const name = describeWebGpuAdapter(adapter);
    return { device: deviceOf(name === "" ? undefined : name, classifyWebGpuAdapter(adapter)) };
  },
});
