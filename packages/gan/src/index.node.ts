// Node entry of @dl/gan: the shared surface, with mathjs loaded on the first expression parsed (≈ 0.6 s of CPU that
// every `dl gan` command paid at start before).
import "./platform/libraries.node.js";

export * from "./index.shared.js";
