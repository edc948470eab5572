import { BatchMatMul, _FusedMatMul, util } from "@tensorflow/tfjs-core";
import type { KernelConfig, TensorInfo } from "@tensorflow/tfjs-core";

import { addressOf, fusedKernelsAvailable, kernelsOf, memoryOf } from "./fusedWasm.js";
import { gemmHelpersOn, runGemm } from "./gemmTeam.js";
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

/** How many times each right-hand operand (by data id) was multiplied transposed instead of being packed. */
const swappedUses = new WeakMap<object, number>();
/** Epilogue activations of the transposed product (assembly/fusedKernels.ts): others take tfjs-wasm's fused path. */
const EPILOGUE_ACTIVATIONS: Readonly<Record<string, number>> = { linear: 0, relu: 1, leakyrelu: 2 };

/**
 * Whether the plain product A[m, k]·B[k, n] is cheaper as Cᵀ = Bᵀ·Aᵀ. XNNPACK packs its right operand (scalar
 * code, ≈ 3 ns an element; a 64 × 800 · 800 × 512 product took 3.0 ms with a new B and 1.8 ms with B packed), and
 * training gives every weight a new tensor each step, so each forward product repacks its k × n weight. Swapped,
 * it packs Aᵀ (k × m, small for a batch of 64–128) and the SIMD transposes move B and C (≈ 1/3 the cost an
 * element). A B already packed stays direct, and so does one met a third time (inference reuses its weights:
 * packing once is cheaper then).
 */
function swapPlain(b: TensorInfo, m: number, k: number, n: number): boolean {
  if (packedShapes.has(b.dataId) || (swappedUses.get(b.dataId) ?? 0) >= 2) return false;
  return k * n + m * k + m * n + 3 * k * m < 3 * k * n;
}

/**
 * C = act(A·B + bias) as Cᵀ = Bᵀ·Aᵀ (XNNPACK, no bias), then one SIMD pass transposing Cᵀ back with the bias
 * added and the activation applied (`transposeBiasAct`). Not bit-identical to tfjs-wasm's fused kernel, which
 * starts each sum from the bias: here the bias is added to the finished sum (float32 rounding apart, the same).
 */
function plainViaSwap(backend: WasmBackend, original: KernelConfig, a: TensorInfo, b: TensorInfo, bias: TensorInfo | undefined, activation: number, alpha: number): TensorInfo {
  swappedUses.set(b.dataId, (swappedUses.get(b.dataId) ?? 0) + 1);
  const left = transposeLastTwo(backend, b); // Bᵀ [n, k]
  const right = transposeLastTwo(backend, a); // Aᵀ [k, m]
  const productT = original.kernelFunc({
    inputs: { a: left, b: right },
    backend,
    attrs: { transposeA: false, transposeB: false, activation: "linear", leakyreluAlpha: 0 },
  }) as TensorInfo;
  release(backend, left, right);
  const n = productT.shape[productT.shape.length - 2] ?? 1;
  const m = productT.shape[productT.shape.length - 1] ?? 1;
  let out: TensorInfo;
  if (bias === undefined && activation === 0) {
    out = transposeLastTwo(backend, productT);
  } else {
    out = backend.makeOutput([...a.shape.slice(0, -2), m, n], "float32");
    const biasAt = bias === undefined ? 0 : addressOf(backend, bias);
    kernelsOf(backend).transposeBiasAct(addressOf(backend, productT), addressOf(backend, out), n, m, biasAt, activation, alpha);
  }
  release(backend, productT);
  return withShape(out, [...a.shape.slice(0, -2), m, n]);
}

/** The fused product's bias and activation when the transposed epilogue can apply them (else undefined). */
function epilogueOf(args: KernelArgs, n: number): { bias: TensorInfo | undefined; activation: number; alpha: number } | undefined {
  const { bias, preluActivationWeights } = args.inputs as { bias?: TensorInfo; preluActivationWeights?: TensorInfo };
  const attrs = args.attrs as { activation?: string; leakyreluAlpha?: number } | undefined;
  const activation = EPILOGUE_ACTIVATIONS[attrs?.activation ?? "linear"];
  if (activation === undefined || preluActivationWeights !== undefined || !fusedKernelsAvailable()) return undefined;
  if (bias !== undefined && (bias.dtype !== "float32" || util.sizeFromShape(bias.shape) !== n || (bias.shape.length > 1 && bias.shape[bias.shape.length - 1] !== n))) return undefined;
  if (bias === undefined && activation !== 0) return undefined;
  return { bias, activation, alpha: attrs?.leakyreluAlpha ?? 0 };
}

/** Right-hand operands (by data id) met this often go to XNNPACK, which packs them once and is faster after. */
const OWN_GEMM_USES = 8;
/** How many times each right-hand operand (by data id) went through our GEMM. */
const ownUses = new WeakMap<object, number>();
let ownGemmEnabled = true;
/** For benchmarks and tests: whether float32 products may run as our own GEMM (default true). */
export function setOwnGemm(enabled: boolean): void {
  ownGemmEnabled = enabled;
}

/**
 * Whether float32 products on `backend` can run as our GEMM at all: it is enabled, our SIMD module runs, and on
 * tfjs-wasm's threaded build a helper team shares its memory (without one, XNNPACK's pool splits products).
 */
export function ownGemmAvailable(backend: WasmBackend): boolean {
  if (!ownGemmEnabled || !fusedKernelsAvailable()) return false;
  const memory = memoryOf(backend);
  return !(typeof SharedArrayBuffer === "function" && memory.buffer instanceof SharedArrayBuffer && gemmHelpersOn(memory) === 0);
}

/**
 * Whether op(A)·op(B) runs as our GEMM: a right operand XNNPACK would have to pack first (training makes new weights
 * every step, and the backward products' operands are new tensors) — XNNPACK packs with scalar code on the calling
 * thread, and its transposed paths copy operands first. A weight met OWN_GEMM_USES times (inference) goes to
 * XNNPACK, which packs it once; so does every product of tfjs-wasm's threaded build where no helper team runs (a
 * browser page), since XNNPACK's own pool splits it there.
 */
function ownGemmFits(backend: WasmBackend, b: TensorInfo): boolean {
  // tfjs-wasm's threaded build without our helper team (a cross-origin isolated page): XNNPACK's pool splits the product.
  if (!ownGemmAvailable(backend) || packedShapes.has(b.dataId)) return false;
  const uses = ownUses.get(b.dataId) ?? 0;
  if (uses >= OWN_GEMM_USES) return false;
  ownUses.set(b.dataId, uses + 1);
  return true;
}

/**
 * C = act(op(A)·op(B) + bias) as our own GEMM on the main thread: op(A) read through strides, a transposed B moved
 * by the SIMD transpose, nothing packed and no call into XNNPACK's thread pool.
 */
function ownGemm(backend: WasmBackend, a: TensorInfo, b: TensorInfo, m: number, k: number, n: number, transposeA: boolean, transposeB: boolean, epilogue: { bias: TensorInfo | undefined; activation: number; alpha: number }): TensorInfo {
  const batchShape = (a.shape.length >= b.shape.length ? a.shape : b.shape).slice(0, -2);
  const out = backend.makeOutput([...batchShape, m, n], "float32");
  const right = transposeB ? transposeLastTwo(backend, b) : b;
  runGemm(kernelsOf(backend), memoryOf(backend), {
    a: addressOf(backend, a),
    b: addressOf(backend, right),
    c: addressOf(backend, out),
    m,
    k,
    n,
    rowStride: transposeA ? 1 : k,
    colStride: transposeA ? m : 1,
    bias: epilogue.bias === undefined ? 0 : addressOf(backend, epilogue.bias),
    act: epilogue.activation,
    alpha: epilogue.alpha,
  });
  if (right !== b) release(backend, right);
  return out;
}

/**
 * tfjs-wasm's matmul is ~50× slower when transposeA/transposeB is set (it leaves XNNPACK's packed
 * GEMM); materialising the transpose and taking the plain path is far cheaper. Dense-layer
 * gradients hit exactly this case.
 */
function plainPathOverride(original: KernelConfig, canSwap: boolean, fused: boolean): KernelConfig {
  const kernelFunc = (args: KernelArgs): TensorInfo => {
    const attrs = args.attrs as { transposeA?: boolean; transposeB?: boolean } | undefined;
    const transposeA = attrs?.transposeA === true;
    const transposeB = attrs?.transposeB === true;
    const backend = asWasm(args.backend);
    const { a, b } = args.inputs as { a: TensorInfo; b: TensorInfo };
    const da = matrixDims(a);
    const db = matrixDims(b);
    if (da.batch === 1 && db.batch === 1 && a.dtype === "float32" && b.dtype === "float32" && fusedKernelsAvailable()) {
      const [m, k] = transposeA ? [da.cols, da.rows] : [da.rows, da.cols];
      const n = transposeB ? db.rows : db.cols;
      const epilogue = fused ? epilogueOf(args, n) : { bias: undefined, activation: 0, alpha: 0 };
      if (epilogue !== undefined && ownGemmFits(backend, b)) return ownGemm(backend, a, b, m, k, n, transposeA, transposeB, epilogue);
    }
    if (!transposeA && !transposeB) {
      if (da.batch === 1 && db.batch === 1 && a.dtype === "float32" && swapPlain(b, da.rows, da.cols, db.cols)) {
        const epilogue = fused ? epilogueOf(args, db.cols) : { bias: undefined, activation: 0, alpha: 0 };
        if (epilogue !== undefined) return plainViaSwap(backend, original, a, b, epilogue.bias, epilogue.activation, epilogue.alpha);
      }
      return plainProduct(backend, original, args, a, b);
    }
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
  { kernelName: BatchMatMul, wrap: (original) => plainPathOverride(original, true, false) },
  // Bias and activation apply to C itself: the transposed-operand products keep the order; the plain one swaps
  // with the bias and activation in the transposing epilogue.
  { kernelName: _FusedMatMul, wrap: (original) => plainPathOverride(original, false, true) },
];
