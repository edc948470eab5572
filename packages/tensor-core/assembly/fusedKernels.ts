// AssemblyScript source of the fused optimiser updates and leaky-ReLU passes that run as WebAssembly SIMD on tfjs-wasm's own memory
// (compiled by scripts/buildWasm.ts into src/backend/wasmKernels/fusedWasm.generated.ts; a unit test checks
// the two agree). Each lane does the float32 operations of the unfused tfjs ops in their order (no fused
// multiply-add: SIMD128 has none), so the results are bit-identical to them. Pointers are byte offsets.

/**
 * Adam over n floats: m′ = m·b1 + g·c1; v′ = v·b2 + (g·g)·c2; x′ = x − (m′·step) / (√v′ + eps).
 * Outputs may not alias inputs other than their own (xo = x, mo = m, vo = v is fine).
 */
export function adam(x: usize, g: usize, m: usize, v: usize, xo: usize, mo: usize, vo: usize, n: i32, b1: f32, c1: f32, b2: f32, c2: f32, eps: f32, step: f32): void {
  const B1 = f32x4.splat(b1);
  const C1 = f32x4.splat(c1);
  const B2 = f32x4.splat(b2);
  const C2 = f32x4.splat(c2);
  const E = f32x4.splat(eps);
  const S = f32x4.splat(step);
  let i = 0;
  for (; i + 4 <= n; i += 4) {
    const o = <usize>i << 2;
    const gi = v128.load(g + o);
    const mi = f32x4.add(f32x4.mul(v128.load(m + o), B1), f32x4.mul(gi, C1));
    const vi = f32x4.add(f32x4.mul(v128.load(v + o), B2), f32x4.mul(f32x4.mul(gi, gi), C2));
    v128.store(mo + o, mi);
    v128.store(vo + o, vi);
    v128.store(xo + o, f32x4.sub(v128.load(x + o), f32x4.div(f32x4.mul(mi, S), f32x4.add(f32x4.sqrt(vi), E))));
  }
  for (; i < n; i++) {
    const o = <usize>i << 2;
    const gi = load<f32>(g + o);
    const mi = load<f32>(m + o) * b1 + gi * c1;
    const vi = load<f32>(v + o) * b2 + gi * gi * c2;
    store<f32>(mo + o, mi);
    store<f32>(vo + o, vi);
    store<f32>(xo + o, load<f32>(x + o) - (mi * step) / (Mathf.sqrt(vi) + eps));
  }
}

/** out = a·d + x·c over n floats (an exponential moving average with c = 1 − d). */
export function ema(a: usize, x: usize, out: usize, n: i32, d: f32, c: f32): void {
  const D = f32x4.splat(d);
  const C = f32x4.splat(c);
  let i = 0;
  for (; i + 4 <= n; i += 4) {
    const o = <usize>i << 2;
    v128.store(out + o, f32x4.add(f32x4.mul(v128.load(a + o), D), f32x4.mul(v128.load(x + o), C)));
  }
  for (; i < n; i++) {
    const o = <usize>i << 2;
    store<f32>(out + o, load<f32>(a + o) * d + load<f32>(x + o) * c);
  }
}

/** out = x > 0 ? x : x·alpha over n floats (the leaky ReLU; −0 and NaN pass through as x·alpha does). */
export function leakyRelu(x: usize, out: usize, n: i32, alpha: f32): void {
  const A = f32x4.splat(alpha);
  const Z = f32x4.splat(0);
  let i = 0;
  for (; i + 4 <= n; i += 4) {
    const o = <usize>i << 2;
    const xi = v128.load(x + o);
    v128.store(out + o, v128.bitselect(xi, f32x4.mul(xi, A), f32x4.gt(xi, Z)));
  }
  for (; i < n; i++) {
    const o = <usize>i << 2;
    const xi = load<f32>(x + o);
    store<f32>(out + o, xi > 0 ? xi : xi * alpha);
  }
}

/** out = x > 0 ? dy : dy·alpha over n floats: tfjs's leaky-ReLU gradient where(x > 0, dy, dy·alpha) in one pass. */
export function leakyReluGrad(dy: usize, x: usize, out: usize, n: i32, alpha: f32): void {
  const A = f32x4.splat(alpha);
  const Z = f32x4.splat(0);
  let i = 0;
  for (; i + 4 <= n; i += 4) {
    const o = <usize>i << 2;
    const d = v128.load(dy + o);
    v128.store(out + o, v128.bitselect(d, f32x4.mul(d, A), f32x4.gt(v128.load(x + o), Z)));
  }
  for (; i < n; i++) {
    const o = <usize>i << 2;
    const d = load<f32>(dy + o);
    store<f32>(out + o, load<f32>(x + o) > 0 ? d : d * alpha);
  }
}

/**
 * One 4 × 4 block of a transpose through SIMD shuffles: the 4 × 4 values at `at` (rows `srcRow` bytes apart) stored
 * transposed at `d` (rows `dstRow` bytes apart); with `epilogue`, each stored vector is act(v + bias) first
 * (transposeBiasAct). Inlined with a constant `epilogue`, so the plain transpose keeps no branch.
 */
// @ts-ignore: decorator
@inline
function transposeBlock4(at: usize, srcRow: usize, d: usize, dstRow: usize, epilogue: bool, bias: v128, act: i32, A: v128): void {
  const q0 = v128.load(at);
  const q1 = v128.load(at + srcRow);
  const q2 = v128.load(at + 2 * srcRow);
  const q3 = v128.load(at + 3 * srcRow);
  const t0 = i32x4.shuffle(q0, q1, 0, 4, 1, 5);
  const t1 = i32x4.shuffle(q0, q1, 2, 6, 3, 7);
  const t2 = i32x4.shuffle(q2, q3, 0, 4, 1, 5);
  const t3 = i32x4.shuffle(q2, q3, 2, 6, 3, 7);
  let o0 = i64x2.shuffle(t0, t2, 0, 2);
  let o1 = i64x2.shuffle(t0, t2, 1, 3);
  let o2 = i64x2.shuffle(t1, t3, 0, 2);
  let o3 = i64x2.shuffle(t1, t3, 1, 3);
  if (epilogue) {
    o0 = activate4(f32x4.add(o0, bias), act, A);
    o1 = activate4(f32x4.add(o1, bias), act, A);
    o2 = activate4(f32x4.add(o2, bias), act, A);
    o3 = activate4(f32x4.add(o3, bias), act, A);
  }
  v128.store(d, o0);
  v128.store(d + dstRow, o1);
  v128.store(d + 2 * dstRow, o2);
  v128.store(d + 3 * dstRow, o3);
}

/**
 * Source rows r0 ≤ i < r1 (r0 a multiple of 4) of dst (cols × rows) = srcᵀ for a row-major rows × cols matrix of
 * 4-byte values: 4 × 4 blocks through SIMD shuffles, scalar edges. A copy, so exact for any 4-byte dtype, and row
 * ranges can go to different threads.
 */
export function transpose2d(src: usize, dst: usize, rows: i32, cols: i32, r0: i32, r1: i32): void {
  const rows4 = r1 < (rows & ~3) ? r1 : rows & ~3;
  const cols4 = cols & ~3;
  const srcRow = <usize>cols << 2;
  const dstRow = <usize>rows << 2;
  let i = r0;
  for (; i < rows4; i += 4) {
    const s = src + <usize>i * srcRow;
    const zero = f32x4.splat(0);
    for (let j = 0; j < cols4; j += 4) transposeBlock4(s + (<usize>j << 2), srcRow, dst + <usize>j * dstRow + (<usize>i << 2), dstRow, false, zero, 0, zero);
    for (let j = cols4; j < cols; j++) {
      for (let k = 0; k < 4; k++) store<i32>(dst + <usize>j * dstRow + (<usize>(i + k) << 2), load<i32>(s + <usize>k * srcRow + (<usize>j << 2)));
    }
  }
  for (; i < r1; i++) {
    for (let j = 0; j < cols; j++) store<i32>(dst + <usize>j * dstRow + (<usize>i << 2), load<i32>(src + <usize>i * srcRow + (<usize>j << 2)));
  }
}

/**
 * Rows r0 ≤ i < r1 of a block transpose: dst[j, i, ·] = src[i, j, ·] for a row-major rows × cols grid of blocks of
 * `block` 4-byte values (a transpose that keeps the trailing axes, e.g. [b, h·w, c] → [h·w, b, c]): each block
 * copied 4 values at a time, then its scalar tail. A copy, so exact for any 4-byte dtype.
 */
export function transposeBlocks(src: usize, dst: usize, rows: i32, cols: i32, block: i32, r0: i32, r1: i32): void {
  const bytes = <usize>block << 2;
  const vec = <usize>(block & ~3) << 2;
  for (let i = r0; i < r1; i++) {
    let s = src + <usize>i * <usize>cols * bytes;
    let d = dst + <usize>i * bytes;
    const dstRow = <usize>rows * bytes;
    for (let j = 0; j < cols; j++) {
      let o: usize = 0;
      for (; o < vec; o += 16) v128.store(d + o, v128.load(s + o));
      for (; o < bytes; o += 4) store<i32>(d + o, load<i32>(s + o));
      s += bytes;
      d += dstRow;
    }
  }
}

/**
 * Rows r0 ≤ r < r1 of cols = im2col(x) for an NHWC float32 x (one image's rows follow the previous image's):
 * cols[r, (kh·fw + kw)·C + c] = x[b, oh·sh + kh·dh − pt, ow·sw + kw·dw − pl, c] with r = (b·outH + oh)·outW + ow, 0
 * outside the image. Each tap copies its run of C channels, 4 at a time, then a scalar tail. A copy: exact.
 */
export function im2col(x: usize, cols: usize, inH: i32, inW: i32, channels: i32, outH: i32, outW: i32, fh: i32, fw: i32, sh: i32, sw: i32, dh: i32, dw: i32, pt: i32, pl: i32, r0: i32, r1: i32): void {
  const run = <usize>channels << 2;
  const vec = <usize>(channels & ~3) << 2;
  const rowBytes = <usize>inW * run;
  const image = <usize>inH * rowBytes;
  const zero = f32x4.splat(0);
  let d = cols + <usize>r0 * <usize>(fh * fw) * run;
  // The row's (b, oh, ow), counted up rather than divided out each row (three integer divisions cost more than its taps).
  let ow = r0 % outW;
  let oh = (r0 / outW) % outH;
  let base = x + <usize>(r0 / outW / outH) * image;
  for (let r = r0; r < r1; r++) {
    const h0 = oh * sh - pt;
    const w0 = ow * sw - pl;
    for (let kh = 0; kh < fh; kh++) {
      const h = h0 + kh * dh;
      const rowInside = h >= 0 && h < inH;
      for (let kw = 0; kw < fw; kw++) {
        const w = w0 + kw * dw;
        const inside = rowInside && w >= 0 && w < inW;
        if (channels == 1) {
          // One channel (a first layer): one value a tap, no runs to copy.
          store<f32>(d, inside ? load<f32>(base + <usize>h * rowBytes + (<usize>w << 2)) : 0);
        } else {
          let o: usize = 0;
          if (inside) {
            const s = base + <usize>h * rowBytes + <usize>w * run;
            for (; o < vec; o += 16) v128.store(d + o, v128.load(s + o));
            for (; o < run; o += 4) store<f32>(d + o, load<f32>(s + o));
          } else {
            for (; o < vec; o += 16) v128.store(d + o, zero);
            for (; o < run; o += 4) store<f32>(d + o, 0);
          }
        }
        d += run;
      }
    }
    if (++ow == outW) {
      ow = 0;
      if (++oh == outH) {
        oh = 0;
        base += image;
      }
    }
  }
}

/**
 * out = dy · step(x) over n floats, step(x) = x > 0 ? 1 : 0 (NaN for a NaN x): tfjs's ReLU gradient
 * mul(dy, cast(step(x))) — three kernels — in one pass, the same float32 product, bit for bit.
 */
export function reluGrad(dy: usize, x: usize, out: usize, n: i32): void {
  const one = f32x4.splat(1);
  const zero = f32x4.splat(0);
  let i = 0;
  for (; i + 4 <= n; i += 4) {
    const o = <usize>i << 2;
    const xi = v128.load(x + o);
    const step = v128.bitselect(xi, v128.bitselect(one, zero, f32x4.gt(xi, zero)), f32x4.ne(xi, xi));
    v128.store(out + o, f32x4.mul(v128.load(dy + o), step));
  }
  for (; i < n; i++) {
    const o = <usize>i << 2;
    const xi = load<f32>(x + o);
    const step: f32 = xi != xi ? xi : xi > 0 ? 1 : 0;
    store<f32>(out + o, load<f32>(dy + o) * step);
  }
}

/**
 * out[o, j] = f32(scale · Σ_r x[o, r, j]) for x seen as [outer, reduced, inner]: each column summed in float64 in row
 * order from 0 (the order of reduce.ts's JS loop, so bit-identical to it), 16, then 4 columns per pass over the rows.
 */
export function sumMiddleAxis(x: usize, out: usize, outer: i32, reduced: i32, inner: i32, scale: f64, j0: i32, j1: i32): void {
  const row = <usize>inner << 2;
  const S = f64x2.splat(scale);
  for (let o = 0; o < outer; o++) {
    const base = x + <usize>o * <usize>reduced * row;
    const dst = out + (<usize>o * <usize>inner << 2);
    let j = j0;
    for (; j + 16 <= j1; j += 16) {
      let a0 = f64x2.splat(0); let a1 = f64x2.splat(0); let a2 = f64x2.splat(0); let a3 = f64x2.splat(0);
      let a4 = f64x2.splat(0); let a5 = f64x2.splat(0); let a6 = f64x2.splat(0); let a7 = f64x2.splat(0);
      let p = base + (<usize>j << 2);
      for (let r = 0; r < reduced; r++, p += row) {
        const v0 = v128.load(p);
        const v1 = v128.load(p + 16);
        const v2 = v128.load(p + 32);
        const v3 = v128.load(p + 48);
        a0 = f64x2.add(a0, f64x2.promote_low_f32x4(v0));
        a1 = f64x2.add(a1, f64x2.promote_low_f32x4(i64x2.shuffle(v0, v0, 1, 1)));
        a2 = f64x2.add(a2, f64x2.promote_low_f32x4(v1));
        a3 = f64x2.add(a3, f64x2.promote_low_f32x4(i64x2.shuffle(v1, v1, 1, 1)));
        a4 = f64x2.add(a4, f64x2.promote_low_f32x4(v2));
        a5 = f64x2.add(a5, f64x2.promote_low_f32x4(i64x2.shuffle(v2, v2, 1, 1)));
        a6 = f64x2.add(a6, f64x2.promote_low_f32x4(v3));
        a7 = f64x2.add(a7, f64x2.promote_low_f32x4(i64x2.shuffle(v3, v3, 1, 1)));
      }
      const d = dst + (<usize>j << 2);
      v128.store(d, i64x2.shuffle(f32x4.demote_f64x2_zero(f64x2.mul(a0, S)), f32x4.demote_f64x2_zero(f64x2.mul(a1, S)), 0, 2));
      v128.store(d + 16, i64x2.shuffle(f32x4.demote_f64x2_zero(f64x2.mul(a2, S)), f32x4.demote_f64x2_zero(f64x2.mul(a3, S)), 0, 2));
      v128.store(d + 32, i64x2.shuffle(f32x4.demote_f64x2_zero(f64x2.mul(a4, S)), f32x4.demote_f64x2_zero(f64x2.mul(a5, S)), 0, 2));
      v128.store(d + 48, i64x2.shuffle(f32x4.demote_f64x2_zero(f64x2.mul(a6, S)), f32x4.demote_f64x2_zero(f64x2.mul(a7, S)), 0, 2));
    }
    for (; j + 4 <= j1; j += 4) {
      let a0 = f64x2.splat(0);
      let a1 = f64x2.splat(0);
      let p = base + (<usize>j << 2);
      for (let r = 0; r < reduced; r++, p += row) {
        const v0 = v128.load(p);
        a0 = f64x2.add(a0, f64x2.promote_low_f32x4(v0));
        a1 = f64x2.add(a1, f64x2.promote_low_f32x4(i64x2.shuffle(v0, v0, 1, 1)));
      }
      v128.store(dst + (<usize>j << 2), i64x2.shuffle(f32x4.demote_f64x2_zero(f64x2.mul(a0, S)), f32x4.demote_f64x2_zero(f64x2.mul(a1, S)), 0, 2));
    }
    for (; j < j1; j++) {
      let a: f64 = 0;
      let p = base + (<usize>j << 2);
      for (let r = 0; r < reduced; r++, p += row) a += <f64>load<f32>(p);
      store<f32>(dst + (<usize>j << 2), <f32>(a * scale));
    }
  }
}

/** The activation of a fused product's epilogue: 0 linear, 1 ReLU (x < 0 ? 0 : x), 2 leaky ReLU (x > 0 ? x : x·alpha). */
// @ts-ignore: decorator
@inline
function activate4(v: v128, act: i32, alpha: v128): v128 {
  if (act == 1) return v128.bitselect(f32x4.splat(0), v, f32x4.lt(v, f32x4.splat(0)));
  if (act == 2) return v128.bitselect(v, f32x4.mul(v, alpha), f32x4.gt(v, f32x4.splat(0)));
  return v;
}

// @ts-ignore: decorator
@inline
function activate1(v: f32, act: i32, alpha: f32): f32 {
  if (act == 1) return v < 0 ? <f32>0 : v;
  if (act == 2) return v > 0 ? v : v * alpha;
  return v;
}

/**
 * The epilogue of a product computed transposed (C = A·B as Cᵀ = Bᵀ·Aᵀ, matMul.ts): dst (cols × rows) =
 * act(srcᵀ + bias) for a row-major rows × cols float32 src, bias of `rows` floats (one per column of dst), in one
 * pass of 4 × 4 SIMD blocks. Each element is one float32 add then the activation, so it equals transpose, add and
 * activation run as three kernels, bit for bit.
 */
export function transposeBiasAct(src: usize, dst: usize, rows: i32, cols: i32, bias: usize, act: i32, alpha: f32): void {
  const rows4 = rows & ~3;
  const cols4 = cols & ~3;
  const srcRow = <usize>cols << 2;
  const dstRow = <usize>rows << 2;
  const A = f32x4.splat(alpha);
  for (let i = 0; i < rows4; i += 4) {
    const s = src + <usize>i * srcRow;
    const b = v128.load(bias + (<usize>i << 2));
    for (let j = 0; j < cols4; j += 4) transposeBlock4(s + (<usize>j << 2), srcRow, dst + <usize>j * dstRow + (<usize>i << 2), dstRow, true, b, act, A);
    for (let j = cols4; j < cols; j++) {
      for (let k = 0; k < 4; k++) {
        const v = load<f32>(s + <usize>k * srcRow + (<usize>j << 2)) + load<f32>(bias + (<usize>(i + k) << 2));
        store<f32>(dst + <usize>j * dstRow + (<usize>(i + k) << 2), activate1(v, act, alpha));
      }
    }
  }
  for (let i = rows4; i < rows; i++) {
    const bi = load<f32>(bias + (<usize>i << 2));
    for (let j = 0; j < cols; j++) {
      const v = load<f32>(src + <usize>i * srcRow + (<usize>j << 2)) + bi;
      store<f32>(dst + <usize>j * dstRow + (<usize>i << 2), activate1(v, act, alpha));
    }
  }
}

/** tanh of two doubles: −e/(2 + e) with e = expm1(−2|x|) (no cancellation near 0), sign restored; |x| clamped at 20. */
// @ts-ignore: decorator
@inline
function tanh2(v: v128): v128 {
  const a = f64x2.min(f64x2.abs(v), f64x2.splat(20));
  const u = f64x2.mul(a, f64x2.splat(-2));
  // u = k·ln2 + r, |r| ≤ ln2/2 (fdlibm's two-part ln2).
  const k = f64x2.nearest(f64x2.mul(u, f64x2.splat(1.4426950408889634)));
  const r = f64x2.sub(f64x2.sub(u, f64x2.mul(k, f64x2.splat(0.6931471803691238))), f64x2.mul(k, f64x2.splat(1.9082149292705877e-10)));
  // expm1(r) = r + r²·(1/2! + r/3! + … + r¹⁰/12!): Taylor, error < 1e-16 for |r| ≤ 0.35.
  let p = f64x2.splat(2.08767569878681e-9);
  p = f64x2.add(f64x2.mul(p, r), f64x2.splat(2.505210838544172e-8));
  p = f64x2.add(f64x2.mul(p, r), f64x2.splat(2.755731922398589e-7));
  p = f64x2.add(f64x2.mul(p, r), f64x2.splat(2.7557319223985893e-6));
  p = f64x2.add(f64x2.mul(p, r), f64x2.splat(2.48015873015873e-5));
  p = f64x2.add(f64x2.mul(p, r), f64x2.splat(1.984126984126984e-4));
  p = f64x2.add(f64x2.mul(p, r), f64x2.splat(1.388888888888889e-3));
  p = f64x2.add(f64x2.mul(p, r), f64x2.splat(8.333333333333333e-3));
  p = f64x2.add(f64x2.mul(p, r), f64x2.splat(4.1666666666666664e-2));
  p = f64x2.add(f64x2.mul(p, r), f64x2.splat(0.16666666666666666));
  p = f64x2.add(f64x2.mul(p, r), f64x2.splat(0.5));
  const em1r = f64x2.add(r, f64x2.mul(f64x2.mul(r, r), p));
  // 2^k from its bits; expm1(u) = 2^k·expm1(r) + (2^k − 1).
  const kInt = i64x2.extend_low_i32x4_s(i32x4.trunc_sat_f64x2_s_zero(k));
  const twoK = i64x2.shl(i64x2.add(kInt, i64x2.splat(1023)), 52);
  const e = f64x2.add(f64x2.mul(twoK, em1r), f64x2.sub(twoK, f64x2.splat(1)));
  const t = f64x2.div(f64x2.neg(e), f64x2.add(e, f64x2.splat(2)));
  return v128.bitselect(v, t, i64x2.splat(0x8000000000000000));
}

/**
 * out = tanh(x) over n floats, computed in double and rounded once to float32: within 1 ulp of the exact value
 * (not bit-identical to tfjs-wasm's scalar libm tanhf, which is also within 1 ulp).
 */
export function tanh(x: usize, out: usize, n: i32): void {
  let i = 0;
  for (; i + 4 <= n; i += 4) {
    const o = <usize>i << 2;
    const v = v128.load(x + o);
    const lo = tanh2(f64x2.promote_low_f32x4(v));
    const hi = tanh2(f64x2.promote_low_f32x4(i64x2.shuffle(v, v, 1, 1)));
    v128.store(out + o, i64x2.shuffle(f32x4.demote_f64x2_zero(lo), f32x4.demote_f64x2_zero(hi), 0, 2));
  }
  for (; i < n; i++) {
    const o = <usize>i << 2;
    const r = tanh2(f64x2.splat(<f64>load<f32>(x + o)));
    store<f32>(out + o, <f32>f64x2.extract_lane(r, 0));
  }
}

/** The SIMD range reduction of sin and cos serves |x| ≤ 2¹⁹; larger, ±∞ and NaN go to the scalar musl functions. */
const TRIG_SIMD_LIMIT: f32 = 524288;

/**
 * sin (or cos, when `cosine`) of two doubles with |x| ≤ 2¹⁹: x = k·π/2 + r, |r| ≤ π/4, with π/2 in two parts
 * (fdlibm's pio2_1, 33 bits, so k·pio2_1 is exact for k < 2²⁰, and pio2_1t), then fdlibm's __kernel_sin and
 * __kernel_cos polynomials (error < 1 ulp of a double) and the quadrant k mod 4 choosing ±sin r or ±cos r.
 */
// @ts-ignore: decorator
@inline
function sinCos2(x: v128, cosine: bool): v128 {
  const k = f64x2.nearest(f64x2.mul(x, f64x2.splat(0.6366197723675814)));
  const r = f64x2.sub(f64x2.sub(x, f64x2.mul(k, f64x2.splat(1.5707963267341256))), f64x2.mul(k, f64x2.splat(6.077100506506192e-11)));
  const z = f64x2.mul(r, r);
  let ps = f64x2.splat(1.58969099521155010221e-10);
  ps = f64x2.add(f64x2.mul(ps, z), f64x2.splat(-2.50507602534068634195e-8));
  ps = f64x2.add(f64x2.mul(ps, z), f64x2.splat(2.75573137070700676789e-6));
  ps = f64x2.add(f64x2.mul(ps, z), f64x2.splat(-1.98412698298579493134e-4));
  ps = f64x2.add(f64x2.mul(ps, z), f64x2.splat(8.33333333332248946124e-3));
  ps = f64x2.add(f64x2.mul(ps, z), f64x2.splat(-1.66666666666666324348e-1));
  const sinR = f64x2.add(r, f64x2.mul(f64x2.mul(z, r), ps));
  let pc = f64x2.splat(-1.13596475577881948265e-11);
  pc = f64x2.add(f64x2.mul(pc, z), f64x2.splat(2.0875723212981748279e-9));
  pc = f64x2.add(f64x2.mul(pc, z), f64x2.splat(-2.75573143513906633035e-7));
  pc = f64x2.add(f64x2.mul(pc, z), f64x2.splat(2.48015872894767294178e-5));
  pc = f64x2.add(f64x2.mul(pc, z), f64x2.splat(-1.38888888888741095749e-3));
  pc = f64x2.add(f64x2.mul(pc, z), f64x2.splat(4.16666666666666019037e-2));
  const cosR = f64x2.add(f64x2.sub(f64x2.splat(1), f64x2.mul(z, f64x2.splat(0.5))), f64x2.mul(f64x2.mul(z, z), pc));
  // cos x = sin(x + π/2): the cosine is the sine one quadrant on.
  const q = i64x2.add(i64x2.extend_low_i32x4_s(i32x4.trunc_sat_f64x2_s_zero(k)), i64x2.splat(cosine ? 1 : 0));
  const odd = i64x2.eq(v128.and(q, i64x2.splat(1)), i64x2.splat(1));
  const value = v128.bitselect(cosR, sinR, odd);
  const result = v128.xor(value, i64x2.shl(v128.and(q, i64x2.splat(2)), 62));
  // sin x = x below 2⁻²⁶ (also keeps the sign of −0, which r + r³·p loses).
  return cosine ? result : v128.bitselect(x, result, f64x2.lt(f64x2.abs(x), f64x2.splat(1.4901161193847656e-8)));
}

/**
 * out = sin(x) (or cos(x), when `cosine` is 1) over n floats, computed in double and rounded once to float32: the
 * float nearest the exact value but for ties within a double's error (tfjs-cpu's Math.sin rounded once gives the same
 * floats); tfjs-wasm's scalar libm sinf / cosf is also within 1 ulp but not always the same float, and 3–5× slower.
 */
export function sinCos(x: usize, out: usize, n: i32, cosine: i32): void {
  const cos = cosine != 0;
  const limit = f32x4.splat(TRIG_SIMD_LIMIT);
  let i = 0;
  for (; i + 4 <= n; i += 4) {
    const o = <usize>i << 2;
    const v = v128.load(x + o);
    // NaN compares false: any lane out of range (or NaN) sends the four to the scalar path.
    if (!i32x4.all_true(f32x4.le(f32x4.abs(v), limit))) {
      for (let j: usize = 0; j < 4; j++) {
        const a = <f64>load<f32>(x + o + (j << 2));
        store<f32>(out + o + (j << 2), <f32>(cos ? Math.cos(a) : Math.sin(a)));
      }
      continue;
    }
    const lo = sinCos2(f64x2.promote_low_f32x4(v), cos);
    const hi = sinCos2(f64x2.promote_low_f32x4(i64x2.shuffle(v, v, 1, 1)), cos);
    v128.store(out + o, i64x2.shuffle(f32x4.demote_f64x2_zero(lo), f32x4.demote_f64x2_zero(hi), 0, 2));
  }
  for (; i < n; i++) {
    const o = <usize>i << 2;
    const a = load<f32>(x + o);
    if (Mathf.abs(a) <= TRIG_SIMD_LIMIT) store<f32>(out + o, <f32>f64x2.extract_lane(sinCos2(f64x2.splat(<f64>a), cos), 0));
    else store<f32>(out + o, <f32>(cos ? Math.cos(<f64>a) : Math.sin(<f64>a)));
  }
}

/**
 * Max-pool gradient for 2 × 2 windows at stride 2 with no padding (every window inside the image), NHWC, four
 * channels per pass: dx at each window's first maximum in row-major order (strict >; a window of −∞/NaN passes
 * nothing) gets 0 + dy, the other three cells 0 — the scalar kernel's dx[at] = dx[at] + dy on a zeroed dx, as the
 * windows do not overlap. Cells outside every window (odd sizes) are left as they are (the caller zeroes dx).
 */
export function maxPoolGrad2x2(x: usize, dy: usize, dx: usize, batch: i32, inH: i32, inW: i32, channels: i32, outH: i32, outW: i32): void {
  const row = <usize>inW * <usize>channels << 2;
  const pixel = <usize>channels << 2;
  const c4 = channels & ~3;
  const negInf = f32x4.splat(-Infinity);
  const zero = f32x4.splat(0);
  let g = dy;
  for (let b = 0; b < batch; b++) {
    const image = <usize>b * <usize>inH * row;
    for (let oh = 0; oh < outH; oh++) {
      for (let ow = 0; ow < outW; ow++) {
        const p00 = image + <usize>(2 * oh) * row + <usize>(2 * ow) * pixel;
        const p01 = p00 + pixel;
        const p10 = p00 + row;
        const p11 = p10 + pixel;
        let c = 0;
        for (; c < c4; c += 4) {
          const o = <usize>c << 2;
          const v00 = v128.load(x + p00 + o);
          const v01 = v128.load(x + p01 + o);
          const v10 = v128.load(x + p10 + o);
          const v11 = v128.load(x + p11 + o);
          const m00 = f32x4.gt(v00, negInf);
          let best = v128.bitselect(v00, negInf, m00);
          const m01 = f32x4.gt(v01, best);
          best = v128.bitselect(v01, best, m01);
          const m10 = f32x4.gt(v10, best);
          best = v128.bitselect(v10, best, m10);
          const m11 = f32x4.gt(v11, best);
          // Which cell holds the first maximum: the last mask that fired wins.
          const at11 = m11;
          const at10 = v128.andnot(m10, m11);
          const at01 = v128.andnot(m01, v128.or(m10, m11));
          const at00 = v128.andnot(m00, v128.or(m01, v128.or(m10, m11)));
          const d = f32x4.add(zero, v128.load(g + o));
          v128.store(dx + p00 + o, v128.and(d, at00));
          v128.store(dx + p01 + o, v128.and(d, at01));
          v128.store(dx + p10 + o, v128.and(d, at10));
          v128.store(dx + p11 + o, v128.and(d, at11));
        }
        for (; c < channels; c++) {
          const o = <usize>c << 2;
          let best: f32 = -Infinity;
          let at: usize = 0;
          let found = false;
          const a = load<f32>(x + p00 + o);
          if (a > best) { best = a; at = p00; found = true; }
          const b1 = load<f32>(x + p01 + o);
          if (b1 > best) { best = b1; at = p01; found = true; }
          const c1 = load<f32>(x + p10 + o);
          if (c1 > best) { best = c1; at = p10; found = true; }
          const d1 = load<f32>(x + p11 + o);
          if (d1 > best) { at = p11; found = true; }
          store<f32>(dx + p00 + o, 0);
          store<f32>(dx + p01 + o, 0);
          store<f32>(dx + p10 + o, 0);
          store<f32>(dx + p11 + o, 0);
          if (found) store<f32>(dx + at + o, <f32>0 + load<f32>(g + o));
        }
        g += pixel;
      }
    }
  }
}

/** acc + bias (when there is one), then the activation: the epilogue of `gemm` on four columns. */
// @ts-ignore: decorator
@inline
function gemmOut4(dst: usize, acc: v128, bias: usize, act: i32, alpha: v128): void {
  v128.store(dst, activate4(bias != 0 ? f32x4.add(acc, v128.load(bias)) : acc, act, alpha));
}

// @ts-ignore: decorator
@inline
function gemmOut1(dst: usize, acc: f32, bias: usize, act: i32, alpha: f32): void {
  store<f32>(dst, activate1(bias != 0 ? acc + load<f32>(bias) : acc, act, alpha));
}

/**
 * A tile's accumulator at `dst`: 0 in the first block of k, else the partial sum an earlier block stored there.
 * Storing and reloading a float32 partial sum changes nothing, so blocking k keeps every sum's order and bits.
 */
// @ts-ignore: decorator
@inline
function gemmStart4(dst: usize, first: bool): v128 {
  return first ? f32x4.splat(0) : v128.load(dst);
}

/** The last block of k: bias and activation (gemmOut4); an earlier block: the partial sum as it is. */
// @ts-ignore: decorator
@inline
function gemmEnd4(dst: usize, acc: v128, last: bool, bias: usize, act: i32, alpha: v128): void {
  if (last) gemmOut4(dst, acc, bias, act, alpha);
  else v128.store(dst, acc);
}

/** One 4-row × 8-column tile of `gemm` over p0 ≤ p < p1: C[i..i+4, j..j+8]. */
// @ts-ignore: decorator
@inline
function gemmTile4x8(a: usize, b: usize, c: usize, i: i32, j: i32, p0: i32, p1: i32, first: bool, last: bool, rowA: usize, colA: usize, rowB: usize, bias: usize, act: i32, A: v128): void {
  const d = c + <usize>i * rowB + (<usize>j << 2);
  let c00 = gemmStart4(d, first), c01 = gemmStart4(d + 16, first), c10 = gemmStart4(d + rowB, first), c11 = gemmStart4(d + rowB + 16, first);
  let c20 = gemmStart4(d + 2 * rowB, first), c21 = gemmStart4(d + 2 * rowB + 16, first), c30 = gemmStart4(d + 3 * rowB, first), c31 = gemmStart4(d + 3 * rowB + 16, first);
  let pa = a + <usize>i * rowA + <usize>p0 * colA;
  let pb = b + (<usize>j << 2) + <usize>p0 * rowB;
  for (let p = p0; p < p1; p++) {
    const b0 = v128.load(pb);
    const b1 = v128.load(pb, 16);
    const x0 = v128.load32_splat(pa);
    const x1 = v128.load32_splat(pa + rowA);
    const x2 = v128.load32_splat(pa + 2 * rowA);
    const x3 = v128.load32_splat(pa + 3 * rowA);
    c00 = f32x4.add(c00, f32x4.mul(x0, b0));
    c01 = f32x4.add(c01, f32x4.mul(x0, b1));
    c10 = f32x4.add(c10, f32x4.mul(x1, b0));
    c11 = f32x4.add(c11, f32x4.mul(x1, b1));
    c20 = f32x4.add(c20, f32x4.mul(x2, b0));
    c21 = f32x4.add(c21, f32x4.mul(x2, b1));
    c30 = f32x4.add(c30, f32x4.mul(x3, b0));
    c31 = f32x4.add(c31, f32x4.mul(x3, b1));
    pa += colA;
    pb += rowB;
  }
  const bj = bias != 0 ? bias + (<usize>j << 2) : 0;
  const bj4 = bias != 0 ? bj + 16 : 0;
  gemmEnd4(d, c00, last, bj, act, A);
  gemmEnd4(d + 16, c01, last, bj4, act, A);
  gemmEnd4(d + rowB, c10, last, bj, act, A);
  gemmEnd4(d + rowB + 16, c11, last, bj4, act, A);
  gemmEnd4(d + 2 * rowB, c20, last, bj, act, A);
  gemmEnd4(d + 2 * rowB + 16, c21, last, bj4, act, A);
  gemmEnd4(d + 3 * rowB, c30, last, bj, act, A);
  gemmEnd4(d + 3 * rowB + 16, c31, last, bj4, act, A);
}

/** One row × 8 columns (the rows past the last multiple of 4) over p0 ≤ p < p1. */
// @ts-ignore: decorator
@inline
function gemmTile1x8(a: usize, b: usize, c: usize, i: i32, j: i32, p0: i32, p1: i32, first: bool, last: bool, rowA: usize, colA: usize, rowB: usize, bias: usize, act: i32, A: v128): void {
  const d = c + <usize>i * rowB + (<usize>j << 2);
  let c0 = gemmStart4(d, first), c1 = gemmStart4(d + 16, first);
  let pa = a + <usize>i * rowA + <usize>p0 * colA;
  let pb = b + (<usize>j << 2) + <usize>p0 * rowB;
  for (let p = p0; p < p1; p++) {
    const x = f32x4.splat(load<f32>(pa));
    c0 = f32x4.add(c0, f32x4.mul(x, v128.load(pb)));
    c1 = f32x4.add(c1, f32x4.mul(x, v128.load(pb, 16)));
    pa += colA;
    pb += rowB;
  }
  const bj = bias != 0 ? bias + (<usize>j << 2) : 0;
  gemmEnd4(d, c0, last, bj, act, A);
  gemmEnd4(d + 16, c1, last, bias != 0 ? bj + 16 : 0, act, A);
}

/** Rows i..i+rows × 4 columns over p0 ≤ p < p1. */
// @ts-ignore: decorator
@inline
function gemmTileRx4(a: usize, b: usize, c: usize, i: i32, rows: i32, j: i32, p0: i32, p1: i32, first: bool, last: bool, rowA: usize, colA: usize, rowB: usize, bias: usize, act: i32, A: v128): void {
  for (let r = 0; r < rows; r++) {
    const d = c + <usize>(i + r) * rowB + (<usize>j << 2);
    let c0 = gemmStart4(d, first);
    let pa = a + <usize>(i + r) * rowA + <usize>p0 * colA;
    let pb = b + (<usize>j << 2) + <usize>p0 * rowB;
    for (let p = p0; p < p1; p++) {
      c0 = f32x4.add(c0, f32x4.mul(f32x4.splat(load<f32>(pa)), v128.load(pb)));
      pa += colA;
      pb += rowB;
    }
    gemmEnd4(d, c0, last, bias != 0 ? bias + (<usize>j << 2) : 0, act, A);
  }
}

/** One element C[i, j] over p0 ≤ p < p1 (the last columns past a multiple of 4). */
// @ts-ignore: decorator
@inline
function gemmDot(a: usize, b: usize, c: usize, i: i32, j: i32, p0: i32, p1: i32, first: bool, last: bool, rowA: usize, colA: usize, rowB: usize, bias: usize, act: i32, alpha: f32): void {
  const d = c + <usize>i * rowB + (<usize>j << 2);
  let s: f32 = first ? 0 : load<f32>(d);
  let pa = a + <usize>i * rowA + <usize>p0 * colA;
  let pb = b + (<usize>j << 2) + <usize>p0 * rowB;
  for (let p = p0; p < p1; p++) {
    s += load<f32>(pa) * load<f32>(pb);
    pa += colA;
    pb += rowB;
  }
  if (last) gemmOut1(d, s, bias != 0 ? bias + (<usize>j << 2) : 0, act, alpha);
  else store<f32>(d, s);
}

/**
 * Rows of k a block holds: 256 when A's rows are contiguous (B's 256 × 8 floats stay in cache while every row tile
 * passes over them); 64 when A is read transposed, one cache line a row of k for A and for B (measured, one thread:
 * a 288 × 7744ᵀ · 7744 × 64 filter gradient 32–34 ms unblocked, 21–22 ms at 256, 13.0–13.5 ms at 64; 64 cost a
 * 1024² product ≈ 10 %).
 */
const GEMM_K_BLOCK = 256;
const GEMM_K_BLOCK_STRIDED = 64;
/** Rows of A a block holds (64 × k floats: 74 KB for k = 288), kept in L2 while the chunk's panels pass over it. */
const GEMM_M_BLOCK = 64;

/**
 * Columns j0 ≤ j < j1 of C (m × n, row-major) = act(op(A)·B + bias) for float32, B row-major k × n read where it
 * lies (nothing packed), A's element (i, p) at a + 4·(i·rowStride + p·colStride), so a transposed A costs nothing.
 * Every C element is summed from 0 over p = 0, 1, …, k − 1 as a float32 multiply then add (SIMD128 has no fused
 * multiply-add), then the bias is added (bias = 0: none) and the activation applied (0 linear, 1 ReLU, 2 leaky ReLU
 * with alpha): the same operations whichever tile or thread an element falls to, so C equals a sequential float32
 * loop bit for bit, however the columns are split. Panels of 8 columns (k × 8 of B stays in L1) over tiles of 4 rows:
 * per p, two vector loads of B and four broadcast loads of A for 32 multiply-adds. A long k (a filter gradient's
 * batch × pixels) is cut in blocks (GEMM_K_BLOCK, or GEMM_K_BLOCK_STRIDED for a transposed A), C holding the partial sums in between: a k × 8 panel of B that
 * no longer fits in cache is then read from memory once per block rather than once per row tile.
 */
export function gemm(a: usize, b: usize, c: usize, m: i32, k: i32, n: i32, rowStride: i32, colStride: i32, bias: usize, act: i32, alpha: f32, j0: i32, j1: i32): void {
  const rowA = <usize>rowStride << 2;
  const colA = <usize>colStride << 2;
  const rowB = <usize>n << 2;
  const A = f32x4.splat(alpha);
  const kBlock = colStride == 1 ? GEMM_K_BLOCK : GEMM_K_BLOCK_STRIDED;
  const j8 = j0 + ((j1 - j0) & ~7);
  // Row blocks outermost: a block of A stays in cache while every panel of the chunk passes over it, instead of a tall
  // A (a forward convolution's im2col) being read from memory once per 8-column panel.
  for (let i0 = 0; i0 < m; i0 += GEMM_M_BLOCK) {
    const i1 = m - i0 > GEMM_M_BLOCK ? i0 + GEMM_M_BLOCK : m;
    for (let j = j0; j < j8; j += 8) {
      let p0 = 0;
      do {
        const p1 = k - p0 > kBlock ? p0 + kBlock : k;
        const first = p0 == 0;
        const last = p1 == k;
        let i = i0;
        for (; i + 4 <= i1; i += 4) gemmTile4x8(a, b, c, i, j, p0, p1, first, last, rowA, colA, rowB, bias, act, A);
        for (; i < i1; i++) gemmTile1x8(a, b, c, i, j, p0, p1, first, last, rowA, colA, rowB, bias, act, A);
        p0 = p1;
      } while (p0 < k);
    }
  }
  let j = j8;
  for (; j + 4 <= j1; j += 4) gemmTileRx4(a, b, c, 0, m, j, 0, k, true, true, rowA, colA, rowB, bias, act, A);
  for (; j < j1; j++) {
    for (let i = 0; i < m; i++) gemmDot(a, b, c, i, j, 0, k, true, true, rowA, colA, rowB, bias, act, alpha);
  }
}

// @ts-ignore: decorator
@inline
function binary4(op: i32, x: v128, y: v128): v128 {
  if (op == 0) return f32x4.add(x, y);
  if (op == 1) return f32x4.sub(x, y);
  return f32x4.mul(x, y);
}

// @ts-ignore: decorator
@inline
function binary1(op: i32, x: f32, y: f32): f32 {
  if (op == 0) return x + y;
  if (op == 1) return x - y;
  return x * y;
}

/**
 * out[o, i] = a op b over an outer × inner float32 grid (op 0 add, 1 subtract, 2 multiply), each operand read by its
 * mode: 0 the whole grid (o·inner + i), 1 one scalar, 2 one row (i), 3 one column (o) — the broadcasts of a training
 * step's element-wise ops. One IEEE float32 operation an element, as tfjs-wasm's XNNPACK kernels do, so the result is
 * the same bit for bit; it runs on the calling thread (XNNPACK's would wake its thread pool for a few microseconds
 * of work).
 */
export function binary(op: i32, a: usize, b: usize, out: usize, outer: i32, inner: i32, aMode: i32, bMode: i32): void {
  const inner4 = inner & ~3;
  const rowBytes = <usize>inner << 2;
  for (let o = 0; o < outer; o++) {
    const ao = aMode == 0 ? a + <usize>o * rowBytes : aMode == 3 ? a + (<usize>o << 2) : a;
    const bo = bMode == 0 ? b + <usize>o * rowBytes : bMode == 3 ? b + (<usize>o << 2) : b;
    const aStep: usize = aMode == 0 || aMode == 2 ? 4 : 0;
    const bStep: usize = bMode == 0 || bMode == 2 ? 4 : 0;
    const d = out + <usize>o * rowBytes;
    let i = 0;
    for (; i < inner4; i += 4) {
      const x = aStep != 0 ? v128.load(ao + (<usize>i << 2)) : v128.load32_splat(ao);
      const y = bStep != 0 ? v128.load(bo + (<usize>i << 2)) : v128.load32_splat(bo);
      v128.store(d + (<usize>i << 2), binary4(op, x, y));
    }
    for (; i < inner; i++) store<f32>(d + (<usize>i << 2), binary1(op, load<f32>(ao + <usize>i * aStep), load<f32>(bo + <usize>i * bStep)));
  }
}

// Winograd minimal filtering F(2×2, 3×3) (Lavin & Gray 2016): a 3 × 3 stride-1 convolution as, per 2 × 2 output
// tile, an input transform Bᵀ·d·B of its 4 × 4 input patch, 16 products over the input channels (one GEMM per
// transformed position ξ: [tiles × cin] · [cin × cout]) and an output transform Aᵀ·m·A — 16 multiplies per tile and
// channel pair instead of 36. Not the direct convolution's float32 sums (see winograd3x3), so not bit-identical to it.
//   Bᵀ = [1 0 −1 0; 0 1 1 0; 0 −1 1 0; 0 1 0 −1],  G = [1 0 0; ½ ½ ½; ½ −½ ½; 0 0 1],  Aᵀ = [1 1 1 0; 0 1 −1 −1].

/** Four floats at p, or (a tail, `full` false) one float in every lane: the same lane arithmetic either way. */
// @ts-ignore: decorator
@inline
function load4(p: usize, full: bool): v128 {
  return full ? v128.load(p) : f32x4.splat(load<f32>(p));
}

// @ts-ignore: decorator
@inline
function store4(p: usize, v: v128, full: bool): void {
  if (full) v128.store(p, v);
  else store<f32>(p, f32x4.extract_lane(v, 0));
}

/** Tiles of one block of `winograd3x3`: its 16 transformed inputs and 16 products stay in L2 between the three steps. */
const WINOGRAD_TILE_BLOCK = 16;

/** Floats of scratch one `winograd3x3` call (one chunk of tiles) needs. */
export function winogradScratchFloats(cin: i32, cout: i32): i32 {
  return 16 * WINOGRAD_TILE_BLOCK * (cin + cout);
}

/**
 * u[ξ, ci, co] = (G·g·Gᵀ)[ξ] for g = w[·, ·, ci, co] (w: 3 × 3 × cin × cout, ξ = 4·row + column): the transformed filter,
 * four (ci, co) pairs per pass.
 */
export function winogradFilter(w: usize, u: usize, cin: i32, cout: i32): void {
  const n = cin * cout;
  const plane = <usize>n << 2;
  const H = f32x4.splat(0.5);
  for (let e = 0; e < n; e += 4) {
    const full = e + 4 <= n;
    const lanes = full ? 1 : n - e;
    for (let lane = 0; lane < lanes; lane++) {
      const o = (<usize>(e + lane)) << 2;
      const g0 = load4(w + o, full), g1 = load4(w + plane + o, full), g2 = load4(w + 2 * plane + o, full);
      const g3 = load4(w + 3 * plane + o, full), g4 = load4(w + 4 * plane + o, full), g5 = load4(w + 5 * plane + o, full);
      const g6 = load4(w + 6 * plane + o, full), g7 = load4(w + 7 * plane + o, full), g8 = load4(w + 8 * plane + o, full);
      // G·g (4 × 3), column by column.
      const t10 = f32x4.mul(f32x4.add(f32x4.add(g0, g3), g6), H), t20 = f32x4.mul(f32x4.add(f32x4.sub(g0, g3), g6), H);
      const t11 = f32x4.mul(f32x4.add(f32x4.add(g1, g4), g7), H), t21 = f32x4.mul(f32x4.add(f32x4.sub(g1, g4), g7), H);
      const t12 = f32x4.mul(f32x4.add(f32x4.add(g2, g5), g8), H), t22 = f32x4.mul(f32x4.add(f32x4.sub(g2, g5), g8), H);
      // (G·g)·Gᵀ, row by row: rows g0..g2, t1·, t2·, g6..g8.
      winogradFilterRow(u + o, plane, 0, g0, g1, g2, H, full);
      winogradFilterRow(u + o, plane, 1, t10, t11, t12, H, full);
      winogradFilterRow(u + o, plane, 2, t20, t21, t22, H, full);
      winogradFilterRow(u + o, plane, 3, g6, g7, g8, H, full);
    }
  }
}

// @ts-ignore: decorator
@inline
function winogradFilterRow(u: usize, plane: usize, row: i32, a: v128, b: v128, c: v128, H: v128, full: bool): void {
  const at = u + <usize>(4 * row) * plane;
  store4(at, a, full);
  store4(at + plane, f32x4.mul(f32x4.add(f32x4.add(a, b), c), H), full);
  store4(at + 2 * plane, f32x4.mul(f32x4.add(f32x4.sub(a, b), c), H), full);
  store4(at + 3 * plane, c, full);
}

/** One row of Bᵀ·d·B from the rows s of Bᵀ·d: (s0 − s2, s1 + s2, s2 − s1, s1 − s3) at ξ = 4·row …, `step` bytes apart. */
// @ts-ignore: decorator
@inline
function winogradInputRow(v: usize, step: usize, s0: v128, s1: v128, s2: v128, s3: v128, full: bool): void {
  store4(v, f32x4.sub(s0, s2), full);
  store4(v + step, f32x4.add(s1, s2), full);
  store4(v + 2 * step, f32x4.sub(s2, s1), full);
  store4(v + 3 * step, f32x4.sub(s1, s3), full);
}

/** Input cell (i, j) of a tile's 4 × 4 patch at `at` (0 outside the image: `rows`/`cols` bit i/j set when inside). */
// @ts-ignore: decorator
@inline
function winogradCell(at: usize, rowBytes: usize, chBytes: usize, i: i32, j: i32, rows: i32, cols: i32, full: bool): v128 {
  return ((rows >> i) & (cols >> j) & 1) != 0 ? load4(at + <usize>i * rowBytes + <usize>j * chBytes, full) : f32x4.splat(0);
}

/**
 * Tile t's input transform for channels c (four, or one when not `full`): v[ξ, tl, c] = (Bᵀ·d·B)[ξ] of the 4 × 4 patch d
 * whose corner is (h0, w0) (v's ξ-planes `step` bytes apart).
 */
// @ts-ignore: decorator
@inline
function winogradInputTile(at: usize, rowBytes: usize, chBytes: usize, rows: i32, cols: i32, v: usize, step: usize, full: bool): void {
  // s = Bᵀ·d, column by column: (d0 − d2, d1 + d2, d2 − d1, d1 − d3).
  let d0 = winogradCell(at, rowBytes, chBytes, 0, 0, rows, cols, full), d1 = winogradCell(at, rowBytes, chBytes, 1, 0, rows, cols, full);
  let d2 = winogradCell(at, rowBytes, chBytes, 2, 0, rows, cols, full), d3 = winogradCell(at, rowBytes, chBytes, 3, 0, rows, cols, full);
  const s00 = f32x4.sub(d0, d2), s10 = f32x4.add(d1, d2), s20 = f32x4.sub(d2, d1), s30 = f32x4.sub(d1, d3);
  d0 = winogradCell(at, rowBytes, chBytes, 0, 1, rows, cols, full); d1 = winogradCell(at, rowBytes, chBytes, 1, 1, rows, cols, full);
  d2 = winogradCell(at, rowBytes, chBytes, 2, 1, rows, cols, full); d3 = winogradCell(at, rowBytes, chBytes, 3, 1, rows, cols, full);
  const s01 = f32x4.sub(d0, d2), s11 = f32x4.add(d1, d2), s21 = f32x4.sub(d2, d1), s31 = f32x4.sub(d1, d3);
  d0 = winogradCell(at, rowBytes, chBytes, 0, 2, rows, cols, full); d1 = winogradCell(at, rowBytes, chBytes, 1, 2, rows, cols, full);
  d2 = winogradCell(at, rowBytes, chBytes, 2, 2, rows, cols, full); d3 = winogradCell(at, rowBytes, chBytes, 3, 2, rows, cols, full);
  const s02 = f32x4.sub(d0, d2), s12 = f32x4.add(d1, d2), s22 = f32x4.sub(d2, d1), s32 = f32x4.sub(d1, d3);
  d0 = winogradCell(at, rowBytes, chBytes, 0, 3, rows, cols, full); d1 = winogradCell(at, rowBytes, chBytes, 1, 3, rows, cols, full);
  d2 = winogradCell(at, rowBytes, chBytes, 2, 3, rows, cols, full); d3 = winogradCell(at, rowBytes, chBytes, 3, 3, rows, cols, full);
  const s03 = f32x4.sub(d0, d2), s13 = f32x4.add(d1, d2), s23 = f32x4.sub(d2, d1), s33 = f32x4.sub(d1, d3);
  // Bᵀ·d·B, row by row.
  winogradInputRow(v, step, s00, s01, s02, s03, full);
  winogradInputRow(v + 4 * step, step, s10, s11, s12, s13, full);
  winogradInputRow(v + 8 * step, step, s20, s21, s22, s23, full);
  winogradInputRow(v + 12 * step, step, s30, s31, s32, s33, full);
}

/** One output row of Aᵀ·m·A from the rows r of Aᵀ·m: (r0 + r1 + r2, r1 − r2 − r3), then bias and activation. */
// @ts-ignore: decorator
@inline
function winogradOutputRow(y: usize, chBytes: usize, r0: v128, r1: v128, r2: v128, r3: v128, second: bool, bias: v128, hasBias: bool, act: i32, A: v128, full: bool): void {
  let y0 = f32x4.add(f32x4.add(r0, r1), r2);
  if (hasBias) y0 = f32x4.add(y0, bias);
  store4(y, activate4(y0, act, A), full);
  if (second) {
    let y1 = f32x4.sub(f32x4.sub(r1, r2), r3);
    if (hasBias) y1 = f32x4.add(y1, bias);
    store4(y + chBytes, activate4(y1, act, A), full);
  }
}

/**
 * Input transforms of tiles s ≤ t < s + nb (see winograd3x3 for the tiling): v[ξ, t − s, c] = (Bᵀ·d·B)[ξ] of tile t's
 * 4 × 4 input patch d (0 outside x), the ξ-planes `vStep` bytes apart, rows cin floats.
 */
// @ts-ignore: decorator
@inline
function winogradInputTiles(x: usize, v: usize, vStep: usize, s: i32, nb: i32, h: i32, w: i32, cin: i32, oh: i32, ow: i32, pt: i32, pl: i32): void {
  const tilesW = (ow + 1) >> 1;
  const tilesImage = ((oh + 1) >> 1) * tilesW;
  const inCh = <usize>cin << 2;
  const cin4 = cin & ~3;
  for (let tl = 0; tl < nb; tl++) {
    const t = s + tl;
    const b = t / tilesImage;
    const r = t - b * tilesImage;
    const th = r / tilesW;
    const h0 = 2 * th - pt;
    const w0 = 2 * (r - th * tilesW) - pl;
    let rows = 0;
    let cols = 0;
    for (let i = 0; i < 4; i++) {
      if (h0 + i >= 0 && h0 + i < h) rows |= 1 << i;
      if (w0 + i >= 0 && w0 + i < w) cols |= 1 << i;
    }
    // The patch's corner may lie outside the image; cells outside are never read.
    const at = x + (<usize>((b * h + h0) * w + w0)) * inCh;
    const vt = v + <usize>tl * inCh;
    let c = 0;
    if (rows == 15 && cols == 15) {
      // An inner tile: every cell inside, the constant masks fold the 16 tests away.
      for (; c < cin4; c += 4) winogradInputTile(at + (<usize>c << 2), <usize>w * inCh, inCh, 15, 15, vt + (<usize>c << 2), vStep, true);
    } else {
      for (; c < cin4; c += 4) winogradInputTile(at + (<usize>c << 2), <usize>w * inCh, inCh, rows, cols, vt + (<usize>c << 2), vStep, true);
    }
    for (; c < cin; c++) winogradInputTile(at + (<usize>c << 2), <usize>w * inCh, inCh, rows, cols, vt + (<usize>c << 2), vStep, false);
  }
}

/** Rows (r0, r1) of Aᵀ·m for column j of tile tl's products (channels at m, ξ-planes `step` bytes apart). */
// @ts-ignore: decorator
@inline
function winogradOutputColumn(m: usize, step: usize, j: i32, full: bool): v128 {
  return load4(m + <usize>j * step, full);
}

/**
 * Tiles t0 ≤ t < t1 of y = act(conv3×3(x, w) + bias), stride 1, NHWC: x is batch × h × w × cin, y batch × oh × ow × cout,
 * y[b, i, j, co] = Σ x[b, i + kh − pt, j + kw − pl, ci]·w[kh, kw, ci, co] (0 outside x), u = winogradFilter(w), bias
 * cout floats or 0, act 0 linear, 1 ReLU, 2 leaky ReLU (alpha). Tile t is the 2 × 2 block of y at (2·th, 2·tw) of
 * image b, t = (b·⌈oh/2⌉ + th)·⌈ow/2⌉ + tw. Tiles go in blocks of WINOGRAD_TILE_BLOCK through `scratch`
 * (winogradScratchFloats(cin, cout) floats, this call's own): input transform, 16 `gemm`s (each element summed over
 * ci in order), output transform. Every tile is computed by the same operations whatever block, chunk or thread it
 * falls to, so y is bit-identical for any split; against the direct sum it differs by the transforms' rounding.
 */
export function winograd3x3(x: usize, u: usize, y: usize, scratch: usize, bias: usize, act: i32, alpha: f32, h: i32, w: i32, cin: i32, cout: i32, oh: i32, ow: i32, pt: i32, pl: i32, t0: i32, t1: i32): void {
  const tilesW = (ow + 1) >> 1;
  const tilesImage = ((oh + 1) >> 1) * tilesW;
  const inCh = <usize>cin << 2;
  const outCh = <usize>cout << 2;
  const vStep = <usize>WINOGRAD_TILE_BLOCK * inCh;
  const mStep = <usize>WINOGRAD_TILE_BLOCK * outCh;
  const v = scratch;
  const mm = scratch + 16 * vStep;
  const plane = <usize>cin * <usize>cout << 2;
  const A = f32x4.splat(alpha);
  const cout4 = cout & ~3;
  for (let s = t0; s < t1; s += WINOGRAD_TILE_BLOCK) {
    const nb = t1 - s < WINOGRAD_TILE_BLOCK ? t1 - s : WINOGRAD_TILE_BLOCK;
    winogradInputTiles(x, v, vStep, s, nb, h, w, cin, oh, ow, pt, pl);
    for (let xi = 0; xi < 16; xi++) gemm(v + <usize>xi * vStep, u + <usize>xi * plane, mm + <usize>xi * mStep, nb, cin, cout, cin, 1, 0, 0, 0, 0, cout);
    for (let tl = 0; tl < nb; tl++) {
      const t = s + tl;
      const b = t / tilesImage;
      const r = t - b * tilesImage;
      const th = r / tilesW;
      const i0 = 2 * th;
      const j0 = 2 * (r - th * tilesW);
      const second = j0 + 1 < ow;
      const yt = y + (<usize>((b * oh + i0) * ow + j0)) * outCh;
      const mt = mm + <usize>tl * outCh;
      let c = 0;
      for (; c < cout; c += 4) {
        const full = c < cout4;
        const lanes = full ? 1 : cout - c;
        for (let lane = 0; lane < lanes; lane++) {
          const o = <usize>(c + lane) << 2;
          const bv = bias != 0 ? load4(bias + o, full) : f32x4.splat(0);
          const mo = mt + o;
          // r = Aᵀ·m, column by column: (m0 + m1 + m2, m1 − m2 − m3) over rows 0..3 of the 4 × 4 m.
          let m0 = winogradOutputColumn(mo, mStep, 0, full), m1 = winogradOutputColumn(mo, mStep, 4, full);
          let m2 = winogradOutputColumn(mo, mStep, 8, full), m3 = winogradOutputColumn(mo, mStep, 12, full);
          const r00 = f32x4.add(f32x4.add(m0, m1), m2), r10 = f32x4.sub(f32x4.sub(m1, m2), m3);
          m0 = winogradOutputColumn(mo, mStep, 1, full); m1 = winogradOutputColumn(mo, mStep, 5, full);
          m2 = winogradOutputColumn(mo, mStep, 9, full); m3 = winogradOutputColumn(mo, mStep, 13, full);
          const r01 = f32x4.add(f32x4.add(m0, m1), m2), r11 = f32x4.sub(f32x4.sub(m1, m2), m3);
          m0 = winogradOutputColumn(mo, mStep, 2, full); m1 = winogradOutputColumn(mo, mStep, 6, full);
          m2 = winogradOutputColumn(mo, mStep, 10, full); m3 = winogradOutputColumn(mo, mStep, 14, full);
          const r02 = f32x4.add(f32x4.add(m0, m1), m2), r12 = f32x4.sub(f32x4.sub(m1, m2), m3);
          m0 = winogradOutputColumn(mo, mStep, 3, full); m1 = winogradOutputColumn(mo, mStep, 7, full);
          m2 = winogradOutputColumn(mo, mStep, 11, full); m3 = winogradOutputColumn(mo, mStep, 15, full);
          const r03 = f32x4.add(f32x4.add(m0, m1), m2), r13 = f32x4.sub(f32x4.sub(m1, m2), m3);
          winogradOutputRow(yt + o, outCh, r00, r01, r02, r03, second, bv, bias != 0, act, A, full);
          if (i0 + 1 < oh) winogradOutputRow(yt + <usize>ow * outCh + o, outCh, r10, r11, r12, r13, second, bv, bias != 0, act, A, full);
        }
      }
    }
  }
}

/**
 * Tiles t0 ≤ t < t1 of the filter gradient's input transform: v[ξ, t, c] = (Bᵀ·d·B)[ξ] of tile t's 4 × 4 input patch
 * (winograd3x3's tiling of an oh × ow output; the ξ-planes tiles · cin floats apart). A copy of sums and differences:
 * the same floats whoever computes them.
 */
export function winogradInputTransform(x: usize, v: usize, h: i32, w: i32, cin: i32, oh: i32, ow: i32, pt: i32, pl: i32, tiles: i32, t0: i32, t1: i32): void {
  winogradInputTiles(x, v + (<usize>t0 * <usize>cin << 2), <usize>tiles * <usize>cin << 2, t0, t1 - t0, h, w, cin, oh, ow, pt, pl);
}

/** dy cell (i, j) of a tile at `at` (0 past the output's edge: `second` row / column). */
// @ts-ignore: decorator
@inline
function winogradDyCell(at: usize, present: bool, full: bool): v128 {
  return present ? load4(at, full) : f32x4.splat(0);
}

/** One row of (A·e)·Aᵀ from a row (a, b) of A·e: (a, a + b, a − b, −b) at ξ = 4·row …, `step` bytes apart. */
// @ts-ignore: decorator
@inline
function winogradDyRow(g: usize, step: usize, a: v128, b: v128, full: bool): void {
  store4(g, a, full);
  store4(g + step, f32x4.add(a, b), full);
  store4(g + 2 * step, f32x4.sub(a, b), full);
  store4(g + 3 * step, f32x4.neg(b), full);
}

/**
 * Tiles t0 ≤ t < t1 of the filter gradient's output-gradient transform: g[ξ, t, co] = (A·e·Aᵀ)[ξ] for tile t's 2 × 2
 * block e of dy (batch × oh × ow × cout; 0 past the edge), A = [1 0; 1 1; 1 −1; 0 −1], the ξ-planes tiles · cout floats
 * apart: the gradient of winograd3x3's products with respect to their sums, as y = Aᵀ·m·A.
 */
export function winogradGradTransform(dy: usize, g: usize, cout: i32, oh: i32, ow: i32, tiles: i32, t0: i32, t1: i32): void {
  const tilesW = (ow + 1) >> 1;
  const tilesImage = ((oh + 1) >> 1) * tilesW;
  const outCh = <usize>cout << 2;
  const step = <usize>tiles * outCh;
  for (let t = t0; t < t1; t++) {
    const b = t / tilesImage;
    const r = t - b * tilesImage;
    const th = r / tilesW;
    const i0 = 2 * th;
    const j0 = 2 * (r - th * tilesW);
    const down = i0 + 1 < oh;
    const right = j0 + 1 < ow;
    const at = dy + (<usize>((b * oh + i0) * ow + j0)) * outCh;
    const gt = g + <usize>t * outCh;
    for (let c = 0; c < cout; c += 4) {
      const full = c + 4 <= cout;
      const lanes = full ? 1 : cout - c;
      for (let lane = 0; lane < lanes; lane++) {
        const o = <usize>(c + lane) << 2;
        const e00 = load4(at + o, full);
        const e01 = winogradDyCell(at + outCh + o, right, full);
        const e10 = winogradDyCell(at + <usize>ow * outCh + o, down, full);
        const e11 = winogradDyCell(at + <usize>ow * outCh + outCh + o, down && right, full);
        // A·e (4 × 2), then each row times Aᵀ.
        winogradDyRow(gt + o, step, e00, e01, full);
        winogradDyRow(gt + o + 4 * step, step, f32x4.add(e00, e10), f32x4.add(e01, e11), full);
        winogradDyRow(gt + o + 8 * step, step, f32x4.sub(e00, e10), f32x4.sub(e01, e11), full);
        winogradDyRow(gt + o + 12 * step, step, f32x4.neg(e10), f32x4.neg(e11), full);
      }
    }
  }
}

/** One row of Gᵀ·p·G from a row (p0, p1, p2, p3) of Gᵀ·p: (p0 + (p1 + p2)·½, (p1 − p2)·½, (p1 + p2)·½ + p3). */
// @ts-ignore: decorator
@inline
function winogradFilterGradRow(dw: usize, plane: usize, p0: v128, p1: v128, p2: v128, p3: v128, H: v128, full: bool): void {
  const s = f32x4.mul(f32x4.add(p1, p2), H);
  store4(dw, f32x4.add(p0, s), full);
  store4(dw + plane, f32x4.mul(f32x4.sub(p1, p2), H), full);
  store4(dw + 2 * plane, f32x4.add(s, p3), full);
}

/**
 * dw[kh, kw, ci, co] = (Gᵀ·du·G)[kh, kw] for du[ξ, ci, co] = Σ_t v[ξ, t, ci]·g[ξ, t, co] (the 16 products): the gradient
 * of winogradFilter's u = G·w·Gᵀ, four (ci, co) pairs per pass.
 */
export function winogradFilterGrad(du: usize, dw: usize, cin: i32, cout: i32): void {
  const n = cin * cout;
  const plane = <usize>n << 2;
  const H = f32x4.splat(0.5);
  for (let e = 0; e < n; e += 4) {
    const full = e + 4 <= n;
    const lanes = full ? 1 : n - e;
    for (let lane = 0; lane < lanes; lane++) {
      const o = (<usize>(e + lane)) << 2;
      // q = Gᵀ·du (3 × 4), column by column; then each row of q times G.
      let p0 = load4(du + o, full), p1 = load4(du + 4 * plane + o, full), p2 = load4(du + 8 * plane + o, full), p3 = load4(du + 12 * plane + o, full);
      let s = f32x4.mul(f32x4.add(p1, p2), H);
      const q00 = f32x4.add(p0, s), q10 = f32x4.mul(f32x4.sub(p1, p2), H), q20 = f32x4.add(s, p3);
      p0 = load4(du + plane + o, full); p1 = load4(du + 5 * plane + o, full); p2 = load4(du + 9 * plane + o, full); p3 = load4(du + 13 * plane + o, full);
      s = f32x4.mul(f32x4.add(p1, p2), H);
      const q01 = f32x4.add(p0, s), q11 = f32x4.mul(f32x4.sub(p1, p2), H), q21 = f32x4.add(s, p3);
      p0 = load4(du + 2 * plane + o, full); p1 = load4(du + 6 * plane + o, full); p2 = load4(du + 10 * plane + o, full); p3 = load4(du + 14 * plane + o, full);
      s = f32x4.mul(f32x4.add(p1, p2), H);
      const q02 = f32x4.add(p0, s), q12 = f32x4.mul(f32x4.sub(p1, p2), H), q22 = f32x4.add(s, p3);
      p0 = load4(du + 3 * plane + o, full); p1 = load4(du + 7 * plane + o, full); p2 = load4(du + 11 * plane + o, full); p3 = load4(du + 15 * plane + o, full);
      s = f32x4.mul(f32x4.add(p1, p2), H);
      const q03 = f32x4.add(p0, s), q13 = f32x4.mul(f32x4.sub(p1, p2), H), q23 = f32x4.add(s, p3);
      winogradFilterGradRow(dw + o, plane, q00, q01, q02, q03, H, full);
      winogradFilterGradRow(dw + 3 * plane + o, plane, q10, q11, q12, q13, H, full);
      winogradFilterGradRow(dw + 6 * plane + o, plane, q20, q21, q22, q23, H, full);
    }
  }
}
