// Browser: the libraries are part of the bundle, imported with it (a page cannot load a module synchronously).
import binomialCdf from "@stdlib/stats-base-dists-binomial-cdf";
import tCdf from "@stdlib/stats-base-dists-t-cdf";
import tQuantile from "@stdlib/stats-base-dists-t-quantile";

import { libraries } from "./libraries.js";

libraries.install({ binomialCdf: () => binomialCdf, tCdf: () => tCdf, tQuantile: () => tQuantile });
