// Browser entry of `@dl/tensor-core/host`: the shared host surface, with PNGs written by fast-png (pure JavaScript).
import "./report/pngPortable.js";

export * from "./index.host.shared.js";
