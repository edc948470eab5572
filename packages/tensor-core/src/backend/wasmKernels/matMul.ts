import { BatchMatMul, _FusedMatMul, util } from "@tensorflow/tfjs-core";
import type { KernelConfig, TensorInfo } from "@tensorflow/tfjs-core";

import { asWasm, heapF32, heapI32, release, runWasmKernel, withShape } from "./wasmBackend.js";
import type { KernelArgs, WasmBackend } from "./wasmBackend.js";

/** Swaps the last two axes with the (fast) wasm Transpose kernel. */
function transposeLastTwo(backend: WasmBackend, t: TensorInfo): TensorInfo {
  const rank = t.shape.length;
  const perm = [...Array(rank).keys()];
  perm[rank - 2] = rank - 1;
  perm[rank - 1] = rank - 2;
  return runWasmKernel(backend, "Transpose", { x: t }, { perm });
}

function matrixDims(t: TensorInfo): { batch: number; rows: number; cols: number } {
  const rank = t.shape.length;
  return { batch: util.sizeFromShape(t.shape.slice(0, -2)), rows: t.shape[rank - 2] ?? 1, cols: t.shape[rank - 1] ?? 1 };
}

/** The [rows, cols] each right-hand operand's data was last multiplied with, by data id. */
const packedShapes = new WeakMap<object, string>();

/**
 * tfjs-wasm caches XNNPACK's packed right-hand operand under the operand's tensor id (and bias and
 * activation), not its shape: once `w` has been the right operand as 6×4, a product with
 * `reshape(w, [4, 6])` reuses the 6×4 packing and returns garbage read past the tensor's end. A right
 * operand whose data is met again with another shape is therefore copied to a tensor of its own.
 */
function withFreshIdIfReshaped(backend: WasmBackend, b: TensorInfo): TensorInfo {
  const { batch, rows, cols } = matrixDims(b);
  const shape = `${String(batch)}:${String(rows)}x${String(cols)}`;
  const seen = packedShapes.get(b.dataId);
  if (seen === undefined) packedShapes.set(b.dataId, shape);
  if (seen === undefined || seen === shape) return b;
  const copy = backend.makeOutput(b.shape, b.dtype);
  if (b.dtype === "int32") heapI32(backend, copy).set(heapI32(backend, b));
  else heapF32(backend, copy).set(heapF32(backend, b));
  return copy;
}

/** Runs tfjs-wasm's own matmul with plain operands, its right operand safe to pack. */
function plainProduct(backend: WasmBackend, original: KernelConfig, args: KernelArgs, a: TensorInfo, b: TensorInfo): TensorInfo {
  const right = withFreshIdIfReshaped(backend, b);
  const out = original.kernelFunc({
    inputs: { ...args.inputs, a, b: right },
    backend: args.backend as object,
    attrs: { ...args.attrs, transposeA: false, transposeB: false },
  }) as TensorInfo;
  if (right !== b) release(backend, right);
  return out;
}

/**
 * C = op(A)·op(B) computed as Cᵀ = op(B)ᵀ·op(A)ᵀ, transposed back. XNNPACK packs the right-hand
 * operand of every new GEMM; when op(A) is the smaller one to pack (Dense dx = dy·Wᵀ with a batch
 * far smaller than the layer), this costs a few small transposes instead of repacking W.
 */
function viaSwappedOperands(
  backend: WasmBackend,
  original: KernelConfig,
  args: KernelArgs,
  a: TensorInfo,
  b: TensorInfo,
  transposeA: boolean,
  transposeB: boolean,
): TensorInfo {
  const left = transposeB ? b : transposeLastTwo(backend, b); // op(B)ᵀ  [N, K]
  const right = transposeA ? a : transposeLastTwo(backend, a); // op(A)ᵀ  [K, M]
  const productT = plainProduct(backend, original, { ...args, inputs: {} }, left, right);
  if (left !== b) release(backend, left);
  if (right !== a) release(backend, right);
  const rank = productT.shape.length;
  const out = transposeLastTwo(backend, withShape(productT, [1, productT.shape[rank - 2] ?? 1, productT.shape[rank - 1] ?? 1]));
  release(backend, productT);
  return out;
}

/**
 * tfjs-wasm's matmul is ~50× slower when transposeA/transposeB is set (it leaves XNNPACK's packed
 * GEMM); materialising the transpose and taking the plain path is far cheaper. Dense-layer
 * gradients hit exactly this case.
 */
function plainPathOverride(original: KernelConfig, canSwap: boolean): KernelConfig {
  const kernelFunc = (args: KernelArgs): TensorInfo => {
    const attrs = args.attrs as { transposeA?: boolean; transposeB?: boolean } | undefined;
    const transposeA = attrs?.transposeA === true;
    const transposeB = attrs?.transposeB === true;
    const backend = asWasm(args.backend);
    const { a, b } = args.inputs as { a: TensorInfo; b: TensorInfo };
    if (!transposeA && !transposeB) return plainProduct(backend, original, args, a, b);
    const da = matrixDims(a);
    const db = matrixDims(b);
    if (canSwap && da.batch === 1 && db.batch === 1) {
      const [m, k] = transposeA ? [da.cols, da.rows] : [da.rows, da.cols];
      const n = transposeB ? db.rows : db.cols;
      // Elements moved: transposes plus the packing of the right-hand operand (counted twice).
      const direct = (transposeA ? m * k : 0) + (transposeB ? k * n : 0) + 2 * k * n;
      const swapped = (transposeB ? 0 : k * n) + (transposeA ? 0 : m * k) + 2 * k * m + m * n;
      if (swapped < direct) {
        const out = viaSwappedOperands(backend, original, args, a, b, transposeA, transposeB);
        return withShape(out, [...a.shape.slice(0, -2), m, n]);
      }
    }
    const aPlain = transposeA ? transposeLastTwo(backend, a) : a;
    const bPlain = transposeB ? transposeLastTwo(backend, b) : b;
    const out = plainProduct(backend, original, args, aPlain, bPlain);
    if (aPlain !== a) release(backend, aPlain);
    if (bPlain !== b) release(backend, bPlain);
    return out;
  };
  return { ...original, kernelFunc: kernelFunc };
}

export const matMulOverrides: readonly { kernelName: string; wrap: (original: KernelConfig) => KernelConfig }[] = [
  { kernelName: BatchMatMul, wrap: (original) => plainPathOverride(original, true) },
  // Bias and activation apply to C itself, so the fused kernel keeps the operand order.
  { kernelName: _FusedMatMul, wrap: (original) => plainPathOverride(original, false) },
];
