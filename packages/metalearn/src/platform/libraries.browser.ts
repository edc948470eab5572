// Browser entry: the Student-t quantile is part of the bundle, imported with it (a page cannot load a module synchronously).
import tQuantile from "@stdlib/stats-base-dists-t-quantile";

import { libraries } from "./libraries.js";

libraries.install({ tQuantile: () => tQuantile });
