// Browser entry of @dl/gan: the shared surface, with mathjs bundled and loaded with it.
import "./platform/libraries.browser.js";

export * from "./index.shared.js";
