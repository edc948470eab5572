import { describe, expect, it } from "vitest";

import { isDlError } from "@dl/tensor-core";

import { centreAndL2Normalise, concatenateFeatures, meanFeature } from "./cl2n.js";

const rows = (data: number[], dim: number): { data: Float32Array; dim: number; count: number; labels: Int32Array } => ({
  data: Float32Array.from(data),
  dim,
  count: data.length / dim,
  labels: Int32Array.from({ length: data.length / dim }, (_, i) => i),
});

describe("CL2N", () => {
  it("subtracts the base mean and scales each row to unit length (hand computation)", () => {
    const base = rows([1, 2, 3, 4, 5, 6], 2); // mean (3, 4)
    const mean = meanFeature(base);
    expect(Array.from(mean)).toEqual([3, 4]);
    const out = centreAndL2Normalise(rows([6, 8, 3, 4, 0, 4], 2), mean);
    // (3, 4)/5, (0, 0) stays zero, (−3, 0)/3.
    const expected = [0.6, 0.8, 0, 0, -1, 0];
    out.data.forEach((v, i) => expect(v).toBeCloseTo(expected[i] as number, 6));
    expect(Array.from(out.labels)).toEqual([0, 1, 2]);
  });

  it("makes squared euclidean distance 2 − 2·cosine of the centred features", () => {
    const mean = Float32Array.from([0.5, -1, 2]);
    const x = rows([1, 0, 3, -2, 5, 1], 3);
    const out = centreAndL2Normalise(x, mean);
    const a = [0.5, 1, 1];
    const b = [-2.5, 6, -1];
    const cos = (a[0]! * b[0]! + a[1]! * b[1]! + a[2]! * b[2]!) / Math.hypot(...a) / Math.hypot(...b);
    let d2 = 0;
    for (let j = 0; j < 3; j++) d2 += (out.data[j]! - out.data[3 + j]!) ** 2;
    expect(d2).toBeCloseTo(2 - 2 * cos, 6);
  });

  it("rejects a mean of the wrong width", () => {
    try {
      centreAndL2Normalise(rows([1, 2], 2), new Float32Array(3));
      expect.unreachable();
    } catch (error) {
      expect(isDlError(error) && error.code === "INVALID_ARGUMENT").toBe(true);
    }
  });
});

describe("concatenateFeatures", () => {
  it("places weighted blocks side by side per row", () => {
    const out = concatenateFeatures([
      { features: rows([1, 2, 3, 4], 2), weight: 1 },
      { features: rows([5, 6], 1), weight: 0.5 },
    ]);
    expect(out.dim).toBe(3);
    expect(Array.from(out.data)).toEqual([1, 2, 2.5, 3, 4, 3]);
  });
});
