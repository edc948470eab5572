// Node entry: each library required on its first use (their CommonJS builds), so a process that never parses a
// distribution spec or evaluates a Beta or Student-t CDF never loads them.
import { createRequire } from "node:module";

import { libraries, type Libraries } from "./libraries.js";

const require = createRequire(import.meta.url);

libraries.install({
  parse: () => (require("mathjs/number") as { parse: Libraries["parse"] }).parse,
  betainc: () => require("@stdlib/math-base-special-betainc") as Libraries["betainc"],
  betaincinv: () => require("@stdlib/math-base-special-betaincinv") as Libraries["betaincinv"],
  kstest: () => require("@stdlib/stats-kstest") as Libraries["kstest"],
});
