import { Transpose, util } from "@tensorflow/tfjs-core";
import type { KernelConfig, TensorInfo, TransposeAttrs } from "@tensorflow/tfjs-core";

import { addressOf, kernelsOf, memoryOf } from "./fusedWasm.js";
import { runTranspose } from "./gemmTeam.js";
import { asWasm } from "./wasmBackend.js";
import type { KernelArgs } from "./wasmBackend.js";

type KernelFuncArgs = Parameters<KernelConfig["kernelFunc"]>[0];

/** Whether `perm` swaps the last two axes and keeps the others: a batch of matrix transposes. */
export function swapsLastTwo(perm: readonly number[]): boolean {
  const rank = perm.length;
  if (rank < 2 || perm[rank - 2] !== rank - 1 || perm[rank - 1] !== rank - 2) return false;
  return perm.slice(0, -2).every((p, i) => p === i);
}

/**
 * A batch of matrix transposes (the backward products' Xᵀ and Wᵀ, matMul.ts) as 4 × 4 SIMD blocks, for 4-byte
 * dtypes; a copy, so exact. tfjs-wasm's Transpose took ≈ 80 µs on 64 × 800 floats, 31 times per cGAN step.
 * Other permutations and dtypes stay with it.
 */
export function transposeOverride(original: KernelConfig): KernelConfig {
  const kernelFunc = (args: KernelArgs): TensorInfo => {
    const { x } = args.inputs as { x: TensorInfo };
    const { perm } = args.attrs as unknown as TransposeAttrs;
    if ((x.dtype !== "float32" && x.dtype !== "int32") || !swapsLastTwo(perm)) return original.kernelFunc(args as KernelFuncArgs) as TensorInfo;
    const backend = asWasm(args.backend);
    const rank = x.shape.length;
    const rows = x.shape[rank - 2] ?? 1;
    const cols = x.shape[rank - 1] ?? 1;
    const out = backend.makeOutput([...x.shape.slice(0, -2), cols, rows], x.dtype);
    const batch = util.sizeFromShape(x.shape.slice(0, -2));
    const kernels = kernelsOf(backend);
    const src = addressOf(backend, x);
    const dst = addressOf(backend, out);
    const bytes = rows * cols * 4;
    const memory = memoryOf(backend);
    for (let b = 0; b < batch; b++) runTranspose(kernels, memory, src + b * bytes, dst + b * bytes, rows, cols);
    return out;
  };
  return { ...original, kernelFunc };
}

export const transposeOverrides: readonly { kernelName: string; wrap: (original: KernelConfig) => KernelConfig }[] = [{ kernelName: Transpose, wrap: transposeOverride }];
