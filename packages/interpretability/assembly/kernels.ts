// AssemblyScript source of the t-SNE inner loops that run as WebAssembly SIMD (compiled by
// scripts/build-wasm.mjs into src/tsne/wasm/kernelsWasm.generated.ts; a unit test checks the two agree).
// Each function does the same floating-point operations in the same order as its TypeScript twin
// (kernels.ts `attractionRows`, spaceTree.ts `sumList2`), so the results are identical bit for bit:
// two lanes of f64x2 are two independent scalar computations. Pointers are byte offsets into the memory.

/**
 * Attraction over full CSR rows of P in 2-D: out[i] = Σ_e p_e w_e (y_i − y_j(e)), w = 1 / (1 + ‖y_i − y_j‖²),
 * for rows from … to − 1. Two entries per pass share one f64x2 division.
 */
export function attraction2(y: usize, rowPtr: usize, colIdx: usize, pValues: usize, out: usize, from: i32, to: i32): void {
  const one = f64x2.splat(1);
  for (let i = from; i < to; i++) {
    const yi = v128.load(y + (<usize>i << 4));
    let acc = f64x2.splat(0);
    const stop = load<i32>(rowPtr + (<usize>i << 2), 4);
    let e = load<i32>(rowPtr + (<usize>i << 2));
    for (; e + 1 < stop; e += 2) {
      const ja = <usize>load<i32>(colIdx + (<usize>e << 2));
      const jb = <usize>load<i32>(colIdx + (<usize>e << 2), 4);
      const da = f64x2.sub(yi, v128.load(y + (ja << 4)));
      const db = f64x2.sub(yi, v128.load(y + (jb << 4)));
      const sa = f64x2.mul(da, da);
      const sb = f64x2.mul(db, db);
      // Lanes: entry a, entry b. (1 + d0²) + d1², as the scalar code associates it.
      const dist = f64x2.add(f64x2.add(one, i64x2.shuffle(sa, sb, 0, 2)), i64x2.shuffle(sa, sb, 1, 3));
      const pw = f64x2.div(v128.load(pValues + (<usize>e << 3)), dist);
      acc = f64x2.add(acc, f64x2.mul(da, f64x2.splat(f64x2.extract_lane(pw, 0))));
      acc = f64x2.add(acc, f64x2.mul(db, f64x2.splat(f64x2.extract_lane(pw, 1))));
    }
    if (e < stop) {
      const j = <usize>load<i32>(colIdx + (<usize>e << 2));
      const d = f64x2.sub(yi, v128.load(y + (j << 4)));
      const s = f64x2.mul(d, d);
      const pw = load<f64>(pValues + (<usize>e << 3)) / (1 + f64x2.extract_lane(s, 0) + f64x2.extract_lane(s, 1));
      acc = f64x2.add(acc, f64x2.mul(d, f64x2.splat(pw)));
    }
    v128.store(out + (<usize>i << 4), acc);
  }
}

/**
 * One Barnes–Hut group's interaction list in 2-D: for each of `count` points (x, y pairs at `points`),
 * forces (into `out`, two per point) Σ c w² (q − x) and returns Σ over points of (Σ c w) − 1, with
 * w = 1 / (1 + ‖q − x‖²) over list entries [x₀, x₁, c]. Two points per pass, one in each lane.
 */
export function sumList2(list: usize, entries: i32, points: usize, count: i32, out: usize): f64 {
  const one = f64x2.splat(1);
  const end = list + <usize>entries * 24;
  let zGroup: f64 = 0;
  let p = 0;
  for (; p + 1 < count; p += 2) {
    const a = v128.load(points + (<usize>p << 4));
    const b = v128.load(points + (<usize>p << 4), 16);
    const q0 = i64x2.shuffle(a, b, 0, 2);
    const q1 = i64x2.shuffle(a, b, 1, 3);
    let z = f64x2.splat(0);
    let f0 = f64x2.splat(0);
    let f1 = f64x2.splat(0);
    for (let e = list; e < end; e += 24) {
      const d0 = f64x2.sub(q0, v128.load64_splat(e));
      const d1 = f64x2.sub(q1, v128.load64_splat(e, 8));
      const w = f64x2.div(one, f64x2.add(f64x2.add(one, f64x2.mul(d0, d0)), f64x2.mul(d1, d1)));
      const cw = f64x2.mul(v128.load64_splat(e, 16), w);
      z = f64x2.add(z, cw);
      const cw2 = f64x2.mul(cw, w);
      f0 = f64x2.add(f0, f64x2.mul(cw2, d0));
      f1 = f64x2.add(f1, f64x2.mul(cw2, d1));
    }
    v128.store(out + (<usize>p << 4), i64x2.shuffle(f0, f1, 0, 2));
    v128.store(out + (<usize>p << 4), i64x2.shuffle(f0, f1, 1, 3), 16);
    zGroup += f64x2.extract_lane(z, 0) - 1;
    zGroup += f64x2.extract_lane(z, 1) - 1;
  }
  if (p < count) {
    const q0 = load<f64>(points + (<usize>p << 4));
    const q1 = load<f64>(points + (<usize>p << 4), 8);
    let z: f64 = 0;
    let f0: f64 = 0;
    let f1: f64 = 0;
    for (let e = list; e < end; e += 24) {
      const d0 = q0 - load<f64>(e);
      const d1 = q1 - load<f64>(e, 8);
      const w = 1 / (1 + d0 * d0 + d1 * d1);
      const cw = load<f64>(e, 16) * w;
      z += cw;
      const cw2 = cw * w;
      f0 += cw2 * d0;
      f1 += cw2 * d1;
    }
    store<f64>(out + (<usize>p << 4), f0);
    store<f64>(out + (<usize>p << 4), f1, 8);
    zGroup += z - 1;
  }
  return zGroup;
}

/**
 * Squared euclidean distance of two float32 rows of length d, summed in float64 exactly as knnRows.ts
 * `squaredDistance32`: four running sums (elements t ≡ 0, 1, 2, 3 mod 4; the tail into the first), then
 * (s0 + s1) + (s2 + s3). Lanes of `low` hold s0, s1 and of `high` s2, s3.
 */
// @ts-ignore: decorator
@inline function distance32(a: usize, b: usize, d: i32): f64 {
  let low = f64x2.splat(0);
  let high = f64x2.splat(0);
  let t = 0;
  for (; t + 4 <= d; t += 4) {
    const va = v128.load(a + (<usize>t << 2));
    const vb = v128.load(b + (<usize>t << 2));
    const e01 = f64x2.sub(f64x2.promote_low_f32x4(va), f64x2.promote_low_f32x4(vb));
    const e23 = f64x2.sub(f64x2.promote_low_f32x4(i32x4.shuffle(va, va, 2, 3, 0, 1)), f64x2.promote_low_f32x4(i32x4.shuffle(vb, vb, 2, 3, 0, 1)));
    low = f64x2.add(low, f64x2.mul(e01, e01));
    high = f64x2.add(high, f64x2.mul(e23, e23));
  }
  let s0 = f64x2.extract_lane(low, 0);
  for (; t < d; t++) {
    const e = <f64>load<f32>(a + (<usize>t << 2)) - <f64>load<f32>(b + (<usize>t << 2));
    s0 += e * e;
  }
  return s0 + f64x2.extract_lane(low, 1) + (f64x2.extract_lane(high, 0) + f64x2.extract_lane(high, 1));
}

/** Distances between all pairs a < b of m float32 rows of length d: out[a·m + b] (float64). */
export function pairDistances32(rows: usize, m: i32, d: i32, out: usize): void {
  const stride = <usize>d << 2;
  for (let a = 0; a < m; a++) {
    const ra = rows + <usize>a * stride;
    for (let b = a + 1; b < m; b++) store<f64>(out + ((<usize>a * <usize>m + <usize>b) << 3), distance32(ra, rows + <usize>b * stride, d));
  }
}

/**
 * Distances from row 0 to rows 1 … count of float32 rows of length d: out[c − 1] (float64). Four rows at a time
 * (eight independent running sums instead of two, and row 0's floats loaded once for four), each row's sums in
 * `distance32`'s order, so the bits are `distance32`'s (measured ~2× faster on 50-float rows).
 */
export function distancesFromFirst32(rows: usize, count: i32, d: i32, out: usize): void {
  const stride = <usize>d << 2;
  let c = 1;
  for (; c + 4 <= count + 1; c += 4) {
    const b0 = rows + <usize>c * stride;
    const b1 = b0 + stride;
    const b2 = b1 + stride;
    const b3 = b2 + stride;
    let low0 = f64x2.splat(0);
    let high0 = f64x2.splat(0);
    let low1 = f64x2.splat(0);
    let high1 = f64x2.splat(0);
    let low2 = f64x2.splat(0);
    let high2 = f64x2.splat(0);
    let low3 = f64x2.splat(0);
    let high3 = f64x2.splat(0);
    let t = 0;
    for (; t + 4 <= d; t += 4) {
      const va = v128.load(rows + (<usize>t << 2));
      const a01 = f64x2.promote_low_f32x4(va);
      const a23 = f64x2.promote_low_f32x4(i32x4.shuffle(va, va, 2, 3, 0, 1));
      const v0 = v128.load(b0 + (<usize>t << 2));
      const v1 = v128.load(b1 + (<usize>t << 2));
      const v2 = v128.load(b2 + (<usize>t << 2));
      const v3 = v128.load(b3 + (<usize>t << 2));
      const e0l = f64x2.sub(a01, f64x2.promote_low_f32x4(v0));
      const e0h = f64x2.sub(a23, f64x2.promote_low_f32x4(i32x4.shuffle(v0, v0, 2, 3, 0, 1)));
      const e1l = f64x2.sub(a01, f64x2.promote_low_f32x4(v1));
      const e1h = f64x2.sub(a23, f64x2.promote_low_f32x4(i32x4.shuffle(v1, v1, 2, 3, 0, 1)));
      const e2l = f64x2.sub(a01, f64x2.promote_low_f32x4(v2));
      const e2h = f64x2.sub(a23, f64x2.promote_low_f32x4(i32x4.shuffle(v2, v2, 2, 3, 0, 1)));
      const e3l = f64x2.sub(a01, f64x2.promote_low_f32x4(v3));
      const e3h = f64x2.sub(a23, f64x2.promote_low_f32x4(i32x4.shuffle(v3, v3, 2, 3, 0, 1)));
      low0 = f64x2.add(low0, f64x2.mul(e0l, e0l));
      high0 = f64x2.add(high0, f64x2.mul(e0h, e0h));
      low1 = f64x2.add(low1, f64x2.mul(e1l, e1l));
      high1 = f64x2.add(high1, f64x2.mul(e1h, e1h));
      low2 = f64x2.add(low2, f64x2.mul(e2l, e2l));
      high2 = f64x2.add(high2, f64x2.mul(e2h, e2h));
      low3 = f64x2.add(low3, f64x2.mul(e3l, e3l));
      high3 = f64x2.add(high3, f64x2.mul(e3h, e3h));
    }
    let s0 = f64x2.extract_lane(low0, 0);
    let s1 = f64x2.extract_lane(low1, 0);
    let s2 = f64x2.extract_lane(low2, 0);
    let s3 = f64x2.extract_lane(low3, 0);
    for (; t < d; t++) {
      const a = <f64>load<f32>(rows + (<usize>t << 2));
      const e0 = a - <f64>load<f32>(b0 + (<usize>t << 2));
      const e1 = a - <f64>load<f32>(b1 + (<usize>t << 2));
      const e2 = a - <f64>load<f32>(b2 + (<usize>t << 2));
      const e3 = a - <f64>load<f32>(b3 + (<usize>t << 2));
      s0 += e0 * e0;
      s1 += e1 * e1;
      s2 += e2 * e2;
      s3 += e3 * e3;
    }
    const o = out + (<usize>(c - 1) << 3);
    store<f64>(o, s0 + f64x2.extract_lane(low0, 1) + (f64x2.extract_lane(high0, 0) + f64x2.extract_lane(high0, 1)));
    store<f64>(o, s1 + f64x2.extract_lane(low1, 1) + (f64x2.extract_lane(high1, 0) + f64x2.extract_lane(high1, 1)), 8);
    store<f64>(o, s2 + f64x2.extract_lane(low2, 1) + (f64x2.extract_lane(high2, 0) + f64x2.extract_lane(high2, 1)), 16);
    store<f64>(o, s3 + f64x2.extract_lane(low3, 1) + (f64x2.extract_lane(high3, 0) + f64x2.extract_lane(high3, 1)), 24);
  }
  for (; c <= count; c++) store<f64>(out + (<usize>(c - 1) << 3), distance32(rows, rows + <usize>c * stride, d));
}

/**
 * Float32 sums of a row against four others: lane l of each accumulator sums elements t ≡ l (mod 4) below
 * d − d mod 4; `finishF32` adds the tail into lane 0 and returns (l0 + l1) + (l2 + l3) — knnRows.ts
 * `squaredDistanceF32`'s operations, in float32.
 */
// @ts-ignore: decorator
@inline function finishF32(acc: v128, a: usize, b: usize, from: i32, d: i32): f32 {
  let l0 = f32x4.extract_lane(acc, 0);
  for (let t = from; t < d; t++) {
    const e = load<f32>(a + (<usize>t << 2)) - load<f32>(b + (<usize>t << 2));
    l0 += e * e;
  }
  return l0 + f32x4.extract_lane(acc, 1) + (f32x4.extract_lane(acc, 2) + f32x4.extract_lane(acc, 3));
}

/**
 * Float32 squared distances from row 0 to rows 1 … count of float32 rows of length d: out[c − 1] (stored as
 * float64), four rows at a time. Candidates only: the exact scan re-measures the k it keeps in float64.
 */
export function distancesFromFirstF32(rows: usize, count: i32, d: i32, out: usize): void {
  const stride = <usize>d << 2;
  const d4 = d & ~3;
  let c = 1;
  for (; c + 4 <= count + 1; c += 4) {
    const b0 = rows + <usize>c * stride;
    const b1 = b0 + stride;
    const b2 = b1 + stride;
    const b3 = b2 + stride;
    let s0 = f32x4.splat(0);
    let s1 = f32x4.splat(0);
    let s2 = f32x4.splat(0);
    let s3 = f32x4.splat(0);
    for (let t = 0; t < d4; t += 4) {
      const va = v128.load(rows + (<usize>t << 2));
      const e0 = f32x4.sub(va, v128.load(b0 + (<usize>t << 2)));
      const e1 = f32x4.sub(va, v128.load(b1 + (<usize>t << 2)));
      const e2 = f32x4.sub(va, v128.load(b2 + (<usize>t << 2)));
      const e3 = f32x4.sub(va, v128.load(b3 + (<usize>t << 2)));
      s0 = f32x4.add(s0, f32x4.mul(e0, e0));
      s1 = f32x4.add(s1, f32x4.mul(e1, e1));
      s2 = f32x4.add(s2, f32x4.mul(e2, e2));
      s3 = f32x4.add(s3, f32x4.mul(e3, e3));
    }
    const o = out + (<usize>(c - 1) << 3);
    store<f64>(o, <f64>finishF32(s0, rows, b0, d4, d));
    store<f64>(o, <f64>finishF32(s1, rows, b1, d4, d), 8);
    store<f64>(o, <f64>finishF32(s2, rows, b2, d4, d), 16);
    store<f64>(o, <f64>finishF32(s3, rows, b3, d4, d), 24);
  }
  for (; c <= count; c++) {
    const b = rows + <usize>c * stride;
    let s = f32x4.splat(0);
    for (let t = 0; t < d4; t += 4) {
      const e = f32x4.sub(v128.load(rows + (<usize>t << 2)), v128.load(b + (<usize>t << 2)));
      s = f32x4.add(s, f32x4.mul(e, e));
    }
    store<f64>(out + (<usize>(c - 1) << 3), <f64>finishF32(s, rows, b, d4, d));
  }
}

/**
 * Trustworthiness' distances of one query to every point, in float64 sums in feature order (parallel/tasks/
 * trustworthiness.ts `queryPenalty`'s operations: the query's float64 coordinates minus each point's float32 one,
 * squared and added feature after feature). The points are stored by feature (`columns`: feature t of point j at
 * t·stride + j, stride a multiple of 4 ≥ n), so one v128 load brings four points' feature t and each f64x2 lane
 * is one point's own sum. Every `check` features, a block of four whose partial sums all exceed `far` stops
 * early (a sum of non-negative terms never falls, so each of them is farther than `far`); out[j] is then that
 * partial sum. Points at or inside `far` are always summed to the end: the same bits as the TypeScript loop.
 */
function queryDistances64(columns: usize, stride: i32, n: i32, d: i32, query: usize, far: f64, check: i32, out: usize): void {
  const farV = f64x2.splat(far);
  const rowBytes = <usize>stride << 2;
  for (let j = 0; j < n; j += 4) {
    let s01 = f64x2.splat(0);
    let s23 = f64x2.splat(0);
    let at = columns + (<usize>j << 2);
    let t = 0;
    while (t < d) {
      const end = min(d, t + check);
      for (; t < end; t++) {
        const q = v128.load64_splat(query + (<usize>t << 3));
        const v = v128.load(at);
        const e01 = f64x2.sub(q, f64x2.promote_low_f32x4(v));
        const e23 = f64x2.sub(q, f64x2.promote_low_f32x4(i32x4.shuffle(v, v, 2, 3, 0, 1)));
        s01 = f64x2.add(s01, f64x2.mul(e01, e01));
        s23 = f64x2.add(s23, f64x2.mul(e23, e23));
        at += rowBytes;
      }
      if (i64x2.all_true(v128.and(f64x2.gt(s01, farV), f64x2.gt(s23, farV)))) break;
    }
    v128.store(out + (<usize>j << 3), s01);
    v128.store(out + (<usize>j << 3), s23, 16);
  }
}

/** ‖row i − row j‖² of float32 rows of length d, in float64 summed in feature order (trustworthiness.ts `distanceTo`). */
// @ts-ignore: decorator
@inline function rowDistance64(rows: usize, d: i32, i: i32, j: i32): f64 {
  const a = rows + ((<usize>i * <usize>d) << 2);
  const b = rows + ((<usize>j * <usize>d) << 2);
  let s: f64 = 0;
  for (let t = 0; t < d; t++) {
    const e = <f64>load<f32>(a + (<usize>t << 2)) - <f64>load<f32>(b + (<usize>t << 2));
    s += e * e;
  }
  return s;
}

/**
 * parallel/tasks/trustworthiness.ts `listPenalty` for query i over float32 rows (row-major at `rows`): the
 * penalty of its k embedding neighbours (`neighbours`, i32) ranked within its listK nearest input points
 * (`list`, i32), or −1 when a neighbour is not nearer than the list's farthest point times `slack`. The same
 * float64 sums and comparisons, so the same integer. Scratch: `dist` (listK + k f64).
 */
export function listPenalty64(rows: usize, d: i32, i: i32, neighbours: usize, k: i32, list: usize, listK: i32, slack: f64, dist: usize): f64 {
  let farthest: f64 = 0;
  for (let m = 0; m < listK; m++) {
    const dm = rowDistance64(rows, d, i, load<i32>(list + (<usize>m << 2)));
    store<f64>(dist + (<usize>m << 3), dm);
    if (dm > farthest) farthest = dm;
  }
  const bound = farthest * slack;
  const own = dist + (<usize>listK << 3);
  for (let t = 0; t < k; t++) {
    const dj = rowDistance64(rows, d, i, load<i32>(neighbours + (<usize>t << 2)));
    if (!(dj < bound)) return -1;
    store<f64>(own + (<usize>t << 3), dj);
  }
  let penalty: f64 = 0;
  for (let t = 0; t < k; t++) {
    const j = load<i32>(neighbours + (<usize>t << 2));
    const dj = load<f64>(own + (<usize>t << 3));
    let closer = 0;
    for (let m = 0; m < listK; m++) {
      const dl = load<f64>(dist + (<usize>m << 3));
      if (dl < dj || (dl === dj && load<i32>(list + (<usize>m << 2)) < j)) closer++;
    }
    const rank = 1 + closer;
    if (rank > k) penalty += <f64>(rank - k);
  }
  return penalty;
}

/**
 * parallel/tasks/trustworthiness.ts `queryPenalty` for query i: its k embedding neighbours' (`neighbours`, i32)
 * input-space ranks among all n points, from `queryDistances64` over the points stored by feature (`columns`,
 * `stride`) and the neighbours' own distances over the rows (`rows`, row-major) — the same float64 sums, so
 * the same integer. Scratch: `query` (d f64), `out` (stride f64), `closer` (k i32).
 */
export function queryPenalty64(rows: usize, columns: usize, stride: i32, n: i32, d: i32, i: i32, neighbours: usize, k: i32, check: i32, query: usize, out: usize, closer: usize): f64 {
  const qi = rows + ((<usize>i * <usize>d) << 2);
  for (let t = 0; t < d; t++) store<f64>(query + (<usize>t << 3), <f64>load<f32>(qi + (<usize>t << 2)));
  let far = -Infinity;
  for (let t = 0; t < k; t++) far = max(far, rowDistance64(rows, d, i, load<i32>(neighbours + (<usize>t << 2))));
  queryDistances64(columns, stride, n, d, query, far, check, out);
  for (let t = 0; t < k; t++) store<i32>(closer + (<usize>t << 2), 0);
  for (let l = 0; l < n; l++) {
    const dl = load<f64>(out + (<usize>l << 3));
    if (dl > far || l === i) continue;
    for (let t = 0; t < k; t++) {
      const j = load<i32>(neighbours + (<usize>t << 2));
      const dj = load<f64>(out + (<usize>j << 3));
      if (dl < dj || (dl === dj && l < j)) store<i32>(closer + (<usize>t << 2), load<i32>(closer + (<usize>t << 2)) + 1);
    }
  }
  let penalty: f64 = 0;
  for (let t = 0; t < k; t++) {
    const rank = 1 + load<i32>(closer + (<usize>t << 2));
    if (rank > k) penalty += <f64>(rank - k);
  }
  return penalty;
}

/** Float32 rows (n × d, row-major at `rows`) stored by feature: feature t of row j at columns + 4(t·stride + j). */
export function transpose32(rows: usize, n: i32, d: i32, columns: usize, stride: i32): void {
  for (let j = 0; j < n; j++) {
    const row = rows + ((<usize>j * <usize>d) << 2);
    for (let t = 0; t < d; t++) store<f32>(columns + ((<usize>t * <usize>stride + <usize>j) << 2), load<f32>(row + (<usize>t << 2)));
  }
}

/**
 * Each of n 2-D points' k nearest other points (out: n × k indices, nearest first), exactly, through a uniform
 * grid of cells × cells squares over the points' bounding box searched ring by ring. Points are float32 (x, y)
 * pairs at `xy`; a pair's key is √s·√s with s = Δx² + Δy² in float64 (knn.ts `vpTreeKnn`'s), ties by index,
 * so the neighbours are the VP tree's. A ring search stops once every cell left is farther than the k-th
 * neighbour with room for rounding. Scratch: `cellStart` (cells² + 1 i32), `cellPoints` (n i32), `keys` (k f64).
 */
export function gridNeighbours2(xy: usize, n: i32, k: i32, cells: i32, cellStart: usize, cellPoints: usize, keys: usize, out: usize): void {
  let minX = Infinity;
  let maxX = -Infinity;
  let minY = Infinity;
  let maxY = -Infinity;
  for (let i = 0; i < n; i++) {
    const x = <f64>load<f32>(xy + (<usize>i << 3));
    const y = <f64>load<f32>(xy + (<usize>i << 3), 4);
    minX = min(minX, x);
    maxX = max(maxX, x);
    minY = min(minY, y);
    maxY = max(maxY, y);
  }
  let side = max(maxX - minX, maxY - minY) / <f64>cells;
  if (!(side > 0)) side = 1;
  const last = cells - 1;
  // Counting sort of the points by cell: counts into cellStart[c + 1], running sums make cellStart[c + 1] the
  // end of cell c, and placing points from the last down moves each end back to its cell's start (index order within).
  const cellCount = cells * cells;
  for (let c = 0; c <= cellCount; c++) store<i32>(cellStart + (<usize>c << 2), 0);
  for (let i = 0; i < n; i++) {
    const at = cellStart + ((<usize>cellOf(xy, i, minX, minY, side, last, cells) + 1) << 2);
    store<i32>(at, load<i32>(at) + 1);
  }
  for (let c = 1; c <= cellCount; c++) {
    const at = cellStart + (<usize>c << 2);
    store<i32>(at, load<i32>(at) + load<i32>(at - 4));
  }
  for (let i = n - 1; i >= 0; i--) {
    const at = cellStart + ((<usize>cellOf(xy, i, minX, minY, side, last, cells) + 1) << 2);
    const slot = load<i32>(at) - 1;
    store<i32>(at, slot);
    store<i32>(cellPoints + (<usize>slot << 2), i);
  }
  // Now cellStart[c + 1] is the start of cell c: shift them down.
  for (let c = 0; c < cellCount; c++) store<i32>(cellStart + (<usize>c << 2), load<i32>(cellStart + (<usize>(c + 1) << 2)));
  store<i32>(cellStart + (<usize>cellCount << 2), n);
  for (let i = 0; i < n; i++) {
    const qx = <f64>load<f32>(xy + (<usize>i << 3));
    const qy = <f64>load<f32>(xy + (<usize>i << 3), 4);
    const cx = min(last, <i32>Math.floor((qx - minX) / side));
    const cy = min(last, <i32>Math.floor((qy - minY) / side));
    const rows = out + ((<usize>i * <usize>k) << 2);
    let size = 0;
    let worst: f64 = Infinity;
    const reach = max(max(cx, last - cx), max(cy, last - cy));
    for (let r = 0; r <= reach; r++) {
      for (let gy = cy - r; gy <= cy + r; gy++) {
        if (gy < 0 || gy > last) continue;
        const edge = gy === cy - r || gy === cy + r;
        for (let gx = cx - r; gx <= cx + r; gx += edge ? 1 : 2 * r) {
          if (gx >= 0 && gx <= last) {
            const c = gy * cells + gx;
            const to = load<i32>(cellStart + ((<usize>c + 1) << 2));
            for (let p = load<i32>(cellStart + (<usize>c << 2)); p < to; p++) {
              const j = load<i32>(cellPoints + (<usize>p << 2));
              if (j === i) continue;
              const dx = qx - <f64>load<f32>(xy + (<usize>j << 3));
              const dy = qy - <f64>load<f32>(xy + (<usize>j << 3), 4);
              const s = dx * dx + dy * dy;
              // √s·√s is within 3 units in the last place of s: past this bound the key beats the k-th's.
              if (size === k && s > worst * 1.0000000000009095) continue;
              const root = Math.sqrt(s);
              const key = root * root;
              // Sorted insertion by (key, index).
              let at = size < k ? size : k - 1;
              if (size === k) {
                const lastKey = load<f64>(keys + (<usize>at << 3));
                if (key > lastKey || (key === lastKey && j > load<i32>(rows + (<usize>at << 2)))) continue;
              }
              while (at > 0) {
                const prevKey = load<f64>(keys + (<usize>(at - 1) << 3));
                if (prevKey < key || (prevKey === key && load<i32>(rows + (<usize>(at - 1) << 2)) < j)) break;
                store<f64>(keys + (<usize>at << 3), prevKey);
                store<i32>(rows + (<usize>at << 2), load<i32>(rows + (<usize>(at - 1) << 2)));
                at--;
              }
              store<f64>(keys + (<usize>at << 3), key);
              store<i32>(rows + (<usize>at << 2), j);
              if (size < k) size++;
              if (size === k) worst = load<f64>(keys + (<usize>(k - 1) << 3));
            }
          }
          if (r === 0) break;
        }
      }
      // Cells of later rings are at least r·side away: done when that beats the k-th key with room for rounding.
      const gap = <f64>r * side;
      if (size === k && gap * gap > worst * 1.000001) break;
    }
  }
}

// @ts-ignore: decorator
@inline function cellOf(xy: usize, i: i32, minX: f64, minY: f64, side: f64, last: i32, cells: i32): i32 {
  const x = <f64>load<f32>(xy + (<usize>i << 3));
  const y = <f64>load<f32>(xy + (<usize>i << 3), 4);
  return min(last, <i32>Math.floor((y - minY) / side)) * cells + min(last, <i32>Math.floor((x - minX) / side));
}
