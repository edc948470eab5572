// Node entry: the Student-t quantile required (CommonJS) on the first interval computed.
import { createRequire } from "node:module";

import { libraries, type Libraries } from "./libraries.js";

const require = createRequire(import.meta.url);

libraries.install({ tQuantile: () => require("@stdlib/stats-base-dists-t-quantile") as Libraries["tQuantile"] });
