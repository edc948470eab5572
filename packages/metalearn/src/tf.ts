// tfjs-core alone registers no gradients; tfjs-layers registers all of them on import, in Node's CJS
// bundle and in the ESM build alike (tfjs-core's own register_all_gradients.js fails under plain Node ESM).
import "@tensorflow/tfjs-layers";

export * as tf from "@tensorflow/tfjs-core";
