// Node entry: everything in the browser entry plus the native backend and file-system helpers.
import "./backend/tfjsNode.js";
import "./backend/wasmThreadsNode.js";
import "./report/pngNode.js";

export * from "./index.js";
export { loadTfjsNode } from "./backend/tfjsNode.js";
export * from "./data/node.js";
export * from "./model/node.js";
export * from "./report/node.js";
