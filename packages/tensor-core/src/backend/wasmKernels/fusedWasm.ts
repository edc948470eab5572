/**
 * dl-lab's own WebAssembly SIMD kernels (source: assembly/fusedKernels.ts), instantiated on tfjs-wasm's own
 * memory so they read and write its tensors where they lie: no copies in or out.
 */
import { FUSED_WASM_BASE64, FUSED_WASM_SHARED_BASE64 } from "./fusedWasm.generated.js";
import type { WasmBackend } from "./wasmBackend.js";
import type { TensorInfo } from "@tensorflow/tfjs-core";

/** The exports of assembly/fusedKernels.ts; pointers are byte offsets into tfjs-wasm's memory. */
export interface FusedExports {
  adam(x: number, g: number, m: number, v: number, xo: number, mo: number, vo: number, n: number, b1: number, c1: number, b2: number, c2: number, eps: number, step: number): void;
  ema(a: number, x: number, out: number, n: number, d: number, c: number): void;
  leakyRelu(x: number, out: number, n: number, alpha: number): void;
  leakyReluGrad(dy: number, x: number, out: number, n: number, alpha: number): void;
  reluGrad(dy: number, x: number, out: number, n: number): void;
  sumMiddleAxis(x: number, out: number, outer: number, reduced: number, inner: number, scale: number, j0: number, j1: number): void;
  transpose2d(src: number, dst: number, rows: number, cols: number, r0: number, r1: number): void;
  transposeBlocks(src: number, dst: number, rows: number, cols: number, block: number, r0: number, r1: number): void;
  im2col(x: number, cols: number, inH: number, inW: number, channels: number, outH: number, outW: number, fh: number, fw: number, sh: number, sw: number, dh: number, dw: number, pt: number, pl: number, r0: number, r1: number): void;
  transposeBiasAct(src: number, dst: number, rows: number, cols: number, bias: number, act: number, alpha: number): void;
  tanh(x: number, out: number, n: number): void;
  sinCos(x: number, out: number, n: number, cosine: number): void;
  gemm(a: number, b: number, c: number, m: number, k: number, n: number, rowStride: number, colStride: number, bias: number, act: number, alpha: number, j0: number, j1: number): void;
  binary(op: number, a: number, b: number, out: number, outer: number, inner: number, aMode: number, bMode: number): void;
  maxPoolGrad2x2(x: number, dy: number, dx: number, batch: number, inH: number, inW: number, channels: number, outH: number, outW: number): void;
  winogradScratchFloats(cin: number, cout: number): number;
  winogradFilter(w: number, u: number, cin: number, cout: number): void;
  winograd3x3(x: number, u: number, y: number, scratch: number, bias: number, act: number, alpha: number, h: number, w: number, cin: number, cout: number, oh: number, ow: number, pt: number, pl: number, t0: number, t1: number): void;
  winogradInputTransform(x: number, v: number, h: number, w: number, cin: number, oh: number, ow: number, pt: number, pl: number, tiles: number, t0: number, t1: number): void;
  winogradGradTransform(dy: number, g: number, cout: number, oh: number, ow: number, tiles: number, t0: number, t1: number): void;
  winogradFilterGrad(du: number, dw: number, cin: number, cout: number): void;
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
const instances = new WeakMap<WebAssembly.Memory, FusedExports>();

function moduleOf(shared: boolean): WebAssembly.Module | null {
  let module = modules.get(shared);
  if (module === undefined) {
    const bytes = decodeBase64(shared ? FUSED_WASM_SHARED_BASE64 : FUSED_WASM_BASE64);
    module = typeof WebAssembly === "object" && WebAssembly.validate(bytes) ? new WebAssembly.Module(bytes) : null;
    modules.set(shared, module);
  }
  return module;
}

/** Our compiled module for a plain or a shared memory (null where the runtime lacks WebAssembly SIMD). */
export function fusedKernelsModule(shared: boolean): WebAssembly.Module | null {
  return moduleOf(shared);
}

/** Whether this runtime validates our SIMD module (else the ops fall back to the unfused tfjs ops). */
export function fusedKernelsAvailable(): boolean {
  return moduleOf(false) !== null;
}

/** Our kernels instantiated on `memory` (once per memory; a shared one gets the module built for one). */
export function fusedKernelsOn(memory: WebAssembly.Memory): FusedExports {
  let kernels = instances.get(memory);
  if (kernels === undefined) {
    const shared = typeof SharedArrayBuffer === "function" && memory.buffer instanceof SharedArrayBuffer;
    const compiled = moduleOf(shared);
    if (compiled === null) throw new Error("the fused kernels need WebAssembly SIMD");
    kernels = new WebAssembly.Instance(compiled, { env: { memory } }).exports as unknown as FusedExports;
    instances.set(memory, kernels);
  }
  return kernels;
}

/** tfjs-wasm's WebAssembly.Memory. */
export function memoryOf(backend: WasmBackend): WebAssembly.Memory {
  const module = backend.wasm as unknown as EmscriptenMemory;
  const memory = module.wasmMemory ?? module.asm?.memory;
  if (memory === undefined) throw new Error("tfjs-wasm does not expose its WebAssembly.Memory");
  return memory;
}

/** Our kernels on the backend's own memory: they read and write its tensors in place. */
export function kernelsOf(backend: WasmBackend): FusedExports {
  return fusedKernelsOn(memoryOf(backend));
}


/** Byte offset of a tensor's data in the backend's memory. */
export const addressOf = (backend: WasmBackend, info: TensorInfo): number => backend.dataIdMap.get(info.dataId).memoryOffset;
