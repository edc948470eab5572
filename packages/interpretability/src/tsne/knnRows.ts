/**
 * Row-level pieces of the k-NN searches: bounded heaps, exact distances, and the phases of the random-projection
 * forest, each over a range of rows so a team of threads can split them (parallel/kernels.ts). No tfjs or
 * node-only imports: the t-SNE workers load this file.
 */
import type { WasmDistances } from "./wasm/wasmKernels.js";

/** k nearest neighbours of every point, rows sorted by (distance, index); the point itself excluded. */
export interface KnnGraph {
  n: number;
  k: number;
  /** n × k neighbour indices, row-major. */
  indices: Int32Array;
  /** n × k squared euclidean distances, matching `indices`. */
  distances: Float64Array;
}

export type KnnData = Float32Array | Float64Array;

/**
 * A bounded max-heap per row, ordered by (distance, index) so ties resolve the same way whatever the visiting
 * order. The arrays may be handed in (shared memory for a team of threads); row r lives at r·k … r·k + k − 1.
 */
export class RowHeaps {
  readonly dist: Float64Array;
  readonly idx: Int32Array;
  readonly size: Int32Array;
  constructor(
    readonly rows: number,
    readonly k: number,
    arrays?: { dist: Float64Array; idx: Int32Array; size: Int32Array },
  ) {
    this.dist = arrays?.dist ?? new Float64Array(rows * k);
    this.idx = arrays?.idx ?? new Int32Array(rows * k);
    this.size = arrays?.size ?? new Int32Array(rows);
  }

  /** The worst kept distance of row r, or +∞ while the row has room. */
  bound(r: number): number {
    return (this.size[r] as number) < this.k ? Infinity : (this.dist[r * this.k] as number);
  }

  push(r: number, d: number, j: number): void {
    const k = this.k;
    const base = r * k;
    const dist = this.dist;
    const idx = this.idx;
    const s = this.size[r] as number;
    if (s < k) {
      // sift up
      let c = s;
      while (c > 0) {
        const p = (c - 1) >> 1;
        const pd = dist[base + p] as number;
        if (pd > d || (pd === d && (idx[base + p] as number) > j)) break;
        dist[base + c] = pd;
        idx[base + c] = idx[base + p] as number;
        c = p;
      }
      dist[base + c] = d;
      idx[base + c] = j;
      this.size[r] = s + 1;
      return;
    }
    const td = dist[base] as number;
    if (d > td || (d === td && j >= (idx[base] as number))) return;
    // replace the root and sift down
    let c = 0;
    for (;;) {
      const l = 2 * c + 1;
      if (l >= k) break;
      let m = l;
      const ld = dist[base + l] as number;
      if (l + 1 < k) {
        const rd = dist[base + l + 1] as number;
        if (rd > ld || (rd === ld && (idx[base + l + 1] as number) > (idx[base + l] as number))) m = l + 1;
      }
      const md = dist[base + m] as number;
      if (md < d || (md === d && (idx[base + m] as number) < j)) break;
      dist[base + c] = md;
      idx[base + c] = idx[base + m] as number;
      c = m;
    }
    dist[base + c] = d;
    idx[base + c] = j;
  }

  /**
   * Rows from … to − 1 sorted ascending by (distance, index) into `indices` (and `distances` if given), at r·k:
   * heap-sort of a copy of each row (the max goes last). The heaps are left as they were.
   */
  sortRows(from: number, to: number, indices: Int32Array, distances?: Float64Array): void {
    const k = this.k;
    const dist = new Float64Array(k);
    const idx = new Int32Array(k);
    for (let r = from; r < to; r++) {
      const base = r * k;
      let s = this.size[r] as number;
      dist.set(this.dist.subarray(base, base + s));
      idx.set(this.idx.subarray(base, base + s));
      while (s > 0) {
        // Pop the root (largest) into slot s − 1, then sift the last element down from the root.
        const topD = dist[0] as number;
        const topJ = idx[0] as number;
        s--;
        const d = dist[s] as number;
        const j = idx[s] as number;
        let c = 0;
        for (;;) {
          const l = 2 * c + 1;
          if (l >= s) break;
          let m = l;
          const ld = dist[l] as number;
          if (l + 1 < s) {
            const rd = dist[l + 1] as number;
            if (rd > ld || (rd === ld && (idx[l + 1] as number) > (idx[l] as number))) m = l + 1;
          }
          const md = dist[m] as number;
          if (md < d || (md === d && (idx[m] as number) < j)) break;
          dist[c] = md;
          idx[c] = idx[m] as number;
          c = m;
        }
        dist[c] = d;
        idx[c] = j;
        if (distances !== undefined) distances[base + s] = topD;
        indices[base + s] = topJ;
      }
    }
  }

  /** All rows sorted, as a graph (rows must be full). */
  toGraph(n: number): KnnGraph {
    const indices = new Int32Array(n * this.k);
    const distances = new Float64Array(n * this.k);
    this.sortRows(0, n, indices, distances);
    return { n, k: this.k, indices, distances };
  }
}

export function squaredDistance(data: KnnData, a: number, b: number, d: number): number {
  let s = 0;
  const oa = a * d;
  const ob = b * d;
  for (let t = 0; t < d; t++) {
    const diff = (data[oa + t] as number) - (data[ob + t] as number);
    s += diff * diff;
  }
  return s;
}

export function squaredDistance32(x: Float32Array, a: number, b: number, d: number): number {
  // Four accumulators break the add dependency chain (measured ~2× on PCA-50 rows).
  let s0 = 0;
  let s1 = 0;
  let s2 = 0;
  let s3 = 0;
  const oa = a * d;
  const ob = b * d;
  let t = 0;
  for (; t + 4 <= d; t += 4) {
    const e0 = (x[oa + t] as number) - (x[ob + t] as number);
    const e1 = (x[oa + t + 1] as number) - (x[ob + t + 1] as number);
    const e2 = (x[oa + t + 2] as number) - (x[ob + t + 2] as number);
    const e3 = (x[oa + t + 3] as number) - (x[ob + t + 3] as number);
    s0 += e0 * e0;
    s1 += e1 * e1;
    s2 += e2 * e2;
    s3 += e3 * e3;
  }
  for (; t < d; t++) {
    const e = (x[oa + t] as number) - (x[ob + t] as number);
    s0 += e * e;
  }
  return s0 + s1 + (s2 + s3);
}

/**
 * Rows from … to − 1 of a sorted graph: distances recomputed exactly from `data` (float32 candidates can only
 * reorder near-ties), then each row re-sorted by (distance, index) — rows are nearly sorted, so insertion sort.
 */
export function exactRowDistances(data: KnnData, d: number, k: number, from: number, to: number, indices: Int32Array, distances: Float64Array): void {
  for (let r = from; r < to; r++) {
    const base = r * k;
    for (let t = 0; t < k; t++) distances[base + t] = squaredDistance(data, r, indices[base + t] as number, d);
    for (let t = 1; t < k; t++) {
      const dt = distances[base + t] as number;
      const j = indices[base + t] as number;
      let u = t - 1;
      while (u >= 0) {
        const du = distances[base + u] as number;
        if (du < dt || (du === dt && (indices[base + u] as number) < j)) break;
        distances[base + u + 1] = du;
        indices[base + u + 1] = indices[base + u] as number;
        u--;
      }
      distances[base + u + 1] = dt;
      indices[base + u + 1] = j;
    }
  }
}

/**
 * Rows start + from … start + to − 1 of a block of x·xᵀ (`dot`, rows × n from row `start`) offered to their heaps
 * as squared distances ‖x_i‖² + ‖x_j‖² − 2 x_i·x_j (`norms` = ‖x‖², float32); the point itself is skipped.
 */
export function offerDotProductRows(heaps: RowHeaps, dot: Float32Array, start: number, from: number, to: number, norms: Float32Array, n: number): void {
  for (let r = from; r < to; r++) {
    const i = start + r;
    const ni = norms[i] as number;
    const off = r * n;
    let bound = heaps.bound(i);
    for (let j = 0; j < n; j++) {
      const dist = ni + (norms[j] as number) - 2 * (dot[off + j] as number);
      if (dist <= bound && j !== i) {
        heaps.push(i, dist, j);
        bound = heaps.bound(i);
      }
    }
  }
}

/**
 * `squaredDistance32`'s pattern in float32 arithmetic (each step rounded to float32, as WebAssembly's
 * `distancesFromFirstF32` does it four lanes wide): lane l sums elements t ≡ l (mod 4) below d − d mod 4, the
 * tail goes into lane 0, then (l0 + l1) + (l2 + l3). Twice as fast in SIMD as the float64 sums; for candidates only.
 */
export function squaredDistanceF32(x: Float32Array, a: number, b: number, d: number): number {
  const f = Math.fround;
  let s0 = 0;
  let s1 = 0;
  let s2 = 0;
  let s3 = 0;
  const oa = a * d;
  const ob = b * d;
  let t = 0;
  for (; t + 4 <= d; t += 4) {
    const e0 = f((x[oa + t] as number) - (x[ob + t] as number));
    const e1 = f((x[oa + t + 1] as number) - (x[ob + t + 1] as number));
    const e2 = f((x[oa + t + 2] as number) - (x[ob + t + 2] as number));
    const e3 = f((x[oa + t + 3] as number) - (x[ob + t + 3] as number));
    s0 = f(s0 + f(e0 * e0));
    s1 = f(s1 + f(e1 * e1));
    s2 = f(s2 + f(e2 * e2));
    s3 = f(s3 + f(e3 * e3));
  }
  for (; t < d; t++) {
    const e = f((x[oa + t] as number) - (x[ob + t] as number));
    s0 = f(s0 + f(e * e));
  }
  return f(f(s0 + s1) + f(s2 + s3));
}

/**
 * Exact search without a matrix product: rows from … to − 1 each measured against every point in float32
 * (`squaredDistanceF32`) and offered to their heaps (the point itself skipped); the caller re-measures the kept
 * neighbours at the input's precision (`exactRowDistances`), as after the matrix product. With `wasm` the points
 * sit once behind a query slot in the thread's WebAssembly memory (`loaded` says they are there already) and
 * each row is one `fromFirstF32` call over all n, the same sums. Heaps order by (distance, index), so the graph
 * is the same for any split of the rows. Returns whether the points are now loaded in `wasm`.
 */
export function offerAllPoints(heaps: RowHeaps, x: Float32Array, n: number, d: number, from: number, to: number, wasm: WasmDistances | undefined, loaded: boolean): boolean {
  if (wasm === undefined) {
    for (let i = from; i < to; i++) {
      let bound = heaps.bound(i);
      for (let j = 0; j < n; j++) {
        if (j === i) continue;
        const dist = squaredDistanceF32(x, i, j, d);
        if (dist <= bound) {
          heaps.push(i, dist, j);
          bound = heaps.bound(i);
        }
      }
    }
    return false;
  }
  const rows = wasm.rows(n + 1, d, n);
  if (!loaded) rows.set(x.subarray(0, n * d), d);
  for (let i = from; i < to; i++) {
    rows.copyWithin(0, (i + 1) * d, (i + 2) * d);
    const dist = wasm.fromFirstF32(n, d);
    let bound = heaps.bound(i);
    for (let j = 0; j < n; j++) {
      const dj = dist[j] as number;
      if (dj <= bound && j !== i) {
        heaps.push(i, dj, j);
        bound = heaps.bound(i);
      }
    }
  }
  return true;
}

/** A random-projection forest's leaves, and the heaps its candidates go to. */
export interface ForestRows {
  /** n × d float32 coordinates the candidates are measured in. */
  x: Float32Array;
  n: number;
  d: number;
  trees: number;
  /** Most points in a leaf. */
  leafSize: number;
  /** Tree t's points in leaf order at t·n …; the first tree's order is also the order rows are visited in. */
  leafPerm: Int32Array;
  /** leafStartOf[t·n + i], leafEndOf[t·n + i]: the range of leafPerm that is i's leaf in tree t. */
  leafStartOf: Int32Array;
  leafEndOf: Int32Array;
  heaps: RowHeaps;
}

/**
 * The leaf phase for the leaves of tree `tree` that start at positions from … to − 1 of its leaf order: every
 * pair of points in a leaf is measured once and offered to both rows, unless the pair already shared a leaf of
 * an earlier tree. Each row so gets the union of its leaves' members, as a per-row pass would, and since the
 * heaps order by (distance, index) they end up the same; but a leaf's rows are copied into `block` and measured
 * from there, so the d-float rows come from cache (the per-row pass took a cache miss per candidate row: 385 ns per
 * candidate at 70k PCA-50 points; here ~200 ns per pair, two offers, with WebAssembly distances — the heap pushes
 * are most of it now). `block` must hold the largest leaf's rows (leaf size × d floats).
 */
export function offerLeafPairs(f: ForestRows, tree: number, from: number, to: number, block: Float32Array, wasm?: WasmDistances): void {
  const { x, n, d, leafPerm, leafStartOf, leafEndOf, heaps } = f;
  const base = tree * n;
  for (let q = from; q < to; q++) {
    const head = leafPerm[base + q] as number;
    if (leafStartOf[base + head] !== base + q) continue;
    const m = (leafEndOf[base + head] as number) - base - q;
    const rows = wasm === undefined ? block : wasm.rows(m, d, m * m);
    for (let a = 0; a < m; a++) {
      const i = leafPerm[base + q + a] as number;
      rows.set(x.subarray(i * d, i * d + d), a * d);
    }
    // In WebAssembly SIMD all pairs at once (the same sums, 4–5× faster), else one by one below.
    const pairs = wasm?.pairs(m, d);
    for (let a = 0; a < m; a++) {
      const i = leafPerm[base + q + a] as number;
      for (let b = a + 1; b < m; b++) {
        const j = leafPerm[base + q + b] as number;
        let met = false;
        for (let u = 0; u < tree && !met; u++) met = leafStartOf[u * n + i] === leafStartOf[u * n + j];
        if (met) continue;
        // The same sums as squaredDistance32(x, i, j, d), and (x_j − x_i)² = (x_i − x_j)²: both rows get the bits a per-row pass would.
        const dist = pairs === undefined ? squaredDistance32(block, a, b, d) : (pairs[a * m + b] as number);
        if (dist <= heaps.bound(i)) heaps.push(i, dist, j);
        if (dist <= heaps.bound(j)) heaps.push(j, dist, i);
      }
    }
  }
}

/**
 * One NN-descent step (Dong et al. 2011) for the rows at visiting positions from … to − 1: each is offered the
 * neighbours of its `hops` nearest neighbours in `frozen` (all rows sorted before the step, so the result does
 * not depend on the visiting order). `seen` holds marks of row i as `stamp + i` (a thread's marks array is
 * shared by its rows, and stamps keep one search's phases apart), so no candidate is measured twice for a row.
 */
export function offerNeighboursOfNeighbours(
  f: ForestRows,
  frozen: Int32Array,
  k: number,
  hops: number,
  from: number,
  to: number,
  seen: Int32Array,
  stamp: number,
  wasm?: WasmDistances,
): void {
  const { x, d, leafPerm, heaps } = f;
  const candidates = new Int32Array(hops * k);
  for (let q = from; q < to; q++) {
    const i = leafPerm[q] as number;
    const mark = stamp + i;
    seen[i] = mark;
    for (let s = 0; s < k; s++) seen[frozen[i * k + s] as number] = mark;
    let count = 0;
    for (let s = 0; s < hops; s++) {
      const j = frozen[i * k + s] as number;
      for (let u = 0; u < k; u++) {
        const v = frozen[j * k + u] as number;
        if (seen[v] === mark) continue;
        seen[v] = mark;
        candidates[count++] = v;
      }
    }
    if (wasm === undefined) {
      for (let c = 0; c < count; c++) {
        const v = candidates[c] as number;
        const dist = squaredDistance32(x, i, v, d);
        if (dist <= heaps.bound(i)) heaps.push(i, dist, v);
      }
      continue;
    }
    // The candidates' rows gathered behind row i, measured in one WebAssembly call (the same sums), offered in the same order.
    const rows = wasm.rows(count + 1, d, count);
    rows.set(x.subarray(i * d, i * d + d));
    for (let c = 0; c < count; c++) {
      const v = candidates[c] as number;
      rows.set(x.subarray(v * d, v * d + d), (c + 1) * d);
    }
    const dist = wasm.fromFirst(count, d);
    for (let c = 0; c < count; c++) {
      const v = candidates[c] as number;
      const dv = dist[c] as number;
      if (dv <= heaps.bound(i)) heaps.push(i, dv, v);
    }
  }
}
