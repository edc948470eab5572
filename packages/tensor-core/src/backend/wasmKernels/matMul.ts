import { BatchMatMul, _FusedMatMul } from "@tensorflow/tfjs-core";
import type { KernelConfig, TensorInfo } from "@tensorflow/tfjs-core";

import { asWasm, release, runWasmKernel } from "./wasmBackend.js";
import type { KernelArgs, WasmBackend } from "./wasmBackend.js";

/** Swaps the last two axes with the (fast) wasm Transpose kernel. */
function transposeLastTwo(backend: WasmBackend, t: TensorInfo): TensorInfo {
  const rank = t.shape.length;
  const perm = [...Array(rank).keys()];
  perm[rank - 2] = rank - 1;
  perm[rank - 1] = rank - 2;
  return runWasmKernel(backend, "Transpose", { x: t }, { perm });
}

/**
 * tfjs-wasm's matmul is ~50× slower when transposeA/transposeB is set (it leaves XNNPACK's packed
 * GEMM); materialising the transpose and taking the plain path is far cheaper. Dense-layer
 * gradients hit exactly this case.
 */
function plainPathOverride(original: KernelConfig): KernelConfig {
  const kernelFunc = (args: KernelArgs): TensorInfo => {
    const attrs = args.attrs as { transposeA?: boolean; transposeB?: boolean } | undefined;
    const transposeA = attrs?.transposeA === true;
    const transposeB = attrs?.transposeB === true;
    if (!transposeA && !transposeB) return original.kernelFunc(args as Parameters<KernelConfig["kernelFunc"]>[0]) as TensorInfo;
    const backend = asWasm(args.backend);
    const { a, b } = args.inputs as { a: TensorInfo; b: TensorInfo };
    const aPlain = transposeA ? transposeLastTwo(backend, a) : a;
    const bPlain = transposeB ? transposeLastTwo(backend, b) : b;
    const out = original.kernelFunc({
      inputs: { ...args.inputs, a: aPlain, b: bPlain },
      backend: args.backend as object,
      attrs: { ...args.attrs, transposeA: false, transposeB: false },
    }) as TensorInfo;
    if (aPlain !== a) release(backend, aPlain);
    if (bPlain !== b) release(backend, bPlain);
    return out;
  };
  return { ...original, kernelFunc };
}

export const matMulOverrides: readonly { kernelName: string; wrap: (original: KernelConfig) => KernelConfig }[] = [
  { kernelName: BatchMatMul, wrap: plainPathOverride },
  { kernelName: _FusedMatMul, wrap: plainPathOverride },
];
