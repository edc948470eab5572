// Exact repulsion phase (the `exact` method, small N): every pair, O(N²), one row of points per chunk entry.
import { PARAM, POINT_CHUNK } from "./state.js";
import type { Task } from "./state.js";

/** Σ_{j≠i} w_ij² (y_i − y_j) for the chunk's points, and the chunk's share Σ_i Σ_{j≠i} w_ij of Z (w = 1 / (1 + ‖y_i − y_j‖²)). */
export const exactRepulsionRows: Task = (s, _scratch, chunk) => {
  const n = s.params[PARAM.n] as number;
  const dims = s.params[PARAM.dims] as number;
  const { y, forces } = s;
  const from = chunk * POINT_CHUNK;
  const to = Math.min(n, from + POINT_CHUNK);
  let z = 0;
  for (let i = from; i < to; i++) {
    const o = i * dims;
    let f0 = 0;
    let f1 = 0;
    let f2 = 0;
    for (let j = 0; j < n; j++) {
      if (j === i) continue;
      const d0 = (y[o] as number) - (y[j * dims] as number);
      const d1 = (y[o + 1] as number) - (y[j * dims + 1] as number);
      const d2 = dims === 3 ? (y[o + 2] as number) - (y[j * dims + 2] as number) : 0;
      const w = 1 / (1 + d0 * d0 + d1 * d1 + d2 * d2);
      z += w;
      const w2 = w * w;
      f0 += w2 * d0;
      f1 += w2 * d1;
      f2 += w2 * d2;
    }
    forces[o] = f0;
    forces[o + 1] = f1;
    if (dims === 3) forces[o + 2] = f2;
  }
  s.zPartials[chunk] = z;
};
