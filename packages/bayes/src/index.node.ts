// Node entry of @dl/bayes: the shared surface, with mathjs and @stdlib's heavy functions loaded on their first use
// (≈ 1 s of CPU that a `dl gan` or `dl bayes` command paid at start before).
import "./platform/libraries.node.js";

export * from "./index.shared.js";
