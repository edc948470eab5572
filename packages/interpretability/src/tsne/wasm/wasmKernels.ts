/**
 * The WebAssembly SIMD twins of t-SNE inner loops (source: assembly/kernels.ts): the attraction over the rows
 * of P and a Barnes–Hut group's interaction-list sums, both in 2-D, and batches of k-NN distances. They do the
 * same floating-point operations in the same order as the TypeScript loops, so a run gives the same numbers
 * with or without them. Measured on this project's 2-core box (one thread): attraction over 70k points' 9.1M P
 * entries 51 → 21 ms; list sums 3.7 → 1.7 ns per interaction; 50-float distances 3.5–4× faster. No node-only
 * imports: workers and browsers load it.
 */
import { KERNELS_WASM_BASE64, KERNELS_WASM_SHARED_BASE64 } from "./kernelsWasm.generated.js";

export interface WasmKernels {
  /** out[i] = Σ_e p_e w_e (y_i − y_j(e)) over CSR rows from … to − 1 (2-D); arguments are byte offsets. */
  attraction2(y: number, rowPtr: number, colIdx: number, pValues: number, out: number, from: number, to: number): void;
  /** Forces of `count` points against a list of [x₀, x₁, count] entries; returns Σ (Σ c w − 1) over the points. */
  sumList2(list: number, entries: number, points: number, count: number, out: number): number;
  /** out[a·m + b] = ‖row a − row b‖² for a < b over m float32 rows of length d (knnRows.ts squaredDistance32's sums). */
  pairDistances32(rows: number, m: number, d: number, out: number): void;
  /** out[c − 1] = ‖row 0 − row c‖² for c = 1 … count. */
  distancesFromFirst32(rows: number, count: number, d: number, out: number): void;
  /** The same in float32 sums (knnRows.ts `squaredDistanceF32`), stored as float64: the exact scan's candidates. */
  distancesFromFirstF32(rows: number, count: number, d: number, out: number): void;
  /** trustworthiness.ts `listPenalty` of query i over float32 rows: the penalty, or −1 when the list cannot settle it. */
  listPenalty64(rows: number, d: number, i: number, neighbours: number, k: number, list: number, listK: number, slack: number, dist: number): number;
  /** trustworthiness.ts `queryPenalty` of query i over every point (rows, and the same points stored by feature at `columns`). */
  queryPenalty64(rows: number, columns: number, stride: number, n: number, d: number, i: number, neighbours: number, k: number, check: number, query: number, out: number, closer: number): number;
  /** Float32 rows stored by feature: feature t of row j at columns + 4(t·stride + j). */
  transpose32(rows: number, n: number, d: number, columns: number, stride: number): void;
  /** Each of n float32 (x, y) points' k nearest other points (n × k, nearest first; `vpTreeKnn`'s keys and ties), through a cells × cells grid. */
  gridNeighbours2(xy: number, n: number, k: number, cells: number, cellStart: number, cellPoints: number, keys: number, out: number): void;
}

const WASM_PAGE = 65536;

/** Room in `memory` for `bytes` from the start (a plain memory grows, which replaces its buffer). */
function reserve(memory: WebAssembly.Memory, bytes: number): void {
  if (bytes > memory.buffer.byteLength) memory.grow(Math.ceil((bytes - memory.buffer.byteLength) / WASM_PAGE));
}

const compiled = new Map<boolean, WebAssembly.Module | null>();

function decodeBase64(text: string): Uint8Array<ArrayBuffer> {
  const binary = atob(text);
  const bytes = new Uint8Array(binary.length);
  for (let b = 0; b < binary.length; b++) bytes[b] = binary.charCodeAt(b);
  return bytes;
}

/** The compiled module (once per thread), or null where the runtime lacks WebAssembly SIMD (or shared memory). */
function moduleOf(shared: boolean): WebAssembly.Module | null {
  let module = compiled.get(shared);
  if (module === undefined) {
    module = null;
    if (typeof WebAssembly === "object" && (!shared || typeof SharedArrayBuffer === "function")) {
      const bytes = decodeBase64(shared ? KERNELS_WASM_SHARED_BASE64 : KERNELS_WASM_BASE64);
      if (WebAssembly.validate(bytes)) module = new WebAssembly.Module(bytes);
    }
    compiled.set(shared, module);
  }
  return module;
}

/** Whether this runtime runs the WebAssembly kernels (with shared memory, for `shared`). */
export function wasmKernelsAvailable(shared = false): boolean {
  return moduleOf(shared) !== null;
}

/** The kernels over `memory` (a shared memory gets the module built for one). */
export function instantiateKernels(memory: WebAssembly.Memory): WasmKernels {
  const shared = typeof SharedArrayBuffer === "function" && memory.buffer instanceof SharedArrayBuffer;
  const module = moduleOf(shared);
  if (module === null) throw new Error("WebAssembly SIMD kernels are not available in this runtime");
  return new WebAssembly.Instance(module, { env: { memory } }).exports as unknown as WasmKernels;
}

function align16(bytes: number): number {
  return Math.ceil(bytes / 16) * 16;
}

/**
 * A WebAssembly memory of fixed size that hands out 16-byte-aligned typed arrays one after the other, for the
 * arrays the kernels read (their byte offsets are the kernels' pointers). Sized once: growing a plain memory
 * would detach every array handed out. Shared when worker threads read it.
 */
export class KernelArena {
  readonly memory: WebAssembly.Memory;
  private top = 16;

  /** Bytes an arena needs for arrays of these lengths. */
  static bytesFor(float64Lengths: readonly number[], int32Lengths: readonly number[]): number {
    let bytes = 16;
    for (const length of float64Lengths) bytes += align16(8 * length);
    for (const length of int32Lengths) bytes += align16(4 * length);
    return bytes;
  }

  /**
   * An arena of `bytes`, or undefined where the runtime lacks the kernels (WebAssembly SIMD, and shared memory
   * for `shared`) or will not reserve that much (over 4 GiB): the TypeScript loops run instead.
   */
  static create(bytes: number, shared: boolean): KernelArena | undefined {
    if (!wasmKernelsAvailable(shared)) return undefined;
    try {
      return new KernelArena(bytes, shared);
    } catch (e) {
      if (e instanceof RangeError) return undefined;
      throw e;
    }
  }

  constructor(bytes: number, shared: boolean) {
    const pages = Math.max(1, Math.ceil(bytes / WASM_PAGE));
    this.memory = new WebAssembly.Memory(shared ? { initial: pages, maximum: pages, shared: true } : { initial: pages, maximum: pages });
  }

  float64(length: number): Float64Array {
    return new Float64Array(this.memory.buffer, this.take(8 * length), length);
  }

  /** Whether `array` was handed out by this arena (its memory never grows, so its buffer object stays the same). */
  holds(array: Float64Array | Int32Array): boolean {
    return array.buffer === this.memory.buffer;
  }

  int32(length: number): Int32Array {
    return new Int32Array(this.memory.buffer, this.take(4 * length), length);
  }

  private take(bytes: number): number {
    const at = this.top;
    if (at + bytes > this.memory.buffer.byteLength) throw new Error(`KernelArena: ${bytes} bytes do not fit (${this.memory.buffer.byteLength - at} left)`);
    this.top = at + align16(bytes);
    return at;
  }
}

/** Group points the list sums take at once; a larger group (a leaf of many coincident points) is summed in TypeScript. */
export const LIST_SUM_MAX_POINTS = 1024;
const POINTS_AT = 0;
const OUT_AT = 16 * LIST_SUM_MAX_POINTS;
const LIST_AT = 32 * LIST_SUM_MAX_POINTS;

/**
 * One thread's Barnes–Hut list sums in its own WebAssembly memory: the walk writes the interaction list
 * straight into `list(…)`, then `sum2` copies the group's points in and the forces out.
 */
export class WasmListSums {
  private readonly memory: WebAssembly.Memory;
  private readonly kernels: WasmKernels;
  private view!: Float64Array;
  private points!: Float64Array;
  private out!: Float64Array;

  constructor() {
    this.memory = new WebAssembly.Memory({ initial: 2 });
    this.kernels = instantiateKernels(this.memory);
    this.refreshViews();
  }

  /** The list's memory, with room for at least `least` doubles; entries written so far are kept. */
  list(least: number): Float64Array {
    if (this.view.length < least) {
      const bytes = LIST_AT + 8 * Math.max(least, 2 * this.view.length);
      reserve(this.memory, bytes);
      this.refreshViews();
    }
    return this.view;
  }

  /**
   * `sumList2` of spaceTree.ts for tree-order points first … last − 1 over the first `length` doubles of the
   * list; undefined (nothing written) when the group has more than LIST_SUM_MAX_POINTS points.
   */
  sum2(length: number, y: Float64Array, perm: Int32Array, first: number, last: number, forces: Float64Array): number | undefined {
    const count = last - first;
    if (count > LIST_SUM_MAX_POINTS) return undefined;
    this.points.set(y.subarray(2 * first, 2 * last));
    const z = this.kernels.sumList2(LIST_AT, length / 3, POINTS_AT, count, OUT_AT);
    const out = this.out;
    for (let p = 0; p < count; p++) {
      const i = perm[first + p] as number;
      forces[2 * i] = out[2 * p] as number;
      forces[2 * i + 1] = out[2 * p + 1] as number;
    }
    return z;
  }

  /** Views over the memory's current buffer (growing a plain memory replaces it). */
  private refreshViews(): void {
    const buffer = this.memory.buffer;
    this.view = new Float64Array(buffer, LIST_AT, (buffer.byteLength - LIST_AT) / 8);
    this.points = new Float64Array(buffer, POINTS_AT, 2 * LIST_SUM_MAX_POINTS);
    this.out = new Float64Array(buffer, OUT_AT, 2 * LIST_SUM_MAX_POINTS);
  }
}

/**
 * One thread's k-NN distance batches in its own WebAssembly memory: the caller copies float32 rows into
 * `rows(…)`, then gets every pair's distance (a forest leaf) or the first row's distance to the others (a
 * row's candidates). The sums are knnRows.ts `squaredDistance32`'s, so the neighbours found are the same.
 */
export class WasmDistances {
  private readonly memory: WebAssembly.Memory;
  private readonly kernels: WasmKernels;
  private rowView = new Float32Array(0);
  private outView = new Float64Array(0);
  private outAt = 0;

  constructor() {
    this.memory = new WebAssembly.Memory({ initial: 1 });
    this.kernels = instantiateKernels(this.memory);
  }

  /** Room for at least `count` rows of d floats from the start (contents undefined), and for `outputs` distances. */
  rows(count: number, d: number, outputs: number): Float32Array {
    if (this.rowView.length < count * d || this.outView.length < outputs) {
      // Both regions at least double, so a run of growing batches relays them out a few times only.
      const floats = Math.max(count * d, 2 * this.rowView.length);
      const doubles = Math.max(outputs, 2 * this.outView.length);
      this.outAt = align16(4 * floats);
      const bytes = this.outAt + 8 * doubles;
      reserve(this.memory, bytes);
      this.rowView = new Float32Array(this.memory.buffer, 0, floats);
      this.outView = new Float64Array(this.memory.buffer, this.outAt, doubles);
    }
    return this.rowView;
  }

  /** Distances of all pairs a < b of the m rows last given to `rows(m, d, m · m)`, at [a·m + b]. */
  pairs(m: number, d: number): Float64Array {
    this.kernels.pairDistances32(0, m, d, this.outAt);
    return this.outView;
  }

  /** Distances from row 0 to rows 1 … count of those last given to `rows(count + 1, d, count)`, at [c − 1]. */
  fromFirst(count: number, d: number): Float64Array {
    this.kernels.distancesFromFirst32(0, count, d, this.outAt);
    return this.outView;
  }

  /** `fromFirst` in float32 sums (`squaredDistanceF32`'s): candidates to re-measure. */
  fromFirstF32(count: number, d: number): Float64Array {
    this.kernels.distancesFromFirstF32(0, count, d, this.outAt);
    return this.outView;
  }
}

/**
 * One thread's trustworthiness ranks in its own WebAssembly memory: `load` stores the float32 points (as rows and
 * by feature, once per array), then `listPenalty` and `queryPenalty` are parallel/tasks/trustworthiness.ts's
 * functions of the same names — the same float64 sums in feature order and the same comparisons, so the same
 * integers — without the TypeScript loops' slow first calls in a fresh thread, and the full scans' distances in
 * SIMD (one point per f64x2 lane).
 */
export class WasmTrustworthiness {
  private readonly memory = new WebAssembly.Memory({ initial: 1 });
  private readonly kernels: WasmKernels;
  /** The points last loaded (weakly: the thread must not keep a finished run's points alive). */
  private loaded: WeakRef<Float32Array> | undefined;
  private n = 0;
  private d = 0;
  private k = 0;
  private listK = 0;
  private stride = 0;
  private columnsAt = 0;
  private queryAt = 0;
  private outAt = 0;
  private neighboursAt = 0;
  private listAt = 0;
  private scratchAt = 0;

  constructor() {
    this.kernels = instantiateKernels(this.memory);
  }

  /** Stores n float32 rows of length d for queries of k neighbours and lists of listK, unless these were the last loaded. */
  load(x: Float32Array, n: number, d: number, k: number, listK: number): void {
    if (this.loaded?.deref() === x && this.n === n && this.d === d && this.k === k && this.listK === listK) return;
    const stride = Math.ceil(n / 4) * 4;
    this.columnsAt = align16(4 * n * d);
    this.queryAt = align16(this.columnsAt + 4 * stride * d);
    this.outAt = align16(this.queryAt + 8 * d);
    this.neighboursAt = align16(this.outAt + 8 * stride);
    this.listAt = align16(this.neighboursAt + 4 * k);
    this.scratchAt = align16(this.listAt + 4 * listK);
    reserve(this.memory, this.scratchAt + 8 * (listK + k));
    new Float32Array(this.memory.buffer, 0, n * d).set(x.subarray(0, n * d));
    // Padding points (stride − n of them) are zeros; their distances are never read.
    new Float32Array(this.memory.buffer, this.columnsAt, stride * d).fill(0);
    this.kernels.transpose32(0, n, d, this.columnsAt, stride);
    this.n = n;
    this.d = d;
    this.k = k;
    this.listK = listK;
    this.stride = stride;
    this.loaded = new WeakRef(x);
  }

  /** `listPenalty` of query i: its neighbours at neighbours[from …], its list at list[listFrom …]; −1 when the list cannot settle it. */
  listPenalty(i: number, neighbours: Int32Array, from: number, list: Int32Array, listFrom: number, slack: number): number {
    const { k, listK } = this;
    new Int32Array(this.memory.buffer, this.neighboursAt, k).set(neighbours.subarray(from, from + k));
    new Int32Array(this.memory.buffer, this.listAt, listK).set(list.subarray(listFrom, listFrom + listK));
    return this.kernels.listPenalty64(0, this.d, i, this.neighboursAt, k, this.listAt, listK, slack, this.scratchAt);
  }

  /** `queryPenalty` of query i over every point, its neighbours at neighbours[from …]; blocks of four past the farthest neighbour end after `check`-feature steps. */
  queryPenalty(i: number, neighbours: Int32Array, from: number, check: number): number {
    const k = this.k;
    new Int32Array(this.memory.buffer, this.neighboursAt, k).set(neighbours.subarray(from, from + k));
    return this.kernels.queryPenalty64(0, this.columnsAt, this.stride, this.n, this.d, i, this.neighboursAt, k, check, this.queryAt, this.outAt, this.scratchAt);
  }
}

/**
 * Each of n 2-D points' k nearest other points (n × k indices, nearest first), exactly: `vpTreeKnn`'s
 * neighbours (the same keys and ties by index) through a grid in WebAssembly, or undefined where WebAssembly
 * SIMD is missing. Measured at 5k points of a t-SNE embedding in a fresh process: 50–70 ms for the VP tree, ~3 ms here.
 */
export function gridNeighbours2(xy: Float32Array, n: number, k: number): Int32Array | undefined {
  if (!wasmKernelsAvailable()) return undefined;
  // About two points per cell.
  const cells = Math.max(1, Math.ceil(Math.sqrt(n / 2)));
  const cellStartAt = align16(8 * n);
  const cellPointsAt = align16(cellStartAt + 4 * (cells * cells + 1));
  const keysAt = align16(cellPointsAt + 4 * n);
  const outAt = align16(keysAt + 8 * k);
  const memory = new WebAssembly.Memory({ initial: Math.max(1, Math.ceil((outAt + 4 * n * k) / WASM_PAGE)) });
  new Float32Array(memory.buffer, 0, 2 * n).set(xy.subarray(0, 2 * n));
  instantiateKernels(memory).gridNeighbours2(0, n, k, cells, cellStartAt, cellPointsAt, keysAt, outAt);
  return new Int32Array(memory.buffer, outAt, n * k).slice();
}

let threadListSums: WasmListSums | null | undefined;
let threadTrustworthiness: WasmTrustworthiness | null | undefined;
let threadDistances: WasmDistances | null | undefined;

/** This thread's distance batches, or undefined where WebAssembly SIMD is missing. */
export function distancesOfThisThread(): WasmDistances | undefined {
  if (threadDistances === undefined) threadDistances = wasmKernelsAvailable() ? new WasmDistances() : null;
  return threadDistances ?? undefined;
}

/** This thread's trustworthiness ranks, or undefined where WebAssembly SIMD is missing. */
export function trustworthinessOfThisThread(): WasmTrustworthiness | undefined {
  if (threadTrustworthiness === undefined) threadTrustworthiness = wasmKernelsAvailable() ? new WasmTrustworthiness() : null;
  return threadTrustworthiness ?? undefined;
}

/** This thread's list sums, or undefined where WebAssembly SIMD is missing. */
export function listSumsOfThisThread(): WasmListSums | undefined {
  if (threadListSums === undefined) threadListSums = wasmKernelsAvailable() ? new WasmListSums() : null;
  return threadListSums ?? undefined;
}
