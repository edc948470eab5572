import { MaxPoolGrad, backend_util } from "@tensorflow/tfjs-core";
import type { KernelConfig, MaxPoolGradAttrs, TensorInfo } from "@tensorflow/tfjs-core";

import { addressOf, fusedKernelsAvailable, kernelsOf, memoryOf } from "./fusedWasm.js";
import { runMaxPoolGrad2x2 } from "./gemmTeam.js";
import { asWasm, heapF32, zerosOutput } from "./wasmBackend.js";
import type { KernelArgs } from "./wasmBackend.js";

/**
 * dx[argmax of each window] += dy, the argmax being the first maximum in row-major window order
 * (as tfjs-cpu and TensorFlow pick it). Replaces tfjs-wasm's much slower MaxPoolGrad.
 */
function maxPoolGrad(args: KernelArgs): TensorInfo {
  const backend = asWasm(args.backend);
  const { dy, input } = args.inputs as { dy: TensorInfo; input: TensorInfo };
  const attrs = args.attrs as unknown as MaxPoolGradAttrs;
  const info = backend_util.computePool2DInfo(
    input.shape as [number, number, number, number],
    attrs.filterSize,
    attrs.strides,
    1,
    attrs.pad,
    attrs.dimRoundingMode,
  );
  const { batchSize, inHeight, inWidth, inChannels, outHeight, outWidth } = info;
  const { strideHeight, strideWidth, effectiveFilterHeight, effectiveFilterWidth, padInfo } = info;
  const tiled = strideHeight === 2 && strideWidth === 2 && effectiveFilterHeight === 2 && effectiveFilterWidth === 2 && padInfo.top === 0 && padInfo.left === 0;
  if (tiled && 2 * outHeight <= inHeight && 2 * outWidth <= inWidth && fusedKernelsAvailable()) {
    // Non-overlapping 2 × 2 windows, all inside the image: the SIMD kernel writes every cell of every window;
    // cells outside all windows (odd sizes) need the zeroing.
    const covered = 2 * outHeight === inHeight && 2 * outWidth === inWidth;
    const out = covered ? backend.makeOutput(input.shape, "float32") : zerosOutput(backend, input.shape);
    runMaxPoolGrad2x2(kernelsOf(backend), memoryOf(backend), addressOf(backend, input), addressOf(backend, dy), addressOf(backend, out), batchSize, inHeight, inWidth, inChannels, outHeight, outWidth);
    return out;
  }
  const out = zerosOutput(backend, input.shape);
  const x = heapF32(backend, input);
  const g = heapF32(backend, dy);
  const dx = heapF32(backend, out);
  const rowStride = inWidth * inChannels;
  let o = 0;
  for (let b = 0; b < batchSize; b++) {
    const imageBase = b * inHeight * rowStride;
    for (let oh = 0; oh < outHeight; oh++) {
      const h0 = oh * strideHeight - padInfo.top;
      const hStart = Math.max(0, h0);
      const hEnd = Math.min(inHeight, h0 + effectiveFilterHeight);
      for (let ow = 0; ow < outWidth; ow++) {
        const w0 = ow * strideWidth - padInfo.left;
        const wStart = Math.max(0, w0);
        const wEnd = Math.min(inWidth, w0 + effectiveFilterWidth);
        if (hEnd - hStart === 2 && wEnd - wStart === 2) {
          // The common 2×2 window, unrolled; strict ">" keeps the first maximum in row-major order.
          const p00 = imageBase + hStart * rowStride + wStart * inChannels;
          const p01 = p00 + inChannels;
          const p10 = p00 + rowStride;
          const p11 = p10 + inChannels;
          for (let c = 0; c < inChannels; c++) {
            let best = x[p00 + c] ?? Number.NaN;
            let bestAt = best > Number.NEGATIVE_INFINITY ? p00 + c : -1;
            if (bestAt < 0) best = Number.NEGATIVE_INFINITY;
            const v01 = x[p01 + c] ?? Number.NaN;
            if (v01 > best) {
              best = v01;
              bestAt = p01 + c;
            }
            const v10 = x[p10 + c] ?? Number.NaN;
            if (v10 > best) {
              best = v10;
              bestAt = p10 + c;
            }
            const v11 = x[p11 + c] ?? Number.NaN;
            if (v11 > best) bestAt = p11 + c;
            if (bestAt >= 0) dx[bestAt] = (dx[bestAt] ?? 0) + (g[o + c] ?? 0);
          }
          o += inChannels;
          continue;
        }
        // Channel-outer: the window (a few pixels) stays in cache while each channel scans it.
        for (let c = 0; c < inChannels; c++) {
          let best = Number.NEGATIVE_INFINITY;
          let bestAt = -1;
          for (let h = hStart; h < hEnd; h++) {
            let at = imageBase + h * rowStride + wStart * inChannels + c;
            for (let w = wStart; w < wEnd; w++, at += inChannels) {
              const v = x[at] ?? 0;
              if (v > best) {
                best = v;
                bestAt = at;
              }
            }
          }
          // An all −∞/NaN window has no maximum and, as on tfjs-cpu, passes no gradient.
          if (bestAt >= 0) dx[bestAt] = (dx[bestAt] ?? 0) + (g[o + c] ?? 0);
        }
        o += inChannels;
      }
    }
  }
  return out;
}

export const maxPoolGradConfig: KernelConfig = {
  kernelName: MaxPoolGrad,
  backendName: "wasm",
  kernelFunc: maxPoolGrad,
};
