import { Cos, Sin, Tanh, util } from "@tensorflow/tfjs-core";
import type { KernelConfig, TensorInfo } from "@tensorflow/tfjs-core";

import { addressOf, kernelsOf, type FusedExports } from "./fusedWasm.js";
import { asWasm } from "./wasmBackend.js";
import type { KernelArgs } from "./wasmBackend.js";

type KernelFuncArgs = Parameters<KernelConfig["kernelFunc"]>[0];

/** Runs one of our SIMD kernels on a float32 tensor (pointers into tfjs-wasm's memory, n values); other dtypes stay with tfjs-wasm's kernel. */
function simdUnaryOverride(run: (kernels: FusedExports, x: number, out: number, n: number) => void): (original: KernelConfig) => KernelConfig {
  return (original) => {
    const kernelFunc = (args: KernelArgs): TensorInfo => {
      const { x } = args.inputs as { x: TensorInfo };
      if (x.dtype !== "float32") return original.kernelFunc(args as KernelFuncArgs) as TensorInfo;
      const backend = asWasm(args.backend);
      const out = backend.makeOutput(x.shape, "float32");
      run(kernelsOf(backend), addressOf(backend, x), addressOf(backend, out), util.sizeFromShape(x.shape));
      return out;
    };
    return { ...original, kernelFunc };
  };
}

/**
 * tanh, sin and cos as SIMD in double precision, rounded once to float32: the floats tfjs-cpu gives (Math.tanh,
 * Math.sin, Math.cos rounded once) on every test value. tfjs-wasm's kernels are scalar libm tanhf / sinf / cosf, also
 * within 1 ulp but not always the same float, and slower: tanh ≈ 19 ns a value; sin and cos ≈ 30–60 ns, a third of a
 * grid-of-25 GAN step, whose D reads Fourier features. Sin and cos beyond |x| = 2¹⁹, ±∞ and NaN take the scalar musl
 * functions inside the same kernel.
 */
export const unaryMathOverrides: readonly { kernelName: string; wrap: (original: KernelConfig) => KernelConfig }[] = [
  { kernelName: Tanh, wrap: simdUnaryOverride((k, x, out, n) => k.tanh(x, out, n)) },
  { kernelName: Sin, wrap: simdUnaryOverride((k, x, out, n) => k.sinCos(x, out, n, 0)) },
  { kernelName: Cos, wrap: simdUnaryOverride((k, x, out, n) => k.sinCos(x, out, n, 1)) },
];
