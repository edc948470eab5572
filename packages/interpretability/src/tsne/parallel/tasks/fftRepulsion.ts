// FFT-interpolated repulsion phase (FIt-SNE, Linderman et al. 2019, algorithm 1): weights, spread, 2-D FFT passes, product, interpolation.
import { COLUMN_BLOCK, GRID, PARAM, POINT_CHUNK, ROW_CHUNK } from "./state.js";
import type { KernelState, Task } from "./state.js";

/** Lagrange weights of each point's box nodes, per axis (FIt-SNE, Linderman et al. 2019, algorithm 1). */
export const fftWeights: Task = (s, _scratch, chunk) => {
  const n = s.params[PARAM.n] as number;
  const p = s.params[PARAM.nodes] as number;
  const nBoxes = s.params[PARAM.nBoxes] as number;
  const origin = s.params[PARAM.origin] as number;
  const box = s.params[PARAM.box] as number;
  const { y, base0, base1, weights0, weights1 } = s;
  const from = chunk * POINT_CHUNK;
  const to = Math.min(n, from + POINT_CHUNK);
  for (let i = from; i < to; i++) {
    for (let axis = 0; axis < 2; axis++) {
      const u = ((y[2 * i + axis] as number) - origin) / box;
      const b = Math.max(0, Math.min(nBoxes - 1, Math.floor(u)));
      const t = u - b;
      (axis === 0 ? base0 : base1)[i] = b * p;
      const w = axis === 0 ? weights0 : weights1;
      for (let k = 0; k < p; k++) {
        // Node k of a box sits at (k + ½)/p; ℓ_k(t) = Π_{m≠k} (t − t_m) / (t_k − t_m).
        let num = 1;
        let den = 1;
        for (let mm = 0; mm < p; mm++) {
          if (mm === k) continue;
          num *= t - (mm + 0.5) / p;
          den *= (k + 0.5) / p - (mm + 0.5) / p;
        }
        w[i * p + k] = num / den;
      }
    }
  }
};

/**
 * Charges of the points in one box row onto its p grid rows (zeroed here first, full width). A box row's
 * points touch only its own grid rows, so box rows are independent; within one, points are added in index order.
 */
export const fftSpread: Task = (s, _scratch, boxRow) => {
  const m = s.params[PARAM.m] as number;
  const p = s.params[PARAM.nodes] as number;
  const { y, g1, g2, base0, base1, weights0, weights1, bucketStart, bucketPoints } = s;
  g1.fill(0, 2 * boxRow * p * m, 2 * (boxRow + 1) * p * m);
  g2.fill(0, 2 * boxRow * p * m, 2 * (boxRow + 1) * p * m);
  const stop = bucketStart[boxRow + 1] as number;
  for (let q = bucketStart[boxRow] as number; q < stop; q++) {
    const i = bucketPoints[q] as number;
    const b0 = base0[i] as number;
    const b1 = base1[i] as number;
    const y0 = y[2 * i] as number;
    const y1 = y[2 * i + 1] as number;
    for (let r = 0; r < p; r++) {
      const wr = weights1[i * p + r] as number;
      const row = (b1 + r) * m;
      for (let c = 0; c < p; c++) {
        const w = wr * (weights0[i * p + c] as number);
        const at = 2 * (row + b0 + c);
        g1[at]! += w;
        g1[at + 1]! += w * y0;
        g2[at]! += w * y1;
        g2[at + 1]! += w;
      }
    }
  }
};

function gridsOf(s: KernelState, mask: number): Float64Array[] {
  const out: Float64Array[] = [];
  if (mask & GRID.g1) out.push(s.g1);
  if (mask & GRID.g2) out.push(s.g2);
  if (mask & GRID.prod) out.push(s.prod);
  if (mask & GRID.kernel) out.push(s.kernel);
  return out;
}

/** 1-D transforms of ROW_CHUNK grid rows (only rows below readRows: the others are zero on input or unused on output). */
export const fftRows: Task = (s, scratch, chunk) => {
  const m = s.params[PARAM.m] as number;
  const usedRows = s.params[PARAM.readRows] as number;
  const inverse = s.params[PARAM.inverse] === 1;
  const { fft, inBuf, outBuf } = scratch.fftOf(m);
  const stop = Math.min(usedRows, (chunk + 1) * ROW_CHUNK);
  for (const grid of gridsOf(s, s.params[PARAM.grids] as number)) {
    for (let r = chunk * ROW_CHUNK; r < stop; r++) {
      const row = grid.subarray(2 * r * m, 2 * (r + 1) * m);
      inBuf.set(row);
      if (inverse) fft.inverseTransform(outBuf, inBuf);
      else fft.transform(outBuf, inBuf);
      row.set(outBuf);
    }
  }
};

/** 1-D transforms of COLUMN_BLOCK columns: rows ≥ readRows count as zero, and only rows < writeRows are written back. */
export const fftColumns: Task = (s, scratch, chunk) => {
  const m = s.params[PARAM.m] as number;
  const readRows = s.params[PARAM.readRows] as number;
  const writeRows = s.params[PARAM.writeRows] as number;
  const inverse = s.params[PARAM.inverse] === 1;
  const multiply = s.params[PARAM.multiplyKernel] === 1;
  const mask = s.params[PARAM.grids] as number;
  const kernel = s.kernel;
  const { fft, inBuf, outBuf, block } = scratch.fftOf(m);
  const c0 = chunk * COLUMN_BLOCK;
  const width = Math.min(COLUMN_BLOCK, m - c0);
  for (const grid of gridsOf(s, mask)) {
    const withKernel = multiply && grid === s.g1;
    // block[b] holds column c0 + b.
    for (let r = 0; r < readRows; r++) {
      const from = 2 * (r * m + c0);
      for (let b = 0; b < width; b++) {
        block[2 * (b * m + r)] = grid[from + 2 * b] as number;
        block[2 * (b * m + r) + 1] = grid[from + 2 * b + 1] as number;
      }
    }
    for (let b = 0; b < width; b++) {
      const column = block.subarray(2 * b * m, 2 * (b + 1) * m);
      if (readRows < m) column.fill(0, 2 * readRows);
      inBuf.set(column);
      if (inverse) fft.inverseTransform(outBuf, inBuf);
      else fft.transform(outBuf, inBuf);
      column.set(outBuf);
    }
    for (let r = 0; r < writeRows; r++) {
      const to = 2 * (r * m + c0);
      for (let b = 0; b < width; b++) {
        if (withKernel) {
          const k = kernel[2 * (r * m + c0 + b)] as number;
          grid[to + 2 * b] = (block[2 * (b * m + r)] as number) * k;
          grid[to + 2 * b + 1] = (block[2 * (b * m + r) + 1] as number) * k;
        } else {
          grid[to + 2 * b] = block[2 * (b * m + r)] as number;
          grid[to + 2 * b + 1] = block[2 * (b * m + r) + 1] as number;
        }
      }
    }
  }
};

/**
 * prod = spectrum of [y₁-charges ⊛ w²] + i·[1-charges ⊛ w]: g2 packs the two real charge grids (y₁ and 1) as one
 * complex grid; they are split through Hermitian symmetry and multiplied by the real kernel spectra w² and w.
 */
export const fftSpectrumProduct: Task = (s, _scratch, chunk) => {
  const m = s.params[PARAM.m] as number;
  const { g2, prod, kernel } = s;
  const stop = Math.min(m, (chunk + 1) * ROW_CHUNK);
  for (let r = chunk * ROW_CHUNK; r < stop; r++) {
    const nr = (m - r) % m;
    for (let c = 0; c < m; c++) {
      const nc = (m - c) % m;
      const e = r * m + c;
      const ne = nr * m + nc;
      const aRe = g2[2 * e] as number;
      const aIm = g2[2 * e + 1] as number;
      const bRe = g2[2 * ne] as number;
      const bIm = g2[2 * ne + 1] as number;
      const sRe = 0.5 * (aRe + bRe);
      const sIm = 0.5 * (aIm - bIm);
      const tRe = 0.5 * (aIm + bIm);
      const tIm = 0.5 * (bRe - aRe);
      const k1 = kernel[2 * e] as number;
      const k2 = kernel[2 * e + 1] as number;
      prod[2 * e] = sRe * k1 - tIm * k2;
      prod[2 * e + 1] = sIm * k1 + tRe * k2;
    }
  }
};

/** Potentials interpolated back to the points: repulsive forces and the chunk's share of Z. */
export const fftInterpolate: Task = (s, _scratch, chunk) => {
  const n = s.params[PARAM.n] as number;
  const m = s.params[PARAM.m] as number;
  const p = s.params[PARAM.nodes] as number;
  const { y, g1, prod, base0, base1, weights0, weights1, forces } = s;
  const from = chunk * POINT_CHUNK;
  const to = Math.min(n, from + POINT_CHUNK);
  let z = 0;
  for (let i = from; i < to; i++) {
    const b0 = base0[i] as number;
    const b1 = base1[i] as number;
    let phi1 = 0;
    let phi0y = 0;
    let phi1y = 0;
    let phiW = 0;
    for (let r = 0; r < p; r++) {
      const wr = weights1[i * p + r] as number;
      const row = (b1 + r) * m;
      for (let c = 0; c < p; c++) {
        const w = wr * (weights0[i * p + c] as number);
        const at = 2 * (row + b0 + c);
        phi1 += w * (g1[at] as number);
        phi0y += w * (g1[at + 1] as number);
        phi1y += w * (prod[at] as number);
        phiW += w * (prod[at + 1] as number);
      }
    }
    // Σ_j w²(y_i − y_j) = y_i Σ w² − Σ w² y_j; the self term cancels. Σ_{j≠i} w = Σ_j w − 1.
    forces[2 * i] = (y[2 * i] as number) * phi1 - phi0y;
    forces[2 * i + 1] = (y[2 * i + 1] as number) * phi1 - phi1y;
    z += phiW - 1;
  }
  s.zPartials[chunk] = z;
};
