import { Identity } from "@tensorflow/tfjs-core";
import type { KernelConfig, TensorInfo } from "@tensorflow/tfjs-core";

import { asWasm } from "./wasmBackend.js";
import type { KernelArgs } from "./wasmBackend.js";

/**
 * A new reference to the same data, as tfjs-cpu and webgl do: tensors are immutable, and the
 * engine clones every tensor it saves for backprop, so tfjs-wasm's copying Identity moved each
 * activation once more per training step.
 */
function identity(args: KernelArgs): TensorInfo {
  const { x } = args.inputs as { x: TensorInfo };
  asWasm(args.backend).incRef(x.dataId);
  return { dataId: x.dataId, shape: x.shape, dtype: x.dtype };
}

export function identityOverride(original: KernelConfig): KernelConfig {
  const kernelFunc = (args: KernelArgs): TensorInfo => {
    const { x } = args.inputs as { x: TensorInfo };
    // String tensors live outside the heap; tfjs-wasm's own kernel handles them.
    if (x.dtype === "string") return original.kernelFunc(args as Parameters<KernelConfig["kernelFunc"]>[0]) as TensorInfo;
    return identity(args);
  };
  return { ...original, kernelFunc: kernelFunc };
}

export const identityOverrides: readonly { kernelName: string; wrap: (original: KernelConfig) => KernelConfig }[] = [
  { kernelName: Identity, wrap: identityOverride },
];
