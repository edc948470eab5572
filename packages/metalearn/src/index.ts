// Browser entry of @dl/metalearn: the shared surface, with @stdlib's Student-t quantile bundled and loaded with it.
import "./platform/libraries.browser.js";

export * from "./index.shared.js";
