// Browser entry of @dl/tensor-core: the shared surface, with PNGs written by fast-png (pure JavaScript). Node-only
// helpers live in index.node.ts.
import "./report/pngPortable.js";

export * from "./index.shared.js";
