import { describe, expect, it } from "vitest";

import { awaitChunks, claimLoop, controlBlock, openJob, writeJob } from "./gemmTeamNode.js";
import type { FusedExports } from "./wasmKernels/fusedWasm.js";

/** The claim protocol on one thread: a recording chunk runner stands in for the kernels. */
function harness() {
  const { c, f } = controlBlock();
  const claim = claimLoop();
  const ran: { job: number; chunk: number; kernel: number }[] = [];
  const kernels = {} as FusedExports;
  const run = (job: number): number => claim(kernels, c, f, job, (_k, cc, _f, q) => ran.push({ job, chunk: q, kernel: cc[2] ?? -1 }));
  const finished = (): number => Atomics.load(c, 1);
  return { c, f, ran, run, finished };
}

describe("the helper team's job protocol", () => {
  it("runs every chunk of an open job exactly once and counts each as finished", () => {
    const { c, f, ran, run, finished } = harness();
    writeJob(c, f, 1, 3, [7, 8], 0, 3, 16);
    openJob(c, 1);
    expect(run(1)).toBe(3);
    expect(ran.map((r) => r.chunk)).toEqual([0, 1, 2]);
    expect(finished()).toBe(3);
    expect(run(1)).toBe(0);
    expect(c[5]).toBe(7);
    expect(c[6]).toBe(8);
  });

  it("lets no late helper of the job before claim a chunk while the next job's parameters are written (the stall's cause)", () => {
    const { c, f, ran, run, finished } = harness();
    writeJob(c, f, 1, 0, [], 0, 2, 8);
    openJob(c, 1);
    run(1);
    // The caller starts job 2 with more chunks than job 1 had; a helper woken for job 1 but descheduled enters the claim
    // loop for job 1 only now, before job 2 is opened. It must claim nothing: no chunk 2 of "job 1" run with job 2's
    // kernel, and no stray count in job 2's FINISHED (which could end the caller's wait early or carry it past the
    // chunk count, so that the caller sleeps for ever).
    writeJob(c, f, 2, 4, [1, 2, 3], 0, 6, 8);
    expect(run(1)).toBe(0);
    // A helper that reads the job word while job 2 is still closed claims nothing of it either.
    expect(run(2)).toBe(0);
    expect(finished()).toBe(0);
    openJob(c, 2);
    expect(run(1)).toBe(0);
    expect(run(2)).toBe(6);
    expect(finished()).toBe(6);
    expect(ran).toEqual([
      { job: 1, chunk: 0, kernel: 0 },
      { job: 1, chunk: 1, kernel: 0 },
      ...[0, 1, 2, 3, 4, 5].map((chunk) => ({ job: 2, chunk, kernel: 4 })),
    ]);
  });

  it("writes float arguments into the float view and rejects a chunk count the closed word could be mistaken for", () => {
    const { c, f } = harness();
    writeJob(c, f, 3, 1, [5, 0.25], 0b10, 4, 2);
    expect(c[5]).toBe(5);
    expect(f[6]).toBe(0.25);
    expect(() => writeJob(c, f, 4, 1, [], 0, 0xffff, 1)).toThrow(/at most 65534/);
  });
});

describe("the caller's wait for the helpers' chunks", () => {
  it("returns once every chunk has finished, and throws one line on a count past the end or a silent helper", () => {
    const { c, f } = controlBlock();
    writeJob(c, f, 1, 0, [], 0, 4, 8);
    Atomics.store(c, 1, 4);
    expect(() => awaitChunks(c, 4, 1000)).not.toThrow();
    Atomics.store(c, 1, 5);
    expect(() => awaitChunks(c, 4, 1000)).toThrow(/counted 5 finished chunks of 4; restart the process, or set DL_WASM_THREADS=1/);
    Atomics.store(c, 1, 3);
    const start = Date.now();
    expect(() => awaitChunks(c, 4, 150)).toThrow(/stopped responding \(3 of 4 chunks finished, none in the last 0.15 s\)/);
    expect(Date.now() - start).toBeGreaterThanOrEqual(150);
  });
});
