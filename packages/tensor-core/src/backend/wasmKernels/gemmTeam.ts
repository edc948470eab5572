/**
 * Where our GEMM (`gemm` in assembly/fusedKernels.ts) runs: on the calling thread, or split by column panels over a
 * team of helper threads that share tfjs-wasm's memory (Node: gemmTeamNode.ts). Every element of C is computed by
 * the same float32 operations whichever thread it falls to, so the result is bit-identical for any team size.
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

/** Helper threads that each compute columns [j0, j1) of a `gemm` on the memory they were started with. */
export interface GemmTeam {
  readonly memory: WebAssembly.Memory;
  /** Helper threads (the caller's thread computes a share too). */
  readonly helpers: number;
  /** Starts helper `h` on columns [j0, j1) of `call`; returns at once. */
  start(h: number, call: GemmCall, j0: number, j1: number): void;
  /** Returns once helper `h` has finished its last call. */
  wait(h: number): void;
}

/** Products of fewer multiply-adds than this stay on the calling thread: waking a helper costs more. */
export const MIN_SPLIT_MACS = 1 << 18;

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
  for (let h = 1; h <= helpers; h++) team.start(h - 1, call, edge(h), edge(h + 1));
  kernels.gemm(a, b, c, m, k, n, rowStride, colStride, bias, act, alpha, 0, edge(1));
  for (let h = 0; h < helpers; h++) team.wait(h);
}
