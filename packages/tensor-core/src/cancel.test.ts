import { describe, expect, it } from "vitest";

import { cancelPoint } from "./cancel.js";

/** A CPU-bound loop of `ms` per step that awaits the stop point each step, as the training loops do. */
async function busyLoop(steps: number, msPerStep: number, stop: () => Promise<void>): Promise<number> {
  for (let step = 0; step < steps; step++) {
    await stop();
    const until = performance.now() + msPerStep;
    while (performance.now() < until) {
      // Busy: only the stop point lets timers and signal handlers run.
    }
  }
  return steps;
}

describe("cancelPoint", () => {
  it("lets a timer abort a busy loop within about one yield interval", async () => {
    const controller = new AbortController();
    let firedAt = 0;
    setTimeout(() => {
      firedAt = performance.now();
      controller.abort();
    }, 100);
    // 400 steps of 5 ms = 2 s if nothing stopped it.
    await expect(busyLoop(400, 5, cancelPoint(controller.signal, 50))).rejects.toMatchObject({ code: "ABORTED" });
    const stoppedAt = performance.now();
    expect(firedAt).toBeGreaterThan(0);
    // The timer runs inside a stop point's yield, and that same stop point throws: no further step runs.
    expect(stoppedAt - firedAt).toBeLessThan(5);
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
