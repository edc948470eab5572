import FFT from "fft.js";

/** Odd factors a transform size may carry on top of a power of two (fft.js handles the power of two). */
const ODD_RADICES = [1, 3, 5, 7] as const;

/**
 * The smallest size ≥ `least` of the form r·2^a with r ∈ {1, 3, 5, 7} and 2^a ≥ 4. Power-of-two sizes alone
 * overshoot by up to 2× per axis (4× per 2-D grid); these sizes overshoot by at most 4/3.
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
 * Complex FFT of size r·M (M a power of two, r odd ≤ 7) on interleaved [re, im, …] arrays: one decimation-in-time
 * step of radix r (Cooley & Tukey 1965) over r fft.js transforms of size M. Same interface and scaling as fft.js
 * (inverse divides by the size).
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
      throw new Error(`MixedRadixFft size must be r·2^a with r ∈ {1, 3, 5, 7} and 2^a ≥ 2, got ${size}`);
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
    const n = this.size;
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
    // X[k] = Σ_q W_N^{qk} F_q[k mod M]; the inverse uses conjugate twiddles and its inner transforms already divided by M.
    const tw = this.twiddle;
    const sign = inverse ? -1 : 1;
    const scale = inverse ? 1 / r : 1;
    for (let k = 0; k < n; k++) {
      const km = k % m;
      let re = subOut[2 * km] as number;
      let im = subOut[2 * km + 1] as number;
      let phase = 0;
      for (let q = 1; q < r; q++) {
        phase += k;
        if (phase >= n) phase -= n;
        const c = tw[2 * phase] as number;
        const s = sign * (tw[2 * phase + 1] as number);
        const fRe = subOut[2 * (q * m + km)] as number;
        const fIm = subOut[2 * (q * m + km) + 1] as number;
        re += c * fRe - s * fIm;
        im += c * fIm + s * fRe;
      }
      out[2 * k] = re * scale;
      out[2 * k + 1] = im * scale;
    }
  }
}

function isPowerOfTwo(v: number): boolean {
  return Number.isInteger(v) && v >= 1 && (v & (v - 1)) === 0;
}
