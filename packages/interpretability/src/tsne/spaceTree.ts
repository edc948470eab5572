import type { RepulsionFn } from "./gradient.js";

const LEAF_CAPACITY = 4;
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
  private readonly y: Float64Array;
  private readonly perm: Int32Array;
  /** Coordinates in tree order (sortedY[p] = y[perm[p]]), so a leaf's points are read from contiguous memory. */
  private readonly sortedY: Float64Array;
  /** Per node, one cache line for the walk: [com₀, com₁, com₂, centre₀, centre₁, centre₂, half width, count]. */
  private readonly nodeF: Float64Array;
  /** Per node: [first child (−1 for a leaf), start, end, unused]. */
  private readonly nodeI: Int32Array;
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
  private readonly orthantCode: Uint8Array;
  /** Per depth: 8 orthant counts then 8 offsets. */
  private readonly orthantCounts: Int32Array;

  constructor(y: Float64Array, n: number, dims: number) {
    this.dims = dims;
    this.y = y;
    this.perm = new Int32Array(n);
    for (let i = 0; i < n; i++) this.perm[i] = i;
    this.scratch = new Int32Array(n);
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
    this.build(root, 0, n, 0);
    this.sortedY = new Float64Array(n * dims);
    for (let p = 0; p < n; p++) for (let t = 0; t < dims; t++) this.sortedY[p * dims + t] = y[(this.perm[p] as number) * dims + t] as number;
    const size = this.size;
    this.nodeF = new Float64Array(size * NODE_F);
    this.nodeI = new Int32Array(size * NODE_I);
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

  private build(node: number, from: number, to: number, depth: number): void {
    const dims = this.dims;
    const y = this.y;
    const perm = this.perm;
    this.count[node] = to - from;
    this.start[node] = from;
    this.end[node] = to;
    this.firstChild[node] = -1;
    for (let t = 0; t < dims; t++) {
      let s = 0;
      for (let p = from; p < to; p++) s += y[(perm[p] as number) * dims + t] as number;
      this.com[node * dims + t] = to > from ? s / (to - from) : 0;
    }
    if (to - from <= LEAF_CAPACITY || depth >= MAX_DEPTH || (this.half[node] as number) < 1e-12) return;
    // Counting sort of the range by orthant (orthant codes kept in scratch space, no per-node allocation).
    const orthants = 1 << dims;
    const counts = this.orthantCounts.subarray(depth * 16, depth * 16 + 8);
    const offsets = this.orthantCounts.subarray(depth * 16 + 8, depth * 16 + 16);
    counts.fill(0);
    const c0 = this.center[node * dims] as number;
    const c1 = this.center[node * dims + 1] as number;
    const c2 = dims === 3 ? (this.center[node * dims + 2] as number) : 0;
    const code = this.orthantCode;
    for (let p = from; p < to; p++) {
      const i = perm[p] as number;
      const o =
        ((y[i * dims] as number) >= c0 ? 1 : 0) | ((y[i * dims + 1] as number) >= c1 ? 2 : 0) | (dims === 3 && (y[i * dims + 2] as number) >= c2 ? 4 : 0);
      code[p] = o;
      counts[o]!++;
    }
    offsets[0] = 0;
    for (let o = 1; o < orthants; o++) offsets[o] = (offsets[o - 1] as number) + (counts[o - 1] as number);
    const scratch = this.scratch;
    for (let p = from; p < to; p++) scratch[from + offsets[code[p] as number]!++] = perm[p] as number;
    for (let o = orthants - 1; o > 0; o--) offsets[o] = offsets[o - 1] as number;
    offsets[0] = 0;
    perm.set(scratch.subarray(from, to), from);
    const first = this.alloc(orthants);
    this.firstChild[node] = first;
    const childHalf = 0.5 * (this.half[node] as number);
    for (let o = 0; o < orthants; o++) {
      const child = first + o;
      this.half[child] = childHalf;
      this.center[child * dims] = c0 + (o & 1 ? childHalf : -childHalf);
      this.center[child * dims + 1] = c1 + (o & 2 ? childHalf : -childHalf);
      if (dims === 3) this.center[child * dims + 2] = c2 + (o & 4 ? childHalf : -childHalf);
      const childFrom = from + (offsets[o] as number);
      this.build(child, childFrom, childFrom + (counts[o] as number), depth + 1);
    }
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

/** Barnes–Hut repulsion with opening angle θ (θ = 0 is exact). */
export function barnesHutRepulsion(theta: number): RepulsionFn {
  const f = new Float64Array(3);
  return (y, n, dims, forces) => {
    const tree = new SpaceTree(y, n, dims);
    const order = tree.order;
    let z = 0;
    // Queries in tree order walk nearly the same cells one after another (cache-warm).
    for (let q = 0; q < n; q++) {
      const i = order[q] as number;
      const o = i * dims;
      z += tree.query(y[o] as number, y[o + 1] as number, dims === 3 ? (y[o + 2] as number) : 0, i, theta, f);
      forces[o] = f[0] as number;
      forces[o + 1] = f[1] as number;
      if (dims === 3) forces[o + 2] = f[2] as number;
    }
    return z;
  };
}
