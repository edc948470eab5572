import type { SparseMatrix } from "../affinities.js";
import { embeddingRange, fftSideFor } from "../fftGrid.js";
import type { FftInterpolationOptions } from "../fftGrid.js";
import { COLUMN_BLOCK, GRID, PARAM, POINT_CHUNK, ROW_CHUNK, TASK } from "./kernels.js";
import type { Team } from "./team.js";
import { KernelArena } from "../wasm/wasmKernels.js";

/** Spacing is rounded up to this geometric ladder so kernel spectra can be reused across iterations. */
const SPACING_LADDER = 1.05;
/** Spectra kept for reuse: the spread mostly grows, so old rungs rarely come back (each is 2m² doubles, 16 MB at m = 1024). */
const MAX_CACHED_SPECTRA = 4;

export interface TeamGradientOptions {
  /** `exact`: every pair (small N); `bh`: Barnes–Hut every iteration; `fft`: FFT interpolation (2-D); `hybrid`: per iteration whichever `useFft` picks. */
  method: "exact" | "bh" | "fft" | "hybrid";
  theta: number;
  fft: FftInterpolationOptions;
  /** For `hybrid`: whether the FFT costs less than Barnes–Hut for FFT side m at N points. */
  useFft: (m: number, n: number) => boolean;
  /** Run the attraction and the Barnes–Hut list sums in WebAssembly SIMD where the runtime has it (2-D; the same numbers). */
  wasm: boolean;
  /**
   * The team's kernel arena to use (from `team.kernelArena(TeamGradient.arenaBytes(…))`), which may already hold
   * P (then it is not copied); without it the engine makes its own.
   */
  arena?: KernelArena | undefined;
}

/**
 * The t-SNE gradient (van der Maaten 2014, eq. 5) computed by a team of threads in fixed chunks: the same
 * numbers for any team size. Owns the shared embedding `y`, which the caller updates in place between calls.
 */
export class TeamGradient {
  readonly y: Float64Array;
  /** P as the team reads it (a copy in WebAssembly memory when the SIMD kernels run): use it, and let the caller's go. */
  readonly p: SparseMatrix;
  private readonly team: Team;
  private readonly n: number;
  private readonly dims: number;
  private readonly options: TeamGradientOptions;
  private readonly pointChunks: number;
  private readonly nodes: number;
  /** Kernel spectra by (m, rung), least recently used first; their buffers are rewritten in place when evicted. */
  private readonly spectra: { key: string; buffer: Float64Array; view: Float64Array }[] = [];
  private grids: { g1: Float64Array; g2: Float64Array; prod: Float64Array } | undefined;
  private currentM = -1;
  private currentKernel: Float64Array | undefined;
  private treeVersion = 0;

  constructor(team: Team, y0: Float64Array, n: number, dims: number, p: SparseMatrix, options: TeamGradientOptions) {
    this.team = team;
    this.n = n;
    this.dims = dims;
    this.options = options;
    this.pointChunks = Math.ceil(n / POINT_CHUNK);
    this.nodes = options.fft.nodesPerBox ?? 3;
    const nnz = p.rowPtr[n] as number;
    // 2-D: y, P and the attraction in WebAssembly memory for the SIMD kernels; P is copied there unless it was made there.
    const arena =
      dims === 2 && options.wasm ? (options.arena ?? team.kernelArena(TeamGradient.arenaBytes(n, dims, nnz))) : undefined;
    let rowPtr: Int32Array;
    let colIdx: Int32Array;
    let pValues: Float64Array;
    let attraction: Float64Array;
    if (arena === undefined) {
      this.y = team.float64(n * dims);
      attraction = team.float64(n * dims);
      // No copy when P was made in the team's memory (affinitiesOnTeam).
      rowPtr = team.adopt(p.rowPtr);
      colIdx = team.adopt(p.colIdx);
      pValues = team.adopt(p.values);
    } else {
      this.y = arena.float64(n * dims);
      attraction = arena.float64(n * dims);
      if (arena.holds(p.rowPtr) && arena.holds(p.colIdx) && arena.holds(p.values)) {
        ({ rowPtr, colIdx, values: pValues } = p);
      } else {
        rowPtr = arena.int32(n + 1);
        colIdx = arena.int32(nnz);
        pValues = arena.float64(nnz);
        rowPtr.set(p.rowPtr);
        colIdx.set(p.colIdx.subarray(0, nnz));
        pValues.set(p.values.subarray(0, nnz));
      }
    }
    this.p = { n, rowPtr, colIdx, values: pValues };
    this.y.set(y0);
    const twoD = dims === 2 && (options.method === "fft" || options.method === "hybrid");
    team.publish({
      y: this.y,
      forces: team.float64(n * dims),
      attraction,
      rowPtr,
      colIdx,
      pValues,
      ...(arena === undefined ? {} : { wasmMemory: arena.memory }),
      zPartials: team.float64(this.pointChunks),
      klPartials: team.float64(this.pointChunks),
      ...(twoD
        ? {
            base0: team.int32(n),
            base1: team.int32(n),
            weights0: team.float64(n * this.nodes),
            weights1: team.float64(n * this.nodes),
            bucketPoints: team.int32(n),
          }
        : {}),
    });
    const params = team.state.params;
    params[PARAM.n] = n;
    params[PARAM.dims] = dims;
    params[PARAM.theta] = options.theta;
    params[PARAM.nodes] = this.nodes;
    params[PARAM.wasm] = arena === undefined ? 0 : 1;
  }

  /** Bytes of a kernel arena for n points in `dims` dimensions and P with up to `entries` entries. */
  static arenaBytes(n: number, dims: number, entries: number): number {
    return KernelArena.bytesFor([n * dims, n * dims, entries], [n + 1, entries]);
  }

  /**
   * Renumbers the points: new point q is old point `order[q]`. Rewrites y and P (rows and columns) in place, so
   * that as the layout changes, points near each other in it can be made neighbours in memory again. P's arrays
   * are the team's (a copy, or the caller's when they were already shared): the caller's P changes with them.
   */
  renumber(order: Int32Array): void {
    const { n, dims, y } = this;
    const inverse = new Int32Array(n);
    for (let q = 0; q < n; q++) inverse[order[q] as number] = q;
    const oldY = Float64Array.from(y);
    for (let q = 0; q < n; q++) for (let t = 0; t < dims; t++) y[q * dims + t] = oldY[(order[q] as number) * dims + t] as number;
    const { rowPtr, colIdx, values } = this.p;
    const oldPtr = Int32Array.from(rowPtr);
    const oldCol = Int32Array.from(colIdx);
    const oldValues = Float64Array.from(values);
    let at = 0;
    for (let q = 0; q < n; q++) {
      const i = order[q] as number;
      rowPtr[q] = at;
      for (let e = oldPtr[i] as number; e < (oldPtr[i + 1] as number); e++) {
        colIdx[at] = inverse[oldCol[e] as number] as number;
        values[at] = oldValues[e] as number;
        at++;
      }
    }
    rowPtr[n] = at;
  }

  /**
   * ∂C/∂y into `grad`: 4 [α Σ_j p_ij w_ij (y_i − y_j) − (1/Z) Σ_j w_ij² (y_i − y_j)], α the exaggeration.
   * Returns Z and, when `withKl`, Σ_ij p_ij log w_ij (NaN otherwise).
   */
  gradient(exaggeration: number, withKl: boolean, grad: Float64Array): { z: number; sumPLogW: number } {
    const z = this.repulsion();
    const { team } = this;
    team.state.params[PARAM.withKl] = withKl ? 1 : 0;
    team.run(TASK.attraction, this.pointChunks);
    const { forces, attraction, klPartials } = team.state;
    const invZ = 1 / z;
    for (let e = 0; e < this.n * this.dims; e++) grad[e] = 4 * (exaggeration * (attraction[e] as number) - (forces[e] as number) * invZ);
    return { z, sumPLogW: withKl ? sumInOrder(klPartials, this.pointChunks) : Number.NaN };
  }

  private repulsion(): number {
    const { method } = this.options;
    if (method === "exact") return this.exact();
    if (method === "bh" || this.dims !== 2) return this.barnesHut();
    const { lo, hi, range } = embeddingRange(this.y, this.n);
    const m = fftSideFor(range, this.n, this.options.fft);
    if (method === "hybrid" && !this.options.useFft(m, this.n)) return this.barnesHut();
    return this.fftInterpolation(m, lo, hi, range);
  }

  private exact(): number {
    this.team.run(TASK.exactRepulsion, this.pointChunks);
    return sumInOrder(this.team.state.zPartials, this.pointChunks);
  }

  private barnesHut(): number {
    const { team } = this;
    team.state.params[PARAM.treeVersion] = ++this.treeVersion;
    team.run(TASK.barnesHut, this.pointChunks);
    return sumInOrder(team.state.zPartials, this.pointChunks);
  }

  /** FIt-SNE (Linderman et al. 2019, algorithm 1): the tasks in tasks/fftRepulsion.ts; grids and kernel spectra set up here. */
  private fftInterpolation(m: number, lo: number, hi: number, range: number): number {
    const { team } = this;
    const p = this.nodes;
    const params = team.state.params;
    const nBoxes = Math.floor(m / (2 * p));
    const gridSize = nBoxes * p;
    // Smallest ladder spacing whose grid (less half a box of margin) covers the points.
    const needed = (range * (1 + 1e-9)) / (gridSize - 1);
    const rung = Math.ceil(Math.log(needed) / Math.log(SPACING_LADDER));
    const spacing = SPACING_LADDER ** rung;
    const box = spacing * p;
    params[PARAM.m] = m;
    params[PARAM.gridSize] = gridSize;
    params[PARAM.nBoxes] = nBoxes;
    params[PARAM.origin] = 0.5 * (lo + hi) - 0.5 * nBoxes * box;
    params[PARAM.box] = box;
    this.useGrids(m);
    this.useKernel(m, rung, spacing);

    team.run(TASK.fftWeights, this.pointChunks);
    this.bucketByBoxRow(nBoxes);
    team.run(TASK.fftSpread, nBoxes);
    this.transform(GRID.g1 | GRID.g2, false, gridSize, gridSize, m, true);
    team.run(TASK.fftSpectrumProduct, Math.ceil(m / ROW_CHUNK));
    this.transform(GRID.g1 | GRID.prod, true, gridSize, m, gridSize, false);
    team.run(TASK.fftInterpolate, this.pointChunks);
    return sumInOrder(team.state.zPartials, this.pointChunks);
  }

  /** 2-D FFT of the masked grids: rows then columns forward, columns then rows inverse; `rows` rows are in use. */
  private transform(grids: number, inverse: boolean, rows: number, readRows: number, writeRows: number, multiplyKernel: boolean): void {
    const { team } = this;
    const params = team.state.params;
    const m = params[PARAM.m] as number;
    params[PARAM.grids] = grids;
    params[PARAM.inverse] = inverse ? 1 : 0;
    params[PARAM.multiplyKernel] = multiplyKernel ? 1 : 0;
    const rowPass = (): void => {
      params[PARAM.readRows] = rows;
      team.run(TASK.fftRows, Math.ceil(rows / ROW_CHUNK));
    };
    const columnPass = (): void => {
      params[PARAM.readRows] = readRows;
      params[PARAM.writeRows] = writeRows;
      team.run(TASK.fftColumns, Math.ceil(m / COLUMN_BLOCK));
    };
    if (inverse) {
      columnPass();
      rowPass();
    } else {
      rowPass();
      columnPass();
    }
  }

  /**
   * Grids for the current FFT side as views of buffers that only grow. Shared buffers go back to the system
   * only after every thread's garbage collector drops them, and workers allocate too little to collect often:
   * fresh buffers per size or spectrum added ~300 MB at 70k points.
   */
  private useGrids(m: number): void {
    if (m === this.currentM) return;
    const { team } = this;
    const length = 2 * m * m;
    const fit = (grid: Float64Array | undefined): Float64Array => (grid !== undefined && capacity(grid) >= length ? grid : team.float64(length, true));
    this.grids = { g1: fit(this.grids?.g1), g2: fit(this.grids?.g2), prod: fit(this.grids?.prod) };
    const { g1, g2, prod } = this.grids;
    team.publish({ g1: viewOf(g1, length), g2: viewOf(g2, length), prod: viewOf(prod, length) });
    this.currentM = m;
  }

  /** Spectra of the circulant embeddings of w² (real part) and w (imaginary part) on grid spacing h, cached per (m, rung). */
  private useKernel(m: number, rung: number, spacing: number): void {
    const key = `${m}:${rung}`;
    const length = 2 * m * m;
    const at = this.spectra.findIndex((entry) => entry.key === key);
    let kernel: Float64Array;
    if (at >= 0) {
      const [entry] = this.spectra.splice(at, 1);
      this.spectra.push(entry!);
      kernel = entry!.view;
      if (kernel !== this.currentKernel) this.team.publish({ kernel });
    } else {
      // Rewrite the least recently used spectrum's buffer (growing it if needed) rather than allocate another.
      const reused = this.spectra.length >= MAX_CACHED_SPECTRA ? this.spectra.shift() : undefined;
      const buffer = reused !== undefined && capacity(reused.buffer) >= length ? reused.buffer : this.team.float64(length, true);
      kernel = viewOf(buffer, length);
      for (let r = 0; r < m; r++) {
        const or = r <= m / 2 ? r : r - m;
        for (let c = 0; c < m; c++) {
          const oc = c <= m / 2 ? c : c - m;
          const w = 1 / (1 + spacing * spacing * (or * or + oc * oc));
          kernel[2 * (r * m + c)] = w * w;
          kernel[2 * (r * m + c) + 1] = w;
        }
      }
      this.team.publish({ kernel });
      this.transform(GRID.kernel, false, m, m, m, false);
      this.spectra.push({ key, buffer, view: kernel });
    }
    this.currentKernel = kernel;
  }

  /** Counting sort of the points by box row (index order within a row), so box rows can be spread independently. */
  private bucketByBoxRow(nBoxes: number): void {
    const { team, n } = this;
    let { bucketStart } = team.state;
    if (bucketStart.length < nBoxes + 1) {
      bucketStart = team.int32(Math.max(nBoxes + 1, 2 * bucketStart.length));
      team.publish({ bucketStart });
    }
    const { base1, bucketPoints } = team.state;
    const p = this.nodes;
    bucketStart.fill(0, 0, nBoxes + 1);
    for (let i = 0; i < n; i++) bucketStart[(base1[i] as number) / p + 1]!++;
    for (let b = 0; b < nBoxes; b++) bucketStart[b + 1]! += bucketStart[b] as number;
    // Fill from the back so each row ends up in index order without a second cursor array.
    for (let i = n - 1; i >= 0; i--) {
      const b = (base1[i] as number) / p + 1;
      bucketPoints[--bucketStart[b]!] = i;
    }
    // bucketStart[b + 1] was moved down to row b's start; shift back so bucketStart[b] is row b's start.
    for (let b = 0; b < nBoxes; b++) bucketStart[b] = bucketStart[b + 1] as number;
    bucketStart[nBoxes] = n;
  }
}

/** Doubles the memory under `array` can hold (a team may hand out a view of a larger recycled buffer). */
function capacity(array: Float64Array): number {
  return (array.buffer.byteLength - array.byteOffset) / 8;
}

/** The first `length` doubles of the memory under `array`. */
function viewOf(array: Float64Array, length: number): Float64Array {
  return new Float64Array(array.buffer, array.byteOffset, length);
}

function sumInOrder(partials: Float64Array, count: number): number {
  let s = 0;
  for (let c = 0; c < count; c++) s += partials[c] as number;
  return s;
}
