import type { WasmListSums } from "./wasm/wasmKernels.js";

const LEAF_CAPACITY = 4;
/**
 * Most points sharing one tree walk in `groupRepulsion` (Barnes 1990). Measured on the final 10k MNIST embedding
 * (2-D, θ = 0.5, one thread, per-point walk ÷ group walk): group size 8 → 1.6×, 16 → 1.9×, 32 → 2.0×, 64 → 2.3×,
 * 128 → 2.1× faster; relative force error against the exact sum 1.22 % per point → 1.23, 1.05, 0.80, 0.72, 0.54 %.
 */
export const BH_GROUP_SIZE = 64;
const MAX_DEPTH = 48;
const NODE_F = 8;
const NODE_I = 4;

/**
 * A quadtree (2-D) or octree (3-D) over embedding points for Barnes–Hut summation (van der Maaten 2014,
 * section 4.2). Cells are cubes; each stores its point count and centre of mass; leaves hold up to a few
 * points (or any number of coincident ones) and are summed exactly.
 */
export class SpaceTree {
  readonly dims: number;
  private readonly perm: Int32Array;
  /** Coordinates in tree order (sortedY[p] = y[perm[p]]), so a leaf's points are read from contiguous memory. */
  private readonly sortedY: Float64Array;
  /** Per node, one cache line for the walk: [com₀, com₁, com₂, centre₀, centre₁, centre₂, half width, count]. */
  private nodeF: Float64Array;
  /** Per node: [first child (−1 for a leaf), start, end, unused]. */
  private nodeI: Int32Array;
  private center: Float64Array;
  private com: Float64Array;
  private half: Float64Array;
  private count: Int32Array;
  private firstChild: Int32Array;
  private start: Int32Array;
  private end: Int32Array;
  private size = 0;
  private readonly stack: Int32Array;
  private readonly scratch: Int32Array;
  private readonly scratchY: Float64Array;
  private readonly orthantCode: Uint8Array;
  /** Per depth: 8 orthant counts then 8 offsets. */
  private readonly orthantCounts: Int32Array;
  /** Group g covers tree-order positions groupStart[g] … groupStart[g + 1] − 1 (built on first use). */
  private groupStart: Int32Array | undefined;
  /** Interaction list of the current group walk: [coordinates…, count] per entry. */
  private list: Float64Array = new Float64Array(0);

  constructor(y: Float64Array, n: number, dims: number) {
    this.dims = dims;
    this.perm = new Int32Array(n);
    this.scratch = new Int32Array(n);
    this.scratchY = new Float64Array(n * dims);
    this.orthantCode = new Uint8Array(n);
    this.orthantCounts = new Int32Array((MAX_DEPTH + 1) * 16);
    const capacity = Math.max(16, 2 * n);
    this.center = new Float64Array(capacity * dims);
    this.com = new Float64Array(capacity * dims);
    this.half = new Float64Array(capacity);
    this.count = new Int32Array(capacity);
    this.firstChild = new Int32Array(capacity);
    this.start = new Int32Array(capacity);
    this.end = new Int32Array(capacity);
    this.stack = new Int32Array(MAX_DEPTH * (1 << dims) + 16);
    this.sortedY = new Float64Array(n * dims);
    this.nodeF = new Float64Array(capacity * NODE_F);
    this.nodeI = new Int32Array(capacity * NODE_I);
    this.rebuild(y);
  }

  /**
   * Builds the tree again over new coordinates of the same points, reusing this tree's memory (a t-SNE run
   * rebuilds it every iteration). The result does not depend on the tree it replaces.
   */
  rebuild(y: Float64Array): void {
    const dims = this.dims;
    const n = this.perm.length;
    if (y.length < n * dims) throw new Error(`SpaceTree.rebuild needs ${n * dims} coordinates, got ${y.length}`);
    this.size = 0;
    this.groupStart = undefined;
    for (let i = 0; i < n; i++) this.perm[i] = i;
    const lo = [Infinity, Infinity, Infinity];
    const hi = [-Infinity, -Infinity, -Infinity];
    for (let i = 0; i < n; i++) {
      for (let t = 0; t < dims; t++) {
        const v = y[i * dims + t] as number;
        if (v < (lo[t] as number)) lo[t] = v;
        if (v > (hi[t] as number)) hi[t] = v;
      }
    }
    let halfWidth = 0;
    const root = this.alloc(1);
    for (let t = 0; t < dims; t++) {
      this.center[root * dims + t] = 0.5 * ((lo[t] as number) + (hi[t] as number));
      halfWidth = Math.max(halfWidth, 0.5 * ((hi[t] as number) - (lo[t] as number)));
    }
    this.half[root] = halfWidth * (1 + 1e-9) + 1e-12;
    this.sortedY.set(y.subarray(0, n * dims));
    this.build(root, 0, n, 0);
    const size = this.size;
    if (this.nodeI.length < size * NODE_I) {
      const room = Math.ceil(1.25 * size);
      this.nodeF = new Float64Array(room * NODE_F);
      this.nodeI = new Int32Array(room * NODE_I);
    }
    for (let node = 0; node < size; node++) {
      const f = node * NODE_F;
      for (let t = 0; t < dims; t++) {
        this.nodeF[f + t] = this.com[node * dims + t] as number;
        this.nodeF[f + 3 + t] = this.center[node * dims + t] as number;
      }
      this.nodeF[f + 6] = this.half[node] as number;
      this.nodeF[f + 7] = this.count[node] as number;
      this.nodeI[node * NODE_I] = this.firstChild[node] as number;
      this.nodeI[node * NODE_I + 1] = this.start[node] as number;
      this.nodeI[node * NODE_I + 2] = this.end[node] as number;
    }
  }

  /**
   * Tree-order start of each point group: the largest subtrees of at most `BH_GROUP_SIZE` points (a leaf of
   * coincident points may hold more), in tree order, with a final entry n.
   */
  get groups(): Int32Array {
    if (this.groupStart === undefined) {
      const starts: number[] = [];
      const visit = (node: number): void => {
        const count = this.count[node] as number;
        if (count === 0) return;
        const first = this.firstChild[node] as number;
        if (count <= BH_GROUP_SIZE || first < 0) {
          starts.push(this.start[node] as number);
          return;
        }
        for (let o = 0; o < 1 << this.dims; o++) visit(first + o);
      };
      visit(0);
      starts.push(this.perm.length);
      this.groupStart = Int32Array.from(starts);
    }
    return this.groupStart;
  }

  /** Index of the first group that starts at tree-order position `position` or later (groups.length − 1 if none). */
  firstGroupFrom(position: number): number {
    const groups = this.groups;
    let lo = 0;
    let hi = groups.length - 1;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if ((groups[mid] as number) < position) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  /** Point indices in tree (depth-first) order: consecutive ones are close in space. */
  get order(): Int32Array {
    return this.perm;
  }

  private alloc(k: number): number {
    const first = this.size;
    this.size += k;
    if (this.size > this.half.length) {
      const cap = Math.max(this.size, 2 * this.half.length);
      const grow = <T extends Float64Array | Int32Array>(a: T, per: number): T => {
        const b = new (a.constructor as new (len: number) => T)(cap * per);
        b.set(a);
        return b;
      };
      this.center = grow(this.center, this.dims);
      this.com = grow(this.com, this.dims);
      this.half = grow(this.half, 1);
      this.count = grow(this.count, 1);
      this.firstChild = grow(this.firstChild, 1);
      this.start = grow(this.start, 1);
      this.end = grow(this.end, 1);
    }
    return first;
  }

  /**
   * Splits tree-order positions from … to − 1 below `node`. Points and their coordinates (sortedY) move
   * together, so every pass reads memory in order; centres of mass are summed from the leaves up. The loops
   * live in non-recursive helpers: inside this recursive method V8 deoptimised them on every build.
   */
  private build(node: number, from: number, to: number, depth: number): void {
    const dims = this.dims;
    const count = to - from;
    this.count[node] = count;
    this.start[node] = from;
    this.end[node] = to;
    this.firstChild[node] = -1;
    if (count <= LEAF_CAPACITY || depth >= MAX_DEPTH || (this.half[node] as number) < 1e-12) {
      this.leafCentreOfMass(node, from, to);
      return;
    }
    const at = depth * 16;
    this.sortByOrthant(node, from, to, at);
    const orthants = 1 << dims;
    const first = this.alloc(orthants);
    this.firstChild[node] = first;
    const childHalf = 0.5 * (this.half[node] as number);
    let childFrom = from;
    for (let o = 0; o < orthants; o++) {
      const child = first + o;
      this.half[child] = childHalf;
      for (let t = 0; t < dims; t++) this.center[child * dims + t] = (this.center[node * dims + t] as number) + ((o >> t) & 1 ? childHalf : -childHalf);
      const childCount = this.orthantCounts[at + o] as number;
      this.build(child, childFrom, childFrom + childCount, depth + 1);
      childFrom += childCount;
    }
    for (let t = 0; t < dims; t++) {
      let s = 0;
      for (let o = 0; o < orthants; o++) s += (this.count[first + o] as number) * (this.com[(first + o) * dims + t] as number);
      this.com[node * dims + t] = s / count;
    }
  }

  private leafCentreOfMass(node: number, from: number, to: number): void {
    const dims = this.dims;
    const y = this.sortedY;
    for (let t = 0; t < dims; t++) {
      let s = 0;
      for (let p = from; p < to; p++) s += y[p * dims + t] as number;
      this.com[node * dims + t] = to > from ? s / (to - from) : 0;
    }
  }

  /** Counting sort of positions from … to − 1 by orthant about `node`'s centre; orthantCounts[at + o] gets orthant o's size. */
  private sortByOrthant(node: number, from: number, to: number, at: number): void {
    const dims = this.dims;
    const counts = this.orthantCounts;
    for (let o = 0; o < 16; o++) counts[at + o] = 0;
    classifyOrthants(this.sortedY, dims, from, to, this.center, node, this.orthantCode, counts, at);
    // counts[at + 8 + o]: next free position of orthant o.
    let next = from;
    for (let o = 0; o < 1 << dims; o++) {
      counts[at + 8 + o] = next;
      next += counts[at + o] as number;
    }
    scatterByOrthant(this.sortedY, this.perm, dims, from, to, this.orthantCode, counts, at, this.scratchY, this.scratch);
    this.perm.set(this.scratch.subarray(from, to), from);
    this.sortedY.set(this.scratchY.subarray(from * dims, to * dims), from * dims);
  }

  /**
   * Repulsion on the points of groups `from` … `to` − 1 (see `groups`): Σ_{j≠i} w_ij² (y_i − y_j) into
   * `forces` (input order) for each of their points i, and returns Σ_i Σ_{j≠i} w_ij. One tree walk per group
   * (Barnes 1990) gathers the cells and points its members interact with: a cell is summarised by its centre of
   * mass when its width < θ × the distance from that centre to the group's bounding box and the cell does not
   * overlap the box, so every member sees the cell at an angle below θ (as accurate as per-point Barnes–Hut).
   * Each member then sums the list in a tight loop; the list holds the member itself (w = 1, no force), which is
   * taken out of the sum. With `listSums` (2-D) the list is built in WebAssembly memory and summed there: the
   * same numbers, about twice as fast.
   */
  groupRepulsion(from: number, to: number, theta: number, forces: Float64Array, listSums?: WasmListSums): number {
    const wasm = this.dims === 2 ? listSums : undefined;
    const groups = this.groups;
    const dims = this.dims;
    const y = this.sortedY;
    const perm = this.perm;
    const nodeF = this.nodeF;
    const nodeI = this.nodeI;
    const stack = this.stack;
    const theta2 = theta * theta;
    const orthants = 1 << dims;
    let zTotal = 0;
    for (let g = from; g < to; g++) {
      const first = groups[g] as number;
      const last = groups[g + 1] as number;
      // Bounding box of the group's points.
      let lo0 = Infinity;
      let lo1 = Infinity;
      let lo2 = dims === 3 ? Infinity : 0;
      let hi0 = -Infinity;
      let hi1 = -Infinity;
      let hi2 = dims === 3 ? -Infinity : 0;
      for (let p = first; p < last; p++) {
        const v0 = y[p * dims] as number;
        const v1 = y[p * dims + 1] as number;
        if (v0 < lo0) lo0 = v0;
        if (v0 > hi0) hi0 = v0;
        if (v1 < lo1) lo1 = v1;
        if (v1 > hi1) hi1 = v1;
        if (dims === 3) {
          const v2 = y[p * dims + 2] as number;
          if (v2 < lo2) lo2 = v2;
          if (v2 > hi2) hi2 = v2;
        }
      }
      let list: Float64Array = wasm === undefined ? this.list : wasm.list(0);
      let length = 0;
      const stride = dims + 1;
      let top = 0;
      stack[top++] = 0;
      while (top > 0) {
        const node = stack[--top] as number;
        const nf = node * NODE_F;
        const cnt = nodeF[nf + 7] as number;
        if (cnt === 0) continue;
        const c0 = nodeF[nf] as number;
        const c1 = nodeF[nf + 1] as number;
        const c2 = nodeF[nf + 2] as number;
        const h = nodeF[nf + 6] as number;
        // Distance from the centre of mass to the box, and whether the cell's cube overlaps the box.
        const e0 = c0 < lo0 ? lo0 - c0 : c0 > hi0 ? c0 - hi0 : 0;
        const e1 = c1 < lo1 ? lo1 - c1 : c1 > hi1 ? c1 - hi1 : 0;
        const e2 = c2 < lo2 ? lo2 - c2 : c2 > hi2 ? c2 - hi2 : 0;
        const dist2 = e0 * e0 + e1 * e1 + e2 * e2;
        const fc = nodeI[node * NODE_I] as number;
        if (4 * h * h < theta2 * dist2) {
          const m0 = nodeF[nf + 3] as number;
          const m1 = nodeF[nf + 4] as number;
          const m2 = nodeF[nf + 5] as number;
          const apart = m0 + h < lo0 || m0 - h > hi0 || m1 + h < lo1 || m1 - h > hi1 || (dims === 3 && (m2 + h < lo2 || m2 - h > hi2));
          if (apart) {
            if (length + stride > list.length) list = wasm === undefined ? this.growList(length + stride) : wasm.list(length + stride);
            list[length] = c0;
            list[length + 1] = c1;
            if (dims === 3) list[length + 2] = c2;
            list[length + dims] = cnt;
            length += stride;
            continue;
          }
        }
        if (fc >= 0) {
          for (let o = 0; o < orthants; o++) stack[top++] = fc + o;
          continue;
        }
        const stop = nodeI[node * NODE_I + 2] as number;
        const begin = nodeI[node * NODE_I + 1] as number;
        if (length + stride * (stop - begin) > list.length) {
          list = wasm === undefined ? this.growList(length + stride * (stop - begin)) : wasm.list(length + stride * (stop - begin));
        }
        for (let p = begin; p < stop; p++) {
          for (let t = 0; t < dims; t++) list[length + t] = y[p * dims + t] as number;
          list[length + dims] = 1;
          length += stride;
        }
      }
      if (dims === 3) zTotal += sumList3(list, length, y, perm, first, last, forces);
      else zTotal += wasm?.sum2(length, y, perm, first, last, forces) ?? sumList2(list, length, y, perm, first, last, forces);
    }
    return zTotal;
  }

  private growList(least: number): Float64Array {
    const grown = new Float64Array(Math.max(least, 2 * this.list.length, 1024));
    grown.set(this.list);
    this.list = grown;
    return grown;
  }

  /**
   * Σ_j w² (q − y_j) into `force` and returns Σ_j w, over all tree points except `exclude`. A cell is
   * summarised by its centre of mass when its width / distance < θ and q lies outside it.
   */
  query(q0: number, q1: number, q2: number, exclude: number, theta: number, force: Float64Array): number {
    const dims = this.dims;
    const y = this.sortedY;
    const theta2 = theta * theta;
    const stack = this.stack;
    // Hoisted so the hot loop reads locals, not fields.
    const nodeF = this.nodeF;
    const nodeI = this.nodeI;
    const perm = this.perm;
    const orthants = 1 << dims;
    let top = 0;
    stack[top++] = 0;
    let z = 0;
    let f0 = 0;
    let f1 = 0;
    let f2 = 0;
    while (top > 0) {
      const node = stack[--top] as number;
      const nf = node * NODE_F;
      const cnt = nodeF[nf + 7] as number;
      if (cnt === 0) continue;
      const fc = nodeI[node * NODE_I] as number;
      if (fc < 0) {
        const stop = nodeI[node * NODE_I + 2] as number;
        for (let p = nodeI[node * NODE_I + 1] as number; p < stop; p++) {
          if (perm[p] === exclude) continue;
          const d0 = q0 - (y[p * dims] as number);
          const d1 = q1 - (y[p * dims + 1] as number);
          const d2 = dims === 3 ? q2 - (y[p * dims + 2] as number) : 0;
          const w = 1 / (1 + d0 * d0 + d1 * d1 + d2 * d2);
          z += w;
          const w2 = w * w;
          f0 += w2 * d0;
          f1 += w2 * d1;
          f2 += w2 * d2;
        }
        continue;
      }
      const d0 = q0 - (nodeF[nf] as number);
      const d1 = q1 - (nodeF[nf + 1] as number);
      const d2 = dims === 3 ? q2 - (nodeF[nf + 2] as number) : 0;
      const dist2 = d0 * d0 + d1 * d1 + d2 * d2;
      const h = nodeF[nf + 6] as number;
      const width = 2 * h;
      const outside =
        Math.abs(q0 - (nodeF[nf + 3] as number)) > h ||
        Math.abs(q1 - (nodeF[nf + 4] as number)) > h ||
        (dims === 3 && Math.abs(q2 - (nodeF[nf + 5] as number)) > h);
      if (outside && width * width < theta2 * dist2) {
        const w = 1 / (1 + dist2);
        z += cnt * w;
        const cw2 = cnt * w * w;
        f0 += cw2 * d0;
        f1 += cw2 * d1;
        f2 += cw2 * d2;
      } else {
        for (let o = 0; o < orthants; o++) stack[top++] = fc + o;
      }
    }
    force[0] = f0;
    force[1] = f1;
    force[2] = f2;
    return z;
  }
}

/**
 * Sums a 2-D interaction list for tree-order points first … last − 1 (each in the list once, w = 1, no force).
 * Two points share each pass over the list (one load of each entry, two independent chains): 25 % faster than
 * one at a time, with the same sums in the same order.
 */
function sumList2(list: Float64Array, length: number, y: Float64Array, perm: Int32Array, first: number, last: number, forces: Float64Array): number {
  let zGroup = 0;
  let p = first;
  for (; p + 1 < last; p += 2) {
    const a0 = y[2 * p] as number;
    const a1 = y[2 * p + 1] as number;
    const b0 = y[2 * p + 2] as number;
    const b1 = y[2 * p + 3] as number;
    let za = 0;
    let fa0 = 0;
    let fa1 = 0;
    let zb = 0;
    let fb0 = 0;
    let fb1 = 0;
    for (let e = 0; e < length; e += 3) {
      const x0 = list[e] as number;
      const x1 = list[e + 1] as number;
      const c = list[e + 2] as number;
      const da0 = a0 - x0;
      const da1 = a1 - x1;
      const db0 = b0 - x0;
      const db1 = b1 - x1;
      const wa = 1 / (1 + da0 * da0 + da1 * da1);
      const wb = 1 / (1 + db0 * db0 + db1 * db1);
      const ca = c * wa;
      const cb = c * wb;
      za += ca;
      zb += cb;
      const ca2 = ca * wa;
      const cb2 = cb * wb;
      fa0 += ca2 * da0;
      fa1 += ca2 * da1;
      fb0 += cb2 * db0;
      fb1 += cb2 * db1;
    }
    const i = perm[p] as number;
    const j = perm[p + 1] as number;
    forces[2 * i] = fa0;
    forces[2 * i + 1] = fa1;
    forces[2 * j] = fb0;
    forces[2 * j + 1] = fb1;
    zGroup += za - 1;
    zGroup += zb - 1;
  }
  if (p < last) {
    const q0 = y[2 * p] as number;
    const q1 = y[2 * p + 1] as number;
    let z = 0;
    let f0 = 0;
    let f1 = 0;
    for (let e = 0; e < length; e += 3) {
      const d0 = q0 - (list[e] as number);
      const d1 = q1 - (list[e + 1] as number);
      const w = 1 / (1 + d0 * d0 + d1 * d1);
      const cw = (list[e + 2] as number) * w;
      z += cw;
      const cw2 = cw * w;
      f0 += cw2 * d0;
      f1 += cw2 * d1;
    }
    const i = perm[p] as number;
    forces[2 * i] = f0;
    forces[2 * i + 1] = f1;
    zGroup += z - 1;
  }
  return zGroup;
}

/** `sumList2` in 3-D. */
function sumList3(list: Float64Array, length: number, y: Float64Array, perm: Int32Array, first: number, last: number, forces: Float64Array): number {
  let zGroup = 0;
  for (let p = first; p < last; p++) {
    const q0 = y[3 * p] as number;
    const q1 = y[3 * p + 1] as number;
    const q2 = y[3 * p + 2] as number;
    let z = 0;
    let f0 = 0;
    let f1 = 0;
    let f2 = 0;
    for (let e = 0; e < length; e += 4) {
      const d0 = q0 - (list[e] as number);
      const d1 = q1 - (list[e + 1] as number);
      const d2 = q2 - (list[e + 2] as number);
      const w = 1 / (1 + d0 * d0 + d1 * d1 + d2 * d2);
      const cw = (list[e + 3] as number) * w;
      z += cw;
      const cw2 = cw * w;
      f0 += cw2 * d0;
      f1 += cw2 * d1;
      f2 += cw2 * d2;
    }
    const i = perm[p] as number;
    forces[3 * i] = f0;
    forces[3 * i + 1] = f1;
    forces[3 * i + 2] = f2;
    zGroup += z - 1;
  }
  return zGroup;
}

/** Orthant code of each position about the node's centre, and the count per orthant into counts[at + o]. */
function classifyOrthants(
  y: Float64Array,
  dims: number,
  from: number,
  to: number,
  center: Float64Array,
  node: number,
  code: Uint8Array,
  counts: Int32Array,
  at: number,
): void {
  // Number(boolean) compiles without a branch: the ternary form mispredicted on every other point (measured 23 → 6 ns per point).
  // One function per dimension: with both loops in one, V8 deoptimised it on ~60 % of builds (no type feedback for the other branch).
  if (dims === 2) classifyQuadrants(y, from, to, center[2 * node] as number, center[2 * node + 1] as number, code);
  else classifyOctants(y, from, to, center[3 * node] as number, center[3 * node + 1] as number, center[3 * node + 2] as number, code);
  for (let p = from; p < to; p++) counts[at + (code[p] as number)]!++;
}

function classifyQuadrants(y: Float64Array, from: number, to: number, c0: number, c1: number, code: Uint8Array): void {
  for (let p = from; p < to; p++) code[p] = Number((y[2 * p] as number) >= c0) + 2 * Number((y[2 * p + 1] as number) >= c1);
}

function classifyOctants(y: Float64Array, from: number, to: number, c0: number, c1: number, c2: number, code: Uint8Array): void {
  for (let p = from; p < to; p++) {
    code[p] = Number((y[3 * p] as number) >= c0) + 2 * Number((y[3 * p + 1] as number) >= c1) + 4 * Number((y[3 * p + 2] as number) >= c2);
  }
}

/** Moves each position's point and coordinates to the next free slot of its orthant (counts[at + 8 + o]) in the scratch arrays. */
function scatterByOrthant(
  y: Float64Array,
  perm: Int32Array,
  dims: number,
  from: number,
  to: number,
  code: Uint8Array,
  counts: Int32Array,
  at: number,
  scratchY: Float64Array,
  scratch: Int32Array,
): void {
  for (let p = from; p < to; p++) {
    const q = counts[at + 8 + (code[p] as number)]!++;
    scratch[q] = perm[p] as number;
    for (let t = 0; t < dims; t++) scratchY[q * dims + t] = y[p * dims + t] as number;
  }
}
