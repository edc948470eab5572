// Node entry: mathjs required (its CommonJS build) on the first expression parsed.
import { createRequire } from "node:module";

import { libraries, type Libraries } from "./libraries.js";

const require = createRequire(import.meta.url);

libraries.install({ parse: () => (require("mathjs/number") as { parse: Libraries["parse"] }).parse });
