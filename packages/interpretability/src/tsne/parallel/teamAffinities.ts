import { DEFAULT_SEED } from "@dl/tensor-core/host";

import { symmetrizeAffinities } from "../affinities.js";
import type { ArrayAllocator, SparseMatrix } from "../affinities.js";
import { pacer, runStepsYielding } from "../cooperative.js";
import { APPROXIMATE_KNN_MIN_POINTS, EXACT_KNN_MAX_POINTS, dotProductBlockSteps, knnGraph, knnMethodFor, rpForestSteps, squaredNorms32 } from "../knn.js";
import type { KnnGraph, KnnOptions, RpForestOptions } from "../knn.js";
import { RowHeaps } from "../knnRows.js";
import { PARAM, POINT_CHUNK, SCAN_CHUNK, SELECT_CHUNK, TASK } from "./kernels.js";
import type { TaskId } from "./kernels.js";
import type { Team } from "./team.js";

/** `conditionalAffinities(graph, perplexity).values` computed by the team, row chunks in parallel (same numbers). */
export async function conditionalAffinitiesOnTeam(team: Team, graph: KnnGraph, perplexity: number, signal?: AbortSignal): Promise<Float64Array> {
  const { n, k } = graph;
  const knnDistances = team.float64(n * k);
  knnDistances.set(graph.distances);
  const conditional = team.float64(n * k);
  const params = team.state.params;
  params[PARAM.n] = n;
  params[PARAM.k] = k;
  params[PARAM.perplexity] = perplexity;
  team.publish({ knnDistances, conditional, betas: team.float64(n) });
  await runOverRows(team, TASK.calibrate, n, signal);
  // Let the workers drop their references.
  team.publish({ knnDistances: team.float64(0), conditional: team.float64(0), betas: team.float64(0) });
  team.recycle(knnDistances);
  return conditional;
}

/**
 * kNN graph, calibration on the team, and the symmetric P in the team's memory (so the optimisation shares it
 * without a copy). The matrix-product and forest searches run on the team; the others run here while the
 * workers start. Locals (the graph, 75 MB at 70k points) go when this returns.
 */
export async function affinitiesOnTeam(
  teamReady: Promise<Team>,
  data: Float32Array | Float64Array,
  n: number,
  d: number,
  perplexity: number,
  knn: KnnOptions,
  /** Where P goes instead of the team's memory (a WebAssembly arena for the optimisation), given the team and P's most entries (2·n·k). */
  allocateP?: (team: Team, maxEntries: number) => ArrayAllocator | undefined,
  /** Sees the kNN graph (in the team's memory, before it is recycled) and the search that made it. */
  onGraph?: (graph: KnnGraph, search: KnnSearch) => void,
): Promise<SparseMatrix> {
  const k = Math.min(n - 1, Math.floor(3 * perplexity));
  const { graph, team, search } = await knnGraphOnTeam(teamReady, data, n, d, k, knn);
  onGraph?.(graph, search);
  const conditional = await conditionalAffinitiesOnTeam(team, graph, perplexity, knn.signal);
  // A team search made its distances in the team's memory; calibration copied them.
  team.recycle(graph.distances);
  const p = symmetrizeAffinities(graph, conditional, allocateP?.(team, 2 * n * k) ?? team);
  // 50 MB each at 70k points: the FFT grids take them over.
  team.recycle(conditional);
  return p;
}

/**
 * Which search made a graph: `scan` (`scanKnnOnTeam`: float32 candidates, exact) or a `knnGraph` method (`exact`
 * and `vptree` exact, `matmul` exact after float32 products, `rpforest` approximate).
 */
export type KnnSearch = "scan" | Exclude<KnnOptions["method"], "auto" | undefined>;

/**
 * `knnGraph(data, n, d, k, knn)` with the matrix-product and forest searches on the team (the same graph); the
 * others run here while the workers start.
 */
export async function knnGraphOnTeam(
  teamReady: Promise<Team>,
  data: Float32Array | Float64Array,
  n: number,
  d: number,
  k: number,
  knn: KnnOptions,
): Promise<{ graph: KnnGraph; team: Team; search: KnnSearch }> {
  if (scansOnTeam(n, knn)) {
    const team = await teamReady;
    return { graph: await scanKnnOnTeam(team, data, n, d, k, { signal: knn.signal, wasm: knn.wasm ?? true }), team, search: "scan" };
  }
  const method = knnMethodFor(n, knn.method);
  if (method === "rpforest" || method === "matmul") {
    const team = await teamReady;
    const graph =
      method === "rpforest"
        ? await rpForestKnnOnTeam(team, data, n, d, k, { seed: knn.seed ?? DEFAULT_SEED, signal: knn.signal, wasm: knn.wasm ?? true })
        : await matmulKnnOnTeam(team, data, n, d, k, knn.signal);
    return { graph, team, search: method };
  }
  const graph = knnGraph(data, n, d, k, knn);
  return { graph, team: await teamReady, search: method };
}

let searches = 0;

/** Chunks per team run of a search's row phases: the event loop gets a turn (and cancellation a check) every 2048 rows. */
const CHUNKS_PER_BLOCK = 4;

/** Shared heaps and outputs of a search on the team, published with the points. */
function startSearch(team: Team, data: Float32Array | Float64Array, n: number, d: number, k: number): { x: Float32Array; heaps: RowHeaps; graph: KnnGraph } {
  const x = team.adopt(data instanceof Float32Array ? data : Float32Array.from(data));
  const heaps = new RowHeaps(n, k, { dist: team.float64(n * k), idx: team.int32(n * k), size: team.int32(n) });
  const graph: KnnGraph = { n, k, indices: team.int32(n * k), distances: team.float64(n * k) };
  const params = team.state.params;
  params[PARAM.n] = n;
  params[PARAM.k] = k;
  params[PARAM.d] = d;
  params[PARAM.searchId] = ++searches;
  team.publish({
    knnX: x,
    heapDist: heaps.dist,
    heapIdx: heaps.idx,
    heapSize: heaps.size,
    knnIndices: graph.indices,
    knnDistances: graph.distances,
    knnData64: data instanceof Float64Array ? team.adopt(data) : team.float64(0),
  });
  return { x, heaps, graph };
}

/** Runs a row task over all n rows in blocks of chunks, returning to the event loop and checking for cancellation between blocks. */
async function runOverRows(team: Team, task: TaskId, n: number, signal: AbortSignal | undefined): Promise<void> {
  const chunks = Math.ceil(n / POINT_CHUNK);
  const pace = pacer(signal);
  for (let first = 0; first < chunks; first += CHUNKS_PER_BLOCK) {
    await pace();
    team.state.params[PARAM.firstChunk] = first;
    team.run(task, Math.min(CHUNKS_PER_BLOCK, chunks - first));
  }
}

/** Sorts the heaps into the graph with exact distances, then lets the workers drop the search's arrays. */
async function finishSearch(team: Team, n: number, heaps: RowHeaps, signal: AbortSignal | undefined): Promise<void> {
  await runOverRows(team, TASK.knnFinish, n, signal);
  const noInts = team.int32(0);
  const noDoubles = team.float64(0);
  const noFloats = team.adopt(new Float32Array(0));
  team.publish({
    knnX: noFloats,
    knnDot: noFloats,
    knnNorms: noFloats,
    leafPerm: noInts,
    leafStartOf: noInts,
    leafEndOf: noInts,
    heapDist: noDoubles,
    heapIdx: noInts,
    heapSize: noInts,
    knnIndices: noInts,
    knnDistances: noDoubles,
    knnData64: noDoubles,
  });
  // The heaps alone are 75 MB at 70k points.
  team.recycle(heaps.dist);
}

/**
 * `rpForestKnn` with its row phases split over the team (the trees are built here): the same graph for any
 * team size, since each row's heap gets the same offers in the same order. Measured at 70k Fashion-MNIST
 * PCA-50 on 2 threads: 17.1 s against 30.1 s for the serial search in the same process (bit-identical graphs).
 */
export async function rpForestKnnOnTeam(team: Team, data: Float32Array | Float64Array, n: number, d: number, k: number, options: RpForestOptions = {}): Promise<KnnGraph> {
  const { signal } = options;
  const { x, heaps, graph } = startSearch(team, data, n, d, k);
  const forest = await runStepsYielding(rpForestSteps(data, n, d, k, options, { x, heaps, int32: (length) => team.int32(length) }), signal);
  const params = team.state.params;
  params[PARAM.trees] = forest.trees;
  params[PARAM.leafSize] = forest.leafSize;
  params[PARAM.wasm] = options.wasm === false ? 0 : 1;
  params[PARAM.hops] = Math.min(k, options.refineNeighbours ?? 8);
  team.publish({ leafPerm: forest.leafPerm, leafStartOf: forest.leafStartOf, leafEndOf: forest.leafEndOf });
  for (let t = 0; t < forest.trees; t++) {
    params[PARAM.tree] = t;
    await runOverRows(team, TASK.knnLeaves, n, signal);
  }
  for (let round = 0; round < (options.refinements ?? 1); round++) {
    await runOverRows(team, TASK.knnFreeze, n, signal);
    params[PARAM.stamp] = (round + 1) * n;
    await runOverRows(team, TASK.knnRefine, n, signal);
  }
  // As in rpForestKnn: float32 input was measured exactly already.
  params[PARAM.remeasure] = data instanceof Float64Array ? 1 : 0;
  await finishSearch(team, n, heaps, signal);
  return graph;
}

/**
 * `matmulKnn` with the candidate selection split over the team: this thread computes each block of x·xᵀ through
 * the tfjs backend, the team selects its rows. The same graph for any team size. Measured at 10k MNIST PCA-50
 * on 2 threads: 2.4 s against 3.2 s for the serial search in the same process (the product itself, ~1 s, stays on one thread).
 */
export async function matmulKnnOnTeam(team: Team, data: Float32Array | Float64Array, n: number, d: number, k: number, signal?: AbortSignal): Promise<KnnGraph> {
  const { x, heaps, graph } = startSearch(team, data, n, d, k);
  const params = team.state.params;
  let dot = new Float32Array(0);
  team.publish({ knnNorms: team.adopt(squaredNorms32(x, n, d)) });
  const blocks = dotProductBlockSteps(x, n, d, signal, (block, start, rows) => {
    if (dot.length < block.length) {
      dot = team.adopt(new Float32Array(block.length));
      team.publish({ knnDot: dot });
    }
    dot.set(block);
    params[PARAM.blockStart] = start;
    params[PARAM.blockRows] = rows;
    team.run(TASK.knnSelect, Math.ceil(rows / SELECT_CHUNK));
  });
  await runStepsYielding(blocks, signal);
  // The products were float32 sums.
  params[PARAM.remeasure] = 1;
  await finishSearch(team, n, heaps, signal);
  return graph;
}

/**
 * Whether the team's exact search is the scan (`scanKnnOnTeam`): `auto` between EXACT_KNN_MAX_POINTS and
 * APPROXIMATE_KNN_MIN_POINTS, where the serial `knnGraph` takes the tfjs matrix product (or the VP tree). The scan
 * needs no TensorFlow.js backend, so the graph — and the embedding — do not depend on whether one was set up.
 */
function scansOnTeam(n: number, knn: KnnOptions): boolean {
  return (knn.method ?? "auto") === "auto" && n > EXACT_KNN_MAX_POINTS && n < APPROXIMATE_KNN_MIN_POINTS;
}

/**
 * Exact k-NN on the team without a matrix product: each thread measures its rows against all points in float32
 * WebAssembly SIMD (`offerAllPoints`), then the kept neighbours are re-measured at the input's precision, as after
 * the matrix product (float32 rounding can only reorder near-ties at the k-th neighbour). The same graph for any
 * team size; measured at 5k / 10k Fashion-MNIST PCA-50 on the 2-core box in bench/README.md (t-SNE).
 */
export async function scanKnnOnTeam(team: Team, data: Float32Array | Float64Array, n: number, d: number, k: number, options: { signal?: AbortSignal; wasm?: boolean } = {}): Promise<KnnGraph> {
  const { signal } = options;
  const { heaps, graph } = startSearch(team, data, n, d, k);
  const params = team.state.params;
  params[PARAM.wasm] = options.wasm === false ? 0 : 1;
  const chunks = Math.ceil(n / SCAN_CHUNK);
  // As many rows between event-loop turns as the other searches' blocks (2048).
  const perRun = Math.max(1, Math.floor((CHUNKS_PER_BLOCK * POINT_CHUNK) / SCAN_CHUNK));
  const pace = pacer(signal);
  for (let first = 0; first < chunks; first += perRun) {
    await pace();
    params[PARAM.firstChunk] = first;
    team.run(TASK.knnScan, Math.min(perRun, chunks - first));
  }
  // Float32 sums found the candidates: the kept distances are measured again at the input's precision.
  params[PARAM.remeasure] = 1;
  await finishSearch(team, n, heaps, signal);
  return graph;
}
