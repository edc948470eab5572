// Browser entry: the libraries are part of the bundle, imported with it (a page cannot load a module synchronously).
import betainc from "@stdlib/math-base-special-betainc";
import betaincinv from "@stdlib/math-base-special-betaincinv";
import kstest from "@stdlib/stats-kstest";
import { parse } from "mathjs/number";

import { libraries } from "./libraries.js";

libraries.install({ parse: () => parse, betainc: () => betainc, betaincinv: () => betaincinv, kstest: () => kstest });
