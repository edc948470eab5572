import { Tanh, util } from "@tensorflow/tfjs-core";
import type { KernelConfig, TensorInfo } from "@tensorflow/tfjs-core";

import { addressOf, kernelsOf } from "./fusedWasm.js";
import { asWasm } from "./wasmBackend.js";
import type { KernelArgs } from "./wasmBackend.js";

type KernelFuncArgs = Parameters<KernelConfig["kernelFunc"]>[0];

/**
 * tanh as SIMD in double precision, rounded once to float32 (correctly rounded on 2²⁰ test values spanning
 * 1e-10 … 1e2, the same values tfjs-cpu's Math.tanh gives). tfjs-wasm's kernel is scalar libm tanhf, also within
 * 1 ulp but not always the same float: ≈ 0.8 ms on a 64 × 784 generator output (19 ns a value). Other dtypes
 * stay with it.
 */
export function tanhOverride(original: KernelConfig): KernelConfig {
  const kernelFunc = (args: KernelArgs): TensorInfo => {
    const { x } = args.inputs as { x: TensorInfo };
    if (x.dtype !== "float32") return original.kernelFunc(args as KernelFuncArgs) as TensorInfo;
    const backend = asWasm(args.backend);
    const out = backend.makeOutput(x.shape, "float32");
    kernelsOf(backend).tanh(addressOf(backend, x), addressOf(backend, out), util.sizeFromShape(x.shape));
    return out;
  };
  return { ...original, kernelFunc };
}

export const tanhOverrides: readonly { kernelName: string; wrap: (original: KernelConfig) => KernelConfig }[] = [{ kernelName: Tanh, wrap: tanhOverride }];
