import { throwIfAborted } from "@dl/tensor-core/host";

/**
 * Long synchronous work written as a generator that yields between its blocks, so one implementation runs
 * both straight through (`runSteps`) and cooperatively (`runStepsYielding`), where a Ctrl-C can get through.
 */
export type Steps<T> = Generator<void, T, void>;

/** Most milliseconds the main thread runs t-SNE work between two returns to the event loop. */
export const YIELD_EVERY_MS = 50;

export function yieldToEventLoop(): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, 0));
}

/** Runs `steps` to the end on this thread without yielding. */
export function runSteps<T>(steps: Steps<T>): T {
  for (;;) {
    const r = steps.next();
    if (r.done === true) return r.value;
  }
}

/**
 * Runs `steps`, returning to the event loop at most every YIELD_EVERY_MS (a signal handler runs only then) and
 * throwing ABORTED there once `signal` has fired; the generator's `finally` blocks run either way.
 */
export async function runStepsYielding<T>(steps: Steps<T>, signal: AbortSignal | undefined): Promise<T> {
  let last = performance.now();
  try {
    for (;;) {
      const r = steps.next();
      if (r.done === true) return r.value;
      if (performance.now() - last > YIELD_EVERY_MS) {
        await yieldToEventLoop();
        throwIfAborted(signal);
        last = performance.now();
      }
    }
  } finally {
    // Closes an abandoned generator so its own `finally` blocks (tensor disposal) run.
    steps.return(undefined as never);
  }
}

/** A paced check for async loops: `await pace()` between blocks yields and checks `signal` at most every YIELD_EVERY_MS. */
export function pacer(signal: AbortSignal | undefined): () => Promise<void> {
  let last = performance.now();
  return async () => {
    throwIfAborted(signal);
    if (performance.now() - last <= YIELD_EVERY_MS) return;
    await yieldToEventLoop();
    throwIfAborted(signal);
    last = performance.now();
  };
}
