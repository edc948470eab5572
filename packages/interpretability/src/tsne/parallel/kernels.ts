/**
 * The task table the team runs: each phase's chunked tasks live in tasks/ (state, attraction, bhRepulsion,
 * fftRepulsion, exactRepulsion, affinities, trustworthiness); the ids below are what the main thread sends to workers.
 */
import { calibrate, knnFinish, knnFreeze, knnLeaves, knnRefine, knnScan, knnSelect } from "./tasks/affinities.js";
import { attractionRows } from "./tasks/attraction.js";
import { barnesHutWalks } from "./tasks/bhRepulsion.js";
import { exactRepulsionRows } from "./tasks/exactRepulsion.js";
import { fftColumns, fftInterpolate, fftRows, fftSpectrumProduct, fftSpread, fftWeights } from "./tasks/fftRepulsion.js";
import type { Task } from "./tasks/state.js";
import { trustworthinessQueries } from "./tasks/trustworthiness.js";

export { COLUMN_BLOCK, GRID, PARAM, POINT_CHUNK, ROW_CHUNK, ThreadScratch, emptyKernelState } from "./tasks/state.js";
export type { KernelState, Task } from "./tasks/state.js";
export { SCAN_CHUNK, SELECT_CHUNK } from "./tasks/affinities.js";
export { QUERY_CHUNK, listPenalty, listSlack, queryPenalty } from "./tasks/trustworthiness.js";

/** Task ids, as sent to workers. */
export const TASK = {
  attraction: 0,
  barnesHut: 1,
  fftWeights: 2,
  fftSpread: 3,
  fftRows: 4,
  fftColumns: 5,
  fftSpectrumProduct: 6,
  fftInterpolate: 7,
  calibrate: 8,
  knnLeaves: 9,
  knnFreeze: 10,
  knnRefine: 11,
  knnFinish: 12,
  knnSelect: 13,
  exactRepulsion: 14,
  trustworthiness: 15,
  knnScan: 16,
} as const;
export type TaskId = (typeof TASK)[keyof typeof TASK];

export const TASKS: readonly Task[] = [
  attractionRows,
  barnesHutWalks,
  fftWeights,
  fftSpread,
  fftRows,
  fftColumns,
  fftSpectrumProduct,
  fftInterpolate,
  calibrate,
  knnLeaves,
  knnFreeze,
  knnRefine,
  knnFinish,
  knnSelect,
  exactRepulsionRows,
  trustworthinessQueries,
  knnScan,
];
