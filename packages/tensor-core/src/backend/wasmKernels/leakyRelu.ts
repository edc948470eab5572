import { LeakyRelu, util } from "@tensorflow/tfjs-core";
import type { KernelConfig, LeakyReluAttrs, TensorInfo } from "@tensorflow/tfjs-core";

import { addressOf, kernelsOf, memoryOf } from "./fusedWasm.js";
import { runReluGrad } from "./gemmTeam.js";
import { asWasm } from "./wasmBackend.js";
import type { KernelArgs } from "./wasmBackend.js";

type KernelFuncArgs = Parameters<KernelConfig["kernelFunc"]>[0];

/** dx = x > 0 ? dy : dy·alpha, the leaky-ReLU gradient as one kernel (the op and its own gradient: backend/gradients.ts). */
export const LEAKY_RELU_GRAD = "DlLeakyReluGrad";

/**
 * The leaky ReLU as one SIMD pass (x > 0 ? x : x·alpha, bit-identical to tfjs's kernels); tfjs-wasm's took
 * 0.1–0.2 ms on a 64 × 512 activation. Other dtypes stay with it.
 */
export function leakyReluOverride(original: KernelConfig): KernelConfig {
  const kernelFunc = (args: KernelArgs): TensorInfo => {
    const { x } = args.inputs as { x: TensorInfo };
    if (x.dtype !== "float32") return original.kernelFunc(args as KernelFuncArgs) as TensorInfo;
    const backend = asWasm(args.backend);
    const { alpha } = args.attrs as unknown as LeakyReluAttrs;
    const out = backend.makeOutput(x.shape, "float32");
    kernelsOf(backend).leakyRelu(addressOf(backend, x), addressOf(backend, out), util.sizeFromShape(x.shape), Math.fround(alpha));
    return out;
  };
  return { ...original, kernelFunc };
}

/**
 * tfjs's leaky-ReLU gradient is where(greater(x, 0), dy, mul(dy, alpha)): three kernels and a bool mask, on
 * every hidden layer of every backward pass. One SIMD pass, the same float32 product, the same choice.
 */
function leakyReluGrad(args: KernelArgs): TensorInfo {
  const backend = asWasm(args.backend);
  const { dy, x } = args.inputs as { dy: TensorInfo; x: TensorInfo };
  const { alpha } = args.attrs as unknown as LeakyReluAttrs;
  const out = backend.makeOutput(x.shape, "float32");
  kernelsOf(backend).leakyReluGrad(addressOf(backend, dy), addressOf(backend, x), addressOf(backend, out), util.sizeFromShape(x.shape), Math.fround(alpha));
  return out;
}

/** dx = dy · step(x), tfjs's ReLU gradient as one kernel (registered as Relu's gradient: backend/gradients.ts). */
export const RELU_GRAD = "DlReluGrad";

/** tfjs's ReLU gradient mul(dy, cast(step(x))) is three kernels; one SIMD pass, the same product, bit for bit. */
function reluGrad(args: KernelArgs): TensorInfo {
  const backend = asWasm(args.backend);
  const { dy, x } = args.inputs as { dy: TensorInfo; x: TensorInfo };
  const out = backend.makeOutput(x.shape, "float32");
  runReluGrad(kernelsOf(backend), memoryOf(backend), addressOf(backend, dy), addressOf(backend, x), addressOf(backend, out), util.sizeFromShape(x.shape));
  return out;
}

export const reluGradConfig: KernelConfig = { kernelName: RELU_GRAD, backendName: "wasm", kernelFunc: reluGrad };

export const leakyReluGradConfig: KernelConfig = { kernelName: LEAKY_RELU_GRAD, backendName: "wasm", kernelFunc: leakyReluGrad };

export const leakyReluOverrides: readonly { kernelName: string; wrap: (original: KernelConfig) => KernelConfig }[] = [{ kernelName: LeakyRelu, wrap: leakyReluOverride }];
