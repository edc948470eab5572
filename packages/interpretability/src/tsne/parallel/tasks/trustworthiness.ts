// Trustworthiness (metrics.ts) on the team: each chunk of query points measures its queries' rank penalties.
import { PARAM } from "./state.js";
import type { Task } from "./state.js";

/** Query points per chunk: one query is N distances in d dimensions, so a chunk is a few milliseconds at 5k points. */
export const QUERY_CHUNK = 16;

/**
 * Σ_{j ∈ U_k(i)} (r(i, j) − k) for query i: the input-space ranks (ties by index) of its k embedding neighbours
 * `neighbours[from … from + k)` that are not among its k input neighbours. `dist` (length n) and `query` (length ≥ d + k) are scratch. Exact:
 * float64 sums of squared differences in feature order, as the definition written out in the tests.
 */
export function queryPenalty(input: Float32Array | Float64Array, n: number, d: number, i: number, neighbours: Int32Array, from: number, k: number, dist: Float64Array, query: Float64Array): number {
  const qi = i * d;
  for (let t = 0; t < d; t++) query[t] = input[qi + t] as number;
  // Four points at a time: four independent chains of additions (one chain waits on each add's latency), each
  // still summed in feature order, so the distances are bit for bit those of the plain loop.
  let j = 0;
  for (; j + 4 <= n; j += 4) {
    const o0 = j * d;
    const o1 = o0 + d;
    const o2 = o1 + d;
    const o3 = o2 + d;
    let s0 = 0;
    let s1 = 0;
    let s2 = 0;
    let s3 = 0;
    for (let t = 0; t < d; t++) {
      const q = query[t] as number;
      const a0 = q - (input[o0 + t] as number);
      const a1 = q - (input[o1 + t] as number);
      const a2 = q - (input[o2 + t] as number);
      const a3 = q - (input[o3 + t] as number);
      s0 += a0 * a0;
      s1 += a1 * a1;
      s2 += a2 * a2;
      s3 += a3 * a3;
    }
    dist[j] = s0;
    dist[j + 1] = s1;
    dist[j + 2] = s2;
    dist[j + 3] = s3;
  }
  for (; j < n; j++) {
    const o = j * d;
    let s = 0;
    for (let t = 0; t < d; t++) {
      const a = (query[t] as number) - (input[o + t] as number);
      s += a * a;
    }
    dist[j] = s;
  }
  // One pass over the points counts, for every neighbour j, the points closer than j (ties by index): a point
  // farther than every neighbour (most of them) costs one comparison.
  let far = -Infinity;
  for (let t = 0; t < k; t++) far = Math.max(far, dist[neighbours[from + t] as number] as number);
  // Counts of closer points live after the query row.
  const closer = query;
  closer.fill(0, d, d + k);
  for (let l = 0; l < n; l++) {
    const dl = dist[l] as number;
    if (dl > far || l === i) continue;
    for (let t = 0; t < k; t++) {
      const j = neighbours[from + t] as number;
      const dj = dist[j] as number;
      if (dl < dj || (dl === dj && l < j)) closer[d + t]! += 1;
    }
  }
  let penalty = 0;
  for (let t = 0; t < k; t++) {
    const rank = 1 + (closer[d + t] as number);
    if (rank > k) penalty += rank - k;
  }
  return penalty;
}

/** A chunk of trustworthiness queries (every PARAM.queryStep-th point): their penalties into `queryPenalties`. */
export const trustworthinessQueries: Task = (s, scratch, chunk) => {
  const n = s.params[PARAM.n] as number;
  const d = s.params[PARAM.d] as number;
  const k = s.params[PARAM.k] as number;
  const step = s.params[PARAM.queryStep] as number;
  const input = s.knnData64.length > 0 ? s.knnData64 : s.knnX;
  const queries = s.queryPenalties.length;
  const { dist, query } = scratch.trustworthinessBuffers(n, d + k);
  const first = ((s.params[PARAM.firstChunk] as number) + chunk) * QUERY_CHUNK;
  for (let q = first; q < Math.min(queries, first + QUERY_CHUNK); q++) {
    s.queryPenalties[q] = queryPenalty(input, n, d, q * step, s.knnIndices, q * step * k, k, dist, query);
  }
};
