import type { SparseMatrix } from "./affinities.js";

// Σ p log p is fixed for a P; one log per non-zero (9M at 70k points) is worth computing once.
const sumPLogPCache = new WeakMap<SparseMatrix, number>();

/** KL(P‖Q) = Σ p log p − Σ p log w + log Z (Σ p = 1), from the pieces the gradient already has. */
export function klFromParts(p: SparseMatrix, sumPLogW: number, z: number): number {
  let sumPLogP = sumPLogPCache.get(p);
  if (sumPLogP === undefined) {
    sumPLogP = 0;
    for (const v of p.values) if (v > 0) sumPLogP += v * Math.log(v);
    sumPLogPCache.set(p, sumPLogP);
  }
  return sumPLogP - sumPLogW + Math.log(z);
}
