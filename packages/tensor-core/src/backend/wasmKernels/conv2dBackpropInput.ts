import { Conv2DBackpropInput, backend_util } from "@tensorflow/tfjs-core";
import type { Conv2DBackpropInputAttrs, KernelConfig, TensorInfo } from "@tensorflow/tfjs-core";

import { col2im } from "./col2im.js";
import { toChannelsLast } from "./conv2dBackpropFilter.js";
import { addressOf, fusedKernelsAvailable, kernelsOf } from "./fusedWasm.js";
import { asWasm, release, runWasmKernel, withShape } from "./wasmBackend.js";
import type { KernelArgs, WasmBackend } from "./wasmBackend.js";

export type InputStrategy = "auto" | "col2im" | "xnnpack";
let inputStrategy: InputStrategy = "auto";
/** Benchmarks and tests only: choose how the input gradient is computed. */
export function setConv2DBackpropInputStrategy(strategy: InputStrategy): void {
  inputStrategy = strategy;
}

/**
 * dx = conv2dᵀ(dy, W). tfjs-wasm ships a scalar loop for this (~15× slower on the bench CNN); it is
 * also the forward pass of Conv2DTranspose, so DCGAN generators run through it.
 */
function conv2DBackpropInput(args: KernelArgs): TensorInfo {
  const backend = asWasm(args.backend);
  const { dy, filter } = args.inputs as { dy: TensorInfo; filter: TensorInfo };
  const attrs = args.attrs as unknown as Conv2DBackpropInputAttrs;
  const nchw = attrs.dataFormat === "NCHW";
  const [n = 0, d1 = 0, d2 = 0, d3 = 0] = attrs.inputShape;
  const inShape: [number, number, number, number] = nchw ? [n, d2, d3, d1] : [n, d1, d2, d3];
  const dyNhwc = toChannelsLast(backend, dy, attrs.dataFormat);
  const info = backend_util.computeConv2DInfo(
    inShape,
    filter.shape as [number, number, number, number],
    attrs.strides,
    1,
    attrs.pad,
    attrs.dimRoundingMode,
    false,
    "channelsLast",
  );
  const fullPadFits =
    info.padInfo.top <= info.filterHeight - 1 &&
    info.padInfo.bottom <= info.filterHeight - 1 &&
    info.padInfo.left <= info.filterWidth - 1 &&
    info.padInfo.right <= info.filterWidth - 1;
  // Measured (bench/): XNNPACK wins at stride 1 unless dx has very few channels (its output
  // channels then underfill the GEMM tiles).
  const stride1 = info.strideHeight === 1 && info.strideWidth === 1 && fullPadFits;
  const useXnnpack =
    stride1 && (inputStrategy === "xnnpack" || (inputStrategy === "auto" && info.inChannels >= 8));
  let dx = useXnnpack ? viaXnnpackConv(backend, dyNhwc, filter, info) : viaCol2im(backend, dyNhwc, filter, info);
  if (dyNhwc !== dy) release(backend, dyNhwc);
  if (nchw) {
    const t = runWasmKernel(backend, "Transpose", { x: dx }, { perm: [0, 3, 1, 2] });
    release(backend, dx);
    dx = t;
  }
  return dx;
}

/** cols[m, k] = dy[m, co] · Wᵀ[co, k] with the plain GEMM, then scattered back by col2im. */
function viaCol2im(backend: WasmBackend, dy: TensorInfo, filter: TensorInfo, info: backend_util.Conv2DInfo): TensorInfo {
  const { batchSize, outHeight, outWidth, outChannels, filterHeight, filterWidth, inChannels } = info;
  const m = batchSize * outHeight * outWidth;
  const k = filterHeight * filterWidth * inChannels;
  const filterT = runWasmKernel(backend, "Transpose", { x: withShape(filter, [k, outChannels]) }, { perm: [1, 0] });
  const cols = runWasmKernel(
    backend,
    "BatchMatMul",
    { a: withShape(dy, [1, m, outChannels]), b: withShape(filterT, [1, outChannels, k]) },
    { transposeA: false, transposeB: false },
  );
  release(backend, filterT);
  const dx = col2im(backend, cols, info);
  release(backend, cols);
  return dx;
}

/**
 * R[kh, kw, co, ci] = W[fh−1−kh, fw−1−kw, ci, co]: the filter rotated 180° with in and out swapped, as one SIMD
 * transpose a tap (tfjs-wasm's Reverse then Transpose took 0.6 + 0.1 ms on the bench CNN's 3 × 3 × 32 × 64 filter,
 * on the step's single-threaded path). A copy, so exact.
 */
export function rotatedFilter(backend: WasmBackend, filter: TensorInfo): TensorInfo {
  const [fh = 1, fw = 1, ci = 1, co = 1] = filter.shape;
  if (filter.dtype !== "float32" || !fusedKernelsAvailable()) {
    const flipped = runWasmKernel(backend, "Reverse", { x: filter }, { dims: [0, 1] });
    const rotated = runWasmKernel(backend, "Transpose", { x: flipped }, { perm: [0, 1, 3, 2] });
    release(backend, flipped);
    return rotated;
  }
  const out = backend.makeOutput([fh, fw, co, ci], "float32");
  const kernels = kernelsOf(backend);
  const src = addressOf(backend, filter);
  const dst = addressOf(backend, out);
  const tap = 4 * ci * co;
  for (let kh = 0; kh < fh; kh++) {
    for (let kw = 0; kw < fw; kw++) kernels.transpose2d(src + ((fh - 1 - kh) * fw + (fw - 1 - kw)) * tap, dst + (kh * fw + kw) * tap, ci, co, 0, ci);
  }
  return out;
}

/** Stride 1: dx is a forward convolution of dy with the filter rotated 180° and in/out swapped. */
function viaXnnpackConv(backend: WasmBackend, dy: TensorInfo, filter: TensorInfo, info: backend_util.Conv2DInfo): TensorInfo {
  const { filterHeight, filterWidth, padInfo } = info;
  const rotated = rotatedFilter(backend, filter);
  const dx = runWasmKernel(
    backend,
    "Conv2D",
    { x: dy, filter: rotated },
    {
      strides: [1, 1],
      dilations: [1, 1],
      pad: [
        [0, 0],
        [filterHeight - 1 - padInfo.top, filterHeight - 1 - padInfo.bottom],
        [filterWidth - 1 - padInfo.left, filterWidth - 1 - padInfo.right],
        [0, 0],
      ],
      dataFormat: "NHWC",
    },
  );
  release(backend, rotated);
  return dx;
}

export const conv2DBackpropInputConfig: KernelConfig = {
  kernelName: Conv2DBackpropInput,
  backendName: "wasm",
  kernelFunc: conv2DBackpropInput,
};
