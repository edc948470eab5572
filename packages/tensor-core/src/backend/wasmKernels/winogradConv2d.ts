import { Conv2D, FusedConv2D, backend_util, util } from "@tensorflow/tfjs-core";
import type { Conv2DAttrs, FusedConv2DAttrs, KernelConfig, TensorInfo } from "@tensorflow/tfjs-core";

import { addressOf, fusedKernelsAvailable, kernelsOf, memoryOf } from "./fusedWasm.js";
import { runGemmBatch, runWinograd, runWinogradGradTransform, runWinogradInputTransform, winogradChunks } from "./gemmTeam.js";
import { asWasm, release } from "./wasmBackend.js";
import type { KernelArgs, WasmBackend } from "./wasmBackend.js";

type KernelFuncArgs = Parameters<KernelConfig["kernelFunc"]>[0];

/**
 * How a 3 × 3 stride-1 float32 convolution runs: "auto" — Winograd F(2×2, 3×3) where the shape rule says it wins
 * (winogradWins), else tfjs-wasm's XNNPACK; "winograd" — Winograd for every such convolution; "xnnpack" — never.
 */
export type Conv2DStrategy = "auto" | "winograd" | "xnnpack";
let strategy: Conv2DStrategy = "auto";
/** Benchmarks and tests only: choose how 3 × 3 stride-1 convolutions run. */
export function setConv2DStrategy(next: Conv2DStrategy): void {
  strategy = next;
}

/**
 * Winograd's products are 16 GEMMs [tiles × cin]·[cin × cout]: with few channels they are too short (k = cin) or too
 * narrow (n = cout) for our 4 × 8 tiles, and the transforms' cost per multiply saved grows. Measured on the bench CNN
 * (bench/README.md): cin 32 → cout 64 and cin 64 → cout 32 win; a first layer (cin 1) does not qualify.
 */
const MIN_WINOGRAD_CHANNELS = 16;

/** Whether `info` is a convolution Winograd F(2×2, 3×3) computes: 3 × 3 filter, stride 1, dilation 1, NHWC. */
function winogradFits(info: backend_util.Conv2DInfo): boolean {
  return (
    info.filterHeight === 3 &&
    info.filterWidth === 3 &&
    info.strideHeight === 1 &&
    info.strideWidth === 1 &&
    info.dilationHeight === 1 &&
    info.dilationWidth === 1 &&
    info.dataFormat === "channelsLast" &&
    info.outHeight > 0 &&
    info.outWidth > 0
  );
}

/** Whether a float32 convolution of geometry `info` runs as Winograd under the current strategy. */
export function winogradWins(info: backend_util.Conv2DInfo): boolean {
  if (strategy === "xnnpack" || !fusedKernelsAvailable() || !winogradFits(info)) return false;
  return strategy === "winograd" || (info.inChannels >= MIN_WINOGRAD_CHANNELS && info.outChannels >= MIN_WINOGRAD_CHANNELS);
}

/** The epilogue codes of our kernels: 0 linear, 1 ReLU, 2 leaky ReLU. */
interface Epilogue {
  act: 0 | 1 | 2;
  alpha: number;
}

/**
 * y = act(conv2d(x, filter) + bias) for a 3 × 3 stride-1 NHWC float32 convolution as Winograd F(2×2, 3×3) in our SIMD
 * module (`winograd3x3`): the filter transformed once (`winogradFilter`), then the output tiles split over the helper
 * team, each chunk with its own scratch. Bit-identical for any thread count; against the direct convolution within the
 * transforms' float32 rounding (winogradConv2d.test.ts states the tolerance).
 */
export function winogradConv2d(backend: WasmBackend, x: TensorInfo, filter: TensorInfo, info: backend_util.Conv2DInfo, bias: TensorInfo | undefined, epilogue: Epilogue): TensorInfo {
  const { batchSize, inHeight, inWidth, inChannels, outChannels, outHeight, outWidth, padInfo } = info;
  const kernels = kernelsOf(backend);
  const memory = memoryOf(backend);
  const tiles = batchSize * Math.ceil(outHeight / 2) * Math.ceil(outWidth / 2);
  const { chunks, chunk } = winogradChunks(memory, tiles, 16 * tiles * inChannels * outChannels);
  const u = backend.makeOutput([16, inChannels, outChannels], "float32");
  const scratch = backend.makeOutput([chunks * kernels.winogradScratchFloats(inChannels, outChannels)], "float32");
  const y = backend.makeOutput([batchSize, outHeight, outWidth, outChannels], "float32");
  kernels.winogradFilter(addressOf(backend, filter), addressOf(backend, u), inChannels, outChannels);
  const call = {
    x: addressOf(backend, x),
    u: addressOf(backend, u),
    y: addressOf(backend, y),
    bias: bias === undefined ? 0 : addressOf(backend, bias),
    act: epilogue.act,
    alpha: epilogue.alpha,
    inH: inHeight,
    inW: inWidth,
    inChannels,
    outChannels,
    outH: outHeight,
    outW: outWidth,
    padTop: padInfo.top,
    padLeft: padInfo.left,
    tiles,
  };
  runWinograd(kernels, memory, call, addressOf(backend, scratch), chunks, chunk);
  release(backend, u, scratch);
  return y;
}

/**
 * dW = ∂L/∂w of a 3 × 3 stride-1 NHWC float32 convolution by Winograd F(2×2, 3×3), transposed: y = Aᵀ·[(G·w·Gᵀ) ⊙
 * (Bᵀ·d·B)]·A gives dW = Gᵀ·[Σ_tiles (A·dy·Aᵀ) ⊙ (Bᵀ·d·B)]·G — the input and dy transformed once per tile
 * (`winogradInputTransform`, `winogradGradTransform`, split over the helper team by tiles), 16 products [cin × tiles]·[tiles × cout] through our GEMM (a
 * transposed A read through strides; each sum over the tiles in order; one team job split by each product's columns: the same
 * bits for any thread count), then `winogradFilterGrad`. 16 instead of 36 multiplies per tile and channel pair.
 */
export function winogradFilterGradient(backend: WasmBackend, x: TensorInfo, dy: TensorInfo, info: backend_util.Conv2DInfo): TensorInfo {
  const { batchSize, inHeight, inWidth, inChannels: cin, outChannels: cout, outHeight, outWidth, padInfo } = info;
  const kernels = kernelsOf(backend);
  const memory = memoryOf(backend);
  const tiles = batchSize * Math.ceil(outHeight / 2) * Math.ceil(outWidth / 2);
  const v = backend.makeOutput([16, tiles, cin], "float32");
  const g = backend.makeOutput([16, tiles, cout], "float32");
  const du = backend.makeOutput([16, cin, cout], "float32");
  const dw = backend.makeOutput([3, 3, cin, cout], "float32");
  const [pv, pg, pdu] = [addressOf(backend, v), addressOf(backend, g), addressOf(backend, du)];
  runWinogradInputTransform(kernels, memory, addressOf(backend, x), pv, tiles, [inHeight, inWidth, cin, outHeight, outWidth, padInfo.top, padInfo.left]);
  runWinogradGradTransform(kernels, memory, addressOf(backend, dy), pg, cout, outHeight, outWidth, tiles);
  runGemmBatch(kernels, memory, { a: pv, b: pg, c: pdu, m: cin, k: tiles, n: cout, rowStride: 1, colStride: cin, bias: 0, act: 0, alpha: 0 }, 16, [4 * tiles * cin, 4 * tiles * cout, 4 * cin * cout]);
  kernels.winogradFilterGrad(pdu, addressOf(backend, dw), cin, cout);
  release(backend, v, g, du);
  return dw;
}

function conv2dInfo(x: TensorInfo, filter: TensorInfo, attrs: Conv2DAttrs | FusedConv2DAttrs): backend_util.Conv2DInfo | undefined {
  if (attrs.dataFormat !== "NHWC" || x.dtype !== "float32" || filter.dtype !== "float32" || x.shape.length !== 4) return undefined;
  return backend_util.computeConv2DInfo(
    x.shape as [number, number, number, number],
    filter.shape as [number, number, number, number],
    attrs.strides,
    attrs.dilations,
    attrs.pad,
    attrs.dimRoundingMode,
    false,
    "channelsLast",
  );
}

/** Conv2D: Winograd where `winogradWins`, else tfjs-wasm's own kernel. */
function conv2dOverride(original: KernelConfig): KernelConfig {
  const kernelFunc = (args: KernelArgs): TensorInfo => {
    const { x, filter } = args.inputs as { x: TensorInfo; filter: TensorInfo };
    const info = conv2dInfo(x, filter, args.attrs as unknown as Conv2DAttrs);
    if (info === undefined || !winogradWins(info)) return original.kernelFunc(args as KernelFuncArgs) as TensorInfo;
    return winogradConv2d(asWasm(args.backend), x, filter, info, undefined, { act: 0, alpha: 0 });
  };
  return { ...original, kernelFunc };
}

/** FusedConv2D with a per-channel bias (or none) and a linear, ReLU or leaky-ReLU activation: Winograd where it wins. */
function fusedConv2dOverride(original: KernelConfig): KernelConfig {
  const kernelFunc = (args: KernelArgs): TensorInfo => {
    const { x, filter, bias, preluActivationWeights } = args.inputs as { x: TensorInfo; filter: TensorInfo; bias?: TensorInfo; preluActivationWeights?: TensorInfo };
    const attrs = args.attrs as unknown as FusedConv2DAttrs;
    const info = conv2dInfo(x, filter, attrs);
    const act = attrs.activation === "linear" ? 0 : attrs.activation === "relu" ? 1 : attrs.activation === "leakyrelu" ? 2 : undefined;
    const biasFits = bias === undefined || (bias.dtype === "float32" && util.sizeFromShape(bias.shape) === info?.outChannels && bias.shape.length <= 1);
    if (info === undefined || act === undefined || preluActivationWeights !== undefined || !biasFits || !winogradWins(info)) {
      return original.kernelFunc(args as KernelFuncArgs) as TensorInfo;
    }
    return winogradConv2d(asWasm(args.backend), x, filter, info, bias, { act, alpha: attrs.leakyreluAlpha ?? 0.2 });
  };
  return { ...original, kernelFunc };
}

export const winogradOverrides: readonly { kernelName: string; wrap: (original: KernelConfig) => KernelConfig }[] = [
  { kernelName: Conv2D, wrap: conv2dOverride },
  { kernelName: FusedConv2D, wrap: fusedConv2dOverride },
];
