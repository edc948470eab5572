import { Conv2DBackpropFilter, backend_util } from "@tensorflow/tfjs-core";
import type { Conv2DBackpropFilterAttrs, KernelConfig, TensorInfo } from "@tensorflow/tfjs-core";

import { im2col } from "./im2col.js";
import { ownGemmAvailable } from "./matMul.js";
import { asWasm, release, runWasmKernel, withShape } from "./wasmBackend.js";
import { winogradFilterGradient, winogradWins } from "./winogradConv2d.js";
import type { KernelArgs, WasmBackend } from "./wasmBackend.js";

/** NCHW tensors are transposed to NHWC once; every strategy below works channels-last. */
export function toChannelsLast(backend: WasmBackend, t: TensorInfo, dataFormat: "NHWC" | "NCHW"): TensorInfo {
  if (dataFormat === "NHWC") return t;
  return runWasmKernel(backend, "Transpose", { x: t }, { perm: [0, 2, 3, 1] });
}

export type FilterStrategy = "auto" | "im2col" | "xnnpack";
let filterStrategy: FilterStrategy = "auto";
/** Benchmarks and tests only: choose how the filter gradient is computed. */
export function setConv2DBackpropFilterStrategy(strategy: FilterStrategy): void {
  filterStrategy = strategy;
}

/**
 * dW[kh,kw,ci,co] = Σ_{b,oh,ow} x[b, oh·sh+kh−pt, ow·sw+kw−pl, ci] · dy[b,oh,ow,co].
 */
function conv2DBackpropFilter(args: KernelArgs): TensorInfo {
  const backend = asWasm(args.backend);
  const { x, dy } = args.inputs as { x: TensorInfo; dy: TensorInfo };
  const attrs = args.attrs as unknown as Conv2DBackpropFilterAttrs;
  const xNhwc = toChannelsLast(backend, x, attrs.dataFormat);
  const dyNhwc = toChannelsLast(backend, dy, attrs.dataFormat);
  const info = backend_util.computeConv2DInfo(
    xNhwc.shape as [number, number, number, number],
    attrs.filterShape,
    attrs.strides,
    1,
    attrs.pad,
    attrs.dimRoundingMode,
    false,
    "channelsLast",
  );
  // Measured (CPU ms, batch 64): with 1–4 input channels the convolution trick has too few output
  // pixels (conv 1→32: 8.6 vs 2.5 for im2col). From 8 channels, with XNNPACK's products, both were within a few
  // percent (conv 32→64: 16.4 vs 16.2; 5×5 s2 64→128: 51.7 vs 55.5); with our GEMM (k blocked, split over the
  // helper team) im2col wins (conv 32→64: 12.8 vs 15.4 on one thread; a 2-thread CNN step 68–72 → 65–67 ms CPU).
  // A 3 × 3 stride-1 float32 gradient Winograd takes (winogradWins: ≥ 16 channels in and out) runs as Winograd
  // F(2×2, 3×3) unless a strategy is forced: conv 32→64 (bench/README.md).
  const useWinograd = filterStrategy === "auto" && xNhwc.dtype === "float32" && dyNhwc.dtype === "float32" && ownGemmAvailable(backend) && winogradWins(info);
  const useXnnpack = filterStrategy === "xnnpack" || (filterStrategy === "auto" && info.inChannels >= 8 && !ownGemmAvailable(backend));
  const out = useWinograd ? winogradFilterGradient(backend, xNhwc, dyNhwc, info) : useXnnpack ? viaXnnpackConv(backend, xNhwc, dyNhwc, info) : viaIm2col(backend, xNhwc, dyNhwc, info);
  if (xNhwc !== x) release(backend, xNhwc);
  if (dyNhwc !== dy) release(backend, dyNhwc);
  return out;
}

/**
 * dW[k, co] = colsᵀ[k, m] · dy[m, co], cols = im2col(x) built on the heap, as a product with transposeA: our matmul
 * (matMul.ts) runs it as (dyᵀ·cols)ᵀ, packing cols (m·k, k = 9 for one input channel) rather than dy (m·co) — the
 * same XNNPACK product as when colsᵀ was materialised first and the plain product swapped, less two transposes of
 * cols (conv 1→32, batch 64: 4.3 → 3.4 ms).
 */
function viaIm2col(backend: WasmBackend, x: TensorInfo, dy: TensorInfo, info: backend_util.Conv2DInfo): TensorInfo {
  const { batchSize, outHeight, outWidth, outChannels, filterHeight, filterWidth, inChannels } = info;
  const m = batchSize * outHeight * outWidth;
  const k = filterHeight * filterWidth * inChannels;
  const cols = im2col(backend, x, info);
  const dw = runWasmKernel(
    backend,
    "BatchMatMul",
    { a: withShape(cols, [1, m, k]), b: withShape(dy, [1, m, outChannels]) },
    { transposeA: true, transposeB: false },
  );
  release(backend, cols);
  return withShape(dw, [filterHeight, filterWidth, inChannels, outChannels]);
}

/**
 * The filter gradient as one forward convolution (the classic trick): batch and channels of x
 * swap roles, dy becomes the filter and the forward stride becomes a dilation.
 */
function viaXnnpackConv(backend: WasmBackend, x: TensorInfo, dy: TensorInfo, info: backend_util.Conv2DInfo): TensorInfo {
  const { inHeight, inWidth, outHeight, outWidth, filterHeight, filterWidth, strideHeight, strideWidth, padInfo } = info;
  const xT = runWasmKernel(backend, "Transpose", { x }, { perm: [3, 1, 2, 0] }); // [ci, h, w, b]
  const dyT = runWasmKernel(backend, "Transpose", { x: dy }, { perm: [1, 2, 0, 3] }); // [oh, ow, b, co]
  // Output extent must be the filter size; rows the forward pass never read are cut off afterwards.
  const padBottom = Math.max(0, filterHeight + (outHeight - 1) * strideHeight - inHeight - padInfo.top);
  const padRight = Math.max(0, filterWidth + (outWidth - 1) * strideWidth - inWidth - padInfo.left);
  const conv = runWasmKernel(
    backend,
    "Conv2D",
    { x: xT, filter: dyT },
    {
      strides: [1, 1],
      dilations: [strideHeight, strideWidth],
      pad: [
        [0, 0],
        [padInfo.top, padBottom],
        [padInfo.left, padRight],
        [0, 0],
      ],
      dataFormat: "NHWC",
    },
  );
  release(backend, xT, dyT);
  let cropped = conv;
  const [ci = 0, convH = 0, convW = 0, co = 0] = conv.shape;
  if (convH !== filterHeight || convW !== filterWidth) {
    cropped = runWasmKernel(backend, "Slice", { x: conv }, { begin: [0, 0, 0, 0], size: [ci, filterHeight, filterWidth, co] });
    release(backend, conv);
  }
  const dw = runWasmKernel(backend, "Transpose", { x: cropped }, { perm: [1, 2, 0, 3] });
  release(backend, cropped);
  return dw;
}

export const conv2DBackpropFilterConfig: KernelConfig = {
  kernelName: Conv2DBackpropFilter,
  backendName: "wasm",
  kernelFunc: conv2DBackpropFilter,
};
