import { DlError } from "@dl/tensor-core/host";

import type { SparseMatrix } from "./affinities.js";
import { runSteps } from "./cooperative.js";
import type { Steps } from "./cooperative.js";
import { klFromParts } from "./kl.js";
import { knnGraph } from "./knn.js";
import { queryPenalty } from "./parallel/kernels.js";
import { SerialTeam } from "./parallel/team.js";
import { TeamGradient } from "./parallel/teamGradient.js";
import { assertLabels } from "./validate.js";
import { gridNeighbours2 } from "./wasm/wasmKernels.js";

type Data = Float32Array | Float64Array;

/** KL(P‖Q) with the exact normaliser Z (O(N²) time, O(N) memory): the engine's exact method on this thread. */
export function klDivergence(p: SparseMatrix, embedding: Data, dims: number): number {
  const n = p.n;
  const engine = new TeamGradient(new SerialTeam(), Float64Array.from(embedding), n, dims, p, { method: "exact", theta: 0, fft: {}, useFft: () => false, wasm: false });
  const { z, sumPLogW } = engine.gradient(1, true, new Float64Array(n * dims));
  return klFromParts(p, sumPLogW, z);
}

/** Most dimensions for which the metrics search neighbours with the VP tree: an embedding's 2 or 3, where it prunes well. */
export const VP_TREE_MAX_DIMS = 3;

/**
 * Each point's k nearest other points (n × k, nearest first), exactly: float32 points in 2-D through a grid in
 * WebAssembly (`gridNeighbours2`: the VP tree's neighbours, ~3 ms instead of 50–70 ms at 5k points in a fresh
 * process), else in an embedding's 2 or 3 dimensions by the VP tree (measured at 10k points in 2-D: 0.06 s CPU
 * against 0.66 s for the matrix product), else as `knnGraph` chooses.
 */
export function neighboursOf(points: Data, n: number, d: number, k: number): Int32Array {
  if (d === 2 && points instanceof Float32Array && Number.isInteger(k) && k >= 1 && k <= n - 1) {
    const grid = gridNeighbours2(points, n, k);
    if (grid !== undefined) return grid;
  }
  return knnGraph(points, n, d, k, d <= VP_TREE_MAX_DIMS ? { method: "vptree" } : {}).indices;
}

/**
 * Leave-one-out k-NN classification accuracy in a space: each point gets the majority label of its k
 * nearest other points; ties go to the tied class with the nearest member.
 */
export function knnAccuracy(points: Data, n: number, d: number, labels: ArrayLike<number>, k = 10): number {
  assertLabels(labels, n);
  if (!Number.isInteger(k) || k < 1 || k > n - 1) {
    throw new DlError("INVALID_ARGUMENT", `k-NN accuracy needs 1 ≤ k ≤ N − 1 = ${n - 1}, got ${k}.`);
  }
  return knnAccuracyOfNeighbours(neighboursOf(points, n, d, k), n, labels, k);
}

/** `knnAccuracy` from each point's k nearest other points (n × k indices, nearest first; labels already checked). */
export function knnAccuracyOfNeighbours(indices: Int32Array, n: number, labels: ArrayLike<number>, k: number): number {
  let correct = 0;
  for (let i = 0; i < n; i++) {
    const row = i * k;
    let best = -1;
    let bestVotes = 0;
    // Neighbours are sorted by distance, so the first class to reach the top count is the nearest tied one.
    // Votes are counted among the k labels themselves (k² comparisons, no map: labels are integers).
    for (let t = 0; t < k; t++) {
      const l = labels[indices[row + t] as number] as number;
      let votes = 0;
      for (let u = 0; u < k; u++) if (labels[indices[row + u] as number] === l) votes++;
      if (votes > bestVotes) {
        bestVotes = votes;
        best = l;
      }
    }
    if (best === labels[i]) correct++;
  }
  return correct / n;
}

export interface TrustworthinessOptions {
  /** Evaluate on this many query points drawn evenly (every ⌈N/sample⌉-th point); all points when absent. */
  sample?: number;
}

/**
 * Trustworthiness T(k) (Venna & Kaski 2001): 1 − 2/(N k (2N − 3k − 1)) Σ_i Σ_{j ∈ U_k(i)} (r(i, j) − k),
 * U_k(i) the embedding neighbours of i that are not among its k input neighbours, r the input-space rank
 * (ties by index). Memory O(N); time O(N²·d) over all queries, so large N can use a query sample.
 */
export function trustworthiness(
  input: Data,
  n: number,
  d: number,
  embedding: Data,
  dims: number,
  k = 10,
  options: TrustworthinessOptions = {},
): number {
  return runSteps(trustworthinessSteps(input, n, d, embedding, dims, k, options));
}

/** Query points of a trustworthiness estimate: every `step`-th point, `count` of them. */
export function trustworthinessQueries(n: number, sample: number | undefined): { step: number; count: number } {
  const step = sample !== undefined && sample < n ? Math.ceil(n / sample) : 1;
  return { step, count: Math.ceil(n / step) };
}

/** T(k) from the summed rank penalties of `queries` query points; per query, so a sample estimates the full-N value. */
export function trustworthinessFromPenalty(penalty: number, queries: number, n: number, k: number): number {
  return 1 - (2 / (queries * k * (2 * n - 3 * k - 1))) * penalty;
}

export function assertTrustworthinessK(n: number, k: number): void {
  if (!Number.isInteger(k) || k < 1 || k >= n / 2) {
    throw new DlError("INVALID_ARGUMENT", `trustworthiness needs 1 ≤ k < N/2 = ${n / 2}, got ${k}.`);
  }
}

/** `trustworthiness` returning to its driver after each query point. */
export function* trustworthinessSteps(input: Data, n: number, d: number, embedding: Data, dims: number, k = 10, options: TrustworthinessOptions = {}): Steps<number> {
  assertTrustworthinessK(n, k);
  const embedded = neighboursOf(embedding, n, dims, k);
  const { step, count } = trustworthinessQueries(n, options.sample);
  const dist = new Float64Array(n);
  const query = new Float64Array(d + k);
  let penalty = 0;
  for (let q = 0; q < count; q++) {
    yield;
    penalty += queryPenalty(input, n, d, q * step, embedded, q * step * k, k, dist, query);
  }
  return trustworthinessFromPenalty(penalty, count, n, k);
}
