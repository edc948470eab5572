import { DlError } from "@dl/tensor-core";

import type { GaussianMixture } from "./gaussianMixture.js";

/**
 * A mixture's parameters from their JSON text, `{ "weights": [K], "means": [K][D], "covariances": [K][D][D] }`
 * (for D = 1 a mean and a variance may be plain numbers). Checks the JSON and that the three arrays are
 * there, with one-line MALFORMED_FILE errors naming `source`; `mixtureResponsibilities` checks the values.
 */
export function parseMixtureSpec(text: string, source: string): GaussianMixture {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (cause) {
    throw new DlError("MALFORMED_FILE", `${source} is not valid JSON; expected { "weights": [...], "means": [...], "covariances": [...] }.`, { cause });
  }
  const v = value as Partial<Record<string, unknown>>;
  if (typeof value !== "object" || value === null || !Array.isArray(v["weights"]) || !Array.isArray(v["means"]) || !Array.isArray(v["covariances"])) {
    throw new DlError("MALFORMED_FILE", `${source} needs the arrays "weights" (K), "means" (K×D) and "covariances" (K×D×D).`);
  }
  return value as GaussianMixture;
}
