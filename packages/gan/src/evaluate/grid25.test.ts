import { describe, expect, it } from "vitest";

import { GRID25_POINT_CLASSES, grid25Points, summariseModeCounts } from "./grid25.js";

describe("grid-of-25 summaries and figure points", () => {
  it("mode counts over seeds: mean and the n − 1 standard deviation", () => {
    // 25, 23, 24: mean 24, squared deviations 1 + 1 + 0 over n − 1 = 2 → sd 1.
    expect(summariseModeCounts([25, 23, 24])).toEqual({ mean: 24, sd: 1, runs: [25, 23, 24] });
    // 20, 25: mean 22.5, sd = √((2.5² + 2.5²) / 1) = 3.5355…
    const two = summariseModeCounts([20, 25]);
    expect(two.mean).toBe(22.5);
    expect(two.sd).toBeCloseTo(Math.sqrt(12.5), 12);
    expect(summariseModeCounts([17])).toEqual({ mean: 17, sd: 0, runs: [17] });
  });

  it("points: samples, then the line in z, then the 25 centres on {−4, −2, 0, 2, 4}², each with its class", () => {
    const samples = Float32Array.from([0.1, 0.2, -3.9, 4.1, 2, 2]);
    const interpolation = Float32Array.from([-1, -1, 1, 1]);
    const { points, labels } = grid25Points({ samples, interpolation });
    expect(points.length).toBe(2 * (3 + 2 + 25));
    expect(Array.from(points.subarray(0, 10))).toEqual([...Array.from(samples), ...Array.from(interpolation)]);
    const centres = Array.from(points.subarray(10));
    expect(centres.slice(0, 4)).toEqual([-4, -4, -4, -2]);
    expect(centres.slice(-2)).toEqual([4, 4]);
    const asPairs = new Set(Array.from({ length: 25 }, (_, k) => `${centres[2 * k]},${centres[2 * k + 1]}`));
    expect(asPairs.size).toBe(25);
    for (const a of [-4, -2, 0, 2, 4]) for (const b of [-4, -2, 0, 2, 4]) expect(asPairs.has(`${a},${b}`)).toBe(true);
    const { samples: s, line: l, centres: c } = GRID25_POINT_CLASSES;
    expect(Array.from(labels)).toEqual([s, s, s, l, l, ...Array<number>(25).fill(c)]);
  });
});
