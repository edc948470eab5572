// Node: each library required (CommonJS) on its first use, so a process that computes no p-value or interval
// never loads them.
import { createRequire } from "node:module";

import { libraries, type Libraries } from "./libraries.js";

const require = createRequire(import.meta.url);

libraries.install({
  binomialCdf: () => require("@stdlib/stats-base-dists-binomial-cdf") as Libraries["binomialCdf"],
  tCdf: () => require("@stdlib/stats-base-dists-t-cdf") as Libraries["tCdf"],
  tQuantile: () => require("@stdlib/stats-base-dists-t-quantile") as Libraries["tQuantile"],
});
