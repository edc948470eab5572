// Test-only: the t-SNE gradient straight from its definition (dense, O(N²)), and the engine's pieces behind a
// plain function, so the kernels are checked against an implementation that shares none of their code.
import type { SparseMatrix } from "../affinities.js";
import type { FftInterpolationOptions } from "../fftGrid.js";
import { hybridPrefersFft } from "../options.js";
import { SerialTeam } from "../parallel/team.js";
import { TeamGradient } from "../parallel/teamGradient.js";

/** Student-t similarity w_ij = 1 / (1 + ‖y_i − y_j‖²). */
function similarity(y: Float64Array, dims: number, i: number, j: number): number {
  let s = 0;
  for (let c = 0; c < dims; c++) s += ((y[i * dims + c] as number) - (y[j * dims + c] as number)) ** 2;
  return 1 / (1 + s);
}

export interface ReferenceGradient {
  /** ∂KL/∂y (van der Maaten & Hinton 2008, eq. 5, with the exaggeration α on p): 4 Σ_j (α p_ij − q_ij) w_ij (y_i − y_j). */
  grad: Float64Array;
  /** Σ_j p_ij w_ij (y_i − y_j). */
  attraction: Float64Array;
  /** Σ_{j≠i} w_ij² (y_i − y_j). */
  forces: Float64Array;
  /** Z = Σ_{i≠j} w_ij. */
  z: number;
  /** KL(P‖Q) = Σ p_ij log(p_ij / q_ij). */
  kl: number;
}

/** Every quantity of the t-SNE gradient from its definition, with a dense P and dense Q. */
export function referenceGradient(y: Float64Array, n: number, dims: number, p: SparseMatrix, exaggeration = 1): ReferenceGradient {
  const rows = Array.from({ length: n }, () => new Map<number, number>());
  for (let i = 0; i < n; i++) for (let e = p.rowPtr[i] as number; e < (p.rowPtr[i + 1] as number); e++) rows[i]!.set(p.colIdx[e] as number, p.values[e] as number);
  let z = 0;
  for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) if (i !== j) z += similarity(y, dims, i, j);
  const grad = new Float64Array(n * dims);
  const attraction = new Float64Array(n * dims);
  const forces = new Float64Array(n * dims);
  let kl = 0;
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < n; j++) {
      if (i === j) continue;
      const w = similarity(y, dims, i, j);
      const pij = rows[i]!.get(j) ?? 0;
      if (pij > 0) kl += pij * Math.log(pij / (w / z));
      for (let c = 0; c < dims; c++) {
        const diff = (y[i * dims + c] as number) - (y[j * dims + c] as number);
        attraction[i * dims + c]! += pij * w * diff;
        forces[i * dims + c]! += w * w * diff;
        grad[i * dims + c]! += 4 * (exaggeration * pij - w / z) * w * diff;
      }
    }
  }
  return { grad, attraction, forces, z, kl };
}

export interface EngineOptions {
  theta?: number;
  fft?: FftInterpolationOptions;
  wasm?: boolean;
}

/** The engine (TeamGradient on a serial team) for one layout: gradient, its attraction and repulsion parts, Z and Σ p log w. */
export function engineGradient(
  method: "exact" | "bh" | "fft" | "hybrid",
  y: Float64Array,
  n: number,
  dims: number,
  p: SparseMatrix,
  exaggeration = 1,
  options: EngineOptions = {},
): { grad: Float64Array; attraction: Float64Array; forces: Float64Array; z: number; sumPLogW: number; p: SparseMatrix } {
  const team = new SerialTeam();
  const engine = new TeamGradient(team, y, n, dims, p, { method, theta: options.theta ?? 0.5, fft: options.fft ?? {}, useFft: hybridPrefersFft, wasm: options.wasm ?? true });
  const grad = new Float64Array(n * dims);
  const { z, sumPLogW } = engine.gradient(exaggeration, true, grad);
  return { grad, attraction: Float64Array.from(team.state.attraction), forces: Float64Array.from(team.state.forces), z, sumPLogW, p: engine.p };
}

/** P with no entries, for calls that want only the repulsion. */
export function emptyP(n: number): SparseMatrix {
  return { n, rowPtr: new Int32Array(n + 1), colIdx: new Int32Array(0), values: new Float64Array(0) };
}

/** The engine's repulsion alone: forces into `forces`, returns Z. */
export function engineRepulsion(method: "exact" | "bh" | "fft" | "hybrid", options: EngineOptions = {}): (y: Float64Array, n: number, dims: number, forces: Float64Array) => number {
  return (y, n, dims, forces) => {
    const r = engineGradient(method, y, n, dims, emptyP(n), 1, options);
    forces.set(r.forces);
    return r.z;
  };
}

/** The reference repulsion alone (dense, from the definition). */
export function referenceRepulsion(y: Float64Array, n: number, dims: number, forces: Float64Array): number {
  const r = referenceGradient(y, n, dims, emptyP(n));
  forces.set(r.forces);
  return r.z;
}
