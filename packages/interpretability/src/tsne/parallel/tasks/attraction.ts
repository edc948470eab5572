// Attraction phase: Σ_j p_ij w_ij (y_i − y_j) per point over row chunks of P, and Σ p log w for the KL.
import { PARAM, POINT_CHUNK } from "./state.js";
import type { KernelState, Task } from "./state.js";

/** Σ_j p_ij w_ij (y_i − y_j) over full rows of P (each pair from both ends: no scatter, so rows are independent). */
export const attractionRows: Task = (s, scratch, chunk) => {
  const n = s.params[PARAM.n] as number;
  const dims = s.params[PARAM.dims] as number;
  const from = chunk * POINT_CHUNK;
  const to = Math.min(n, from + POINT_CHUNK);
  // Σ p log w costs one log per entry, as much as the rest: only on report iterations, in a loop of its own.
  if (s.params[PARAM.withKl] === 1) s.klPartials[chunk] = sumPLogW(s, from, to, dims);
  const { y, rowPtr, colIdx, pValues, attraction: out } = s;
  if (dims === 2 && s.params[PARAM.wasm] === 1 && s.wasmMemory !== undefined) {
    // The same sums in WebAssembly SIMD (2.4× faster); the arrays live in wasmMemory, so their offsets are its addresses.
    scratch.kernelsOver(s.wasmMemory).attraction2(y.byteOffset, rowPtr.byteOffset, colIdx.byteOffset, pValues.byteOffset, out.byteOffset, from, to);
  } else if (dims === 2) {
    for (let i = from; i < to; i++) {
      const y0 = y[2 * i] as number;
      const y1 = y[2 * i + 1] as number;
      let a0 = 0;
      let a1 = 0;
      const stop = rowPtr[i + 1] as number;
      for (let e = rowPtr[i] as number; e < stop; e++) {
        const j2 = 2 * (colIdx[e] as number);
        const d0 = y0 - (y[j2] as number);
        const d1 = y1 - (y[j2 + 1] as number);
        const pw = (pValues[e] as number) / (1 + d0 * d0 + d1 * d1);
        a0 += pw * d0;
        a1 += pw * d1;
      }
      out[2 * i] = a0;
      out[2 * i + 1] = a1;
    }
  } else {
    for (let i = from; i < to; i++) {
      const y0 = y[3 * i] as number;
      const y1 = y[3 * i + 1] as number;
      const y2 = y[3 * i + 2] as number;
      let a0 = 0;
      let a1 = 0;
      let a2 = 0;
      const stop = rowPtr[i + 1] as number;
      for (let e = rowPtr[i] as number; e < stop; e++) {
        const j3 = 3 * (colIdx[e] as number);
        const d0 = y0 - (y[j3] as number);
        const d1 = y1 - (y[j3 + 1] as number);
        const d2 = y2 - (y[j3 + 2] as number);
        const pw = (pValues[e] as number) / (1 + d0 * d0 + d1 * d1 + d2 * d2);
        a0 += pw * d0;
        a1 += pw * d1;
        a2 += pw * d2;
      }
      out[3 * i] = a0;
      out[3 * i + 1] = a1;
      out[3 * i + 2] = a2;
    }
  }
};

/** Σ_{i in rows, j} p_ij log w_ij, for the KL divergence. */
function sumPLogW(s: KernelState, from: number, to: number, dims: number): number {
  const { y, rowPtr, colIdx, pValues } = s;
  let sum = 0;
  for (let i = from; i < to; i++) {
    const stop = rowPtr[i + 1] as number;
    for (let e = rowPtr[i] as number; e < stop; e++) {
      const j = colIdx[e] as number;
      let dist2 = 0;
      for (let t = 0; t < dims; t++) dist2 += ((y[i * dims + t] as number) - (y[j * dims + t] as number)) ** 2;
      sum -= (pValues[e] as number) * Math.log1p(dist2);
    }
  }
  return sum;
}
