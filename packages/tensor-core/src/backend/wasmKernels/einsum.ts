import { Einsum, backend_util, util } from "@tensorflow/tfjs-core";
import type { EinsumAttrs, KernelConfig, TensorInfo } from "@tensorflow/tfjs-core";

import { asWasm, release, runWasmKernel, withShape } from "./wasmBackend.js";
import type { KernelArgs } from "./wasmBackend.js";

/** tfjs-cpu's einsum plan (transpose, broadcast-multiply, sum per step) on wasm kernels. */
function einsum(args: KernelArgs): TensorInfo {
  const backend = asWasm(args.backend);
  const { equation } = args.attrs as unknown as EinsumAttrs;
  const inputs = args.inputs as unknown;
  const tensors: TensorInfo[] = Array.isArray(inputs)
    ? (inputs as TensorInfo[])
    : Object.values(inputs as Record<string, TensorInfo>);
  const { allDims, summedDims, idDims } = backend_util.decodeEinsumEquation(equation, tensors.length);
  backend_util.checkEinsumDimSizes(allDims.length, idDims, tensors as never);
  const { path, steps } = backend_util.getEinsumComputePath(summedDims, idDims);
  const owned = new Set<TensorInfo>();
  let out: TensorInfo | undefined;
  let numDimsRemaining = allDims.length;
  steps.forEach((step, i) => {
    for (const idTerm of step) {
      const term = idDims[idTerm] ?? [];
      const { permutationIndices: perm, expandDims } = backend_util.getEinsumPermutation(numDimsRemaining, term);
      const source = tensors[idTerm];
      if (source === undefined) throw new Error(`einsum: missing operand ${idTerm}`);
      let x = source;
      if (!backend_util.isIdentityPermutation(perm)) {
        x = runWasmKernel(backend, "Transpose", { x }, { perm });
        owned.add(x);
      }
      const targetShape = x.shape.slice();
      for (const d of expandDims) targetShape.splice(d, 0, 1);
      if (!util.arraysEqual(x.shape, targetShape)) {
        const view = withShape(x, targetShape);
        if (owned.delete(x)) owned.add(view);
        x = view;
      }
      if (out === undefined) {
        out = x;
      } else {
        const product = runWasmKernel(backend, "Multiply", { a: x, b: out });
        owned.add(product);
        out = product;
      }
    }
    const axis = path[i] ?? -1;
    if (i < steps.length - 1) {
      if (axis >= 0 && out !== undefined) {
        const summed = runWasmKernel(backend, "Sum", { x: out }, { axis: axis - (allDims.length - numDimsRemaining), keepDims: false });
        owned.add(summed);
        out = summed;
      }
      numDimsRemaining--;
    }
  });
  if (out === undefined) throw new Error(`einsum "${equation}" has no operands`);
  let result = out;
  if (!owned.has(out)) result = withShape(runWasmKernel(backend, "Identity", { x: out }), out.shape);
  for (const t of owned) if (t !== out) release(backend, t);
  return result;
}

export const einsumConfig: KernelConfig = {
  kernelName: Einsum,
  backendName: "wasm",
  kernelFunc: einsum,
};
