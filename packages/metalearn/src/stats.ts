import { assertArgument } from "@dl/tensor-core";

import { libraries } from "./platform/libraries.js";
import type { AccuracySummary } from "./types.js";

/** Mean with the half-width of its 95% Student-t confidence interval (1.96·s/√n for large n). */
export function meanConfidenceInterval(values: ArrayLike<number>): AccuracySummary {
  const n = values.length;
  assertArgument(n > 0, "meanConfidenceInterval needs at least one value.");
  let sum = 0;
  for (let i = 0; i < n; i++) sum += values[i] as number;
  const mean = sum / n;
  if (n === 1) return { mean, ci95: Number.NaN, std: Number.NaN, n };
  let ss = 0;
  for (let i = 0; i < n; i++) ss += ((values[i] as number) - mean) ** 2;
  const std = Math.sqrt(ss / (n - 1));
  return { mean, ci95: libraries.get("tQuantile")(0.975, n - 1) * (std / Math.sqrt(n)), std, n };
}
