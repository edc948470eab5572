import { registerWasmGapKernels } from "./wasmKernels/index.js";
import { recordGapKernels, registerBackendCandidate } from "./registry.js";
import { environment } from "../env.js";

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
    recordGapKernels("wasm", registerWasmGapKernels());
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
  async load() {
    if (!environment().hasWebGl) throw new Error("WebGL is not available in this browser");
    await import("@tensorflow/tfjs-backend-webgl");
  },
});

registerBackendCandidate({
  name: "webgpu",
  tfName: "webgpu",
  peer: "@tensorflow/tfjs-backend-webgpu",
  priority: 90,
  platforms: ["browser"],
  async load() {
    if (!environment().hasWebGpu) throw new Error("WebGPU is not available in this browser (navigator.gpu is missing)");
    await import("@tensorflow/tfjs-backend-webgpu");
  },
});
