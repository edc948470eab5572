import type { KernelConfig, TensorInfo } from "@tensorflow/tfjs-core";

import { OPTIMIZER_WASM_BASE64, OPTIMIZER_WASM_SHARED_BASE64 } from "./optimizerWasm.generated.js";
import { asWasm } from "./wasmBackend.js";
import type { KernelArgs, WasmBackend } from "./wasmBackend.js";

/** Kernel names of the fused optimiser updates (ops in model/optimizerUpdates.ts). */
export const ADAM_UPDATE = "DlAdamUpdate";
export const EMA_UPDATE = "DlEmaUpdate";

export interface AdamUpdateAttrs {
  beta1: number;
  beta2: number;
  epsilon: number;
  /** lr·√(1 − β₂ᵗ)/(1 − β₁ᵗ): the step size with both bias corrections folded in. */
  stepSize: number;
}

/** The exports of assembly/optimizerUpdates.ts; pointers are byte offsets into tfjs-wasm's memory. */
export interface OptimizerExports {
  adam(x: number, g: number, m: number, v: number, xo: number, mo: number, vo: number, n: number, b1: number, c1: number, b2: number, c2: number, eps: number, step: number): void;
  ema(a: number, x: number, out: number, n: number, d: number, c: number): void;
}

/** What the emscripten module of tfjs-wasm exposes of its memory: `wasmMemory` (threaded build) or `asm.memory`. */
interface EmscriptenMemory {
  wasmMemory?: WebAssembly.Memory;
  asm?: { memory?: WebAssembly.Memory };
}

function decodeBase64(text: string): Uint8Array<ArrayBuffer> {
  const binary = atob(text);
  const bytes = new Uint8Array(binary.length);
  for (let b = 0; b < binary.length; b++) bytes[b] = binary.charCodeAt(b);
  return bytes;
}

const modules = new Map<boolean, WebAssembly.Module | null>();
const instances = new WeakMap<WebAssembly.Memory, OptimizerExports>();

function moduleOf(shared: boolean): WebAssembly.Module | null {
  let module = modules.get(shared);
  if (module === undefined) {
    const bytes = decodeBase64(shared ? OPTIMIZER_WASM_SHARED_BASE64 : OPTIMIZER_WASM_BASE64);
    module = typeof WebAssembly === "object" && WebAssembly.validate(bytes) ? new WebAssembly.Module(bytes) : null;
    modules.set(shared, module);
  }
  return module;
}

/** Whether this runtime validates our SIMD module (else the ops fall back to the unfused tfjs ops). */
export function optimizerKernelsAvailable(): boolean {
  return moduleOf(false) !== null;
}

/** Our kernels instantiated on `memory` (once per memory; a shared one gets the module built for one). */
export function optimizerKernelsOn(memory: WebAssembly.Memory): OptimizerExports {
  let kernels = instances.get(memory);
  if (kernels === undefined) {
    const shared = typeof SharedArrayBuffer === "function" && memory.buffer instanceof SharedArrayBuffer;
    const compiled = moduleOf(shared);
    if (compiled === null) throw new Error("the fused optimiser kernels need WebAssembly SIMD");
    kernels = new WebAssembly.Instance(compiled, { env: { memory } }).exports as unknown as OptimizerExports;
    instances.set(memory, kernels);
  }
  return kernels;
}

/** Our kernels on the backend's own memory: they read and write its tensors in place. */
function kernelsOf(backend: WasmBackend): OptimizerExports {
  const module = backend.wasm as unknown as EmscriptenMemory;
  const memory = module.wasmMemory ?? module.asm?.memory;
  if (memory === undefined) throw new Error("tfjs-wasm does not expose its WebAssembly.Memory");
  return optimizerKernelsOn(memory);
}

const f = Math.fround;
const address = (backend: WasmBackend, info: TensorInfo): number => backend.dataIdMap.get(info.dataId)?.memoryOffset;

/**
 * One Adam step over a whole variable in one SIMD pass: m′ = m·β₁ + g·(1 − β₁); v′ = v·β₂ + g²·(1 − β₂);
 * x′ = x − (m′·s) / (√v′ + ε), each operation rounded to float32 in the unfused ops' order, so the result is
 * bit-identical to mul/add/square/sqrt/div/sub. tfjs-wasm ran that as 12 kernels per variable, each allocating and
 * streaming a whole-variable tensor.
 */
function adamUpdate(args: KernelArgs): TensorInfo[] {
  const backend = asWasm(args.backend);
  const { x, g, m, v } = args.inputs as { x: TensorInfo; g: TensorInfo; m: TensorInfo; v: TensorInfo };
  const { beta1, beta2, epsilon, stepSize } = args.attrs as unknown as AdamUpdateAttrs;
  const outs = [x, m, v].map((t) => backend.makeOutput(t.shape, "float32")) as [TensorInfo, TensorInfo, TensorInfo];
  const n = x.shape.reduce((a, b) => a * b, 1);
  const at = (t: TensorInfo): number => address(backend, t);
  kernelsOf(backend).adam(at(x), at(g), at(m), at(v), at(outs[0]), at(outs[1]), at(outs[2]), n, f(beta1), f(1 - beta1), f(beta2), f(1 - beta2), f(epsilon), f(stepSize));
  return outs;
}

/** θ̄′ = θ̄·d + θ·(1 − d) in one SIMD pass, rounded as tfjs's mul/mul/add compute it. */
function emaUpdate(args: KernelArgs): TensorInfo {
  const backend = asWasm(args.backend);
  const { average, x } = args.inputs as { average: TensorInfo; x: TensorInfo };
  const { decay } = args.attrs as unknown as { decay: number };
  const out = backend.makeOutput(average.shape, "float32");
  const n = average.shape.reduce((a, b) => a * b, 1);
  kernelsOf(backend).ema(address(backend, average), address(backend, x), address(backend, out), n, f(decay), f(1 - decay));
  return out;
}

export const adamUpdateConfig: KernelConfig = { kernelName: ADAM_UPDATE, backendName: "wasm", kernelFunc: adamUpdate };
export const emaUpdateConfig: KernelConfig = { kernelName: EMA_UPDATE, backendName: "wasm", kernelFunc: emaUpdate };
