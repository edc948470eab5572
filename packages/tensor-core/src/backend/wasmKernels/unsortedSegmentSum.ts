import { UnsortedSegmentSum, util } from "@tensorflow/tfjs-core";
import type { KernelConfig, TensorInfo, UnsortedSegmentSumAttrs } from "@tensorflow/tfjs-core";

import { asWasm, heapI32, zerosOutput } from "./wasmBackend.js";
import type { KernelArgs } from "./wasmBackend.js";

/**
 * out[s, …] = Σ_{i: ids[i] = s} x[i, …]; ids outside [0, numSegments) are dropped. This is the
 * gradient of gather, so Embedding layers (conditional GAN labels) need it to train.
 */
function unsortedSegmentSum(args: KernelArgs): TensorInfo {
  const backend = asWasm(args.backend);
  const { x, segmentIds } = args.inputs as { x: TensorInfo; segmentIds: TensorInfo };
  const { numSegments } = args.attrs as unknown as UnsortedSegmentSumAttrs;
  const ids = util.sizeFromShape(segmentIds.shape);
  const inner = ids === 0 ? 0 : util.sizeFromShape(x.shape) / ids;
  const outShape = [numSegments, ...x.shape.slice(segmentIds.shape.length)];
  const out = zerosOutput(backend, outShape, x.dtype);
  const src = backend.typedArrayFromHeap(x) as Float32Array | Int32Array;
  const dst = backend.typedArrayFromHeap(out) as Float32Array | Int32Array;
  const seg = heapI32(backend, segmentIds);
  for (let i = 0; i < ids; i++) {
    const s = seg[i] ?? -1;
    if (s < 0 || s >= numSegments) continue;
    const from = i * inner;
    const to = s * inner;
    for (let j = 0; j < inner; j++) dst[to + j] = (dst[to + j] ?? 0) + (src[from + j] ?? 0);
  }
  return out;
}

export const unsortedSegmentSumConfig: KernelConfig = {
  kernelName: UnsortedSegmentSum,
  backendName: "wasm",
  kernelFunc: unsortedSegmentSum,
};
