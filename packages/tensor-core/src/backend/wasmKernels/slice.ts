import { Slice, SplitV, backend_util, slice_util, util } from "@tensorflow/tfjs-core";
import type { KernelConfig, SliceAttrs, SplitVAttrs, TensorInfo, TypedArray } from "@tensorflow/tfjs-core";

import { asWasm } from "./wasmBackend.js";
import type { KernelArgs, WasmBackend } from "./wasmBackend.js";

/** Copies the box `begin`, `size` of `src` (shape `shape`) into `dst`, one innermost run at a time. */
export function sliceInto(src: TypedArray, shape: readonly number[], begin: readonly number[], size: readonly number[], dst: TypedArray): void {
  const rank = shape.length;
  const strides = util.computeStrides([...shape]);
  // The innermost run: the last axis, widened over trailing axes taken whole.
  let inner = rank - 1;
  while (inner > 0 && begin[inner] === 0 && size[inner] === shape[inner]) inner--;
  const run = util.sizeFromShape(size.slice(inner));
  let outAt = 0;
  const copy = (d: number, srcAt: number): void => {
    if (d === inner) {
      const from = srcAt + (begin[d] ?? 0) * (d === rank - 1 ? 1 : (strides[d] ?? 1));
      dst.set(src.subarray(from, from + run), outAt);
      outAt += run;
      return;
    }
    for (let i = 0; i < (size[d] ?? 0); i++) copy(d + 1, srcAt + ((begin[d] ?? 0) + i) * (strides[d] ?? 1));
  };
  if (rank === 0 || run === 0) {
    if (rank === 0) dst[0] = src[0] as number;
    return;
  }
  copy(0, 0);
}

function sliceOf(backend: WasmBackend, x: TensorInfo, begin: number[], size: number[]): TensorInfo {
  const out = backend.makeOutput(size, x.dtype);
  // Views of the heap taken after the allocation (growing it detaches earlier views).
  if (util.sizeFromShape(size) > 0) sliceInto(backend.typedArrayFromHeap(x), x.shape, begin, size, backend.typedArrayFromHeap(out));
  return out;
}

/**
 * Slice and SplitV copying straight between heap views. tfjs-wasm's Slice starts with `readSync`, which copies the
 * whole input out of the heap into a new JS buffer before copying the slice back: D's first-layer kernel split
 * (800 × 512 into 784 + 16 rows, twice a cGAN step) took ≈ 1.6 ms a call of which the slice is ≈ 0.1 ms. A copy, so exact.
 */
function sliceOverride(original: KernelConfig): KernelConfig {
  const kernelFunc = (args: KernelArgs): TensorInfo => {
    const { x } = args.inputs as { x: TensorInfo };
    if (x.dtype === "string") return original.kernelFunc(args as Parameters<KernelConfig["kernelFunc"]>[0]) as TensorInfo;
    const { begin, size } = args.attrs as unknown as SliceAttrs;
    const [begin_, size_] = slice_util.parseSliceParams(x, begin, size) as [number[], number[]];
    return sliceOf(asWasm(args.backend), x, begin_, size_);
  };
  return { ...original, kernelFunc };
}

function splitVOverride(original: KernelConfig): KernelConfig {
  const kernelFunc = (args: KernelArgs): TensorInfo[] => {
    const { x } = args.inputs as { x: TensorInfo };
    if (x.dtype === "string") return original.kernelFunc(args as Parameters<KernelConfig["kernelFunc"]>[0]) as TensorInfo[];
    const { numOrSizeSplits, axis } = args.attrs as unknown as SplitVAttrs;
    const $axis = util.parseAxisParam(axis, x.shape)[0] ?? 0;
    const sizes = backend_util.prepareSplitSize(x, numOrSizeSplits, $axis);
    const begin = new Array<number>(x.shape.length).fill(0);
    const backend = asWasm(args.backend);
    return sizes.map((s) => {
      const size = [...x.shape];
      size[$axis] = s;
      const out = sliceOf(backend, x, [...begin], size);
      begin[$axis] = (begin[$axis] ?? 0) + s;
      return out;
    });
  };
  return { ...original, kernelFunc: kernelFunc };
}

export const sliceOverrides: readonly { kernelName: string; wrap: (original: KernelConfig) => KernelConfig }[] = [
  { kernelName: Slice, wrap: sliceOverride },
  { kernelName: SplitV, wrap: splitVOverride },
];
