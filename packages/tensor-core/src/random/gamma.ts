import type { Rng } from "./rng.js";

/**
 * One Gamma(α, 1) draw from `rng`: Marsaglia & Tsang (2000) for α ≥ 1, boosted by U^(1/α) for α < 1.
 * The home of host-side Gamma and Beta draws (the Gamma, Beta and Dirichlet distributions, mixup's λ).
 */
export function sampleStandardGamma(alpha: number, rng: Rng): number {
  if (alpha < 1) {
    let u = rng.next();
    while (u === 0) u = rng.next();
    return sampleStandardGamma(alpha + 1, rng) * Math.pow(u, 1 / alpha);
  }
  const d = alpha - 1 / 3;
  const c = 1 / Math.sqrt(9 * d);
  for (;;) {
    let x: number;
    let v: number;
    do {
      x = rng.normal();
      v = 1 + c * x;
    } while (v <= 0);
    v = v * v * v;
    const u = rng.next();
    if (u > 0 && Math.log(u) < 0.5 * x * x + d - d * v + d * Math.log(v)) return d * v;
  }
}

/** One Beta(a, b) draw as G₁ / (G₁ + G₂) with G₁ ~ Gamma(a, 1), G₂ ~ Gamma(b, 1). */
export function sampleBeta(a: number, b: number, rng: Rng): number {
  const g1 = sampleStandardGamma(a, rng);
  const g2 = sampleStandardGamma(b, rng);
  return g1 / (g1 + g2);
}
