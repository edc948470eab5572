// @stdlib's Student-t quantile, whose loading costs ≈ 0.3 s of CPU in Node, for the 95 % intervals every experiment
// reports at its end — yet every `dl meta` command paid for it at start. Each entry installs how it loads: the Node
// entry on first use (`libraries.node.ts`), the browser entry with the bundle (`libraries.browser.ts`).
import type tQuantileFunction from "@stdlib/stats-base-dists-t-quantile";

import { lazyLibraries } from "@dl/tensor-core";

/** The libraries, by the name the code calls them. */
export interface Libraries {
  tQuantile: typeof tQuantileFunction;
}

export const libraries = lazyLibraries<Libraries>("@dl/metalearn");
