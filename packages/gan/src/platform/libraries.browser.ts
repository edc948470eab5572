// Browser entry: mathjs is part of the bundle, imported with it (a page cannot load a module synchronously).
import { parse } from "mathjs/number";

import { libraries } from "./libraries.js";

libraries.install({ parse: () => parse });
