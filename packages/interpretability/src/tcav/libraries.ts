// @stdlib's binomial CDF and Student-t CDF and quantile: loading them costs ≈ 0.2 s of CPU in Node, which every
// command importing @dl/interpretability (or its /tcav subpath) paid at start, used or not. How they load is chosen
// per platform by the `#tcavLibraries` package import, which stats.ts (their one user) imports: on first use in Node
// (`libraries.node.ts`), with the bundle in the browser (`libraries.browser.ts`).
import type binomialCdfFunction from "@stdlib/stats-base-dists-binomial-cdf";
import type tCdfFunction from "@stdlib/stats-base-dists-t-cdf";
import type tQuantileFunction from "@stdlib/stats-base-dists-t-quantile";

import { lazyLibraries } from "@dl/tensor-core";

/** The libraries, by the name the code calls them. */
export interface Libraries {
  binomialCdf: typeof binomialCdfFunction;
  tCdf: typeof tCdfFunction;
  tQuantile: typeof tQuantileFunction;
}

export const libraries = lazyLibraries<Libraries>("@dl/interpretability");
