import { describe, expect, it } from "vitest";

import { createRng } from "@dl/tensor-core";

import { MixedRadixFft, fftSizeAtLeast } from "./mixedRadixFft.js";

/** The DFT from its definition, O(n²). */
function naiveDft(x: Float64Array, n: number, inverse: boolean): Float64Array {
  const out = new Float64Array(2 * n);
  const sign = inverse ? 1 : -1;
  for (let k = 0; k < n; k++) {
    let re = 0;
    let im = 0;
    for (let t = 0; t < n; t++) {
      const a = (sign * 2 * Math.PI * ((k * t) % n)) / n;
      re += x[2 * t]! * Math.cos(a) - x[2 * t + 1]! * Math.sin(a);
      im += x[2 * t]! * Math.sin(a) + x[2 * t + 1]! * Math.cos(a);
    }
    out[2 * k] = inverse ? re / n : re;
    out[2 * k + 1] = inverse ? im / n : im;
  }
  return out;
}

describe("mixed-radix FFT", () => {
  for (const n of [8, 12, 24, 48, 96, 192, 384]) {
    it(`matches the DFT definition forward and inverse at size ${n}`, () => {
      const rng = createRng(n);
      const x = Float64Array.from({ length: 2 * n }, () => rng.normal());
      const fft = new MixedRadixFft(n);
      const forward = new Float64Array(2 * n);
      fft.transform(forward, x);
      const expected = naiveDft(x, n, false);
      for (let e = 0; e < 2 * n; e++) expect(forward[e]).toBeCloseTo(expected[e]!, 9);
      const back = new Float64Array(2 * n);
      fft.inverseTransform(back, forward);
      const expectedBack = naiveDft(forward, n, true);
      for (let e = 0; e < 2 * n; e++) {
        expect(back[e]).toBeCloseTo(expectedBack[e]!, 9);
        expect(back[e]).toBeCloseTo(x[e]!, 9);
      }
    });
  }

  it("picks the smallest 2^a or 3·2^a size and rejects others", () => {
    expect(fftSizeAtLeast(440)).toBe(512);
    expect(fftSizeAtLeast(384)).toBe(384);
    expect(fftSizeAtLeast(600)).toBe(768);
    expect(fftSizeAtLeast(769)).toBe(1024);
    expect(fftSizeAtLeast(257)).toBe(384);
    expect(fftSizeAtLeast(3)).toBe(4);
    expect(() => new MixedRadixFft(20)).toThrow(/3·2\^a/);
    expect(() => new MixedRadixFft(90)).toThrow(/3·2\^a/);
  });
});
