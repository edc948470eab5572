import { symmetrizeAffinities } from "../affinities.js";
import type { SparseMatrix } from "../affinities.js";
import { knnGraph } from "../knn.js";
import type { KnnGraph, KnnOptions } from "../knn.js";
import { PARAM, POINT_CHUNK, TASK } from "./kernels.js";
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
 * without a copy). The team is awaited after the kNN search, so workers start while it runs. Locals (the graph,
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
  const graph = knnGraph(data, n, d, k, knn);
  const team = await teamReady;
  const conditional = conditionalAffinitiesOnTeam(team, graph, perplexity);
  const p = symmetrizeAffinities(graph, conditional, team);
  // 50 MB each at 70k points: the FFT grids take them over.
  team.recycle(conditional);
  return p;
}
