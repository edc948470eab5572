// The Node build of "#team": worker threads over SharedArrayBuffer, woken per task through Atomics.
import { createRequire } from "node:module";
import { availableParallelism } from "node:os";
import { pathToFileURL } from "node:url";
import { MessageChannel, Worker, receiveMessageOnPort } from "node:worker_threads";
import type { MessagePort } from "node:worker_threads";

import { CONTROL, CONTROL_SLOTS } from "./control.js";
import type { WorkerData } from "./control.js";
import { PARAM, TASKS, ThreadScratch, emptyKernelState } from "./kernels.js";
import type { KernelState, TaskId } from "./kernels.js";
import { SerialTeam } from "./team.js";
import { KernelArena } from "../wasm/wasmKernels.js";
import type { Team } from "./team.js";

/** Most threads `tsne` starts by default: past a few, the per-iteration barriers and memory bandwidth eat the gain. */
export const DEFAULT_MAX_THREADS = 8;

/** Threads `tsne` uses when `threads` is not given: the cores Node may use, at most DEFAULT_MAX_THREADS. */
export function defaultThreads(): number {
  return Math.max(1, Math.min(DEFAULT_MAX_THREADS, availableParallelism()));
}

const WORKER_SILENCE_MS = 60_000;

const liveWorkers = new Set<Worker>();

/** Workers started by teams and not yet exited (tests check that none are left behind). */
export function liveWorkerCount(): number {
  return liveWorkers.size;
}

/**
 * The worker's entry. From dist it is worker.js. From source (.ts under vitest or tsx) Node 20 cannot start a
 * worker on a .ts file even when the parent runs under tsx, so a small eval'd script loads it through tsx's API.
 */
function workerEntry(): { entry: string | URL; eval: boolean } {
  if (!import.meta.url.endsWith(".ts")) return { entry: new URL("./worker.js", import.meta.url), eval: false };
  const tsxApi = new URL("dist/esm/api/index.mjs", pathToFileURL(createRequire(import.meta.url).resolve("tsx/package.json"))).href;
  const worker = new URL("./worker.ts", import.meta.url).href;
  return { entry: `import(${JSON.stringify(tsxApi)}).then((tsx) => tsx.tsImport(${JSON.stringify(worker)}, ${JSON.stringify(import.meta.url)}));`, eval: true };
}

class WorkerTeam implements Team {
  readonly threads: number;
  readonly state: KernelState = emptyKernelState();
  private readonly scratch = new ThreadScratch();
  private readonly ctrl: Int32Array;
  private readonly ports: MessagePort[] = [];
  private readonly workers: Worker[] = [];
  private closed = false;

  constructor(threads: number) {
    this.threads = threads;
    this.ctrl = new Int32Array(new SharedArrayBuffer(CONTROL_SLOTS * 4));
    this.state.params = new Float64Array(new SharedArrayBuffer(PARAM.count * 8));
  }

  async start(): Promise<void> {
    const { entry, eval: isEval } = workerEntry();
    const ready: Promise<void>[] = [];
    for (let t = 1; t < this.threads; t++) {
      const { port1, port2 } = new MessageChannel();
      const workerData: WorkerData = { ctrl: this.ctrl, params: this.state.params, port: port2 };
      const worker = new Worker(entry, { workerData, transferList: [port2], eval: isEval });
      liveWorkers.add(worker);
      worker.once("exit", () => liveWorkers.delete(worker));
      port1.unref();
      this.ports.push(port1);
      this.workers.push(worker);
      ready.push(
        new Promise<void>((resolve, reject) => {
          worker.once("message", () => resolve());
          worker.once("error", reject);
          worker.once("exit", (code) => reject(new Error(`t-SNE worker exited with code ${code} before it was ready`)));
        }),
      );
    }
    try {
      await Promise.all(ready);
    } catch (e) {
      await this.close();
      throw e;
    }
    // Blocked in Atomics.wait between tasks, a worker must not keep the process alive if a team is never closed.
    for (const w of this.workers) w.unref();
  }

  /**
   * Shared buffers are freed only once every thread's garbage collector has dropped them, and workers allocate
   * too little to collect often; so large buffers handed back through `recycle` are reused instead.
   */
  private readonly pool: SharedArrayBuffer[] = [];

  float64(length: number, recycled = false): Float64Array {
    let best = -1;
    for (let b = 0; recycled && b < this.pool.length; b++) {
      const size = this.pool[b]!.byteLength;
      if (size >= length * 8 && (best < 0 || size < this.pool[best]!.byteLength)) best = b;
    }
    if (best < 0) return new Float64Array(new SharedArrayBuffer(length * 8));
    const [buffer] = this.pool.splice(best, 1);
    return new Float64Array(buffer!, 0, length);
  }

  recycle(array: Float64Array): void {
    if (array.buffer instanceof SharedArrayBuffer && array.byteOffset === 0 && !this.pool.includes(array.buffer)) this.pool.push(array.buffer);
  }

  int32(length: number): Int32Array {
    return new Int32Array(new SharedArrayBuffer(length * 4));
  }

  adopt<T extends Float64Array | Float32Array | Int32Array>(array: T): T {
    if (array.buffer instanceof SharedArrayBuffer) return array;
    const copy = new (array.constructor as new (buffer: SharedArrayBuffer) => T)(new SharedArrayBuffer(array.byteLength));
    copy.set(array);
    return copy;
  }

  kernelArena(bytes: number): KernelArena | undefined {
    return KernelArena.create(bytes, true);
  }

  publish(update: Partial<Omit<KernelState, "params">>): void {
    for (const value of Object.values<KernelState[keyof Omit<KernelState, "params">]>(update)) {
      if (!(value?.buffer instanceof SharedArrayBuffer)) throw new Error("Team.publish: arrays must come from team.float64/int32/adopt/kernelArena");
    }
    Object.assign(this.state, update);
    for (const port of this.ports) port.postMessage(update);
  }

  private begun: { task: TaskId; count: number } | undefined;

  run(task: TaskId, count: number): void {
    this.begin(task, count);
    this.finish();
  }

  begin(task: TaskId, count: number, last = false): void {
    if (this.closed || Atomics.load(this.ctrl, CONTROL.last) !== 0) throw new Error("Team.run after close or after the last task");
    if (TASKS[task] === undefined) throw new Error(`unknown task ${task}`);
    const ctrl = this.ctrl;
    Atomics.store(ctrl, CONTROL.last, last ? 1 : 0);
    Atomics.store(ctrl, CONTROL.task, task);
    Atomics.store(ctrl, CONTROL.chunks, count);
    Atomics.store(ctrl, CONTROL.next, 0);
    Atomics.store(ctrl, CONTROL.done, 0);
    Atomics.add(ctrl, CONTROL.generation, 1);
    Atomics.notify(ctrl, CONTROL.generation);
    this.begun = { task, count };
  }

  finish(): void {
    const begun = this.begun;
    if (begun === undefined) throw new Error("Team.finish without begin");
    this.begun = undefined;
    const { task, count } = begun;
    const fn = TASKS[task]!;
    const ctrl = this.ctrl;
    // Chunks go to whichever thread claims them; each writes only its own outputs, so the result is the same.
    for (;;) {
      const c = Atomics.add(ctrl, CONTROL.next, 1);
      if (c >= count) break;
      fn(this.state, this.scratch, c);
    }
    const helpers = this.workers.length;
    for (;;) {
      const done = Atomics.load(ctrl, CONTROL.done);
      if (done === helpers) break;
      // A chunk takes milliseconds; a worker silent this long has died (its exit event cannot arrive while we block).
      if (Atomics.wait(ctrl, CONTROL.done, done, WORKER_SILENCE_MS) === "timed-out") {
        throw new Error(`t-SNE worker stopped responding (task ${task}, ${Atomics.load(ctrl, CONTROL.done)} of ${helpers} done, control ${Array.from(ctrl).join(",")})`);
      }
    }
    if (Atomics.load(ctrl, CONTROL.error) !== 0) {
      const messages = this.ports.map((p) => (receiveMessageOnPort(p)?.message as { error?: string } | undefined)?.error).filter((m) => m !== undefined);
      throw new Error(`t-SNE worker failed: ${messages.join("; ")}`);
    }
  }

  private closing: Promise<void> | undefined;

  /** Every call returns the same promise, settled once every worker has exited. */
  close(): Promise<void> {
    this.closing ??= this.stopWorkers();
    return this.closing;
  }

  private async stopWorkers(): Promise<void> {
    this.closed = true;
    Atomics.store(this.ctrl, CONTROL.stop, 1);
    Atomics.add(this.ctrl, CONTROL.generation, 1);
    Atomics.notify(this.ctrl, CONTROL.generation);
    await Promise.all(
      this.workers.map(async (w) => {
        await w.terminate();
        liveWorkers.delete(w);
      }),
    );
    for (const port of this.ports) port.close();
  }
}

/** `threads` − 1 workers beside the calling thread (a team of one starts none). */
export async function createTeam(threads: number): Promise<Team> {
  if (threads <= 1) return new SerialTeam();
  const team = new WorkerTeam(threads);
  await team.start();
  return team;
}
