import { DlError } from "@dl/tensor-core/host";

import { pacer } from "../cooperative.js";
import { assertTrustworthinessK, trustworthinessFromPenalty, trustworthinessQueries } from "../metrics.js";
import { PARAM, QUERY_CHUNK, TASK } from "./kernels.js";
import type { Team } from "./team.js";

/** Chunks per team run, so the event loop gets a turn (and cancellation a check) between runs. */
const CHUNKS_PER_RUN = 8;

export interface TrustworthinessOnTeamOptions {
  signal?: AbortSignal | undefined;
  /** Each query's nearest input points from an exact search (queries × listK, nearest first). */
  inputLists?: Int32Array | undefined;
  /** Rank float32 points in WebAssembly where available (default true; the same value either way). */
  wasm?: boolean;
  /** Work for this thread while the workers measure. */
  alongside?: (() => void) | undefined;
  /** The team runs nothing after this: its workers exit once their share is done (while `alongside` still runs). */
  lastTask?: boolean;
}

/**
 * `trustworthiness` with its queries split over the team, given the embedding's k nearest neighbours (n × k,
 * nearest first): the same number for any team size (each query's penalty is an integer, summed in query order),
 * and the standard error of the estimate when the queries are a sample (every ⌈N/sample⌉-th point; the error
 * treats them as a random sample, which points stored in a periodic order can defeat). `inputLists` (queries ×
 * listK, nearest first) are each query's nearest input points from an exact search on these points — the listK
 * smallest float32- or float64-measured distances (`listSlack`) — that settle most queries without measuring all N
 * points (`listPenalty`; the same integers). With `wasm` (default true), float32 points are ranked in WebAssembly
 * where the runtime has it: the same sums, so the same integers. `alongside` runs on this thread while the workers
 * measure (every query is handed out at once then, so a long `alongside` keeps them busy; this thread takes what is left).
 */
export async function trustworthinessOnTeam(
  team: Team,
  input: Float32Array | Float64Array,
  n: number,
  d: number,
  embeddedNeighbours: Int32Array,
  k: number,
  sample: number | undefined,
  options: TrustworthinessOnTeamOptions = {},
): Promise<{ trustworthiness: number; standardError: number }> {
  assertTrustworthinessK(n, k);
  const { signal, inputLists, alongside } = options;
  const { step, count } = trustworthinessQueries(n, sample);
  if (inputLists !== undefined && (inputLists.length === 0 || inputLists.length % count !== 0)) {
    throw new DlError("SHAPE_MISMATCH", `trustworthiness: ${inputLists.length} list entries for ${count} queries; pass the same number of nearest points for each.`);
  }
  const penalties = team.float64(count);
  const params = team.state.params;
  params[PARAM.n] = n;
  params[PARAM.d] = d;
  params[PARAM.k] = k;
  params[PARAM.queryStep] = step;
  params[PARAM.wasm] = options.wasm === false ? 0 : 1;
  const noFloats = team.adopt(new Float32Array(0));
  const noDoubles = team.float64(0);
  team.publish({
    knnX: input instanceof Float32Array ? team.adopt(input) : noFloats,
    knnData64: input instanceof Float64Array ? team.adopt(input) : noDoubles,
    knnIndices: team.adopt(embeddedNeighbours),
    queryPenalties: penalties,
    queryLists: inputLists === undefined ? team.int32(0) : team.adopt(inputLists),
  });
  try {
    const chunks = Math.ceil(count / QUERY_CHUNK);
    const pace = pacer(signal);
    let first = 0;
    if (alongside !== undefined) {
      params[PARAM.firstChunk] = 0;
      team.begin(TASK.trustworthiness, chunks, options.lastTask === true);
      try {
        alongside();
      } finally {
        team.finish();
      }
      first = chunks;
    }
    for (; first < chunks; first += CHUNKS_PER_RUN) {
      await pace();
      params[PARAM.firstChunk] = first;
      const runChunks = Math.min(CHUNKS_PER_RUN, chunks - first);
      team.begin(TASK.trustworthiness, runChunks, options.lastTask === true && first + runChunks >= chunks);
      team.finish();
    }
  } finally {
    team.publish({ knnX: noFloats, knnData64: noDoubles, knnIndices: team.int32(0), queryPenalties: noDoubles, queryLists: team.int32(0) });
  }
  let penalty = 0;
  for (let q = 0; q < count; q++) penalty += penalties[q] as number;
  const mean = penalty / count;
  let squares = 0;
  for (let q = 0; q < count; q++) squares += ((penalties[q] as number) - mean) ** 2;
  // T is 1 − c · (mean penalty per query): its standard error is c times that of the mean penalty, with the
  // finite-population correction (0 when every point is a query).
  const c = 2 / (k * (2 * n - 3 * k - 1));
  const standardError = count > 1 ? c * Math.sqrt((squares / (count - 1) / count) * Math.max(0, 1 - count / n)) : 0;
  return { trustworthiness: trustworthinessFromPenalty(penalty, count, n, k), standardError };
}
