import type { PlaygroundPage } from "../page.js";
import { page as bayes } from "./bayes.js";
import { page as foundation } from "./foundation.js";
import { page as gan } from "./gan.js";
import { page as ganTrain } from "./ganTrain.js";
import { page as interpretability } from "./interpretability.js";
import { page as metalearn } from "./metalearn.js";
import { page as tcav } from "./tcav.js";

/** Pages in navigation order; topic pages add one line each. */
export const pages: readonly PlaygroundPage[] = [foundation, interpretability, tcav, gan, ganTrain, metalearn, bayes];
