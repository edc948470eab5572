/**
 * Where our GEMM (`gemm` in assembly/fusedKernels.ts) and Adam update run: on the calling thread, or split over a
 * team of helper threads that share tfjs-wasm's memory (Node: gemmTeamNode.ts) — GEMM by C's column panels, Adam by
 * element ranges. Every output element is computed by the same float32 operations whichever thread it falls to, so
 * results are bit-identical for any team size.
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

/** The kernels a helper runs: `gemm` (ints, then alpha, j0, j1), `adam` (7 pointers and n, then 6 floats), `transpose2d`. */
export const TEAM_GEMM = 0;
export const TEAM_ADAM = 1;
export const TEAM_TRANSPOSE = 2;

/** Helper threads that each run one of our kernels on the memory they were started with. */
export interface GemmTeam {
  readonly memory: WebAssembly.Memory;
  /** Helper threads (the caller's thread computes a share too). */
  readonly helpers: number;
  /** Starts helper `h` on `kernel` (TEAM_GEMM, TEAM_ADAM, TEAM_TRANSPOSE) with `args` (bit i of `floats`: argument i is a float32); returns at once. */
  start(h: number, kernel: number, args: readonly number[], floats: number): void;
  /** Returns once helper `h` has finished its last call. */
  wait(h: number): void;
}

/** Products of fewer multiply-adds than this stay on the calling thread: waking a helper costs more. */
export const MIN_SPLIT_MACS = 1 << 21;

let team: GemmTeam | undefined;

/** Installs (or, with undefined, removes) the helper team our GEMM splits its work over. */
export function setGemmTeam(next: GemmTeam | undefined): void {
  team = next;
}

/** The helper threads our GEMM uses on `memory` (0: the calling thread alone). */
export function gemmHelpersOn(memory: WebAssembly.Memory): number {
  return team?.memory === memory ? team.helpers : 0;
}

/**
 * Runs `call` with `kernels` (instantiated on `memory`): the 8-column panels of C are dealt in contiguous runs to
 * the helpers and the calling thread, which takes the first run and then waits for the others.
 */
export function runGemm(kernels: FusedExports, memory: WebAssembly.Memory, call: GemmCall): void {
  const { a, b, c, m, k, n, rowStride, colStride, bias, act, alpha } = call;
  const helpers = team?.memory === memory && m * k * n >= MIN_SPLIT_MACS ? Math.min(team.helpers, Math.floor(n / 8) - 1) : 0;
  if (team === undefined || helpers <= 0) {
    kernels.gemm(a, b, c, m, k, n, rowStride, colStride, bias, act, alpha, 0, n);
    return;
  }
  const panels = Math.floor(n / 8);
  const parts = helpers + 1;
  // Part p covers panels [⌊p·panels/parts⌋, ⌊(p+1)·panels/parts⌋); the last also takes the columns past the last panel.
  const edge = (p: number): number => (p === parts ? n : 8 * Math.floor((p * panels) / parts));
  for (let h = 1; h <= helpers; h++) team.start(h - 1, TEAM_GEMM, [a, b, c, m, k, n, rowStride, colStride, bias, act, alpha, edge(h), edge(h + 1)], 1 << 10);
  kernels.gemm(a, b, c, m, k, n, rowStride, colStride, bias, act, alpha, 0, edge(1));
  for (let h = 0; h < helpers; h++) team.wait(h);
}

/** Variables of fewer elements than this are updated on the calling thread. */
export const MIN_SPLIT_ELEMENTS = 1 << 16;

/** Pointers (x, g, m, v, x′, m′, v′) and float32 coefficients (β₁, 1 − β₁, β₂, 1 − β₂, ε, step) of one `adam` call. */
export interface AdamCall {
  pointers: readonly [number, number, number, number, number, number, number];
  n: number;
  coefficients: readonly [number, number, number, number, number, number];
}

/** Runs `adam` over n elements, split in runs of whole SIMD lanes over the helpers and the calling thread. */
export function runAdam(kernels: FusedExports, memory: WebAssembly.Memory, call: AdamCall): void {
  const { pointers: p, n, coefficients: c } = call;
  const helpers = team?.memory === memory && n >= MIN_SPLIT_ELEMENTS ? team.helpers : 0;
  if (team === undefined || helpers <= 0) {
    kernels.adam(p[0], p[1], p[2], p[3], p[4], p[5], p[6], n, c[0], c[1], c[2], c[3], c[4], c[5]);
    return;
  }
  const parts = helpers + 1;
  const edge = (q: number): number => (q === parts ? n : 4 * Math.floor((q * Math.floor(n / 4)) / parts));
  for (let h = 1; h <= helpers; h++) {
    const e0 = edge(h);
    team.start(h - 1, TEAM_ADAM, [...p.map((at) => at + 4 * e0), edge(h + 1) - e0, ...c], 0b11_1111 << 8);
  }
  const e1 = edge(1);
  kernels.adam(p[0], p[1], p[2], p[3], p[4], p[5], p[6], e1, c[0], c[1], c[2], c[3], c[4], c[5]);
  for (let h = 0; h < helpers; h++) team.wait(h);
}

/** dst = srcᵀ (rows × cols, 4-byte values) by `transpose2d`, split by source rows (runs of 4) over the helpers. */
export function runTranspose(kernels: FusedExports, memory: WebAssembly.Memory, src: number, dst: number, rows: number, cols: number): void {
  const helpers = team?.memory === memory && rows * cols >= MIN_SPLIT_ELEMENTS ? Math.min(team.helpers, Math.floor(rows / 4) - 1) : 0;
  if (team === undefined || helpers <= 0) {
    kernels.transpose2d(src, dst, rows, cols, 0, rows);
    return;
  }
  const parts = helpers + 1;
  const edge = (q: number): number => (q === parts ? rows : 4 * Math.floor((q * Math.floor(rows / 4)) / parts));
  for (let h = 1; h <= helpers; h++) team.start(h - 1, TEAM_TRANSPOSE, [src, dst, rows, cols, edge(h), edge(h + 1)], 0);
  kernels.transpose2d(src, dst, rows, cols, 0, edge(1));
  for (let h = 0; h < helpers; h++) team.wait(h);
}
