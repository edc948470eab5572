import { getKernel, registerKernel, unregisterKernel } from "@tensorflow/tfjs-core";
import type { KernelConfig } from "@tensorflow/tfjs-core";

import { binaryOverrides } from "./binary.js";
import { conv2DBackpropFilterConfig } from "./conv2dBackpropFilter.js";
import { conv2DBackpropInputConfig } from "./conv2dBackpropInput.js";
import { depthwiseBackpropFilterConfig, depthwiseBackpropInputConfig } from "./depthwiseConv2dBackprop.js";
import { einsumConfig } from "./einsum.js";
import { gatherOverrides } from "./gather.js";
import { identityOverrides } from "./identity.js";
import { matMulOverrides } from "./matMul.js";
import { maxPoolGradConfig } from "./maxPoolGrad.js";
import { fusedKernelsAvailable } from "./fusedWasm.js";
import { leakyReluGradConfig, leakyReluOverrides, reluGradConfig } from "./leakyRelu.js";
import { adamUpdateConfig, emaUpdateConfig } from "./optimizerUpdates.js";
import { reduceOverrides } from "./reduce.js";
import { sliceOverrides } from "./slice.js";
import { unaryMathOverrides } from "./unaryMath.js";
import { tileOverrides } from "./tile.js";
import { transposeOverrides } from "./transpose.js";
import { unsortedSegmentSumConfig } from "./unsortedSegmentSum.js";
import { winogradOverrides } from "./winogradConv2d.js";

/** Kernels tfjs-wasm lacks, or ships as slow scalar loops: ours replace them. */
const ownKernels: readonly KernelConfig[] = [
  conv2DBackpropFilterConfig,
  conv2DBackpropInputConfig,
  maxPoolGradConfig,
  depthwiseBackpropInputConfig,
  depthwiseBackpropFilterConfig,
  unsortedSegmentSumConfig,
  einsumConfig,
];

/** dl-lab's own operations (fused optimiser updates, leaky-ReLU gradient), where the runtime validates their SIMD module. */
const fusedKernels = (): readonly KernelConfig[] => (fusedKernelsAvailable() ? [adamUpdateConfig, emaUpdateConfig, leakyReluGradConfig, reluGradConfig] : []);

/** Marks configs we registered, so a second call (or a second copy of this module) skips them. */
const OURS = Symbol.for("@dl/tensor-core/wasmGapKernel");
/** On a config that replaced a tfjs-wasm kernel: that kernel, for benchmarks comparing before/after. */
export const REPLACED_KERNEL = Symbol.for("@dl/tensor-core/replacedWasmKernel");
type Marked = KernelConfig & { [OURS]?: true; [REPLACED_KERNEL]?: KernelConfig };

function isOurs(config: Marked | undefined): boolean {
  return config?.[OURS] === true;
}

function install(config: KernelConfig): void {
  const replaced = getKernel(config.kernelName, "wasm");
  if (replaced !== undefined) unregisterKernel(config.kernelName, "wasm");
  const marked: Marked = { ...config, [OURS]: true };
  if (replaced !== undefined) marked[REPLACED_KERNEL] = replaced;
  registerKernel(marked);
}

/**
 * Kernels tfjs-backend-wasm lacks (or runs far slower than its own XNNPACK paths), registered for
 * "wasm" so models train there at speed. Returns the names registered (idempotent).
 */
export function registerWasmGapKernels(): string[] {
  const names: string[] = [];
  for (const config of [...ownKernels, ...fusedKernels()]) {
    if (!isOurs(getKernel(config.kernelName, "wasm"))) install(config);
    names.push(config.kernelName);
  }
  for (const { kernelName, wrap } of [...matMulOverrides, ...identityOverrides, ...tileOverrides, ...reduceOverrides, ...gatherOverrides, ...sliceOverrides, ...(fusedKernelsAvailable() ? [...binaryOverrides, ...leakyReluOverrides, ...transposeOverrides, ...unaryMathOverrides, ...winogradOverrides] : [])]) {
    const current = getKernel(kernelName, "wasm");
    if (current === undefined) continue;
    if (!isOurs(current)) install(wrap(current));
    names.push(kernelName);
  }
  return names;
}
