import { Add, Multiply, Square, Sub, backend_util, util } from "@tensorflow/tfjs-core";
import type { KernelConfig, TensorInfo } from "@tensorflow/tfjs-core";

import { addressOf, kernelsOf, memoryOf } from "./fusedWasm.js";
import { runBinary } from "./gemmTeam.js";
import { asWasm } from "./wasmBackend.js";
import type { KernelArgs } from "./wasmBackend.js";

type KernelFuncArgs = Parameters<KernelConfig["kernelFunc"]>[0];

/** How `binary` (assembly/fusedKernels.ts) reads an operand: the whole grid, one scalar, one row, one column. */
const FULL = 0;
const SCALAR = 1;
const ROW = 2;
const COLUMN = 3;

/** The shape without leading 1s. */
function squeezeLeading(shape: number[]): number[] {
  let s = 0;
  while (s < shape.length && shape[s] === 1) s++;
  return shape.slice(s);
}

/**
 * The (outer, inner) grid and each operand's mode for a broadcast of `a` and `b` to `out`: equal shapes, a scalar,
 * a row (out's last dimension) or a column (out's shape with a last dimension of 1). Undefined otherwise.
 */
function binaryLayout(a: number[], b: number[], out: number[]): { outer: number; inner: number; aMode: number; bMode: number } | undefined {
  const size = util.sizeFromShape(out);
  const inner = out.length === 0 ? 1 : (out[out.length - 1] as number);
  const outer = inner === 0 ? 0 : size / inner;
  const modeOf = (s: number[]): number | undefined => {
    const n = util.sizeFromShape(s);
    if (n === size && util.arraysEqual(squeezeLeading(s), squeezeLeading(out))) return FULL;
    if (n === 1) return SCALAR;
    const t = squeezeLeading(s);
    if (t.length === 1 && t[0] === inner) return ROW;
    if (s.length === out.length && s[s.length - 1] === 1 && util.arraysEqual(s.slice(0, -1), out.slice(0, -1))) return COLUMN;
    return undefined;
  };
  const aMode = modeOf(a);
  const bMode = modeOf(b);
  if (aMode === undefined || bMode === undefined) return undefined;
  // A whole grid against a whole grid or a scalar is one flat row.
  if ((aMode === FULL || aMode === SCALAR) && (bMode === FULL || bMode === SCALAR)) return { outer: 1, inner: size, aMode, bMode };
  return { outer, inner, aMode, bMode };
}

/**
 * Float32 Add / Sub / Multiply as one SIMD pass for the broadcasts of a training step (equal shapes, a scalar, a row,
 * a column), on the calling thread or, when large (a CNN's bias add), split over our helper team: tfjs-wasm's XNNPACK
 * kernels give the same IEEE results but wake XNNPACK's thread pool for each, and its worker then spins, taking a
 * core from the GEMM helpers. Other cases stay with it.
 */
function binaryOverride(op: number): (original: KernelConfig) => KernelConfig {
  return (original) => {
    const kernelFunc = (args: KernelArgs): TensorInfo => {
      const { a, b } = args.inputs as { a: TensorInfo; b: TensorInfo };
      if (a.dtype === "float32" && b.dtype === "float32") {
        const outShape = backend_util.assertAndGetBroadcastShape(a.shape, b.shape);
        const layout = binaryLayout(a.shape, b.shape, outShape);
        if (layout !== undefined) {
          const backend = asWasm(args.backend);
          const out = backend.makeOutput(outShape, "float32");
          if (layout.outer * layout.inner > 0) {
            runBinary(kernelsOf(backend), memoryOf(backend), op, addressOf(backend, a), addressOf(backend, b), addressOf(backend, out), layout.outer, layout.inner, layout.aMode, layout.bMode);
          }
          return out;
        }
      }
      return original.kernelFunc(args as KernelFuncArgs) as TensorInfo;
    };
    return { ...original, kernelFunc };
  };
}

/** Float32 Square as x·x through the same pass (one IEEE multiply, as tfjs-wasm's kernel). */
function squareOverride(original: KernelConfig): KernelConfig {
  const kernelFunc = (args: KernelArgs): TensorInfo => {
    const { x } = args.inputs as { x: TensorInfo };
    if (x.dtype !== "float32") return original.kernelFunc(args as KernelFuncArgs) as TensorInfo;
    const backend = asWasm(args.backend);
    const out = backend.makeOutput(x.shape, "float32");
    const size = util.sizeFromShape(x.shape);
    if (size > 0) runBinary(kernelsOf(backend), memoryOf(backend), 2, addressOf(backend, x), addressOf(backend, x), addressOf(backend, out), 1, size, FULL, FULL);
    return out;
  };
  return { ...original, kernelFunc };
}

export const binaryOverrides: readonly { kernelName: string; wrap: (original: KernelConfig) => KernelConfig }[] = [
  { kernelName: Add, wrap: binaryOverride(0) },
  { kernelName: Sub, wrap: binaryOverride(1) },
  { kernelName: Multiply, wrap: binaryOverride(2) },
  { kernelName: Square, wrap: squareOverride },
];
