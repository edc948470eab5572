import type * as Tfjs from "@tensorflow/tfjs-core";

import { DlError, loadedTfjs } from "@dl/tensor-core/host";

/**
 * TensorFlow.js with a backend set up, when @dl/tensor-core's backend layer has loaded it in this process;
 * undefined otherwise. t-SNE never loads tfjs itself — its own WebAssembly kernels need none — and uses a
 * backend only where one is already there (the matrix-product kNN and the PCA of wide inputs).
 */
export function readyTfjs(): typeof Tfjs | undefined {
  const tf = loadedTfjs();
  try {
    return tf !== undefined && tf.engine().backendName !== "" && tf.getBackend() !== "" ? tf : undefined;
  } catch {
    return undefined;
  }
}

/** The TensorFlow.js @dl/tensor-core loaded (its first op sets a backend up if none is), or one line saying how to load it for `what`. */
export function requireTfjs(what: string): typeof Tfjs {
  const tf = loadedTfjs();
  if (tf === undefined) throw new DlError("BACKEND_UNAVAILABLE", `${what} runs on a TensorFlow.js backend; call initBackend() from @dl/tensor-core first.`);
  return tf;
}
