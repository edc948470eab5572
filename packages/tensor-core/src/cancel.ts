import { throwIfAborted } from "./errors.js";

/** Longest stretch of a long loop without a turn of the event loop (ms). */
export const YIELD_INTERVAL_MS = 50;

/**
 * Resolves on the next macrotask. Awaiting tensor data only queues microtasks, so without this a
 * training loop never lets signal handlers (Ctrl-C), timers or I/O run until it has finished.
 */
export function nextMacrotask(): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, 0));
}

/**
 * The stop point of a long loop: await the returned function once per step. It gives the event loop
 * a turn whenever `intervalMs` has passed since the last one (so Ctrl-C handlers, timers and progress
 * run), then throws `ABORTED` if `signal` has fired. Cheap enough for every step.
 */
export function cancelPoint(signal: AbortSignal | undefined, intervalMs = YIELD_INTERVAL_MS): () => Promise<void> {
  let last = performance.now();
  return async () => {
    if (performance.now() - last >= intervalMs) {
      await nextMacrotask();
      last = performance.now();
    }
    throwIfAborted(signal);
  };
}
