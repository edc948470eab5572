// The FFT repulsion's grid (FIt-SNE, Linderman et al. 2019): its options and the side it takes for a layout's spread.
import { fftSizeAtLeast } from "./mixedRadixFft.js";

export interface FftInterpolationOptions {
  /** Lagrange interpolation nodes per box and dimension (FIt-SNE default 3). */
  nodesPerBox?: number;
  /** Largest box side in embedding units (FIt-SNE: 1 box per unit of range). */
  boxWidth?: number;
  /** Fewest boxes per dimension. */
  minBoxes?: number;
  /** Cap on the FFT side (sizes 2^a or 3·2^a); bounds time and memory per iteration (default 256, 512 from N = 20000). */
  maxFftSize?: number;
  /**
   * Largest grid spacing allowed (default 0.4 embedding units); the FFT side grows past `maxFftSize` to keep
   * it, since the kernel (width ≈ 1) is badly interpolated on coarser grids (measured relative force error on
   * 400 points over a range of 180: spacing 0.5 → 23 %, 0.45 → 9 %, 0.4 → 6.6 %, 0.35 → 3.5 %, 0.25 → 2.3 %).
   */
  maxSpacing?: number;
}

/** The FFT side (the grid is about half of it per axis) the repulsion uses when coordinates span `range` (max − min over both axes). */
export function fftSideFor(range: number, n: number, options: FftInterpolationOptions = {}): number {
  const p = options.nodesPerBox ?? 3;
  const boxWidth = options.boxWidth ?? 1;
  const minBoxes = options.minBoxes ?? 16;
  const maxSpacing = options.maxSpacing ?? 0.4;
  const wanted = Math.max(minBoxes, Math.ceil(range / boxWidth));
  // The FFT costs the same for any N, so large N affords the finer grid (measured: 256 → 24 %, 512 → 2 % force error at range 86).
  const maxFftSize = options.maxFftSize ?? (n >= 20000 ? 512 : 256);
  let fftSize = Math.min(maxFftSize, fftSizeAtLeast(Math.max(16, 2 * p * wanted)));
  while ((range * (1 + 1e-9)) / (Math.floor(fftSize / (2 * p)) * p - 1) > maxSpacing && fftSize < 8192) fftSize = fftSizeAtLeast(fftSize + 1);
  return fftSize;
}

/** Smallest and largest coordinate of a 2-D embedding over both axes, and their span (at least 1e-6). */
export function embeddingRange(y: Float64Array, n: number): { lo: number; hi: number; range: number } {
  let lo = Infinity;
  let hi = -Infinity;
  for (let t = 0; t < 2 * n; t++) {
    const v = y[t] as number;
    if (v < lo) lo = v;
    if (v > hi) hi = v;
  }
  return { lo, hi, range: Math.max(hi - lo, 1e-6) };
}
