import { describe, expect, it } from "vitest";

import { DlError } from "@dl/tensor-core";

import { builtinConcept, holeArea, slant, strokeWidth } from "./concepts.js";

const H = 28;
const W = 28;

function blank(): Float32Array {
  return new Float32Array(H * W);
}

function drawRect(img: Float32Array, r0: number, r1: number, c0: number, c1: number): void {
  for (let r = r0; r < r1; r++) for (let c = c0; c < c1; c++) img[r * W + c] = 1;
}

/** A square ring: outer [6,22) × [6,22), wall `t` pixels thick. */
function ring(t: number): Float32Array {
  const img = blank();
  drawRect(img, 6, 22, 6, 22);
  for (let r = 6 + t; r < 22 - t; r++) for (let c = 6 + t; c < 22 - t; c++) img[r * W + c] = 0;
  return img;
}

describe("image statistics", () => {
  it("hole area is the enclosed background of a ring and zero for a bar or an open shape", () => {
    expect(holeArea(ring(2), H, W)).toBe(12 * 12);
    const bar = blank();
    drawRect(bar, 4, 24, 13, 15);
    expect(holeArea(bar, H, W)).toBe(0);
    const open = ring(2);
    drawRect(open, 6, 8, 12, 14);
    for (let r = 6; r < 8; r++) for (let c = 12; c < 14; c++) open[r * W + c] = 0;
    expect(holeArea(open, H, W)).toBe(0);
  });

  it("stroke width recovers the width of long bars", () => {
    for (const w of [1, 2, 3, 4]) {
      const bar = blank();
      drawRect(bar, 2, 26, 10, 10 + w);
      // area = 24w, perimeter = 2·24 + 2w → 2·area/perimeter = 48w / (48 + 2w).
      expect(strokeWidth(bar, H, W)).toBeCloseTo((48 * w) / (48 + 2 * w), 12);
    }
  });

  it("slant is the shear of a line col = c0 − a·row", () => {
    for (const a of [-0.5, 0, 0.3, 0.6]) {
      const img = blank();
      for (let r = 4; r < 24; r++) img[r * W + Math.round(14 - a * (r - 14))] = 1;
      expect(slant(img, H, W)).toBeCloseTo(a, 1);
    }
  });
});

describe("builtinConcept", () => {
  const source = (() => {
    // 40 rings (loops) and 40 bars of width 1–4 slanted alternately.
    const n = 80;
    const images = new Float32Array(n * H * W);
    for (let i = 0; i < 40; i++) images.set(ring(1 + (i % 3)), i * H * W);
    for (let i = 40; i < n; i++) {
      const img = blank();
      const a = i % 2 === 0 ? 0.5 : -0.5;
      const w = 1 + (i % 4);
      for (let r = 4; r < 24; r++) for (let k = 0; k < w; k++) img[r * W + Math.round(12 - a * (r - 14)) + k] = 1;
      images.set(img, i * H * W);
    }
    return { images, count: n, height: H, width: W, channels: 1 };
  })();

  it("selects loops, slants and stroke widths by their statistics", () => {
    const loops = builtinConcept("loops", source, { count: 20, seed: 1 });
    expect(loops.count).toBe(20);
    for (const i of loops.indices) expect(i).toBeLessThan(40);
    const right = builtinConcept("slant-right", source, { count: 15, seed: 1 });
    for (const i of right.indices) expect(slant(source.images.subarray(i * H * W, (i + 1) * H * W), H, W)).toBeGreaterThan(0.3);
    const thick = builtinConcept("thick-strokes", source, { count: 20, seed: 2 });
    const thin = builtinConcept("thin-strokes", source, { count: 20, seed: 2 });
    const width = (set: { indices: Int32Array }): number => Array.from(set.indices, (i) => strokeWidth(source.images.subarray(i * H * W, (i + 1) * H * W), H, W)).reduce((a, b) => a + b, 0) / set.indices.length;
    expect(width(thick)).toBeGreaterThan(width(thin) + 1);
    // Same seed, same images.
    expect(Array.from(builtinConcept("loops", source, { count: 20, seed: 1 }).indices)).toEqual(Array.from(loops.indices));
  });

  it("rejects unknown names and asks for more images when too few qualify", () => {
    expect(() => builtinConcept("stripes", source)).toThrow(/loops, thick-strokes/);
    expect(() => builtinConcept("loops", source, { count: 41 })).toThrow(DlError);
  });
});
