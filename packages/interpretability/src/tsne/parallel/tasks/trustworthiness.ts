// Trustworthiness (metrics.ts) on the team: each chunk of query points measures its queries' rank penalties.
import { trustworthinessOfThisThread } from "../../wasm/wasmKernels.js";
import { PARAM } from "./state.js";
import type { Task } from "./state.js";

/** Query points per chunk: one query is N distances in d dimensions, so a chunk is a few milliseconds at 5k points. */
export const QUERY_CHUNK = 16;

/** Features between checks of `queryPenalty`'s early end (PCA inputs hold most of a distance in their first few). */
export const PARTIAL_CHECK = 8;

/**
 * Σ_{j ∈ U_k(i)} (r(i, j) − k) for query i: the input-space ranks (ties by index) of its k embedding neighbours
 * `neighbours[from … from + k)` that are not among its k input neighbours. `dist` (length n) and `query` (length ≥ d + k) are scratch. Exact:
 * float64 sums of squared differences in feature order, as the definition written out in the tests.
 */
export function queryPenalty(input: Float32Array | Float64Array, n: number, d: number, i: number, neighbours: Int32Array, from: number, k: number, dist: Float64Array, query: Float64Array): number {
  const qi = i * d;
  for (let t = 0; t < d; t++) query[t] = input[qi + t] as number;
  // The neighbours' distances first: a point farther than all of them adds nothing to any rank.
  let far = -Infinity;
  for (let t = 0; t < k; t++) far = Math.max(far, distanceTo(input, d, query, neighbours[from + t] as number));
  // Four points at a time: four independent chains of additions (one chain waits on each add's latency), each
  // still summed in feature order, so the distances are bit for bit those of the plain loop. Every
  // PARTIAL_CHECK features, four partial sums past `far` end the four early: a sum of non-negative terms never
  // falls as terms are added (rounded or not), so each point is farther than every neighbour; its partial sum,
  // stored instead of the distance, is skipped below like any point past `far`. Points at or inside `far` (the
  // neighbours among them) are always summed to the end.
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
    for (let t = 0; t < d; ) {
      const end = Math.min(d, t + PARTIAL_CHECK);
      for (; t < end; t++) {
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
      if (s0 > far && s1 > far && s2 > far && s3 > far) break;
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

/**
 * Scale of the list test in `listPenalty`: a point outside an exact search's list is at least the list's farthest
 * distance times this. The search measured in float32 (relative error ≤ γ_{d+2} = (d+2)u/(1 − (d+2)u), u = 2⁻²⁴,
 * for a sum of d squared differences in any order; Higham, Accuracy and Stability, §3.1) or in float64, and the
 * sums here are float64: 1 − 4(d + 3)u leaves both errors with room to spare.
 */
export function listSlack(d: number): number {
  return 1 - 4 * (d + 3) * 2 ** -24;
}

/** ‖query − row j‖², float64 sums in feature order: bit for bit `queryPenalty`'s distances. */
function distanceTo(input: Float32Array | Float64Array, d: number, query: Float64Array, j: number): number {
  const o = j * d;
  let s = 0;
  for (let t = 0; t < d; t++) {
    const a = (query[t] as number) - (input[o + t] as number);
    s += a * a;
  }
  return s;
}

/**
 * `queryPenalty` of query i from its `listK` nearest input points `list[listFrom …)` as an exact search found them
 * (the listK smallest distances, measured as `listSlack` allows), or −1 when the list cannot settle it: in
 * listK + k distances instead of N. When every embedding neighbour j is nearer than the list's farthest point times
 * `listSlack`, no point outside the list is nearer than j or ties with it, so j's rank counts list points only,
 * compared in the same float64 distances as `queryPenalty`: the same integer. `dist` (≥ listK) and `query` (≥ d + k) are scratch.
 */
export function listPenalty(
  input: Float32Array | Float64Array,
  d: number,
  i: number,
  neighbours: Int32Array,
  from: number,
  k: number,
  list: Int32Array,
  listFrom: number,
  listK: number,
  dist: Float64Array,
  query: Float64Array,
): number {
  const qi = i * d;
  for (let t = 0; t < d; t++) query[t] = input[qi + t] as number;
  let farthest = 0;
  for (let m = 0; m < listK; m++) {
    const dm = distanceTo(input, d, query, list[listFrom + m] as number);
    dist[m] = dm;
    if (dm > farthest) farthest = dm;
  }
  const bound = farthest * listSlack(d);
  for (let t = 0; t < k; t++) {
    const dj = distanceTo(input, d, query, neighbours[from + t] as number);
    if (!(dj < bound)) return -1;
    query[d + t] = dj;
  }
  let penalty = 0;
  for (let t = 0; t < k; t++) {
    const j = neighbours[from + t] as number;
    const dj = query[d + t] as number;
    let closer = 0;
    for (let m = 0; m < listK; m++) {
      const dl = dist[m] as number;
      if (dl < dj || (dl === dj && (list[listFrom + m] as number) < j)) closer++;
    }
    const rank = 1 + closer;
    if (rank > k) penalty += rank - k;
  }
  return penalty;
}

/**
 * A chunk of trustworthiness queries (every PARAM.queryStep-th point): their penalties into `queryPenalties`,
 * from `queryLists` (each query's nearest input points, listK per query) where they settle it.
 */
export const trustworthinessQueries: Task = (s, scratch, chunk) => {
  const n = s.params[PARAM.n] as number;
  const d = s.params[PARAM.d] as number;
  const k = s.params[PARAM.k] as number;
  const step = s.params[PARAM.queryStep] as number;
  const input = s.knnData64.length > 0 ? s.knnData64 : s.knnX;
  const queries = s.queryPenalties.length;
  const { dist, query } = scratch.trustworthinessBuffers(n, d + k);
  // Each query's input neighbours from t-SNE's exact search, when given: most queries are settled by them.
  const listK = s.queryLists.length / queries;
  // Float32 points are ranked in WebAssembly where the run uses it (the same sums, so the same integers; stored once per thread).
  const wasm = s.params[PARAM.wasm] === 1 && input === s.knnX ? trustworthinessOfThisThread() : undefined;
  wasm?.load(s.knnX, n, d, k, listK);
  const first = ((s.params[PARAM.firstChunk] as number) + chunk) * QUERY_CHUNK;
  for (let q = first; q < Math.min(queries, first + QUERY_CHUNK); q++) {
    const i = q * step;
    let penalty = -1;
    if (listK > 0) {
      penalty =
        wasm === undefined
          ? listPenalty(input, d, i, s.knnIndices, i * k, k, s.queryLists, q * listK, listK, dist, query)
          : wasm.listPenalty(i, s.knnIndices, i * k, s.queryLists, q * listK, listSlack(d));
    }
    if (penalty < 0) penalty = wasm === undefined ? queryPenalty(input, n, d, i, s.knnIndices, i * k, k, dist, query) : wasm.queryPenalty(i, s.knnIndices, i * k, PARTIAL_CHECK);
    s.queryPenalties[q] = penalty;
  }
};
