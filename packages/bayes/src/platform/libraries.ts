// The third-party numerics whose loading costs most: mathjs (≈ 0.6 s of CPU in Node, for parsing distribution specs)
// and @stdlib's incomplete beta function, its inverse and the Kolmogorov–Smirnov test (≈ 0.35 s together). Every
// `dl gan` and `dl bayes` command imported them at start, used or not. Each entry installs how they load: the Node
// entry on first use (`libraries.node.ts`), the browser entry with the bundle (`libraries.browser.ts`).
import type betaincFunction from "@stdlib/math-base-special-betainc";
import type betaincinvFunction from "@stdlib/math-base-special-betaincinv";
import type kstestFunction from "@stdlib/stats-kstest";
import type { parse as mathParse } from "mathjs/number";

import { lazyLibraries } from "@dl/tensor-core";

/** The libraries, by the name the code calls them. */
export interface Libraries {
  /** mathjs's expression parser (no evaluation). */
  parse: typeof mathParse;
  betainc: typeof betaincFunction;
  betaincinv: typeof betaincinvFunction;
  kstest: typeof kstestFunction;
}

export const libraries = lazyLibraries<Libraries>("@dl/bayes");
