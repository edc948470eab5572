import type { TensorInfo, backend_util } from "@tensorflow/tfjs-core";

import { addressOf, fusedKernelsAvailable, kernelsOf, memoryOf } from "./fusedWasm.js";
import { runIm2col } from "./gemmTeam.js";
import { heapF32 } from "./wasmBackend.js";
import type { WasmBackend } from "./wasmBackend.js";

/**
 * cols[(b·OH+oh)·OW+ow, (kh·KW+kw)·C+c] = x[b, oh·sh+kh·dh−pt, ow·sw+kw·dw−pl, c] (0 outside), on
 * the wasm heap. Each filter tap copies one contiguous run of C channels: in our SIMD module, split by rows over the
 * helper team when there is one (the JS loop took 1.3–1.5 ms of the bench CNN's step on one thread), else here.
 */
export function im2col(backend: WasmBackend, x: TensorInfo, info: backend_util.Conv2DInfo): TensorInfo {
  const { batchSize, inHeight, inWidth, inChannels, outHeight, outWidth, filterHeight, filterWidth } = info;
  const { strideHeight, strideWidth, dilationHeight, dilationWidth, padInfo } = info;
  const k = filterHeight * filterWidth * inChannels;
  const out = backend.makeOutput([batchSize * outHeight * outWidth, k], "float32");
  if (x.dtype === "float32" && fusedKernelsAvailable()) {
    const geometry = [inHeight, inWidth, inChannels, outHeight, outWidth, filterHeight, filterWidth, strideHeight, strideWidth, dilationHeight, dilationWidth, padInfo.top, padInfo.left] as const;
    runIm2col(kernelsOf(backend), memoryOf(backend), addressOf(backend, x), addressOf(backend, out), batchSize * outHeight * outWidth, geometry);
    return out;
  }
  const src = heapF32(backend, x);
  const dst = heapF32(backend, out);
  const rowStride = inWidth * inChannels;
  const imageStride = inHeight * rowStride;
  let o = 0;
  for (let b = 0; b < batchSize; b++) {
    const imageBase = b * imageStride;
    for (let oh = 0; oh < outHeight; oh++) {
      const h0 = oh * strideHeight - padInfo.top;
      for (let ow = 0; ow < outWidth; ow++) {
        const w0 = ow * strideWidth - padInfo.left;
        for (let kh = 0; kh < filterHeight; kh++) {
          const h = h0 + kh * dilationHeight;
          const rowInside = h >= 0 && h < inHeight;
          const rowBase = imageBase + h * rowStride;
          for (let kw = 0; kw < filterWidth; kw++) {
            const w = w0 + kw * dilationWidth;
            if (rowInside && w >= 0 && w < inWidth) {
              const s = rowBase + w * inChannels;
              if (inChannels === 1) dst[o] = src[s] ?? 0;
              else dst.set(src.subarray(s, s + inChannels), o);
            } else {
              dst.fill(0, o, o + inChannels);
            }
            o += inChannels;
          }
        }
      }
    }
  }
  return out;
}
