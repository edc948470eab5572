/**
 * Where our GEMM (`gemm` in assembly/fusedKernels.ts), Adam update and transposes run: on the calling thread, or
 * split over a team of helper threads that share tfjs-wasm's memory (Node: gemmTeamNode.ts) — GEMM by runs of C's
 * column panels, Adam by element ranges, transposes by source rows. Every output element is computed by the same
 * float32 operations whichever thread it falls to, so results are bit-identical for any team size.
 */
import type { FusedExports } from "./fusedWasm.js";

/** The operands of one `gemm` call (pointers are byte offsets into tfjs-wasm's memory). */
export interface GemmCall {
  a: number;
  b: number;
  c: number;
  m: number;
  k: number;
  n: number;
  rowStride: number;
  colStride: number;
  bias: number;
  act: number;
  alpha: number;
}

/**
 * The kernels the team runs, by chunk: `gemm` (a chunk: a run of C's columns), `adam` (of elements), `transpose2d` (of
 * source rows), `binary` (of outer rows, or of elements when the grid is one row), `reluGrad` (of elements),
 * `maxPoolGrad2x2` (of images), `im2col` (of rows of the column matrix), `sumMiddleAxis` (of columns), `winograd3x3`
 * (of output tiles, each chunk with its own scratch), `winogradInputTransform` and `winogradGradTransform` (of tiles),
 * a batch of `gemm`s (of runs of one product's C columns).
 */
export const TEAM_GEMM = 0;
export const TEAM_ADAM = 1;
export const TEAM_TRANSPOSE = 2;
export const TEAM_BINARY = 3;
export const TEAM_RELU_GRAD = 4;
export const TEAM_MAX_POOL_GRAD = 5;
export const TEAM_IM2COL = 6;
export const TEAM_SUM_MIDDLE = 7;
export const TEAM_WINOGRAD = 8;
export const TEAM_WINOGRAD_INPUT = 9;
export const TEAM_WINOGRAD_GRAD = 10;
export const TEAM_GEMM_BATCH = 11;

/** Helper threads that run one of our kernels with the calling thread, chunk by chunk, on the memory they were started with. */
export interface GemmTeam {
  readonly memory: WebAssembly.Memory;
  /** Helper threads (the caller's thread computes a share too). */
  readonly helpers: number;
  /**
   * Runs `kernel` (TEAM_GEMM … TEAM_MAX_POOL_GRAD) with `args` (bit i of `floats`: argument i is a float32) in
   * `chunks` chunks of `chunk` columns, elements or rows, which the caller and the helpers claim one at a time (a
   * descheduled helper delays nothing but the chunk it holds); returns once all are done.
   */
  run(kernel: number, args: readonly number[], floats: number, chunks: number, chunk: number): void;
}

/** Products of fewer multiply-adds than this stay on the calling thread: waking a helper costs more. */
export const MIN_SPLIT_MACS = 1 << 21;

/** Chunks per thread a kernel is cut into: enough to even out threads that start late, few enough to keep claims cheap. */
const CHUNKS_PER_THREAD = 4;

let team: GemmTeam | undefined;

/** Installs (or, with undefined, removes) the helper team our kernels split their work over. */
export function setGemmTeam(next: GemmTeam | undefined): void {
  team = next;
}

/** The helper threads our kernels use on `memory` (0: the calling thread alone). */
export function gemmHelpersOn(memory: WebAssembly.Memory): number {
  return team?.memory === memory ? team.helpers : 0;
}

/** A chunk of `units` (a multiple of `align`) giving about CHUNKS_PER_THREAD chunks to each thread. */
function chunkOf(units: number, helpers: number, align: number): number {
  return align * Math.max(1, Math.floor(units / align / (CHUNKS_PER_THREAD * (helpers + 1))));
}

/**
 * Runs `call` with `kernels` (instantiated on `memory`), split over the team by runs of 8-column panels of C — or,
 * for a tall C (m ≥ 2n: a filter gradient's 288 × 64), by runs of rows, so that each thread reads only its rows of A
 * rather than all of A once per panel (288 × 7744ᵀ · 7744 × 64: A is 8.9 MB, B 2 MB). Either way every element is the
 * same sum in the same order.
 */
export function runGemm(kernels: FusedExports, memory: WebAssembly.Memory, call: GemmCall): void {
  const { a, b, c, m, k, n, rowStride, colStride, bias, act, alpha } = call;
  const byRows = m >= 2 * n && m >= 32;
  if (team?.memory !== memory || m * k * n < MIN_SPLIT_MACS || (n < 16 && !byRows)) {
    kernels.gemm(a, b, c, m, k, n, rowStride, colStride, bias, act, alpha, 0, n);
    return;
  }
  const size = byRows ? chunkOf(m, team.helpers, 4) : chunkOf(n, team.helpers, 8);
  team.run(TEAM_GEMM, [a, b, c, m, k, n, rowStride, colStride, bias, act, alpha, byRows ? 1 : 0], 1 << 10, Math.ceil((byRows ? m : n) / size), size);
}

/** Variables of fewer elements than this are updated on the calling thread. */
export const MIN_SPLIT_ELEMENTS = 1 << 16;

/** Pointers (x, g, m, v, x′, m′, v′) and float32 coefficients (β₁, 1 − β₁, β₂, 1 − β₂, ε, step) of one `adam` call. */
export interface AdamCall {
  pointers: readonly [number, number, number, number, number, number, number];
  n: number;
  coefficients: readonly [number, number, number, number, number, number];
}

/** Runs `adam` over n elements, split in runs of whole SIMD lanes over the team. */
export function runAdam(kernels: FusedExports, memory: WebAssembly.Memory, call: AdamCall): void {
  const { pointers: p, n, coefficients: c } = call;
  if (team?.memory !== memory || n < MIN_SPLIT_ELEMENTS) {
    kernels.adam(p[0], p[1], p[2], p[3], p[4], p[5], p[6], n, c[0], c[1], c[2], c[3], c[4], c[5]);
    return;
  }
  const size = chunkOf(n, team.helpers, 4);
  team.run(TEAM_ADAM, [...p, n, ...c], 0b11_1111 << 8, Math.ceil(n / size), size);
}

/** dst = srcᵀ (rows × cols, 4-byte values) by `transpose2d`, split by runs of 4 source rows over the team. */
export function runTranspose(kernels: FusedExports, memory: WebAssembly.Memory, src: number, dst: number, rows: number, cols: number): void {
  if (team?.memory !== memory || rows * cols < MIN_SPLIT_ELEMENTS || rows < 8) {
    kernels.transpose2d(src, dst, rows, cols, 0, rows);
    return;
  }
  const size = chunkOf(rows, team.helpers, 4);
  team.run(TEAM_TRANSPOSE, [src, dst, rows, cols], 0, Math.ceil(rows / size), size);
}

/**
 * out = a op b over an outer × inner grid (`binary`: each operand read whole, as a scalar, a row or a column), split
 * by runs of outer rows — or of elements when the grid is one row — over the team. One float32 operation an element
 * whoever computes it, so the result is the same bit for bit.
 */
export function runBinary(kernels: FusedExports, memory: WebAssembly.Memory, op: number, a: number, b: number, out: number, outer: number, inner: number, aMode: number, bMode: number): void {
  if (team?.memory !== memory || outer * inner < MIN_SPLIT_ELEMENTS) {
    kernels.binary(op, a, b, out, outer, inner, aMode, bMode);
    return;
  }
  const size = outer === 1 ? chunkOf(inner, team.helpers, 4) : chunkOf(outer, team.helpers, 1);
  team.run(TEAM_BINARY, [op, a, b, out, outer, inner, aMode, bMode], 0, Math.ceil((outer === 1 ? inner : outer) / size), size);
}

/** out = dy · step(x) over n floats (`reluGrad`), split in runs of whole SIMD lanes over the team. */
export function runReluGrad(kernels: FusedExports, memory: WebAssembly.Memory, dy: number, x: number, out: number, n: number): void {
  if (team?.memory !== memory || n < MIN_SPLIT_ELEMENTS) {
    kernels.reluGrad(dy, x, out, n);
    return;
  }
  const size = chunkOf(n, team.helpers, 4);
  team.run(TEAM_RELU_GRAD, [dy, x, out, n], 0, Math.ceil(n / size), size);
}

/** The 2 × 2, stride 2 max-pool gradient (`maxPoolGrad2x2`), split by images over the team (windows never straddle two). */
export function runMaxPoolGrad2x2(kernels: FusedExports, memory: WebAssembly.Memory, x: number, dy: number, dx: number, batch: number, inH: number, inW: number, channels: number, outH: number, outW: number): void {
  if (team?.memory !== memory || batch * inH * inW * channels < MIN_SPLIT_ELEMENTS || batch < 2) {
    kernels.maxPoolGrad2x2(x, dy, dx, batch, inH, inW, channels, outH, outW);
    return;
  }
  const size = chunkOf(batch, team.helpers, 1);
  team.run(TEAM_MAX_POOL_GRAD, [x, dy, dx, batch, inH, inW, channels, outH, outW], 0, Math.ceil(batch / size), size);
}

/** The geometry of one `im2col` call: x's height, width and channels, the output's height and width, filter, strides, dilations, top and left padding. */
export type Im2colGeometry = readonly [inH: number, inW: number, channels: number, outH: number, outW: number, fh: number, fw: number, sh: number, sw: number, dh: number, dw: number, pt: number, pl: number];

/** cols = im2col(x) for `rows` rows (batch · outH · outW), split by runs of rows over the team. */
export function runIm2col(kernels: FusedExports, memory: WebAssembly.Memory, x: number, cols: number, rows: number, geometry: Im2colGeometry): void {
  const [inH, inW, channels, outH, outW, fh, fw, sh, sw, dh, dw, pt, pl] = geometry;
  if (team?.memory !== memory || rows * fh * fw * channels < MIN_SPLIT_ELEMENTS) {
    kernels.im2col(x, cols, inH, inW, channels, outH, outW, fh, fw, sh, sw, dh, dw, pt, pl, 0, rows);
    return;
  }
  const size = chunkOf(rows, team.helpers, 1);
  team.run(TEAM_IM2COL, [x, cols, rows, ...geometry], 0, Math.ceil(rows / size), size);
}

/**
 * out[o, j] = scale · Σ_r x[o, r, j] (`sumMiddleAxis`; scale 1, or 1 / reduced for a mean), split by runs of columns j
 * over the team: each sum still runs over r in order in float64, so the result is the same bit for bit.
 */
export function runSumMiddleAxis(kernels: FusedExports, memory: WebAssembly.Memory, x: number, out: number, outer: number, reduced: number, inner: number, mean: boolean): void {
  if (team?.memory !== memory || outer * reduced * inner < MIN_SPLIT_ELEMENTS || inner < 8) {
    kernels.sumMiddleAxis(x, out, outer, reduced, inner, mean ? 1 / reduced : 1, 0, inner);
    return;
  }
  const size = chunkOf(inner, team.helpers, 4);
  team.run(TEAM_SUM_MIDDLE, [x, out, outer, reduced, inner, mean ? 1 : 0], 0, Math.ceil(inner / size), size);
}

/** The operands of one Winograd F(2×2, 3×3) convolution (`winograd3x3`; pointers are byte offsets into tfjs-wasm's memory). */
export interface WinogradCall {
  x: number;
  u: number;
  y: number;
  bias: number;
  act: number;
  alpha: number;
  inH: number;
  inW: number;
  inChannels: number;
  outChannels: number;
  outH: number;
  outW: number;
  padTop: number;
  padLeft: number;
  tiles: number;
}

/**
 * The chunks a Winograd convolution of `tiles` output tiles and `macs` multiply-adds (16 · tiles · cin · cout) is cut
 * into on `memory` (1 without a team, or below MIN_SPLIT_MACS), and the tiles each holds: the caller allocates one
 * scratch of `winogradScratchFloats` floats per chunk.
 */
export function winogradChunks(memory: WebAssembly.Memory, tiles: number, macs: number): { chunks: number; chunk: number } {
  if (team?.memory !== memory || macs < MIN_SPLIT_MACS) return { chunks: 1, chunk: tiles };
  const chunk = chunkOf(tiles, team.helpers, 1);
  return { chunks: Math.ceil(tiles / chunk), chunk };
}

/**
 * Runs `winograd3x3` over every tile of `call`, in the chunks `winogradChunks` gave (chunk q's scratch at
 * scratch + 4 · q · winogradScratchFloats(cin, cout)), split over the team. Each tile is computed the same whoever
 * claims it, so y is bit-identical for any team size.
 */
export function runWinograd(kernels: FusedExports, memory: WebAssembly.Memory, call: WinogradCall, scratch: number, chunks: number, chunk: number): void {
  const { x, u, y, bias, act, alpha, inH, inW, inChannels, outChannels, outH, outW, padTop, padLeft, tiles } = call;
  if (chunks === 1 || team?.memory !== memory) {
    kernels.winograd3x3(x, u, y, scratch, bias, act, alpha, inH, inW, inChannels, outChannels, outH, outW, padTop, padLeft, 0, tiles);
    return;
  }
  team.run(TEAM_WINOGRAD, [x, u, y, scratch, bias, act, alpha, inH, inW, inChannels, outChannels, outH, outW, padTop, padLeft, tiles], 1 << 6, chunks, chunk);
}

/** The geometry of a filter gradient's Winograd input transform: x's height, width and channels, the output's height and width, top and left padding. */
export type WinogradInputGeometry = readonly [inH: number, inW: number, channels: number, outH: number, outW: number, pt: number, pl: number];

/** v = winogradInputTransform(x) over `tiles` tiles, split by runs of tiles over the team (a copy of sums: exact whoever computes it). */
export function runWinogradInputTransform(kernels: FusedExports, memory: WebAssembly.Memory, x: number, v: number, tiles: number, geometry: WinogradInputGeometry): void {
  const [inH, inW, channels, outH, outW, pt, pl] = geometry;
  if (team?.memory !== memory || 16 * tiles * channels < MIN_SPLIT_ELEMENTS) {
    kernels.winogradInputTransform(x, v, inH, inW, channels, outH, outW, pt, pl, tiles, 0, tiles);
    return;
  }
  const size = chunkOf(tiles, team.helpers, 1);
  team.run(TEAM_WINOGRAD_INPUT, [x, v, ...geometry, tiles], 0, Math.ceil(tiles / size), size);
}

/** g = winogradGradTransform(dy) over `tiles` tiles of an outH × outW × channels dy, split by runs of tiles over the team. */
export function runWinogradGradTransform(kernels: FusedExports, memory: WebAssembly.Memory, dy: number, g: number, channels: number, outH: number, outW: number, tiles: number): void {
  if (team?.memory !== memory || 16 * tiles * channels < MIN_SPLIT_ELEMENTS) {
    kernels.winogradGradTransform(dy, g, channels, outH, outW, tiles, 0, tiles);
    return;
  }
  const size = chunkOf(tiles, team.helpers, 1);
  team.run(TEAM_WINOGRAD_GRAD, [dy, g, channels, outH, outW, tiles], 0, Math.ceil(tiles / size), size);
}

/**
 * `count` products C_i = A_i·B_i of one shape (`call` gives the first; A_i, B_i and C_i lie `strides` bytes after
 * A_{i−1}, B_{i−1}, C_{i−1}) as one team job, split by runs of each product's 8-column panels: one wake-up and one wait
 * instead of `count` (the Winograd filter gradient's 16 products). Each element is summed as `gemm` sums it, so the
 * result is the same bit for bit for any team size.
 */
export function runGemmBatch(kernels: FusedExports, memory: WebAssembly.Memory, call: GemmCall, count: number, strides: readonly [a: number, b: number, c: number]): void {
  const { a, b, c, m, k, n, rowStride, colStride, bias, act, alpha } = call;
  if (team?.memory !== memory || count * m * k * n < MIN_SPLIT_MACS || n < 16) {
    for (let i = 0; i < count; i++) kernels.gemm(a + i * strides[0], b + i * strides[1], c + i * strides[2], m, k, n, rowStride, colStride, bias, act, alpha, 0, n);
    return;
  }
  const size = Math.min(n, chunkOf(count * n, team.helpers, 8));
  const perProduct = Math.ceil(n / size);
  team.run(TEAM_GEMM_BATCH, [a, b, c, m, k, n, rowStride, colStride, bias, act, alpha, strides[0], strides[1], strides[2], perProduct], 1 << 10, count * perProduct, size);
}
