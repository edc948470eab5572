// Backend names and the TensorFlow.js this process loaded, without importing TensorFlow.js (the `/host` entry uses them).
import type * as Tfjs from "@tensorflow/tfjs-core";

/** Backends dl-lab knows, by the names users type. `tfjs-node` is tfjs's native `tensorflow` backend. */
export const BACKEND_NAMES = ["tfjs-node", "webgpu", "webgl", "wasm", "cpu"] as const;
export type BackendName = (typeof BACKEND_NAMES)[number];

let loaded: typeof Tfjs | undefined;

/** Called once by the backend registry as it loads (tfjs-core comes with it). */
export function recordLoadedTfjs(tf: typeof Tfjs): void {
  loaded = tf;
}

/**
 * The TensorFlow.js that @dl/tensor-core's backend layer loaded in this process, or undefined when nothing
 * loaded it. It never loads TensorFlow.js itself: code that only *may* use a tfjs backend (a faster path when
 * one is set up) stays free of tfjs's start-up cost otherwise.
 */
export function loadedTfjs(): typeof Tfjs | undefined {
  return loaded;
}
