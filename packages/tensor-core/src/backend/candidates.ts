import { registerWasmGapKernels } from "./wasmKernels/index.js";
import { recordGapKernels, registerBackendCandidate, type BackendDevice } from "./registry.js";
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

let wasmThreads: (() => number) | undefined;

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
