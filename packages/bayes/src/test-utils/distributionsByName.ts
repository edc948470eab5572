import type { Distribution } from "../distributions/distribution.js";
import { Poisson } from "../distributions/discrete.js";
import { Beta, Gamma } from "../distributions/gammaBeta.js";
import { StudentT } from "../distributions/studentT.js";
import { Cauchy, Exponential, Gumbel, Laplace, LogNormal, Logistic, Normal, Uniform, Weibull } from "../distributions/univariate.js";

/** Parameters of one SciPy fixture case, by TFP parameter name. */
export type FixtureParams = Record<string, number>;

/**
 * The scalar distributions the SciPy fixtures (scripts/make-fixtures.py) name, by class name, built from a case's
 * parameters with SciPy's defaults for the ones it leaves out.
 */
export const distributionsByName: Readonly<Record<string, (p: FixtureParams) => Distribution>> = {
  Normal: (p) => new Normal({ loc: p["loc"] ?? 0, scale: p["scale"] ?? 1 }),
  Uniform: (p) => new Uniform({ low: p["low"] ?? 0, high: p["high"] ?? 1 }),
  Exponential: (p) => new Exponential({ rate: p["rate"] ?? 1 }),
  Laplace: (p) => new Laplace({ loc: p["loc"] ?? 0, scale: p["scale"] ?? 1 }),
  Logistic: (p) => new Logistic({ loc: p["loc"] ?? 0, scale: p["scale"] ?? 1 }),
  Cauchy: (p) => new Cauchy({ loc: p["loc"] ?? 0, scale: p["scale"] ?? 1 }),
  Gumbel: (p) => new Gumbel({ loc: p["loc"] ?? 0, scale: p["scale"] ?? 1 }),
  Weibull: (p) => new Weibull({ concentration: p["concentration"] ?? 1, scale: p["scale"] ?? 1 }),
  Gamma: (p) => new Gamma({ concentration: p["concentration"] ?? 1, rate: p["rate"] ?? 1 }),
  Beta: (p) => new Beta({ concentration1: p["concentration1"] ?? 1, concentration0: p["concentration0"] ?? 1 }),
  LogNormal: (p) => new LogNormal({ loc: p["loc"] ?? 0, scale: p["scale"] ?? 1 }),
  StudentT: (p) => new StudentT({ df: p["df"] ?? 1, loc: p["loc"] ?? 0, scale: p["scale"] ?? 1 }),
  Poisson: (p) => new Poisson({ rate: p["rate"] ?? 1 }),
};
