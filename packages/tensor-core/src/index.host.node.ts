// Node entry of `@dl/tensor-core/host`: the browser-safe host part plus the file-system helpers (datasets,
// the cache, .npy/.csv files, report writing) — still without TensorFlow.js — with PNGs written on Node's zlib.
import "./report/pngNode.js";

export * from "./index.host.shared.js";
export * from "./data/node.js";
export * from "./report/node.js";
