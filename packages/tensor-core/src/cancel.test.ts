import { describe, expect, it } from "vitest";

import { cancelPoint } from "./cancel.js";

/** A CPU-bound loop of `ms` per step that awaits the stop point each step, as the training loops do. */
async function busyLoop(steps: number, msPerStep: number, stop: () => Promise<void>, done: { steps: number } = { steps: 0 }): Promise<number> {
  for (let step = 0; step < steps; step++) {
    await stop();
    const until = performance.now() + msPerStep;
    while (performance.now() < until) {
      // Busy: only the stop point lets timers and signal handlers run.
    }
    done.steps++;
  }
  return steps;
}

describe("cancelPoint", () => {
  it("lets a timer abort a busy loop, and no step runs after the abort", async () => {
    const controller = new AbortController();
    const done = { steps: 0 };
    let stepsAtAbort = -1;
    setTimeout(() => {
      stepsAtAbort = done.steps;
      controller.abort();
    }, 100);
    // 400 steps of 5 ms = 2 s if nothing stopped it; without the yields the loop would finish first.
    await expect(busyLoop(400, 5, cancelPoint(controller.signal, 50), done)).rejects.toMatchObject({ code: "ABORTED" });
    // The timer runs inside a stop point's yield, and that same stop point throws.
    expect(stepsAtAbort).toBeGreaterThan(0);
    expect(done.steps).toBe(stepsAtAbort);
    expect(done.steps).toBeLessThan(400);
  });

  it("without a signal, yields but never throws, and a busy loop without it never lets the timer in", async () => {
    let fired = false;
    const timer = setTimeout(() => (fired = true), 20);
    await busyLoop(20, 5, () => Promise.resolve());
    expect(fired).toBe(false);
    await expect(busyLoop(20, 5, cancelPoint(undefined, 10))).resolves.toBe(20);
    expect(fired).toBe(true);
    clearTimeout(timer);
  });
});
