import { PARAM, TASKS, ThreadScratch, emptyKernelState } from "./kernels.js";
import type { KernelState, TaskId } from "./kernels.js";
import { KernelArena } from "../wasm/wasmKernels.js";

/**
 * The threads that run the optimisation's chunked tasks (kernels.ts). The main thread always takes part; a
 * team of one runs everything on it. Arrays the tasks touch must be made here (shared memory when workers
 * run) and handed over with `publish`.
 */
export interface Team {
  readonly threads: number;
  /** The main thread's view of the shared state; `params` is shared from the start. */
  readonly state: KernelState;
  /** A zeroed shared array; with `recycled`, possibly a view of a buffer handed back through `recycle` (contents undefined). */
  float64(length: number, recycled?: boolean): Float64Array;
  int32(length: number): Int32Array;
  /** Done with `array` (from `float64`): a later `float64` call may hand out its memory again. */
  recycle(array: Float64Array): void;
  /** `array` itself when the team's threads can read it, else a copy that they can. */
  adopt<T extends Float64Array | Float32Array | Int32Array>(array: T): T;
  /**
   * A WebAssembly memory of `bytes` (shared with the workers) for the arrays the WebAssembly kernels read, or
   * undefined where the runtime lacks them or will not reserve it (`KernelArena.create`). Publish its `memory` as `wasmMemory`.
   */
  kernelArena(bytes: number): KernelArena | undefined;
  /** Makes these arrays (from `float64`/`int32`/`adopt`/`kernelArena`) the current ones, on every thread. */
  publish(update: Partial<Omit<KernelState, "params">>): void;
  /** Runs chunks 0 … count − 1 of a task across the team; returns when all are done (`begin`, then `finish`). */
  run(task: TaskId, count: number): void;
  /**
   * Hands chunks 0 … count − 1 of a task to the workers and returns at once, so this thread can do other work
   * (a team of one does nothing yet); `finish` must follow before any other call. `last`: no task follows, so the
   * workers exit as soon as this one is done (`close` is still called, and then has little left to wait for).
   */
  begin(task: TaskId, count: number, last?: boolean): void;
  /** This thread takes the begun task's chunks no worker has claimed yet, then waits for the workers. */
  finish(): void;
  /** Stops the workers; safe to call more than once (every call settles once they have exited). */
  close(): Promise<void>;
}

/** Everything on the calling thread (the browser build, and `threads: 1`). */
export class SerialTeam implements Team {
  readonly threads = 1;
  readonly state = emptyKernelState();
  private readonly scratch = new ThreadScratch();

  float64(length: number, _recycled = false): Float64Array {
    return new Float64Array(length);
  }

  int32(length: number): Int32Array {
    return new Int32Array(length);
  }

  adopt<T extends Float64Array | Float32Array | Int32Array>(array: T): T {
    return array;
  }

  recycle(_array: Float64Array): void {
    // Plain arrays go back through the garbage collector.
  }

  kernelArena(bytes: number): KernelArena | undefined {
    return KernelArena.create(bytes, false);
  }

  publish(update: Partial<Omit<KernelState, "params">>): void {
    Object.assign(this.state, update);
  }

  private begun: { task: TaskId; count: number } | undefined;

  run(task: TaskId, count: number): void {
    this.begin(task, count);
    this.finish();
  }

  begin(task: TaskId, count: number, _last = false): void {
    if (TASKS[task] === undefined) throw new Error(`unknown task ${task}`);
    this.begun = { task, count };
  }

  finish(): void {
    const begun = this.begun;
    if (begun === undefined) throw new Error("Team.finish without begin");
    this.begun = undefined;
    const fn = TASKS[begun.task]!;
    for (let c = 0; c < begun.count; c++) fn(this.state, this.scratch, c);
  }

  close(): Promise<void> {
    return Promise.resolve();
  }
}

export { PARAM };
