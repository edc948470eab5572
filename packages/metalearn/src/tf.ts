// tfjs-core's ESM entry registers no gradients (the `@tensorflow/tfjs` bundle does); training needs them.
import "@tensorflow/tfjs-core/dist/register_all_gradients.js";

export * as tf from "@tensorflow/tfjs-core";
