/**
 * Node only: the helper threads of our GEMM, Adam update and transposes (wasmKernels/gemmTeam.ts) as worker_threads
 * that instantiate our SIMD module on tfjs-wasm's shared memory (its threaded build). A kernel is cut into chunks that
 * the calling thread and the helpers claim one at a time with a compare-and-swap on one word holding the job's
 * number and the next chunk (closed while the job's parameters are written: see `writeJob`), so a helper that starts
 * late (descheduled on a loaded machine) only does less; each chunk's outputs are computed the same whoever claims it.
 * A helper spins briefly after each job (a training step's kernels come in bursts), then sleeps in Atomics.wait;
 * workers are unref'd, so they never keep Node alive.
 */
import { Worker } from "node:worker_threads";

import { fusedKernelsModule, fusedKernelsOn } from "./wasmKernels/fusedWasm.js";
import type { FusedExports } from "./wasmKernels/fusedWasm.js";
import { setGemmTeam } from "./wasmKernels/gemmTeam.js";
import type { GemmTeam } from "./wasmKernels/gemmTeam.js";

/**
 * Int32 slots of the team's control block: the job word (job number << 16 | next chunk), chunks finished, kernel,
 * chunk count, chunk size, the kernel's arguments, the wake counter helpers sleep on, and stop.
 */
const JOB = 0;
const FINISHED = 1;
const KERNEL = 2;
const CHUNKS = 3;
const CHUNK = 4;
const ARGS = 5;
const WAKE = 21;
const STOP = 22;
/** Set by a helper whose chunk threw: the chunk counts as finished (the caller must not wait forever) and the caller throws. */
const FAILED = 23;
const SLOTS = 24;
/**
 * The job word's chunk field while a job's parameters are being written: no chunk count reaches it, so nothing can be
 * claimed — neither the new job's (half-written) chunks nor one past the end of the job before (see `writeJob`).
 */
const CLOSED = 0xffff;
/** Polls before a helper (or the caller, waiting for a helper's last chunk) sleeps: tens of microseconds. */
const SPINS = 20_000;

/**
 * One chunk `q` of the job in control block (c, f) with `k` (our kernels' exports): a run of C's columns (or rows) for gemm,
 * of elements for adam and reluGrad, of source rows for transpose2d, of outer rows (or elements) for binary, of
 * images for maxPoolGrad2x2, of column-matrix rows for im2col, of columns for sumMiddleAxis, of output tiles (each chunk
 * with its own scratch) for winograd3x3, of tiles for winogradInputTransform and winogradGradTransform,
 * of one product's columns for a batch of gemms. Plain JavaScript, the same text in the helpers (eval'd).
 */
const RUN_CHUNK = `(k, c, f, q) => {
  const size = c[${String(CHUNK)}], a = ${String(ARGS)};
  if (c[${String(KERNEL)}] === 0 && c[a + 11] === 1) {
    const m = c[a + 3], n = c[a + 5], r0 = q * size, rows = Math.min(m, r0 + size) - r0;
    k.gemm(c[a] + 4 * r0 * c[a + 6], c[a + 1], c[a + 2] + 4 * r0 * n, rows, c[a + 4], n, c[a + 6], c[a + 7], c[a + 8], c[a + 9], f[a + 10], 0, n);
  } else if (c[${String(KERNEL)}] === 0) {
    const n = c[a + 5], j0 = q * size, j1 = Math.min(n, j0 + size);
    k.gemm(c[a], c[a + 1], c[a + 2], c[a + 3], c[a + 4], n, c[a + 6], c[a + 7], c[a + 8], c[a + 9], f[a + 10], j0, j1);
  } else if (c[${String(KERNEL)}] === 1) {
    const n = c[a + 7], e0 = q * size, o = 4 * e0;
    k.adam(c[a] + o, c[a + 1] + o, c[a + 2] + o, c[a + 3] + o, c[a + 4] + o, c[a + 5] + o, c[a + 6] + o, Math.min(n, e0 + size) - e0, f[a + 8], f[a + 9], f[a + 10], f[a + 11], f[a + 12], f[a + 13]);
  } else if (c[${String(KERNEL)}] === 2) {
    const rows = c[a + 2], r0 = q * size;
    k.transpose2d(c[a], c[a + 1], rows, c[a + 3], r0, Math.min(rows, r0 + size));
  } else if (c[${String(KERNEL)}] === 3) {
    const outer = c[a + 4], inner = c[a + 5], am = c[a + 6], bm = c[a + 7];
    if (outer === 1) {
      const e0 = q * size, o = 4 * e0, n = Math.min(inner, e0 + size) - e0;
      k.binary(c[a], c[a + 1] + (am === 0 || am === 2 ? o : 0), c[a + 2] + (bm === 0 || bm === 2 ? o : 0), c[a + 3] + o, 1, n, am, bm);
    } else {
      const r0 = q * size, rows = Math.min(outer, r0 + size) - r0, whole = 4 * r0 * inner;
      k.binary(c[a], c[a + 1] + (am === 0 ? whole : am === 3 ? 4 * r0 : 0), c[a + 2] + (bm === 0 ? whole : bm === 3 ? 4 * r0 : 0), c[a + 3] + whole, rows, inner, am, bm);
    }
  } else if (c[${String(KERNEL)}] === 4) {
    const n = c[a + 3], e0 = q * size, o = 4 * e0;
    k.reluGrad(c[a] + o, c[a + 1] + o, c[a + 2] + o, Math.min(n, e0 + size) - e0);
  } else if (c[${String(KERNEL)}] === 7) {
    const inner = c[a + 4], reduced = c[a + 3], j0 = q * size;
    k.sumMiddleAxis(c[a], c[a + 1], c[a + 2], reduced, inner, c[a + 5] === 1 ? 1 / reduced : 1, j0, Math.min(inner, j0 + size));
  } else if (c[${String(KERNEL)}] === 8) {
    const cin = c[a + 9], cout = c[a + 10], tiles = c[a + 15], t0 = q * size;
    k.winograd3x3(c[a], c[a + 1], c[a + 2], c[a + 3] + 4 * q * k.winogradScratchFloats(cin, cout), c[a + 4], c[a + 5], f[a + 6], c[a + 7], c[a + 8], cin, cout, c[a + 11], c[a + 12], c[a + 13], c[a + 14], t0, Math.min(tiles, t0 + size));
  } else if (c[${String(KERNEL)}] === 9) {
    const tiles = c[a + 9], t0 = q * size;
    k.winogradInputTransform(c[a], c[a + 1], c[a + 2], c[a + 3], c[a + 4], c[a + 5], c[a + 6], c[a + 7], c[a + 8], tiles, t0, Math.min(tiles, t0 + size));
  } else if (c[${String(KERNEL)}] === 10) {
    const tiles = c[a + 5], t0 = q * size;
    k.winogradGradTransform(c[a], c[a + 1], c[a + 2], c[a + 3], c[a + 4], tiles, t0, Math.min(tiles, t0 + size));
  } else if (c[${String(KERNEL)}] === 11) {
    const n = c[a + 5], per = c[a + 14], i = Math.floor(q / per), j0 = (q - i * per) * size;
    k.gemm(c[a] + i * c[a + 11], c[a + 1] + i * c[a + 12], c[a + 2] + i * c[a + 13], c[a + 3], c[a + 4], n, c[a + 6], c[a + 7], c[a + 8], c[a + 9], f[a + 10], j0, Math.min(n, j0 + size));
  } else if (c[${String(KERNEL)}] === 6) {
    const rows = c[a + 2], r0 = q * size;
    k.im2col(c[a], c[a + 1], c[a + 3], c[a + 4], c[a + 5], c[a + 6], c[a + 7], c[a + 8], c[a + 9], c[a + 10], c[a + 11], c[a + 12], c[a + 13], c[a + 14], c[a + 15], r0, Math.min(rows, r0 + size));
  } else {
    const batch = c[a + 3], inH = c[a + 4], inW = c[a + 5], ch = c[a + 6], outH = c[a + 7], outW = c[a + 8];
    const b0 = q * size, image = 4 * inH * inW * ch;
    k.maxPoolGrad2x2(c[a] + b0 * image, c[a + 1] + 4 * b0 * outH * outW * ch, c[a + 2] + b0 * image, Math.min(batch, b0 + size) - b0, inH, inW, ch, outH, outW);
  }
}`;

/**
 * Claims and runs chunks of the current job `job` until none is left (or another job began); returns how many it ran.
 * The chunk count is read after the job word, each time: a count read before it could be the next job's, written while
 * the word still named this job.
 */
const CLAIM = `(k, c, f, job, runChunk) => {
  let ran = 0;
  for (;;) {
    const word = Atomics.load(c, ${String(JOB)});
    const chunks = Atomics.load(c, ${String(CHUNKS)});
    if (word >>> 16 !== job || (word & 0xffff) >= chunks) return ran;
    if (Atomics.compareExchange(c, ${String(JOB)}, word, word + 1) !== word) continue;
    try {
      runChunk(k, c, f, word & 0xffff);
    } catch (error) {
      Atomics.store(c, ${String(FAILED)}, 1);
      if (Atomics.add(c, ${String(FINISHED)}, 1) + 1 === chunks) Atomics.notify(c, ${String(FINISHED)});
      throw error;
    }
    ran++;
    if (Atomics.add(c, ${String(FINISHED)}, 1) + 1 === chunks) Atomics.notify(c, ${String(FINISHED)});
  }
}`;

// Plain JavaScript (eval'd), so it runs the same from source and from dist.
const HELPER = `"use strict";
const { workerData, parentPort } = require("node:worker_threads");
const { module, memory, control } = workerData;
const kernels = new WebAssembly.Instance(module, { env: { memory } }).exports;
const c = new Int32Array(control);
const f = new Float32Array(control);
const runChunk = ${RUN_CHUNK};
const claim = ${CLAIM};
let seen = 0;
parentPort.postMessage("ready");
for (;;) {
  let spins = 0;
  while (Atomics.load(c, ${String(WAKE)}) === seen) if (++spins > ${String(SPINS)}) { Atomics.wait(c, ${String(WAKE)}, seen); spins = 0; }
  seen = Atomics.load(c, ${String(WAKE)});
  if (c[${String(STOP)}] !== 0) break;
  claim(kernels, c, f, Atomics.load(c, ${String(JOB)}) >>> 16, runChunk);
}`;

type RunChunk = (k: FusedExports, c: Int32Array, f: Float32Array, q: number) => void;
type Claim = (k: FusedExports, c: Int32Array, f: Float32Array, job: number, runChunk: RunChunk) => number;

/** A fresh control block of a team: its int32 and float32 views of one shared buffer. */
export function controlBlock(): { c: Int32Array; f: Float32Array } {
  const c = new Int32Array(new SharedArrayBuffer(SLOTS * 4));
  return { c, f: new Float32Array(c.buffer) };
}

/**
 * One of the helpers' functions (RUN_CHUNK, CLAIM) compiled on the calling thread from the very text the helpers eval,
 * so a chunk is computed and claimed the same on every thread.
 */
function helperFunction<T>(text: string): T {
  // eslint-disable-next-line @typescript-eslint/no-implied-eval, @typescript-eslint/no-unsafe-call
  return new Function(`return ${text};`)() as T;
}

/** The claim loop the caller and every helper run (the helpers' very text). */
export function claimLoop(): Claim {
  return helperFunction<Claim>(CLAIM);
}

/**
 * Writes job `job` (1 … 0x7fff) into control block (c, f), closed: first the job word turns to the new job with no
 * chunk claimable, then the kernel, its arguments and the chunk count are written. Without the close, a helper that
 * entered the claim loop of the job before late (descheduled) could read the new chunk count while the word still
 * named the old, fully claimed job, claim "chunk" number old-count with the new job's half-written arguments and count
 * it as finished in the new job — which can end the caller's wait early, or carry FINISHED past the chunk count so the
 * caller waits forever (observed: a training run stalled, every thread asleep). `openJob` then opens the chunks.
 */
export function writeJob(c: Int32Array, f: Float32Array, job: number, kernel: number, args: readonly number[], floats: number, chunks: number, chunk: number): void {
  if (chunks >= CLOSED) throw new Error(`a team job of ${String(chunks)} chunks: at most ${String(CLOSED - 1)}`);
  Atomics.store(c, JOB, (job << 16) | CLOSED);
  c[KERNEL] = kernel;
  c[CHUNK] = chunk;
  args.forEach((value, i) => {
    if ((floats >> i) & 1) f[ARGS + i] = value;
    else c[ARGS + i] = value;
  });
  Atomics.store(c, CHUNKS, chunks);
  Atomics.store(c, FINISHED, 0);
}

/** How long the caller waits for a helper's chunk with no chunk finishing before it gives up: a chunk takes milliseconds. */
const HELPER_SILENCE_MS = 60_000;

/**
 * The caller's wait for the chunks helpers still hold, in control block `c`, until all `chunks` have finished: it spins
 * briefly, then sleeps on FINISHED in slices of a second. A count past `chunks`, or `silenceMs` with no chunk finishing,
 * means the team is broken (a helper thread died, or the protocol was broken): it throws one line saying what to do
 * rather than sleeping for ever.
 */
export function awaitChunks(c: Int32Array, chunks: number, silenceMs: number): void {
  let spins = 0;
  let seen = Atomics.load(c, FINISHED);
  let since = Date.now();
  for (let done = seen; done !== chunks; done = Atomics.load(c, FINISHED)) {
    if (done > chunks) throw new Error(`dl-lab's wasm helper threads counted ${String(done)} finished chunks of ${String(chunks)}; restart the process, or set DL_WASM_THREADS=1`);
    if (done !== seen) {
      seen = done;
      since = Date.now();
    }
    if (++spins <= SPINS) continue;
    spins = 0;
    if (Date.now() - since > silenceMs) throw new Error(`dl-lab's wasm helper threads stopped responding (${String(done)} of ${String(chunks)} chunks finished, none in the last ${String(silenceMs / 1000)} s); restart the process, or set DL_WASM_THREADS=1`);
    Atomics.wait(c, FINISHED, done, Math.min(1000, silenceMs));
  }
}

/** Opens job `job`'s chunks (written by `writeJob`) to the caller and the helpers. */
export function openJob(c: Int32Array, job: number): void {
  Atomics.store(c, JOB, job << 16);
}

class WorkerGemmTeam implements GemmTeam {
  readonly helpers: number;
  private readonly control: Int32Array;
  private readonly floats: Float32Array;
  private readonly workers: Worker[] = [];
  private readonly kernels: FusedExports;
  private readonly runChunk = helperFunction<RunChunk>(RUN_CHUNK);
  private readonly claim = claimLoop();
  private job = 0;

  constructor(readonly memory: WebAssembly.Memory, helpers: number) {
    this.helpers = helpers;
    this.kernels = fusedKernelsOn(memory);
    ({ c: this.control, f: this.floats } = controlBlock());
  }

  async begin(module: WebAssembly.Module): Promise<void> {
    const ready: Promise<void>[] = [];
    for (let h = 0; h < this.helpers; h++) {
      const worker = new Worker(HELPER, { eval: true, workerData: { module, memory: this.memory, control: this.control.buffer } });
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

  run(kernel: number, args: readonly number[], floats: number, chunks: number, chunk: number): void {
    const c = this.control;
    this.job = (this.job % 0x7fff) + 1;
    writeJob(c, this.floats, this.job, kernel, args, floats, chunks, chunk);
    openJob(c, this.job);
    Atomics.add(c, WAKE, 1);
    Atomics.notify(c, WAKE);
    this.claim(this.kernels, c, this.floats, this.job, this.runChunk);
    // Every chunk is claimed: wait for those a helper still holds.
    awaitChunks(c, chunks, HELPER_SILENCE_MS);
    if (Atomics.load(c, FAILED) !== 0) throw new Error("a helper thread of dl-lab's wasm kernels failed; restart the process, or set DL_WASM_THREADS=1");
  }

  stop(): void {
    this.control[STOP] = 1;
    Atomics.add(this.control, WAKE, 1);
    Atomics.notify(this.control, WAKE);
  }
}

let current: WorkerGemmTeam | undefined;

/**
 * Starts `helpers` helper threads for our kernels on tfjs-wasm's `memory` (shared: the threaded build), replacing
 * any team started before; 0 helpers (or a memory that is not shared) leaves them on the calling thread.
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
