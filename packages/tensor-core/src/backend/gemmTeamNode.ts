/**
 * Node only: the helper threads of our GEMM, Adam update and transposes (wasmKernels/gemmTeam.ts) as worker_threads that instantiate our SIMD
 * module on tfjs-wasm's shared memory (its threaded build) and wait on a SharedArrayBuffer for column ranges to
 * compute. A helper spins briefly after each call (a training step's products come in bursts), then sleeps in
 * Atomics.wait; workers are unref'd, so they never keep Node alive.
 */
import { Worker } from "node:worker_threads";

import { fusedKernelsModule } from "./wasmKernels/fusedWasm.js";
import { setGemmTeam } from "./wasmKernels/gemmTeam.js";
import type { GemmTeam } from "./wasmKernels/gemmTeam.js";

/** Int32 slots per helper: 0 the call's sequence number, 1 the last one finished, 2 the kernel, 3–16 its arguments, 17 stop. */
const SLOTS = 18;
const ARGS = 3;
const STOP = 17;
/** Polls of the sequence number before a helper (or the caller, waiting for one) sleeps: tens of microseconds. */
const SPINS = 20_000;

// Plain JavaScript (eval'd), so it runs the same from source and from dist.
const HELPER = `"use strict";
const { workerData, parentPort } = require("node:worker_threads");
const { module, memory, control } = workerData;
const { gemm, adam, transpose2d } = new WebAssembly.Instance(module, { env: { memory } }).exports;
const c = new Int32Array(control);
const f = new Float32Array(control);
let seen = 0;
parentPort.postMessage("ready");
for (;;) {
  let spins = 0;
  while (Atomics.load(c, 0) === seen) if (++spins > ${String(SPINS)}) { Atomics.wait(c, 0, seen); spins = 0; }
  seen = Atomics.load(c, 0);
  if (c[${String(STOP)}] !== 0) break;
  if (c[2] === 0) gemm(c[3], c[4], c[5], c[6], c[7], c[8], c[9], c[10], c[11], c[12], f[13], c[14], c[15]);
  else if (c[2] === 1) adam(c[3], c[4], c[5], c[6], c[7], c[8], c[9], c[10], f[11], f[12], f[13], f[14], f[15], f[16]);
  else transpose2d(c[3], c[4], c[5], c[6], c[7], c[8]);
  Atomics.store(c, 1, seen);
  Atomics.notify(c, 1);
}`;

class WorkerGemmTeam implements GemmTeam {
  readonly helpers: number;
  private readonly controls: Int32Array[] = [];
  private readonly floats: Float32Array[] = [];
  private readonly workers: Worker[] = [];
  private readonly sequence: number[] = [];

  constructor(readonly memory: WebAssembly.Memory, helpers: number) {
    this.helpers = helpers;
  }

  async begin(module: WebAssembly.Module): Promise<void> {
    const ready: Promise<void>[] = [];
    for (let h = 0; h < this.helpers; h++) {
      const control = new SharedArrayBuffer(SLOTS * 4);
      this.controls.push(new Int32Array(control));
      this.floats.push(new Float32Array(control));
      this.sequence.push(0);
      const worker = new Worker(HELPER, { eval: true, workerData: { module, memory: this.memory, control } });
      this.workers.push(worker);
      ready.push(
        new Promise<void>((resolve, reject) => {
          worker.once("message", () => resolve());
          worker.once("error", reject);
        }),
      );
    }
    await Promise.all(ready);
    // Only once ready: an unref'd worker leaves nothing for Node's loop to wait on, and start-up would end early.
    for (const worker of this.workers) worker.unref();
  }

  start(h: number, kernel: number, args: readonly number[], floats: number): void {
    const c = this.controls[h] as Int32Array;
    const f = this.floats[h] as Float32Array;
    c[2] = kernel;
    args.forEach((value, i) => {
      if ((floats >> i) & 1) f[ARGS + i] = value;
      else c[ARGS + i] = value;
    });
    const next = (this.sequence[h] ?? 0) + 1;
    this.sequence[h] = next;
    Atomics.store(c, 0, next);
    Atomics.notify(c, 0);
  }

  wait(h: number): void {
    const c = this.controls[h] as Int32Array;
    const expected = this.sequence[h] ?? 0;
    let spins = 0;
    for (let done = Atomics.load(c, 1); done !== expected; done = Atomics.load(c, 1)) {
      if (++spins > SPINS) {
        Atomics.wait(c, 1, done);
        spins = 0;
      }
    }
  }

  stop(): void {
    this.controls.forEach((c, h) => {
      c[STOP] = 1;
      Atomics.store(c, 0, (this.sequence[h] ?? 0) + 1);
      Atomics.notify(c, 0);
    });
  }
}

let current: WorkerGemmTeam | undefined;

/**
 * Starts `helpers` helper threads for our GEMM on tfjs-wasm's `memory` (shared: the threaded build), replacing any
 * team started before; 0 helpers (or a memory that is not shared) leaves the GEMM on the calling thread.
 */
export async function startGemmTeam(memory: WebAssembly.Memory, helpers: number): Promise<void> {
  current?.stop();
  current = undefined;
  setGemmTeam(undefined);
  const module = fusedKernelsModule(true);
  if (helpers <= 0 || module === null || !(memory.buffer instanceof SharedArrayBuffer)) return;
  const team = new WorkerGemmTeam(memory, helpers);
  await team.begin(module);
  current = team;
  setGemmTeam(team);
}
