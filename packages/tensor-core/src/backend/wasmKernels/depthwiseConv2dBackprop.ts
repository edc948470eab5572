import { DepthwiseConv2dNativeBackpropFilter, DepthwiseConv2dNativeBackpropInput, backend_util } from "@tensorflow/tfjs-core";
import type {
  DepthwiseConv2dNativeBackpropFilterAttrs,
  DepthwiseConv2dNativeBackpropInputAttrs,
  KernelConfig,
  TensorInfo,
} from "@tensorflow/tfjs-core";

import { asWasm, heapF32, zerosOutput } from "./wasmBackend.js";
import type { KernelArgs } from "./wasmBackend.js";

type Shape4 = [number, number, number, number];

/**
 * Visits every (output pixel, filter tap) pair of a depthwise convolution that reads a pixel
 * inside the input: depthwise layers are cheap (C·M MACs per tap), so direct loops suffice.
 */
function forEachTap(
  info: backend_util.Conv2DInfo,
  visit: (xBase: number, yBase: number, wBase: number) => void,
): void {
  const { batchSize, inHeight, inWidth, inChannels, outHeight, outWidth, outChannels, filterHeight, filterWidth } = info;
  const { strideHeight, strideWidth, dilationHeight, dilationWidth, padInfo } = info;
  for (let b = 0; b < batchSize; b++) {
    for (let oh = 0; oh < outHeight; oh++) {
      for (let ow = 0; ow < outWidth; ow++) {
        const yBase = ((b * outHeight + oh) * outWidth + ow) * outChannels;
        for (let kh = 0; kh < filterHeight; kh++) {
          const h = oh * strideHeight - padInfo.top + kh * dilationHeight;
          if (h < 0 || h >= inHeight) continue;
          for (let kw = 0; kw < filterWidth; kw++) {
            const w = ow * strideWidth - padInfo.left + kw * dilationWidth;
            if (w < 0 || w >= inWidth) continue;
            visit(((b * inHeight + h) * inWidth + w) * inChannels, yBase, (kh * filterWidth + kw) * outChannels);
          }
        }
      }
    }
  }
}

/** dx[b,h,w,c] = Σ dy[b,oh,ow,c·M+q] · W[kh,kw,c,q] over the taps that read (h, w). */
function depthwiseBackpropInput(args: KernelArgs): TensorInfo {
  const backend = asWasm(args.backend);
  const { dy, filter } = args.inputs as { dy: TensorInfo; filter: TensorInfo };
  const attrs = args.attrs as unknown as DepthwiseConv2dNativeBackpropInputAttrs;
  const info = backend_util.computeConv2DInfo(
    attrs.inputShape,
    filter.shape as Shape4,
    attrs.strides,
    attrs.dilations,
    attrs.pad,
    attrs.dimRoundingMode,
    true,
  );
  const out = zerosOutput(backend, attrs.inputShape);
  const g = heapF32(backend, dy);
  const wt = heapF32(backend, filter);
  const dx = heapF32(backend, out);
  const channels = info.inChannels;
  const mult = info.outChannels / channels;
  forEachTap(info, (xBase, yBase, wBase) => {
    for (let c = 0; c < channels; c++) {
      let acc = 0;
      for (let q = 0; q < mult; q++) acc += (g[yBase + c * mult + q] ?? 0) * (wt[wBase + c * mult + q] ?? 0);
      dx[xBase + c] = (dx[xBase + c] ?? 0) + acc;
    }
  });
  return out;
}

/** dW[kh,kw,c,q] = Σ_{b,oh,ow} x[b, h(oh,kh), w(ow,kw), c] · dy[b,oh,ow,c·M+q]. */
function depthwiseBackpropFilter(args: KernelArgs): TensorInfo {
  const backend = asWasm(args.backend);
  const { x, dy } = args.inputs as { x: TensorInfo; dy: TensorInfo };
  const attrs = args.attrs as unknown as DepthwiseConv2dNativeBackpropFilterAttrs;
  const info = backend_util.computeConv2DInfo(
    x.shape as Shape4,
    attrs.filterShape,
    attrs.strides,
    attrs.dilations,
    attrs.pad,
    attrs.dimRoundingMode,
    true,
  );
  const out = zerosOutput(backend, attrs.filterShape);
  const xs = heapF32(backend, x);
  const g = heapF32(backend, dy);
  const dw = heapF32(backend, out);
  const channels = info.inChannels;
  const mult = info.outChannels / channels;
  forEachTap(info, (xBase, yBase, wBase) => {
    for (let c = 0; c < channels; c++) {
      const v = xs[xBase + c] ?? 0;
      for (let q = 0; q < mult; q++) {
        const o = c * mult + q;
        dw[wBase + o] = (dw[wBase + o] ?? 0) + v * (g[yBase + o] ?? 0);
      }
    }
  });
  return out;
}

export const depthwiseBackpropInputConfig: KernelConfig = {
  kernelName: DepthwiseConv2dNativeBackpropInput,
  backendName: "wasm",
  kernelFunc: depthwiseBackpropInput,
};

export const depthwiseBackpropFilterConfig: KernelConfig = {
  kernelName: DepthwiseConv2dNativeBackpropFilter,
  backendName: "wasm",
  kernelFunc: depthwiseBackpropFilter,
};
