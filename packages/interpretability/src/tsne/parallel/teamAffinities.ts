import { symmetrizeAffinities } from "../affinities.js";
import type { SparseMatrix } from "../affinities.js";
import { buildRpForest, knnGraph, usesRpForest } from "../knn.js";
import type { KnnGraph, KnnOptions, RpForestOptions } from "../knn.js";
import { throwIfAborted } from "@dl/tensor-core";
import { PARAM, POINT_CHUNK, TASK } from "./kernels.js";
import type { TaskId } from "./kernels.js";
import type { Team } from "./team.js";

/** `conditionalAffinities(graph, perplexity).values` computed by the team, row chunks in parallel (same numbers). */
export function conditionalAffinitiesOnTeam(team: Team, graph: KnnGraph, perplexity: number): Float64Array {
  const { n, k } = graph;
  const knnDistances = team.float64(n * k);
  knnDistances.set(graph.distances);
  const conditional = team.float64(n * k);
  const params = team.state.params;
  params[PARAM.n] = n;
  params[PARAM.k] = k;
  params[PARAM.perplexity] = perplexity;
  team.publish({ knnDistances, conditional, betas: team.float64(n) });
  team.run(TASK.calibrate, Math.ceil(n / POINT_CHUNK));
  // Let the workers drop their references.
  team.publish({ knnDistances: team.float64(0), conditional: team.float64(0), betas: team.float64(0) });
  team.recycle(knnDistances);
  return conditional;
}

/**
 * kNN graph, calibration on the team, and the symmetric P in the team's memory (so the optimisation shares it
 * without a copy). The forest search (large N) runs on the team; the others run here while the workers start. Locals (the graph,
 * 75 MB at 70k points) go when this returns.
 */
export async function affinitiesOnTeam(
  teamReady: Promise<Team>,
  data: Float32Array | Float64Array,
  n: number,
  d: number,
  perplexity: number,
  knn: KnnOptions,
): Promise<SparseMatrix> {
  const k = Math.min(n - 1, Math.floor(3 * perplexity));
  let graph: KnnGraph;
  let team: Team;
  if (usesRpForest(n, knn.method)) {
    team = await teamReady;
    graph = rpForestKnnOnTeam(team, data, n, d, k, { seed: knn.seed ?? 42, signal: knn.signal });
  } else {
    graph = knnGraph(data, n, d, k, knn);
    team = await teamReady;
  }
  const conditional = conditionalAffinitiesOnTeam(team, graph, perplexity);
  // The forest search's distances were made in the team's memory; calibration copied them.
  if (usesRpForest(n, knn.method)) team.recycle(graph.distances);
  const p = symmetrizeAffinities(graph, conditional, team);
  // 50 MB each at 70k points: the FFT grids take them over.
  team.recycle(conditional);
  return p;
}

let searches = 0;

/** Chunks per team run of the forest search, so cancellation is checked every few thousand rows. */
const CHUNKS_PER_BLOCK = 16;

/**
 * `rpForestKnn` with its row phases split over the team (the trees are built here): the same graph for any
 * team size, since each row's heap gets the same offers in the same order. Measured at 70k Fashion-MNIST
 * PCA-50 on 2 threads: 17.1 s against 30.1 s for the serial search in the same process (bit-identical graphs).
 */
export function rpForestKnnOnTeam(team: Team, data: Float32Array | Float64Array, n: number, d: number, k: number, options: RpForestOptions = {}): KnnGraph {
  const { signal } = options;
  const x = team.adopt(data instanceof Float32Array ? data : Float32Array.from(data));
  const forest = buildRpForest(data, n, d, k, options, { x, int32: (length) => team.int32(length), float64: (length) => team.float64(length) });
  const knnIndices = team.int32(n * k);
  const knnDistances = team.float64(n * k);
  const params = team.state.params;
  params[PARAM.n] = n;
  params[PARAM.k] = k;
  params[PARAM.d] = d;
  params[PARAM.trees] = forest.trees;
  params[PARAM.hops] = Math.min(k, options.refineNeighbours ?? 8);
  team.publish({
    knnX: x,
    leafPerm: forest.leafPerm,
    leafStartOf: forest.leafStartOf,
    leafEndOf: forest.leafEndOf,
    heapDist: forest.heaps.dist,
    heapIdx: forest.heaps.idx,
    heapSize: forest.heaps.size,
    knnIndices,
    knnDistances,
    knnData64: data instanceof Float64Array ? team.adopt(data) : team.float64(0),
  });
  const chunks = Math.ceil(n / POINT_CHUNK);
  const inBlocks = (task: TaskId): void => {
    for (let first = 0; first < chunks; first += CHUNKS_PER_BLOCK) {
      throwIfAborted(signal);
      params[PARAM.firstChunk] = first;
      team.run(task, Math.min(CHUNKS_PER_BLOCK, chunks - first));
    }
  };
  params[PARAM.searchId] = ++searches;
  params[PARAM.stamp] = 0;
  inBlocks(TASK.knnLeaves);
  for (let round = 0; round < (options.refinements ?? 1); round++) {
    inBlocks(TASK.knnFreeze);
    params[PARAM.stamp] = (round + 1) * n;
    inBlocks(TASK.knnRefine);
  }
  inBlocks(TASK.knnFinish);
  // Let the workers drop the search's arrays (the heaps alone are 75 MB at 70k points).
  const empty = { int: team.int32(0), f64: team.float64(0) };
  team.publish({
    knnX: new Float32Array(team.int32(0).buffer),
    leafPerm: empty.int,
    leafStartOf: empty.int,
    leafEndOf: empty.int,
    heapDist: empty.f64,
    heapIdx: empty.int,
    heapSize: empty.int,
    knnIndices: empty.int,
    knnDistances: empty.f64,
    knnData64: empty.f64,
  });
  team.recycle(forest.heaps.dist);
  return { n, k, indices: knnIndices, distances: knnDistances };
}
