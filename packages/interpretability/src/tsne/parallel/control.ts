import type { MessagePort } from "node:worker_threads";

/** Slots of the shared Int32Array through which the main thread hands out tasks. */
export const CONTROL = {
  /** Bumped for each task (and for stop); workers wait on it. */
  generation: 0,
  /** Next unclaimed chunk. */
  next: 1,
  /** Workers finished with the current task. */
  done: 2,
  chunks: 3,
  task: 4,
  stop: 5,
  error: 6,
  /** 1: the current task is the team's last; workers exit once it is done. */
  last: 7,
} as const;

export const CONTROL_SLOTS = 8;

export interface WorkerData {
  ctrl: Int32Array;
  params: Float64Array;
  port: MessagePort;
}
