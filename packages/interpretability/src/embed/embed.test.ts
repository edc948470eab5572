import { createRng } from "@dl/tensor-core";
import { describe, expect, it } from "vitest";

import { assignToGrid, greedyGridFill, gridCost } from "./gridAssignment.js";
import { procrustes } from "./procrustes.js";

function permutations(n: number): number[][] {
  if (n === 0) return [[]];
  const out: number[][] = [];
  for (const rest of permutations(n - 1)) for (let k = 0; k <= rest.length; k++) out.push([...rest.slice(0, k), n - 1, ...rest.slice(k)]);
  return out;
}

describe("orthogonal Procrustes", () => {
  for (const dims of [2, 3]) {
    it(`recovers a known rotation (and reflection) in ${dims}-D`, () => {
      const rng = createRng(dims);
      const n = 50;
      const a = Float64Array.from({ length: n * dims }, () => rng.normal() * 3);
      // A random orthogonal matrix: Gram–Schmidt of a Gaussian matrix (may include a reflection).
      const q = Float64Array.from({ length: dims * dims }, () => rng.normal());
      for (let r = 0; r < dims; r++) {
        for (let s = 0; s < r; s++) {
          let dot = 0;
          for (let c = 0; c < dims; c++) dot += q[r * dims + c]! * q[s * dims + c]!;
          for (let c = 0; c < dims; c++) q[r * dims + c]! -= dot * q[s * dims + c]!;
        }
        const norm = Math.hypot(...q.subarray(r * dims, (r + 1) * dims));
        for (let c = 0; c < dims; c++) q[r * dims + c]! /= norm;
      }
      const shift = [5, -2, 1];
      const b = new Float64Array(n * dims);
      for (let i = 0; i < n; i++) for (let c = 0; c < dims; c++) {
        let v = shift[c]!;
        for (let k = 0; k < dims; k++) v += a[i * dims + k]! * q[k * dims + c]!;
        b[i * dims + c] = v + 1e-3 * rng.normal();
      }
      const result = procrustes(a, b, n, dims);
      for (let e = 0; e < dims * dims; e++) expect(result.rotation[e]).toBeCloseTo(q[e]!, 3);
      expect(result.rmsd).toBeLessThan(3e-3);
    });
  }
});

describe("grid assignment", () => {
  it("is optimal: matches brute force over all permutations", () => {
    const rng = createRng(9);
    for (let trial = 0; trial < 5; trial++) {
      const n = 6; // 3 × 2 grid, 720 permutations
      const pts = Float64Array.from({ length: 2 * n }, () => rng.next());
      const result = assignToGrid(pts, n, 3);
      let best = Infinity;
      for (const perm of permutations(n)) best = Math.min(best, gridCost(pts, n, 3, 2, perm));
      expect(result.cost).toBeCloseTo(best, 12);
      expect(new Set(result.cellOfPoint).size).toBe(n);
      expect(gridCost(pts, n, 3, 2, result.cellOfPoint)).toBeCloseTo(result.cost, 12);
    }
  });

  it("uses every point once with empty cells when N is not a full grid, and beats the greedy fill", () => {
    const rng = createRng(4);
    const n = 200;
    const pts = Float64Array.from({ length: 2 * n }, () => rng.normal());
    const opt = assignToGrid(pts, n);
    const greedy = greedyGridFill(pts, n);
    expect(opt.columns * opt.rows).toBeGreaterThanOrEqual(n);
    expect(Array.from(opt.pointOfCell).filter((p) => p >= 0).sort((x, y) => x - y)).toEqual(Array.from({ length: n }, (_, i) => i));
    expect(opt.cost).toBeLessThanOrEqual(greedy.cost);
  });
});
