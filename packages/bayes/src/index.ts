// Browser entry of @dl/bayes: the shared surface, with mathjs and @stdlib's heavy functions bundled and loaded with it.
import "./platform/libraries.browser.js";

export * from "./index.shared.js";
