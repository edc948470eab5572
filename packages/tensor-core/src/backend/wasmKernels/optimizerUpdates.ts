import type { KernelConfig, TensorInfo } from "@tensorflow/tfjs-core";

import { addressOf as address, kernelsOf, memoryOf } from "./fusedWasm.js";
import { runAdam } from "./gemmTeam.js";
import { asWasm } from "./wasmBackend.js";
import type { KernelArgs } from "./wasmBackend.js";

/** Kernel names of the fused optimiser updates (ops in model/optimizerUpdates.ts). */
export const ADAM_UPDATE = "DlAdamUpdate";
export const EMA_UPDATE = "DlEmaUpdate";

export interface AdamUpdateAttrs {
  beta1: number;
  beta2: number;
  epsilon: number;
  /** lr·√(1 − β₂ᵗ)/(1 − β₁ᵗ): the step size with both bias corrections folded in. */
  stepSize: number;
}

const f = Math.fround;

/**
 * One Adam step over a whole variable in one SIMD pass: m′ = m·β₁ + g·(1 − β₁); v′ = v·β₂ + g²·(1 − β₂);
 * x′ = x − (m′·s) / (√v′ + ε), each operation rounded to float32 in the unfused ops' order, so the result is
 * bit-identical to mul/add/square/sqrt/div/sub. tfjs-wasm ran that as 12 kernels per variable, each allocating and
 * streaming a whole-variable tensor.
 */
function adamUpdate(args: KernelArgs): TensorInfo[] {
  const backend = asWasm(args.backend);
  const { x, g, m, v } = args.inputs as { x: TensorInfo; g: TensorInfo; m: TensorInfo; v: TensorInfo };
  const { beta1, beta2, epsilon, stepSize } = args.attrs as unknown as AdamUpdateAttrs;
  const outs = [x, m, v].map((t) => backend.makeOutput(t.shape, "float32")) as [TensorInfo, TensorInfo, TensorInfo];
  const n = x.shape.reduce((a, b) => a * b, 1);
  const at = (t: TensorInfo): number => address(backend, t);
  runAdam(kernelsOf(backend), memoryOf(backend), {
    pointers: [at(x), at(g), at(m), at(v), at(outs[0]), at(outs[1]), at(outs[2])],
    n,
    coefficients: [f(beta1), f(1 - beta1), f(beta2), f(1 - beta2), f(epsilon), f(stepSize)],
  });
  return outs;
}

/** θ̄′ = θ̄·d + θ·(1 − d) in one SIMD pass, rounded as tfjs's mul/mul/add compute it. */
function emaUpdate(args: KernelArgs): TensorInfo {
  const backend = asWasm(args.backend);
  const { average, x } = args.inputs as { average: TensorInfo; x: TensorInfo };
  const { decay } = args.attrs as unknown as { decay: number };
  const out = backend.makeOutput(average.shape, "float32");
  const n = average.shape.reduce((a, b) => a * b, 1);
  kernelsOf(backend).ema(address(backend, average), address(backend, x), address(backend, out), n, f(decay), f(1 - decay));
  return out;
}

export const adamUpdateConfig: KernelConfig = { kernelName: ADAM_UPDATE, backendName: "wasm", kernelFunc: adamUpdate };
export const emaUpdateConfig: KernelConfig = { kernelName: EMA_UPDATE, backendName: "wasm", kernelFunc: emaUpdate };
