import FFT from "fft.js";

/**
 * Odd factors a transform size may carry on top of a power of two (fft.js handles the power of two). Measured per
 * 1-D transform (µs): 384 → 5–7, 512 → 5, 768 → 10, 1024 → 10; radix 5 and 7 (one generic step) were slower than the
 * next power of two (640 → 16, 896 → 27), so they are not offered.
 */
const ODD_RADICES = [1, 3] as const;

/**
 * The smallest size ≥ `least` of the form 2^a or 3·2^a (2^a ≥ 4). Power-of-two sizes alone overshoot by up to 2× per
 * axis (4× per 2-D grid); these overshoot by at most 3/2.
 */
export function fftSizeAtLeast(least: number): number {
  let best = Infinity;
  for (const r of ODD_RADICES) {
    let size = 4 * r;
    while (size < least) size *= 2;
    if (size < best) best = size;
  }
  return best;
}

/**
 * Complex FFT of size M or 3·M (M a power of two) on interleaved [re, im, …] arrays: one decimation-in-time radix-3
 * step (Cooley & Tukey 1965) over three fft.js transforms of size M. Same interface and scaling as fft.js (inverse
 * divides by the size).
 */
export class MixedRadixFft {
  readonly size: number;
  private readonly radix: number;
  private readonly inner: FFT;
  private readonly innerSize: number;
  /** exp(−2πi k / size) for k < size, interleaved. */
  private readonly twiddle: Float64Array;
  private readonly subIn: Float64Array;
  private readonly subOut: Float64Array;

  constructor(size: number) {
    const radix = ODD_RADICES.find((r) => size % r === 0 && isPowerOfTwo(size / r) && size / r >= 2 && r > 1) ?? 1;
    if (!isPowerOfTwo(size / radix) || size / radix < 2) {
      throw new Error(`MixedRadixFft size must be 2^a or 3·2^a with 2^a ≥ 2, got ${size}`);
    }
    this.size = size;
    this.radix = radix;
    this.innerSize = size / radix;
    this.inner = new FFT(this.innerSize);
    this.twiddle = new Float64Array(2 * size);
    for (let k = 0; k < size; k++) {
      const angle = (-2 * Math.PI * k) / size;
      this.twiddle[2 * k] = Math.cos(angle);
      this.twiddle[2 * k + 1] = Math.sin(angle);
    }
    this.subIn = new Float64Array(2 * this.innerSize);
    this.subOut = new Float64Array(2 * size);
  }

  transform(out: Float64Array, data: Float64Array): void {
    this.run(out, data, false);
  }

  inverseTransform(out: Float64Array, data: Float64Array): void {
    this.run(out, data, true);
  }

  private run(out: Float64Array, data: Float64Array, inverse: boolean): void {
    const r = this.radix;
    if (r === 1) {
      if (inverse) this.inner.inverseTransform(out, data);
      else this.inner.transform(out, data);
      return;
    }
    const m = this.innerSize;
    const subIn = this.subIn;
    const subOut = this.subOut;
    // F_q = FFT_M(x[r·t + q]), stored one after another in subOut.
    for (let q = 0; q < r; q++) {
      for (let t = 0; t < m; t++) {
        subIn[2 * t] = data[2 * (r * t + q)] as number;
        subIn[2 * t + 1] = data[2 * (r * t + q) + 1] as number;
      }
      const target = subOut.subarray(2 * q * m, 2 * (q + 1) * m);
      if (inverse) this.inner.inverseTransform(target, subIn);
      else this.inner.transform(target, subIn);
    }
    // The inverse uses conjugate twiddles, and its inner transforms already divided by M.
    const tw = this.twiddle;
    const sign = inverse ? -1 : 1;
    const scale = inverse ? 1 / r : 1;
    // Radix-3 butterfly: with t_q = W_N^{q k} F_q[k] (k < M), X[k + sM] = t₀ + ω^s t₁ + ω^{2s} t₂, ω = e^{∓2πi/3}.
    const half = 0.5 * scale;
    const rot = sign * (Math.sqrt(3) / 2) * scale;
    for (let k = 0; k < m; k++) {
      const c1 = tw[2 * k] as number;
      const s1 = sign * (tw[2 * k + 1] as number);
      const c2 = tw[4 * k] as number;
      const s2 = sign * (tw[4 * k + 1] as number);
      const aRe = subOut[2 * k] as number;
      const aIm = subOut[2 * k + 1] as number;
      const f1Re = subOut[2 * (m + k)] as number;
      const f1Im = subOut[2 * (m + k) + 1] as number;
      const f2Re = subOut[2 * (2 * m + k)] as number;
      const f2Im = subOut[2 * (2 * m + k) + 1] as number;
      const bRe = c1 * f1Re - s1 * f1Im;
      const bIm = c1 * f1Im + s1 * f1Re;
      const cRe = c2 * f2Re - s2 * f2Im;
      const cIm = c2 * f2Im + s2 * f2Re;
      const sumRe = bRe + cRe;
      const sumIm = bIm + cIm;
      const difRe = bRe - cRe;
      const difIm = bIm - cIm;
      const midRe = aRe * scale - half * sumRe;
      const midIm = aIm * scale - half * sumIm;
      out[2 * k] = (aRe + sumRe) * scale;
      out[2 * k + 1] = (aIm + sumIm) * scale;
      // ω = −1/2 − i·sign·√3/2, so ω·d = −d/2 − i·sign·(√3/2)·d and ω²·d its conjugate rotation.
      out[2 * (k + m)] = midRe + rot * difIm;
      out[2 * (k + m) + 1] = midIm - rot * difRe;
      out[2 * (k + 2 * m)] = midRe - rot * difIm;
      out[2 * (k + 2 * m) + 1] = midIm + rot * difRe;
    }
  }
}

function isPowerOfTwo(v: number): boolean {
  return Number.isInteger(v) && v >= 1 && (v & (v - 1)) === 0;
}
