import { getKernel } from "@tensorflow/tfjs-core";
import type { DataType, NamedAttrMap, NamedTensorInfoMap, TensorInfo } from "@tensorflow/tfjs-core";
import type { BackendWasm } from "@tensorflow/tfjs-backend-wasm";

/** The wasm backend as kernels see it: heap views, outputs, reference-counted data. */
export type WasmBackend = BackendWasm;

/** What a kernelFunc receives from the engine. */
export interface KernelArgs {
  inputs: NamedTensorInfoMap;
  backend: unknown;
  attrs?: NamedAttrMap;
}

export function asWasm(backend: unknown): WasmBackend {
  return backend as WasmBackend;
}

/**
 * Runs another wasm kernel directly on backend memory (no engine bookkeeping, no tape): the caller
 * owns the returned TensorInfo and must `release` it unless it is returned to the engine.
 */
export function runWasmKernel(
  backend: WasmBackend,
  kernelName: string,
  inputs: NamedTensorInfoMap,
  attrs: NamedAttrMap = {},
): TensorInfo {
  const kernel = getKernel(kernelName, "wasm");
  if (kernel === undefined) throw new Error(`wasm kernel ${kernelName} is not registered`);
  const out = kernel.kernelFunc({ inputs, backend, attrs });
  if (Array.isArray(out)) throw new Error(`wasm kernel ${kernelName} returned several outputs`);
  return out;
}

/** The same data seen with another shape (no copy; row-major order is unchanged). */
export function withShape(info: TensorInfo, shape: number[]): TensorInfo {
  return { dataId: info.dataId, shape, dtype: info.dtype };
}

/** Drops our reference to intermediate results. */
export function release(backend: WasmBackend, ...infos: TensorInfo[]): void {
  for (const info of infos) backend.disposeData(info.dataId);
}

/**
 * A Float32Array over a tensor's wasm memory. Take views only after every allocation of the
 * kernel: growing the heap detaches earlier views.
 */
export function heapF32(backend: WasmBackend, info: TensorInfo): Float32Array {
  return backend.typedArrayFromHeap(info) as Float32Array;
}

export function heapI32(backend: WasmBackend, info: TensorInfo): Int32Array {
  return backend.typedArrayFromHeap(info) as Int32Array;
}

/** A zero-filled output on the wasm heap. */
export function zerosOutput(backend: WasmBackend, shape: number[], dtype: DataType = "float32"): TensorInfo {
  const out = backend.makeOutput(shape, dtype);
  (backend.typedArrayFromHeap(out) as Float32Array | Int32Array).fill(0);
  return out;
}
