import type { TensorInfo, backend_util } from "@tensorflow/tfjs-core";

import { heapF32, zerosOutput } from "./wasmBackend.js";
import type { WasmBackend } from "./wasmBackend.js";

/**
 * The adjoint of im2col: dx[b, oh·sh+kh·dh−pt, ow·sw+kw·dw−pl, c] += cols[(b·OH+oh)·OW+ow, (kh·KW+kw)·C+c],
 * into a fresh NHWC tensor of `info.inShape`.
 */
export function col2im(backend: WasmBackend, cols: TensorInfo, info: backend_util.Conv2DInfo): TensorInfo {
  const { batchSize, inHeight, inWidth, inChannels, outHeight, outWidth, filterHeight, filterWidth } = info;
  const { strideHeight, strideWidth, dilationHeight, dilationWidth, padInfo } = info;
  const out = zerosOutput(backend, [batchSize, inHeight, inWidth, inChannels]);
  const src = heapF32(backend, cols);
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
          if (h < 0 || h >= inHeight) {
            o += filterWidth * inChannels;
            continue;
          }
          const rowBase = imageBase + h * rowStride;
          for (let kw = 0; kw < filterWidth; kw++) {
            const w = w0 + kw * dilationWidth;
            if (w >= 0 && w < inWidth) {
              const d = rowBase + w * inChannels;
              for (let c = 0; c < inChannels; c++) dst[d + c] = (dst[d + c] ?? 0) + (src[o + c] ?? 0);
            }
            o += inChannels;
          }
        }
      }
    }
  }
  return out;
}
