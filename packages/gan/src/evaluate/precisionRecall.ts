import { DlError } from "@dl/tensor-core";

export interface PrecisionRecall {
  /** Share of generated points inside the real manifold estimate. */
  precision: number;
  /** Share of real points inside the generated manifold estimate. */
  recall: number;
  k: number;
}

/** Squared distance from each row to its k-th nearest other row (brute force, float64). */
function kthNeighbourRadii(points: ArrayLike<number>, n: number, dim: number, k: number): Float64Array {
  const radii = new Float64Array(n);
  const dist = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < n; j++) dist[j] = j === i ? Infinity : squaredDistance(points, i, points, j, dim);
    // k-th smallest via partial sort on a copy.
    radii[i] = kthSmallest(dist, k);
  }
  return radii;
}

function kthSmallest(values: Float64Array, k: number): number {
  const best: number[] = [];
  for (const v of values) {
    if (best.length < k) {
      best.push(v);
      best.sort((a, b) => a - b);
    } else if (v < (best[k - 1] as number)) {
      best[k - 1] = v;
      best.sort((a, b) => a - b);
    }
  }
  return best[k - 1] ?? Infinity;
}

function squaredDistance(a: ArrayLike<number>, i: number, b: ArrayLike<number>, j: number, dim: number): number {
  let s = 0;
  for (let d = 0; d < dim; d++) {
    const t = (a[i * dim + d] as number) - (b[j * dim + d] as number);
    s += t * t;
  }
  return s;
}

/** Share of `queries` inside at least one ball (centre = reference row, squared radius = radii). */
function coverage(queries: ArrayLike<number>, nq: number, reference: ArrayLike<number>, radii: Float64Array, dim: number): number {
  let inside = 0;
  for (let i = 0; i < nq; i++) {
    for (let j = 0; j < radii.length; j++) {
      if (squaredDistance(queries, i, reference, j, dim) <= (radii[j] as number)) {
        inside++;
        break;
      }
    }
  }
  return inside / nq;
}

/**
 * Improved precision and recall (Kynkäänniemi et al. 2019, §2): each set's manifold is the union of
 * balls reaching each point's k-th nearest neighbour; precision = generated points inside the real
 * manifold, recall = real points inside the generated manifold.
 */
export function precisionRecall(real: ArrayLike<number>, generated: ArrayLike<number>, dim: number, k = 3): PrecisionRecall {
  const nr = Math.floor(real.length / dim);
  const ng = Math.floor(generated.length / dim);
  if (nr * dim !== real.length || ng * dim !== generated.length) throw new DlError("SHAPE_MISMATCH", `Feature arrays must hold whole rows of ${dim}.`);
  if (nr <= k || ng <= k) throw new DlError("INVALID_ARGUMENT", `Need more than k = ${k} points in each set; got ${nr} real and ${ng} generated.`);
  const realRadii = kthNeighbourRadii(real, nr, dim, k);
  const genRadii = kthNeighbourRadii(generated, ng, dim, k);
  return { precision: coverage(generated, ng, real, realRadii, dim), recall: coverage(real, nr, generated, genRadii, dim), k };
}
