import { Tile } from "@tensorflow/tfjs-core";
import type { KernelConfig, TensorInfo, TileAttrs, TypedArray } from "@tensorflow/tfjs-core";

import { asWasm } from "./wasmBackend.js";
import type { KernelArgs } from "./wasmBackend.js";

/**
 * Tiles `src` (shape `shape`) by `reps` into `dst` with block copies: the innermost row is copied
 * `reps[last]` times, then each finished block is replicated with `copyWithin` one dimension
 * outwards. tfjs-wasm's Tile computes a multi-index per element; batch-norm gradients tile the
 * per-channel statistics to whole activations, which made Tile the slowest kernel of a BN step.
 */
export function tileInto(src: TypedArray, shape: readonly number[], reps: readonly number[], dst: TypedArray): void {
  const rank = shape.length;
  if (rank === 0) {
    dst[0] = src[0] as number;
    return;
  }
  const srcStride = new Array<number>(rank).fill(1);
  const outStride = new Array<number>(rank).fill(1);
  for (let d = rank - 2; d >= 0; d--) {
    srcStride[d] = (srcStride[d + 1] as number) * (shape[d + 1] as number);
    outStride[d] = (outStride[d + 1] as number) * (shape[d + 1] as number) * (reps[d + 1] as number);
  }
  const fill = (d: number, srcAt: number, dstAt: number): void => {
    const size = shape[d] as number;
    const block = size * (outStride[d] as number);
    if (d === rank - 1) {
      const row = src.subarray(srcAt, srcAt + size);
      dst.set(row, dstAt);
    } else {
      for (let i = 0; i < size; i++) fill(d + 1, srcAt + i * (srcStride[d] as number), dstAt + i * (outStride[d] as number));
    }
    for (let r = 1; r < (reps[d] as number); r++) dst.copyWithin(dstAt + r * block, dstAt, dstAt + block);
  };
  fill(0, 0, 0);
}

export function tileOverride(original: KernelConfig): KernelConfig {
  const kernelFunc = (args: KernelArgs): TensorInfo => {
    const { x } = args.inputs as { x: TensorInfo };
    // String tensors live outside the heap; tfjs-wasm's own kernel handles them.
    if (x.dtype === "string") return original.kernelFunc(args as Parameters<KernelConfig["kernelFunc"]>[0]) as TensorInfo;
    const backend = asWasm(args.backend);
    const { reps } = args.attrs as unknown as TileAttrs;
    const outShape = x.shape.map((s, i) => s * (reps[i] as number));
    const out = backend.makeOutput(outShape, x.dtype);
    if (outShape.every((s) => s > 0)) tileInto(backend.typedArrayFromHeap(x), x.shape, reps, backend.typedArrayFromHeap(out));
    return out;
  };
  return { ...original, kernelFunc };
}

export const tileOverrides: readonly { kernelName: string; wrap: (original: KernelConfig) => KernelConfig }[] = [{ kernelName: Tile, wrap: tileOverride }];
