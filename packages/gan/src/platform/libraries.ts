// mathjs, whose loading costs ≈ 0.6 s of CPU in Node, parses the change of variables' user expressions — which
// `dl gan train` and most other commands never read, yet paid for at start. Each entry installs how it loads: the
// Node entry on first use (`libraries.node.ts`), the browser entry with the bundle (`libraries.browser.ts`).
import type { parse as mathParse } from "mathjs/number";

import { lazyLibraries } from "@dl/tensor-core";

/** The libraries, by the name the code calls them. */
export interface Libraries {
  /** mathjs's expression parser (no evaluation). */
  parse: typeof mathParse;
}

export const libraries = lazyLibraries<Libraries>("@dl/gan");
