import { Transpose } from "@tensorflow/tfjs-core";
import type { KernelConfig, TensorInfo, TransposeAttrs } from "@tensorflow/tfjs-core";

import { addressOf, kernelsOf, memoryOf } from "./fusedWasm.js";
import { runTranspose } from "./gemmTeam.js";
import { asWasm, release } from "./wasmBackend.js";
import type { KernelArgs } from "./wasmBackend.js";

type KernelFuncArgs = Parameters<KernelConfig["kernelFunc"]>[0];

/**
 * `perm` over `shape` with size-1 axes dropped and axes that stay next to each other merged: the sizes of the merged
 * input axes (in input order) and the permutation of them, e.g. [64, 11, 11, 64] by [1, 2, 0, 3] → sizes
 * [64, 121, 64], perm [1, 0, 2].
 */
export function mergedPermutation(shape: readonly number[], perm: readonly number[]): { sizes: number[]; perm: number[] } {
  const kept = perm.filter((p) => (shape[p] ?? 1) !== 1);
  const rankOf = new Map([...kept].sort((a, b) => a - b).map((axis, r) => [axis, r]));
  const groups: number[][] = [];
  for (const axis of kept) {
    const last = groups[groups.length - 1];
    const previous = last?.[last.length - 1];
    if (last !== undefined && previous !== undefined && rankOf.get(previous) === (rankOf.get(axis) ?? 0) - 1) last.push(axis);
    else groups.push([axis]);
  }
  const inputOrder = [...groups].sort((a, b) => (a[0] ?? 0) - (b[0] ?? 0));
  return {
    sizes: inputOrder.map((g) => g.reduce((size, axis) => size * (shape[axis] ?? 1), 1)),
    perm: groups.map((g) => inputOrder.indexOf(g)),
  };
}

const same = (a: readonly number[], b: readonly number[]): boolean => a.length === b.length && a.every((v, i) => v === b[i]);

/**
 * Transposes of 4-byte dtypes as SIMD copies, by the shape of the merged permutation (mergedPermutation): a batch of
 * matrix transposes ([0, 2, 1], [1, 0]: 4 × 4 SIMD blocks, split over the helper team when large), a transpose of
 * blocks that keeps the trailing axes ([1, 0, 2]), and the full reversal [2, 1, 0] as the two in turn. The backward
 * products' Xᵀ and Wᵀ (tfjs-wasm's Transpose took ≈ 80 µs on 64 × 800 floats, 31 times per cGAN step) and the
 * filter gradient's [0, 1, 2, 3] → [3, 1, 2, 0] and [1, 2, 0, 3] (0.8 and 0.6 ms a CNN step) take these paths. Copies,
 * so exact; other permutations and dtypes stay with tfjs-wasm.
 */
export function transposeOverride(original: KernelConfig): KernelConfig {
  const kernelFunc = (args: KernelArgs): TensorInfo => {
    const { x } = args.inputs as { x: TensorInfo };
    const { perm } = args.attrs as unknown as TransposeAttrs;
    const fallback = (): TensorInfo => original.kernelFunc(args as KernelFuncArgs) as TensorInfo;
    if (x.dtype !== "float32" && x.dtype !== "int32") return fallback();
    const merged = mergedPermutation(x.shape, perm);
    const [s0 = 1, s1 = 1, s2 = 1] = merged.sizes;
    const plan = same(merged.perm, [1, 0]) ? "matrix" : same(merged.perm, [0, 2, 1]) ? "matrices" : same(merged.perm, [1, 0, 2]) ? "blocks" : same(merged.perm, [2, 1, 0]) ? "reverse" : undefined;
    if (plan === undefined) return fallback();
    const backend = asWasm(args.backend);
    const out = backend.makeOutput(perm.map((p) => x.shape[p] ?? 1), x.dtype);
    const kernels = kernelsOf(backend);
    const memory = memoryOf(backend);
    const src = addressOf(backend, x);
    const dst = addressOf(backend, out);
    if (plan === "matrix") {
      runTranspose(kernels, memory, src, dst, s0, s1);
    } else if (plan === "matrices") {
      const bytes = s1 * s2 * 4;
      for (let b = 0; b < s0; b++) runTranspose(kernels, memory, src + b * bytes, dst + b * bytes, s1, s2);
    } else if (plan === "blocks") {
      kernels.transposeBlocks(src, dst, s0, s1, s2, 0, s0);
    } else {
      // [s0, s1·s2] → [s1, s2, s0], then blocks of s0: [s1, s2] → [s2, s1].
      const middle = backend.makeOutput([s1 * s2, s0], x.dtype);
      runTranspose(kernels, memory, src, addressOf(backend, middle), s0, s1 * s2);
      kernels.transposeBlocks(addressOf(backend, middle), dst, s1, s2, s0, 0, s1);
      release(backend, middle);
    }
    return out;
  };
  return { ...original, kernelFunc };
}

export const transposeOverrides: readonly { kernelName: string; wrap: (original: KernelConfig) => KernelConfig }[] = [{ kernelName: Transpose, wrap: transposeOverride }];
