// Node entry: everything in the browser entry plus the native backend and file-system helpers, with PNGs written on
// Node's zlib (which spares every Node process fast-png's ≈ 50 ms of loading).
import "./backend/tfjsNode.js";
import "./backend/wasmThreadsNode.js";
import "./report/pngNode.js";

export * from "./index.shared.js";
export { loadTfjsNode } from "./backend/tfjsNode.js";
export * from "./data/node.js";
export * from "./model/node.js";
export * from "./report/node.js";
