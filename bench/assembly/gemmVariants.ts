// Prototype GEMM micro-kernels for issue 20 (bench/src/gemmVariants.ts compiles and times them): the shipped 4 × 8
// tile of @dl/tensor-core's `gemm` (assembly/fusedKernels.ts) against larger register tiles, packed B panels, and
// each with a fused multiply-add (relaxed SIMD's f32x4.relaxed_madd). FMA is a compile-time constant the runner sets
// by text substitution, so each variant is compiled once with and once without it. Same blocking as the shipped
// kernel (64-row blocks of A, k in blocks of 256, or 64 for a transposed A); no bias or activation. Every element of
// C is summed from 0 over p in order, whichever tile computes it.
// The tiles are unrolled by hand (every accumulator a local, so that the compiler can keep it in a register).

const FMA: bool = __FMA__;

// @ts-ignore: decorator
@inline
function madd(x: v128, y: v128, acc: v128): v128 {
  return FMA ? f32x4.relaxed_madd(x, y, acc) : f32x4.add(acc, f32x4.mul(x, y));
}

// @ts-ignore: decorator
@inline
function start4(dst: usize, first: bool): v128 {
  return first ? f32x4.splat(0) : v128.load(dst);
}

// @ts-ignore: decorator
@inline
function end4(dst: usize, acc: v128, last: bool): void {
  v128.store(dst, acc);
}

/** One row × 4 columns over p0 ≤ p < p1: the rows and columns no full tile covers. */
// @ts-ignore: decorator
@inline
function tile1x4(a: usize, b: usize, c: usize, i: i32, j: i32, p0: i32, p1: i32, first: bool, rowA: usize, colA: usize, rowB: usize): void {
  const d = c + <usize>i * rowB + (<usize>j << 2);
  let acc = start4(d, first);
  let pa = a + <usize>i * rowA + <usize>p0 * colA;
  let pb = b + (<usize>j << 2) + <usize>p0 * rowB;
  for (let p = p0; p < p1; p++) {
    acc = madd(v128.load32_splat(pa), v128.load(pb), acc);
    pa += colA;
    pb += rowB;
  }
  v128.store(d, acc);
}

/**
 * One element over p0 ≤ p < p1 (columns past a multiple of 4; none in the measured shapes). With FMA it rounds the
 * float64 x·y + s to float32, which can differ from a fused float32 multiply-add in rare double-rounding ties.
 */
// @ts-ignore: decorator
@inline
function dot1(a: usize, b: usize, c: usize, i: i32, j: i32, p0: i32, p1: i32, first: bool, rowA: usize, colA: usize, rowB: usize): void {
  const d = c + <usize>i * rowB + (<usize>j << 2);
  let s: f32 = first ? 0 : load<f32>(d);
  let pa = a + <usize>i * rowA + <usize>p0 * colA;
  let pb = b + (<usize>j << 2) + <usize>p0 * rowB;
  for (let p = p0; p < p1; p++) {
    s = FMA ? f32(Math.fround(<f64>load<f32>(pa) * <f64>load<f32>(pb) + <f64>s)) : s + load<f32>(pa) * load<f32>(pb);
    pa += colA;
    pb += rowB;
  }
  store<f32>(d, s);
}

/** 4 rows × 8 columns of C over p0 ≤ p < p1 (8 accumulators, 2 vector loads of B and 4 broadcasts of A per p). */
// @ts-ignore: decorator
@inline
function tile4x8(a: usize, b: usize, c: usize, i: i32, j: i32, p0: i32, p1: i32, first: bool, last: bool, rowA: usize, colA: usize, rowB: usize): void {
  const d = c + <usize>i * rowB + (<usize>j << 2);
  let c0_0 = start4(d + 0 * rowB + 0, first); let c0_1 = start4(d + 0 * rowB + 16, first);
  let c1_0 = start4(d + 1 * rowB + 0, first); let c1_1 = start4(d + 1 * rowB + 16, first);
  let c2_0 = start4(d + 2 * rowB + 0, first); let c2_1 = start4(d + 2 * rowB + 16, first);
  let c3_0 = start4(d + 3 * rowB + 0, first); let c3_1 = start4(d + 3 * rowB + 16, first);
  let pa = a + <usize>i * rowA + <usize>p0 * colA;
  let pb = b + (<usize>j << 2) + <usize>p0 * rowB;
  for (let p = p0; p < p1; p++) {
    const b0 = v128.load(pb, 0);
    const b1 = v128.load(pb, 16);
    const x0 = v128.load32_splat(pa + 0 * rowA);
    c0_0 = madd(x0, b0, c0_0);
    c0_1 = madd(x0, b1, c0_1);
    const x1 = v128.load32_splat(pa + 1 * rowA);
    c1_0 = madd(x1, b0, c1_0);
    c1_1 = madd(x1, b1, c1_1);
    const x2 = v128.load32_splat(pa + 2 * rowA);
    c2_0 = madd(x2, b0, c2_0);
    c2_1 = madd(x2, b1, c2_1);
    const x3 = v128.load32_splat(pa + 3 * rowA);
    c3_0 = madd(x3, b0, c3_0);
    c3_1 = madd(x3, b1, c3_1);
    pa += colA;
    pb += rowB;
  }
  end4(d + 0 * rowB + 0, c0_0, last);
  end4(d + 0 * rowB + 16, c0_1, last);
  end4(d + 1 * rowB + 0, c1_0, last);
  end4(d + 1 * rowB + 16, c1_1, last);
  end4(d + 2 * rowB + 0, c2_0, last);
  end4(d + 2 * rowB + 16, c2_1, last);
  end4(d + 3 * rowB + 0, c3_0, last);
  end4(d + 3 * rowB + 16, c3_1, last);
}
/** 6 rows × 8 columns of C over p0 ≤ p < p1 (12 accumulators, 2 vector loads of B and 6 broadcasts of A per p). */
// @ts-ignore: decorator
@inline
function tile6x8(a: usize, b: usize, c: usize, i: i32, j: i32, p0: i32, p1: i32, first: bool, last: bool, rowA: usize, colA: usize, rowB: usize): void {
  const d = c + <usize>i * rowB + (<usize>j << 2);
  let c0_0 = start4(d + 0 * rowB + 0, first); let c0_1 = start4(d + 0 * rowB + 16, first);
  let c1_0 = start4(d + 1 * rowB + 0, first); let c1_1 = start4(d + 1 * rowB + 16, first);
  let c2_0 = start4(d + 2 * rowB + 0, first); let c2_1 = start4(d + 2 * rowB + 16, first);
  let c3_0 = start4(d + 3 * rowB + 0, first); let c3_1 = start4(d + 3 * rowB + 16, first);
  let c4_0 = start4(d + 4 * rowB + 0, first); let c4_1 = start4(d + 4 * rowB + 16, first);
  let c5_0 = start4(d + 5 * rowB + 0, first); let c5_1 = start4(d + 5 * rowB + 16, first);
  let pa = a + <usize>i * rowA + <usize>p0 * colA;
  let pb = b + (<usize>j << 2) + <usize>p0 * rowB;
  for (let p = p0; p < p1; p++) {
    const b0 = v128.load(pb, 0);
    const b1 = v128.load(pb, 16);
    const x0 = v128.load32_splat(pa + 0 * rowA);
    c0_0 = madd(x0, b0, c0_0);
    c0_1 = madd(x0, b1, c0_1);
    const x1 = v128.load32_splat(pa + 1 * rowA);
    c1_0 = madd(x1, b0, c1_0);
    c1_1 = madd(x1, b1, c1_1);
    const x2 = v128.load32_splat(pa + 2 * rowA);
    c2_0 = madd(x2, b0, c2_0);
    c2_1 = madd(x2, b1, c2_1);
    const x3 = v128.load32_splat(pa + 3 * rowA);
    c3_0 = madd(x3, b0, c3_0);
    c3_1 = madd(x3, b1, c3_1);
    const x4 = v128.load32_splat(pa + 4 * rowA);
    c4_0 = madd(x4, b0, c4_0);
    c4_1 = madd(x4, b1, c4_1);
    const x5 = v128.load32_splat(pa + 5 * rowA);
    c5_0 = madd(x5, b0, c5_0);
    c5_1 = madd(x5, b1, c5_1);
    pa += colA;
    pb += rowB;
  }
  end4(d + 0 * rowB + 0, c0_0, last);
  end4(d + 0 * rowB + 16, c0_1, last);
  end4(d + 1 * rowB + 0, c1_0, last);
  end4(d + 1 * rowB + 16, c1_1, last);
  end4(d + 2 * rowB + 0, c2_0, last);
  end4(d + 2 * rowB + 16, c2_1, last);
  end4(d + 3 * rowB + 0, c3_0, last);
  end4(d + 3 * rowB + 16, c3_1, last);
  end4(d + 4 * rowB + 0, c4_0, last);
  end4(d + 4 * rowB + 16, c4_1, last);
  end4(d + 5 * rowB + 0, c5_0, last);
  end4(d + 5 * rowB + 16, c5_1, last);
}
/** 4 rows × 12 columns of C over p0 ≤ p < p1 (12 accumulators, 3 vector loads of B and 4 broadcasts of A per p). */
// @ts-ignore: decorator
@inline
function tile4x12(a: usize, b: usize, c: usize, i: i32, j: i32, p0: i32, p1: i32, first: bool, last: bool, rowA: usize, colA: usize, rowB: usize): void {
  const d = c + <usize>i * rowB + (<usize>j << 2);
  let c0_0 = start4(d + 0 * rowB + 0, first); let c0_1 = start4(d + 0 * rowB + 16, first); let c0_2 = start4(d + 0 * rowB + 32, first);
  let c1_0 = start4(d + 1 * rowB + 0, first); let c1_1 = start4(d + 1 * rowB + 16, first); let c1_2 = start4(d + 1 * rowB + 32, first);
  let c2_0 = start4(d + 2 * rowB + 0, first); let c2_1 = start4(d + 2 * rowB + 16, first); let c2_2 = start4(d + 2 * rowB + 32, first);
  let c3_0 = start4(d + 3 * rowB + 0, first); let c3_1 = start4(d + 3 * rowB + 16, first); let c3_2 = start4(d + 3 * rowB + 32, first);
  let pa = a + <usize>i * rowA + <usize>p0 * colA;
  let pb = b + (<usize>j << 2) + <usize>p0 * rowB;
  for (let p = p0; p < p1; p++) {
    const b0 = v128.load(pb, 0);
    const b1 = v128.load(pb, 16);
    const b2 = v128.load(pb, 32);
    const x0 = v128.load32_splat(pa + 0 * rowA);
    c0_0 = madd(x0, b0, c0_0);
    c0_1 = madd(x0, b1, c0_1);
    c0_2 = madd(x0, b2, c0_2);
    const x1 = v128.load32_splat(pa + 1 * rowA);
    c1_0 = madd(x1, b0, c1_0);
    c1_1 = madd(x1, b1, c1_1);
    c1_2 = madd(x1, b2, c1_2);
    const x2 = v128.load32_splat(pa + 2 * rowA);
    c2_0 = madd(x2, b0, c2_0);
    c2_1 = madd(x2, b1, c2_1);
    c2_2 = madd(x2, b2, c2_2);
    const x3 = v128.load32_splat(pa + 3 * rowA);
    c3_0 = madd(x3, b0, c3_0);
    c3_1 = madd(x3, b1, c3_1);
    c3_2 = madd(x3, b2, c3_2);
    pa += colA;
    pb += rowB;
  }
  end4(d + 0 * rowB + 0, c0_0, last);
  end4(d + 0 * rowB + 16, c0_1, last);
  end4(d + 0 * rowB + 32, c0_2, last);
  end4(d + 1 * rowB + 0, c1_0, last);
  end4(d + 1 * rowB + 16, c1_1, last);
  end4(d + 1 * rowB + 32, c1_2, last);
  end4(d + 2 * rowB + 0, c2_0, last);
  end4(d + 2 * rowB + 16, c2_1, last);
  end4(d + 2 * rowB + 32, c2_2, last);
  end4(d + 3 * rowB + 0, c3_0, last);
  end4(d + 3 * rowB + 16, c3_1, last);
  end4(d + 3 * rowB + 32, c3_2, last);
}
/** 3 rows × 16 columns of C over p0 ≤ p < p1 (12 accumulators, 4 vector loads of B and 3 broadcasts of A per p). */
// @ts-ignore: decorator
@inline
function tile3x16(a: usize, b: usize, c: usize, i: i32, j: i32, p0: i32, p1: i32, first: bool, last: bool, rowA: usize, colA: usize, rowB: usize): void {
  const d = c + <usize>i * rowB + (<usize>j << 2);
  let c0_0 = start4(d + 0 * rowB + 0, first); let c0_1 = start4(d + 0 * rowB + 16, first); let c0_2 = start4(d + 0 * rowB + 32, first); let c0_3 = start4(d + 0 * rowB + 48, first);
  let c1_0 = start4(d + 1 * rowB + 0, first); let c1_1 = start4(d + 1 * rowB + 16, first); let c1_2 = start4(d + 1 * rowB + 32, first); let c1_3 = start4(d + 1 * rowB + 48, first);
  let c2_0 = start4(d + 2 * rowB + 0, first); let c2_1 = start4(d + 2 * rowB + 16, first); let c2_2 = start4(d + 2 * rowB + 32, first); let c2_3 = start4(d + 2 * rowB + 48, first);
  let pa = a + <usize>i * rowA + <usize>p0 * colA;
  let pb = b + (<usize>j << 2) + <usize>p0 * rowB;
  for (let p = p0; p < p1; p++) {
    const b0 = v128.load(pb, 0);
    const b1 = v128.load(pb, 16);
    const b2 = v128.load(pb, 32);
    const b3 = v128.load(pb, 48);
    const x0 = v128.load32_splat(pa + 0 * rowA);
    c0_0 = madd(x0, b0, c0_0);
    c0_1 = madd(x0, b1, c0_1);
    c0_2 = madd(x0, b2, c0_2);
    c0_3 = madd(x0, b3, c0_3);
    const x1 = v128.load32_splat(pa + 1 * rowA);
    c1_0 = madd(x1, b0, c1_0);
    c1_1 = madd(x1, b1, c1_1);
    c1_2 = madd(x1, b2, c1_2);
    c1_3 = madd(x1, b3, c1_3);
    const x2 = v128.load32_splat(pa + 2 * rowA);
    c2_0 = madd(x2, b0, c2_0);
    c2_1 = madd(x2, b1, c2_1);
    c2_2 = madd(x2, b2, c2_2);
    c2_3 = madd(x2, b3, c2_3);
    pa += colA;
    pb += rowB;
  }
  end4(d + 0 * rowB + 0, c0_0, last);
  end4(d + 0 * rowB + 16, c0_1, last);
  end4(d + 0 * rowB + 32, c0_2, last);
  end4(d + 0 * rowB + 48, c0_3, last);
  end4(d + 1 * rowB + 0, c1_0, last);
  end4(d + 1 * rowB + 16, c1_1, last);
  end4(d + 1 * rowB + 32, c1_2, last);
  end4(d + 1 * rowB + 48, c1_3, last);
  end4(d + 2 * rowB + 0, c2_0, last);
  end4(d + 2 * rowB + 16, c2_1, last);
  end4(d + 2 * rowB + 32, c2_2, last);
  end4(d + 2 * rowB + 48, c2_3, last);
}
/** 4 rows × 16 columns of C over p0 ≤ p < p1 (16 accumulators, 4 vector loads of B and 4 broadcasts of A per p). */
// @ts-ignore: decorator
@inline
function tile4x16(a: usize, b: usize, c: usize, i: i32, j: i32, p0: i32, p1: i32, first: bool, last: bool, rowA: usize, colA: usize, rowB: usize): void {
  const d = c + <usize>i * rowB + (<usize>j << 2);
  let c0_0 = start4(d + 0 * rowB + 0, first); let c0_1 = start4(d + 0 * rowB + 16, first); let c0_2 = start4(d + 0 * rowB + 32, first); let c0_3 = start4(d + 0 * rowB + 48, first);
  let c1_0 = start4(d + 1 * rowB + 0, first); let c1_1 = start4(d + 1 * rowB + 16, first); let c1_2 = start4(d + 1 * rowB + 32, first); let c1_3 = start4(d + 1 * rowB + 48, first);
  let c2_0 = start4(d + 2 * rowB + 0, first); let c2_1 = start4(d + 2 * rowB + 16, first); let c2_2 = start4(d + 2 * rowB + 32, first); let c2_3 = start4(d + 2 * rowB + 48, first);
  let c3_0 = start4(d + 3 * rowB + 0, first); let c3_1 = start4(d + 3 * rowB + 16, first); let c3_2 = start4(d + 3 * rowB + 32, first); let c3_3 = start4(d + 3 * rowB + 48, first);
  let pa = a + <usize>i * rowA + <usize>p0 * colA;
  let pb = b + (<usize>j << 2) + <usize>p0 * rowB;
  for (let p = p0; p < p1; p++) {
    const b0 = v128.load(pb, 0);
    const b1 = v128.load(pb, 16);
    const b2 = v128.load(pb, 32);
    const b3 = v128.load(pb, 48);
    const x0 = v128.load32_splat(pa + 0 * rowA);
    c0_0 = madd(x0, b0, c0_0);
    c0_1 = madd(x0, b1, c0_1);
    c0_2 = madd(x0, b2, c0_2);
    c0_3 = madd(x0, b3, c0_3);
    const x1 = v128.load32_splat(pa + 1 * rowA);
    c1_0 = madd(x1, b0, c1_0);
    c1_1 = madd(x1, b1, c1_1);
    c1_2 = madd(x1, b2, c1_2);
    c1_3 = madd(x1, b3, c1_3);
    const x2 = v128.load32_splat(pa + 2 * rowA);
    c2_0 = madd(x2, b0, c2_0);
    c2_1 = madd(x2, b1, c2_1);
    c2_2 = madd(x2, b2, c2_2);
    c2_3 = madd(x2, b3, c2_3);
    const x3 = v128.load32_splat(pa + 3 * rowA);
    c3_0 = madd(x3, b0, c3_0);
    c3_1 = madd(x3, b1, c3_1);
    c3_2 = madd(x3, b2, c3_2);
    c3_3 = madd(x3, b3, c3_3);
    pa += colA;
    pb += rowB;
  }
  end4(d + 0 * rowB + 0, c0_0, last);
  end4(d + 0 * rowB + 16, c0_1, last);
  end4(d + 0 * rowB + 32, c0_2, last);
  end4(d + 0 * rowB + 48, c0_3, last);
  end4(d + 1 * rowB + 0, c1_0, last);
  end4(d + 1 * rowB + 16, c1_1, last);
  end4(d + 1 * rowB + 32, c1_2, last);
  end4(d + 1 * rowB + 48, c1_3, last);
  end4(d + 2 * rowB + 0, c2_0, last);
  end4(d + 2 * rowB + 16, c2_1, last);
  end4(d + 2 * rowB + 32, c2_2, last);
  end4(d + 2 * rowB + 48, c2_3, last);
  end4(d + 3 * rowB + 0, c3_0, last);
  end4(d + 3 * rowB + 16, c3_1, last);
  end4(d + 3 * rowB + 32, c3_2, last);
  end4(d + 3 * rowB + 48, c3_3, last);
}
/** 5 rows × 8 columns of C over p0 ≤ p < p1 (10 accumulators, 2 vector loads of B and 5 broadcasts of A per p). */
// @ts-ignore: decorator
@inline
function tile5x8(a: usize, b: usize, c: usize, i: i32, j: i32, p0: i32, p1: i32, first: bool, last: bool, rowA: usize, colA: usize, rowB: usize): void {
  const d = c + <usize>i * rowB + (<usize>j << 2);
  let c0_0 = start4(d + 0 * rowB + 0, first); let c0_1 = start4(d + 0 * rowB + 16, first);
  let c1_0 = start4(d + 1 * rowB + 0, first); let c1_1 = start4(d + 1 * rowB + 16, first);
  let c2_0 = start4(d + 2 * rowB + 0, first); let c2_1 = start4(d + 2 * rowB + 16, first);
  let c3_0 = start4(d + 3 * rowB + 0, first); let c3_1 = start4(d + 3 * rowB + 16, first);
  let c4_0 = start4(d + 4 * rowB + 0, first); let c4_1 = start4(d + 4 * rowB + 16, first);
  let pa = a + <usize>i * rowA + <usize>p0 * colA;
  let pb = b + (<usize>j << 2) + <usize>p0 * rowB;
  for (let p = p0; p < p1; p++) {
    const b0 = v128.load(pb, 0);
    const b1 = v128.load(pb, 16);
    const x0 = v128.load32_splat(pa + 0 * rowA);
    c0_0 = madd(x0, b0, c0_0);
    c0_1 = madd(x0, b1, c0_1);
    const x1 = v128.load32_splat(pa + 1 * rowA);
    c1_0 = madd(x1, b0, c1_0);
    c1_1 = madd(x1, b1, c1_1);
    const x2 = v128.load32_splat(pa + 2 * rowA);
    c2_0 = madd(x2, b0, c2_0);
    c2_1 = madd(x2, b1, c2_1);
    const x3 = v128.load32_splat(pa + 3 * rowA);
    c3_0 = madd(x3, b0, c3_0);
    c3_1 = madd(x3, b1, c3_1);
    const x4 = v128.load32_splat(pa + 4 * rowA);
    c4_0 = madd(x4, b0, c4_0);
    c4_1 = madd(x4, b1, c4_1);
    pa += colA;
    pb += rowB;
  }
  end4(d + 0 * rowB + 0, c0_0, last);
  end4(d + 0 * rowB + 16, c0_1, last);
  end4(d + 1 * rowB + 0, c1_0, last);
  end4(d + 1 * rowB + 16, c1_1, last);
  end4(d + 2 * rowB + 0, c2_0, last);
  end4(d + 2 * rowB + 16, c2_1, last);
  end4(d + 3 * rowB + 0, c3_0, last);
  end4(d + 3 * rowB + 16, c3_1, last);
  end4(d + 4 * rowB + 0, c4_0, last);
  end4(d + 4 * rowB + 16, c4_1, last);
}

const M_BLOCK = 64;
const K_BLOCK = 256;
const K_BLOCK_STRIDED = 64;

/** Rows i0 ≤ i < i1 × columns j ≤ c < j + cols of C over p0 ≤ p < p1 with 1 × 4 tiles and single elements. */
// @ts-ignore: decorator
@inline
function edge(a: usize, b: usize, c: usize, i0: i32, i1: i32, j: i32, cols: i32, p0: i32, p1: i32, first: bool, rowA: usize, colA: usize, rowB: usize): void {
  for (let i = i0; i < i1; i++) {
    let q = j;
    for (; q + 4 <= j + cols; q += 4) tile1x4(a, b, c, i, q, p0, p1, first, rowA, colA, rowB);
    for (; q < j + cols; q++) dot1(a, b, c, i, q, p0, p1, first, rowA, colA, rowB);
  }
}


/** C (m × n) = op(A)·B over columns j0 ≤ j < j1 with 4 × 8 tiles, A's (i, p) at a + 4·(i·rowStride + p·colStride). */
export function gemm4x8(a: usize, b: usize, c: usize, m: i32, k: i32, n: i32, rowStride: i32, colStride: i32, j0: i32, j1: i32): void {
  const rowA = <usize>rowStride << 2;
  const colA = <usize>colStride << 2;
  const rowB = <usize>n << 2;
  const kBlock = colStride == 1 ? K_BLOCK : K_BLOCK_STRIDED;
  const jFull = j0 + ((j1 - j0) / 8) * 8;
  for (let i0 = 0; i0 < m; i0 += M_BLOCK) {
    const i1 = m - i0 > M_BLOCK ? i0 + M_BLOCK : m;
    for (let j = j0; j < jFull; j += 8) {
      let p0 = 0;
      do {
        const p1 = k - p0 > kBlock ? p0 + kBlock : k;
        const first = p0 == 0;
        const last = p1 == k;
        let i = i0;
        for (; i + 4 <= i1; i += 4) tile4x8(a, b, c, i, j, p0, p1, first, last, rowA, colA, rowB);
        edge(a, b, c, i, i1, j, 8, p0, p1, first, rowA, colA, rowB);
        p0 = p1;
      } while (p0 < k);
    }
  }
  if (jFull < j1) edge(a, b, c, 0, m, jFull, j1 - jFull, 0, k, true, rowA, colA, rowB);
}


/** C (m × n) = op(A)·B over columns j0 ≤ j < j1 with 6 × 8 tiles, A's (i, p) at a + 4·(i·rowStride + p·colStride). */
export function gemm6x8(a: usize, b: usize, c: usize, m: i32, k: i32, n: i32, rowStride: i32, colStride: i32, j0: i32, j1: i32): void {
  const rowA = <usize>rowStride << 2;
  const colA = <usize>colStride << 2;
  const rowB = <usize>n << 2;
  const kBlock = colStride == 1 ? K_BLOCK : K_BLOCK_STRIDED;
  const jFull = j0 + ((j1 - j0) / 8) * 8;
  for (let i0 = 0; i0 < m; i0 += M_BLOCK) {
    const i1 = m - i0 > M_BLOCK ? i0 + M_BLOCK : m;
    for (let j = j0; j < jFull; j += 8) {
      let p0 = 0;
      do {
        const p1 = k - p0 > kBlock ? p0 + kBlock : k;
        const first = p0 == 0;
        const last = p1 == k;
        let i = i0;
        for (; i + 6 <= i1; i += 6) tile6x8(a, b, c, i, j, p0, p1, first, last, rowA, colA, rowB);
        edge(a, b, c, i, i1, j, 8, p0, p1, first, rowA, colA, rowB);
        p0 = p1;
      } while (p0 < k);
    }
  }
  if (jFull < j1) edge(a, b, c, 0, m, jFull, j1 - jFull, 0, k, true, rowA, colA, rowB);
}


/** C (m × n) = op(A)·B over columns j0 ≤ j < j1 with 4 × 12 tiles, A's (i, p) at a + 4·(i·rowStride + p·colStride). */
export function gemm4x12(a: usize, b: usize, c: usize, m: i32, k: i32, n: i32, rowStride: i32, colStride: i32, j0: i32, j1: i32): void {
  const rowA = <usize>rowStride << 2;
  const colA = <usize>colStride << 2;
  const rowB = <usize>n << 2;
  const kBlock = colStride == 1 ? K_BLOCK : K_BLOCK_STRIDED;
  const jFull = j0 + ((j1 - j0) / 12) * 12;
  for (let i0 = 0; i0 < m; i0 += M_BLOCK) {
    const i1 = m - i0 > M_BLOCK ? i0 + M_BLOCK : m;
    for (let j = j0; j < jFull; j += 12) {
      let p0 = 0;
      do {
        const p1 = k - p0 > kBlock ? p0 + kBlock : k;
        const first = p0 == 0;
        const last = p1 == k;
        let i = i0;
        for (; i + 4 <= i1; i += 4) tile4x12(a, b, c, i, j, p0, p1, first, last, rowA, colA, rowB);
        edge(a, b, c, i, i1, j, 12, p0, p1, first, rowA, colA, rowB);
        p0 = p1;
      } while (p0 < k);
    }
  }
  if (jFull < j1) edge(a, b, c, 0, m, jFull, j1 - jFull, 0, k, true, rowA, colA, rowB);
}


/** C (m × n) = op(A)·B over columns j0 ≤ j < j1 with 3 × 16 tiles, A's (i, p) at a + 4·(i·rowStride + p·colStride). */
export function gemm3x16(a: usize, b: usize, c: usize, m: i32, k: i32, n: i32, rowStride: i32, colStride: i32, j0: i32, j1: i32): void {
  const rowA = <usize>rowStride << 2;
  const colA = <usize>colStride << 2;
  const rowB = <usize>n << 2;
  const kBlock = colStride == 1 ? K_BLOCK : K_BLOCK_STRIDED;
  const jFull = j0 + ((j1 - j0) / 16) * 16;
  for (let i0 = 0; i0 < m; i0 += M_BLOCK) {
    const i1 = m - i0 > M_BLOCK ? i0 + M_BLOCK : m;
    for (let j = j0; j < jFull; j += 16) {
      let p0 = 0;
      do {
        const p1 = k - p0 > kBlock ? p0 + kBlock : k;
        const first = p0 == 0;
        const last = p1 == k;
        let i = i0;
        for (; i + 3 <= i1; i += 3) tile3x16(a, b, c, i, j, p0, p1, first, last, rowA, colA, rowB);
        edge(a, b, c, i, i1, j, 16, p0, p1, first, rowA, colA, rowB);
        p0 = p1;
      } while (p0 < k);
    }
  }
  if (jFull < j1) edge(a, b, c, 0, m, jFull, j1 - jFull, 0, k, true, rowA, colA, rowB);
}


/** C (m × n) = op(A)·B over columns j0 ≤ j < j1 with 4 × 16 tiles, A's (i, p) at a + 4·(i·rowStride + p·colStride). */
export function gemm4x16(a: usize, b: usize, c: usize, m: i32, k: i32, n: i32, rowStride: i32, colStride: i32, j0: i32, j1: i32): void {
  const rowA = <usize>rowStride << 2;
  const colA = <usize>colStride << 2;
  const rowB = <usize>n << 2;
  const kBlock = colStride == 1 ? K_BLOCK : K_BLOCK_STRIDED;
  const jFull = j0 + ((j1 - j0) / 16) * 16;
  for (let i0 = 0; i0 < m; i0 += M_BLOCK) {
    const i1 = m - i0 > M_BLOCK ? i0 + M_BLOCK : m;
    for (let j = j0; j < jFull; j += 16) {
      let p0 = 0;
      do {
        const p1 = k - p0 > kBlock ? p0 + kBlock : k;
        const first = p0 == 0;
        const last = p1 == k;
        let i = i0;
        for (; i + 4 <= i1; i += 4) tile4x16(a, b, c, i, j, p0, p1, first, last, rowA, colA, rowB);
        edge(a, b, c, i, i1, j, 16, p0, p1, first, rowA, colA, rowB);
        p0 = p1;
      } while (p0 < k);
    }
  }
  if (jFull < j1) edge(a, b, c, 0, m, jFull, j1 - jFull, 0, k, true, rowA, colA, rowB);
}


/** C (m × n) = op(A)·B over columns j0 ≤ j < j1 with 5 × 8 tiles, A's (i, p) at a + 4·(i·rowStride + p·colStride). */
export function gemm5x8(a: usize, b: usize, c: usize, m: i32, k: i32, n: i32, rowStride: i32, colStride: i32, j0: i32, j1: i32): void {
  const rowA = <usize>rowStride << 2;
  const colA = <usize>colStride << 2;
  const rowB = <usize>n << 2;
  const kBlock = colStride == 1 ? K_BLOCK : K_BLOCK_STRIDED;
  const jFull = j0 + ((j1 - j0) / 8) * 8;
  for (let i0 = 0; i0 < m; i0 += M_BLOCK) {
    const i1 = m - i0 > M_BLOCK ? i0 + M_BLOCK : m;
    for (let j = j0; j < jFull; j += 8) {
      let p0 = 0;
      do {
        const p1 = k - p0 > kBlock ? p0 + kBlock : k;
        const first = p0 == 0;
        const last = p1 == k;
        let i = i0;
        for (; i + 5 <= i1; i += 5) tile5x8(a, b, c, i, j, p0, p1, first, last, rowA, colA, rowB);
        edge(a, b, c, i, i1, j, 8, p0, p1, first, rowA, colA, rowB);
        p0 = p1;
      } while (p0 < k);
    }
  }
  if (jFull < j1) edge(a, b, c, 0, m, jFull, j1 - jFull, 0, k, true, rowA, colA, rowB);
}


/**
 * 4 × 8 tiles reading B packed in panels: columns j0 ≤ j < j1 of B are first copied to `scratch`, panel by panel
 * (8 columns, k rows of 32 contiguous bytes), then the same loops as gemm4x8 read each panel with a 32-byte stride.
 */
export function gemmPacked4x8(a: usize, b: usize, c: usize, m: i32, k: i32, n: i32, rowStride: i32, colStride: i32, j0: i32, j1: i32, scratch: usize): void {
  const rowA = <usize>rowStride << 2;
  const colA = <usize>colStride << 2;
  const rowB = <usize>n << 2;
  const panelBytes = <usize>k << 5;
  const kBlock = colStride == 1 ? K_BLOCK : K_BLOCK_STRIDED;
  const jFull = j0 + ((j1 - j0) >> 3 << 3);
  for (let j = j0; j < jFull; j += 8) {
    let src = b + (<usize>j << 2);
    let dst = scratch + <usize>((j - j0) >> 3) * panelBytes;
    for (let p = 0; p < k; p++) {
      v128.store(dst, v128.load(src));
      v128.store(dst, v128.load(src, 16), 16);
      src += rowB;
      dst += 32;
    }
  }
  for (let i0 = 0; i0 < m; i0 += M_BLOCK) {
    const i1 = m - i0 > M_BLOCK ? i0 + M_BLOCK : m;
    for (let j = j0; j < jFull; j += 8) {
      const panel = scratch + <usize>((j - j0) >> 3) * panelBytes;
      let p0 = 0;
      do {
        const p1 = k - p0 > kBlock ? p0 + kBlock : k;
        const first = p0 == 0;
        const last = p1 == k;
        let i = i0;
        for (; i + 4 <= i1; i += 4) tilePacked4x8(a, panel, c, i, j, p0, p1, first, last, rowA, colA, rowB);
        edge(a, b, c, i, i1, j, 8, p0, p1, first, rowA, colA, rowB);
        p0 = p1;
      } while (p0 < k);
    }
  }
  if (jFull < j1) edge(a, b, c, 0, m, jFull, j1 - jFull, 0, k, true, rowA, colA, rowB);
}

/** (B packed, 32 bytes a row) 4 rows × 8 columns of C over p0 ≤ p < p1 (8 accumulators, 2 vector loads of B and 4 broadcasts of A per p). */
// @ts-ignore: decorator
@inline
function tilePacked4x8(a: usize, b: usize, c: usize, i: i32, j: i32, p0: i32, p1: i32, first: bool, last: bool, rowA: usize, colA: usize, rowB: usize): void {
  const d = c + <usize>i * rowB + (<usize>j << 2);
  let c0_0 = start4(d + 0 * rowB + 0, first); let c0_1 = start4(d + 0 * rowB + 16, first);
  let c1_0 = start4(d + 1 * rowB + 0, first); let c1_1 = start4(d + 1 * rowB + 16, first);
  let c2_0 = start4(d + 2 * rowB + 0, first); let c2_1 = start4(d + 2 * rowB + 16, first);
  let c3_0 = start4(d + 3 * rowB + 0, first); let c3_1 = start4(d + 3 * rowB + 16, first);
  let pa = a + <usize>i * rowA + <usize>p0 * colA;
  let pb = b + <usize>p0 * 32;
  for (let p = p0; p < p1; p++) {
    const b0 = v128.load(pb, 0);
    const b1 = v128.load(pb, 16);
    const x0 = v128.load32_splat(pa + 0 * rowA);
    c0_0 = madd(x0, b0, c0_0);
    c0_1 = madd(x0, b1, c0_1);
    const x1 = v128.load32_splat(pa + 1 * rowA);
    c1_0 = madd(x1, b0, c1_0);
    c1_1 = madd(x1, b1, c1_1);
    const x2 = v128.load32_splat(pa + 2 * rowA);
    c2_0 = madd(x2, b0, c2_0);
    c2_1 = madd(x2, b1, c2_1);
    const x3 = v128.load32_splat(pa + 3 * rowA);
    c3_0 = madd(x3, b0, c3_0);
    c3_1 = madd(x3, b1, c3_1);
    pa += colA;
    pb += 32;
  }
  end4(d + 0 * rowB + 0, c0_0, last);
  end4(d + 0 * rowB + 16, c0_1, last);
  end4(d + 1 * rowB + 0, c1_0, last);
  end4(d + 1 * rowB + 16, c1_1, last);
  end4(d + 2 * rowB + 0, c2_0, last);
  end4(d + 2 * rowB + 16, c2_1, last);
  end4(d + 3 * rowB + 0, c3_0, last);
  end4(d + 3 * rowB + 16, c3_1, last);
}
/** x·y + z in lane 0 through `madd`: with FMA, whether this machine fuses relaxed_madd (rounds once) or not. */
export function maddProbe(x: f32, y: f32, z: f32): f32 {
  return f32x4.extract_lane(madd(f32x4.splat(x), f32x4.splat(y), f32x4.splat(z)), 0);
}
