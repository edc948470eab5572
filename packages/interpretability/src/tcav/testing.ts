// Helpers shared by the TCAV test suites (not exported from the package).
import normalQuantile from "@stdlib/stats-base-dists-normal-quantile";

/** Φ(x) by bisection on the quantile function (test-only; avoids another dependency). */
export function normalCdf(x: number): number {
  let lo = 1e-12;
  let hi = 1 - 1e-12;
  for (let i = 0; i < 80; i++) {
    const mid = (lo + hi) / 2;
    if (normalQuantile(mid, 0, 1) < x) lo = mid;
    else hi = mid;
  }
  return (lo + hi) / 2;
}
