// Node entry of @dl/metalearn: the shared surface, with @stdlib's Student-t quantile loaded on the first interval
// computed (≈ 0.3 s of CPU that every `dl meta` command paid at start before).
import "./platform/libraries.node.js";

export * from "./index.shared.js";
