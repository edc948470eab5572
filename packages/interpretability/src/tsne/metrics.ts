import { DlError } from "@dl/tensor-core";

import type { SparseMatrix } from "./affinities.js";
import { runSteps } from "./cooperative.js";
import type { Steps } from "./cooperative.js";
import { klFromParts } from "./kl.js";
import { knnGraph } from "./knn.js";
import { SerialTeam } from "./parallel/team.js";
import { TeamGradient } from "./parallel/teamGradient.js";
import { assertLabels } from "./validate.js";

type Data = Float32Array | Float64Array;

/** KL(P‖Q) with the exact normaliser Z (O(N²) time, O(N) memory): the engine's exact method on this thread. */
export function klDivergence(p: SparseMatrix, embedding: Data, dims: number): number {
  const n = p.n;
  const engine = new TeamGradient(new SerialTeam(), Float64Array.from(embedding), n, dims, p, { method: "exact", theta: 0, fft: {}, useFft: () => false, wasm: false });
  const { z, sumPLogW } = engine.gradient(1, true, new Float64Array(n * dims));
  return klFromParts(p, sumPLogW, z);
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
  const graph = knnGraph(points, n, d, k);
  let correct = 0;
  const votes = new Map<number, number>();
  for (let i = 0; i < n; i++) {
    votes.clear();
    for (let t = 0; t < k; t++) {
      const l = labels[graph.indices[i * k + t] as number] as number;
      votes.set(l, (votes.get(l) ?? 0) + 1);
    }
    let best = -1;
    let bestVotes = 0;
    // Neighbours are sorted by distance, so the first class to reach the top count is the nearest tied one.
    for (let t = 0; t < k; t++) {
      const l = labels[graph.indices[i * k + t] as number] as number;
      const v = votes.get(l) ?? 0;
      if (v > bestVotes) {
        bestVotes = v;
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

/** `trustworthiness` returning to its driver after each query point. */
export function* trustworthinessSteps(input: Data, n: number, d: number, embedding: Data, dims: number, k = 10, options: TrustworthinessOptions = {}): Steps<number> {
  if (!Number.isInteger(k) || k < 1 || k >= n / 2) {
    throw new DlError("INVALID_ARGUMENT", `trustworthiness needs 1 ≤ k < N/2 = ${n / 2}, got ${k}.`);
  }
  const embedded = knnGraph(embedding, n, dims, k);
  const step = options.sample !== undefined && options.sample < n ? Math.ceil(n / options.sample) : 1;
  const dist = new Float64Array(n);
  let penalty = 0;
  let queries = 0;
  for (let i = 0; i < n; i += step) {
    yield;
    queries++;
    for (let j = 0; j < n; j++) {
      let s = 0;
      for (let t = 0; t < d; t++) s += ((input[i * d + t] as number) - (input[j * d + t] as number)) ** 2;
      dist[j] = s;
    }
    for (let t = 0; t < k; t++) {
      const j = embedded.indices[i * k + t] as number;
      const dj = dist[j] as number;
      let rank = 1;
      for (let l = 0; l < n; l++) {
        if (l === i) continue;
        const dl = dist[l] as number;
        if (dl < dj || (dl === dj && l < j)) rank++;
      }
      if (rank > k) penalty += rank - k;
    }
  }
  // Normalise per query so a sample estimates the full-N value.
  return 1 - (2 / (queries * k * (2 * n - 3 * k - 1))) * penalty;
}
