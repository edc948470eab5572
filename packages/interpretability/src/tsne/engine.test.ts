// The one t-SNE engine (parallel/tasks/, here on a serial team) against the gradient computed from its definition
// (test-utils/reference.ts, dense, sharing no code with the kernels), with the tolerance each method is held to.
import { createRng } from "@dl/tensor-core";
import { describe, expect, it } from "vitest";

import type { SparseMatrix } from "./affinities.js";
import { fftSideFor } from "./fftGrid.js";
import { klFromParts } from "./kl.js";
import { HYBRID_BH_COST_RATIO } from "./options.js";
import { BH_GROUP_SIZE, SpaceTree } from "./spaceTree.js";
import { engineGradient, engineRepulsion, referenceGradient, referenceRepulsion } from "./test-utils/reference.js";
import { gaussianClusters } from "./test-utils/testData.js";
import { computeAffinities } from "./tsne.js";

/** KL(P‖Q) straight from the definition with dense Q. */
function denseKl(p: SparseMatrix, y: Float64Array, n: number, dims: number): number {
  let z = 0;
  const w = (i: number, j: number): number => {
    let s = 0;
    for (let c = 0; c < dims; c++) s += (y[i * dims + c]! - y[j * dims + c]!) ** 2;
    return 1 / (1 + s);
  };
  for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) if (i !== j) z += w(i, j);
  let kl = 0;
  for (let i = 0; i < n; i++) {
    for (let e = p.rowPtr[i]!; e < p.rowPtr[i + 1]!; e++) {
      const v = p.values[e]!;
      if (v > 0) kl += v * Math.log(v / (w(i, p.colIdx[e]!) / z));
    }
  }
  return kl;
}

function randomEmbedding(n: number, dims: number, scale: number, seed: number): Float64Array {
  const rng = createRng(seed);
  return Float64Array.from({ length: n * dims }, () => rng.normal() * scale);
}

function relativeError(a: Float64Array, b: Float64Array): number {
  let num = 0;
  let den = 0;
  for (let e = 0; e < a.length; e++) {
    num += (a[e]! - b[e]!) ** 2;
    den += b[e]! ** 2;
  }
  return Math.sqrt(num / den);
}

describe("t-SNE gradient: engine against the reference", () => {
  const { data, n } = gaussianClusters(3, 30, 5, 2);
  const p = computeAffinities(data, n, 5, 8);

  for (const dims of [2, 3]) {
    it(`the exact method matches the reference gradient to 1e-12 and finite differences of KL (${dims}-D)`, () => {
      const y = randomEmbedding(n, dims, 2, 9);
      const { grad, attraction, forces, z, sumPLogW } = engineGradient("exact", y, n, dims, p);
      const reference = referenceGradient(y, n, dims, p);
      expect(relativeError(grad, reference.grad)).toBeLessThan(1e-12);
      expect(relativeError(attraction, reference.attraction)).toBeLessThan(1e-12);
      expect(relativeError(forces, reference.forces)).toBeLessThan(1e-12);
      expect(Math.abs(z - reference.z) / reference.z).toBeLessThan(1e-12);
      expect(klFromParts(p, sumPLogW, z)).toBeCloseTo(reference.kl, 10);
      expect(klFromParts(p, sumPLogW, z)).toBeCloseTo(denseKl(p, y, n, dims), 10);
      const h = 1e-5;
      for (const e of [0, 1, 7, 40, n * dims - 1]) {
        const yp = Float64Array.from(y);
        const ym = Float64Array.from(y);
        yp[e]! += h;
        ym[e]! -= h;
        const numeric = (denseKl(p, yp, n, dims) - denseKl(p, ym, n, dims)) / (2 * h);
        expect(grad[e]).toBeCloseTo(numeric, 6);
      }
    });
  }

  for (const [method, dims, tolerance] of [
    ["bh", 2, 0.02],
    ["bh", 3, 0.02],
    ["fft", 2, 0.02],
    ["hybrid", 2, 0.02],
  ] as const) {
    it(`${method} (${dims}-D): attraction equal to the reference to 1e-12, whole gradient within ${tolerance * 100} %, exaggeration 12`, () => {
      const y = randomEmbedding(n, dims, 2, 10 + dims);
      const engine = engineGradient(method, y, n, dims, p, 12);
      const reference = referenceGradient(y, n, dims, p, 12);
      expect(relativeError(engine.attraction, reference.attraction)).toBeLessThan(1e-12);
      expect(relativeError(engine.grad, reference.grad)).toBeLessThan(tolerance);
      expect(Math.abs(engine.z - reference.z) / reference.z).toBeLessThan(0.01);
      expect(klFromParts(p, engine.sumPLogW, reference.z)).toBeCloseTo(reference.kl, 10);
    });
  }

  it("exaggeration scales only the attractive term", () => {
    const y = randomEmbedding(n, 2, 2, 4);
    const g1 = engineGradient("exact", y, n, 2, p, 1).grad;
    const { grad: g12, z } = engineGradient("exact", y, n, 2, p, 12);
    // g(α) = 4(α·A − F/Z) is affine in α, so g(12) − g(1) = 11·4A.
    const attr = new Float64Array(n * 2);
    for (let i = 0; i < n; i++) {
      for (let e = p.rowPtr[i]!; e < p.rowPtr[i + 1]!; e++) {
        const j = p.colIdx[e]!;
        const d0 = y[2 * i]! - y[2 * j]!;
        const d1 = y[2 * i + 1]! - y[2 * j + 1]!;
        const w = 1 / (1 + d0 * d0 + d1 * d1);
        attr[2 * i]! += p.values[e]! * w * d0;
        attr[2 * i + 1]! += p.values[e]! * w * d1;
      }
    }
    for (let e = 0; e < 2 * n; e++) expect(g12[e]! - g1[e]!).toBeCloseTo(44 * attr[e]!, 10);
    expect(z).toBeGreaterThan(0);
  });
});

describe("approximate repulsion against the reference", () => {
  const n = 400;
  for (const [dims, scale] of [
    [2, 10],
    [3, 10],
  ] as const) {
    it(`Barnes–Hut θ = 0.5 is within 2% of exact, θ = 0 is exact (${dims}-D)`, () => {
      const y = randomEmbedding(n, dims, scale, 21);
      const exact = new Float64Array(n * dims);
      const zExact = referenceRepulsion(y, n, dims, exact);
      const bh = new Float64Array(n * dims);
      const zBh = engineRepulsion("bh", { theta: 0.5 })(y, n, dims, bh);
      expect(relativeError(bh, exact)).toBeLessThan(0.02);
      expect(Math.abs(zBh - zExact) / zExact).toBeLessThan(0.01);
      const bh0 = new Float64Array(n * dims);
      const z0 = engineRepulsion("bh", { theta: 0 })(y, n, dims, bh0);
      expect(relativeError(bh0, exact)).toBeLessThan(1e-12);
      expect(z0).toBeCloseTo(zExact, 8);
    });
  }

  it("Barnes–Hut handles coincident points", () => {
    const y = randomEmbedding(50, 2, 3, 5);
    for (let i = 1; i < 10; i++) y.set(y.subarray(0, 2), 2 * i);
    const exact = new Float64Array(100);
    const zExact = referenceRepulsion(y, 50, 2, exact);
    const bh = new Float64Array(100);
    const z = engineRepulsion("bh", { theta: 0 })(y, 50, 2, bh);
    expect(z).toBeCloseTo(zExact, 8);
    expect(relativeError(bh, exact)).toBeLessThan(1e-12);
  });

  it("group walks are at least as accurate as one walk per point, and every point is in exactly one group", () => {
    for (const dims of [2, 3] as const) {
      // Clustered points over a wide range, like a late t-SNE embedding.
      const rng = createRng(40 + dims);
      const m = 3000;
      const y = new Float64Array(m * dims);
      for (let i = 0; i < m; i++) {
        const cluster = i % 10;
        for (let c = 0; c < dims; c++) y[i * dims + c] = 30 * Math.sin(cluster * (c + 1.7)) + 3 * rng.normal();
      }
      const exact = new Float64Array(m * dims);
      const zExact = referenceRepulsion(y, m, dims, exact);
      const grouped = new Float64Array(m * dims);
      const zGrouped = engineRepulsion("bh", { theta: 0.5 })(y, m, dims, grouped);
      // The per-point walk of van der Maaten (2014) through the same tree.
      const tree = new SpaceTree(y, m, dims);
      const perPoint = new Float64Array(m * dims);
      const force = new Float64Array(3);
      let zPerPoint = 0;
      for (let i = 0; i < m; i++) {
        zPerPoint += tree.query(y[i * dims]!, y[i * dims + 1]!, dims === 3 ? y[i * dims + 2]! : 0, i, 0.5, force);
        for (let c = 0; c < dims; c++) perPoint[i * dims + c] = force[c]!;
      }
      const groupedError = relativeError(grouped, exact);
      expect(groupedError).toBeLessThan(0.02);
      expect(groupedError).toBeLessThanOrEqual(relativeError(perPoint, exact));
      expect(Math.abs(zGrouped - zExact)).toBeLessThanOrEqual(Math.abs(zPerPoint - zExact));
      const groups = tree.groups;
      expect(groups[0]).toBe(0);
      expect(groups[groups.length - 1]).toBe(m);
      for (let g = 0; g + 1 < groups.length; g++) {
        const size = groups[g + 1]! - groups[g]!;
        expect(size).toBeGreaterThan(0);
        expect(size).toBeLessThanOrEqual(BH_GROUP_SIZE);
      }
    }
  });

  it("a tree rebuilt over new coordinates gives the same forces as a fresh tree", () => {
    for (const dims of [2, 3] as const) {
      const first = randomEmbedding(2000, dims, 5, 70 + dims);
      const second = randomEmbedding(2000, dims, 20, 80 + dims);
      const tree = new SpaceTree(first, 2000, dims);
      tree.rebuild(second);
      const fresh = new SpaceTree(second, 2000, dims);
      const a = new Float64Array(2000 * dims);
      const b = new Float64Array(2000 * dims);
      const za = tree.groupRepulsion(0, tree.groups.length - 1, 0.5, a);
      const zb = fresh.groupRepulsion(0, fresh.groups.length - 1, 0.5, b);
      expect(za).toBe(zb);
      expect(Array.from(a)).toEqual(Array.from(b));
      expect(Array.from(tree.order)).toEqual(Array.from(fresh.order));
      const exact = new Float64Array(2000 * dims);
      referenceRepulsion(second, 2000, dims, exact);
      expect(relativeError(a, exact)).toBeLessThan(0.02);
    }
  });

  it("Barnes–Hut is exact at θ = 0 when more coincident points than a group holds share a leaf", () => {
    const y = randomEmbedding(300, 2, 3, 6);
    for (let i = 1; i <= BH_GROUP_SIZE + 36; i++) y.set(y.subarray(0, 2), 2 * i);
    const exact = new Float64Array(600);
    const zExact = referenceRepulsion(y, 300, 2, exact);
    const bh = new Float64Array(600);
    const z = engineRepulsion("bh", { theta: 0 })(y, 300, 2, bh);
    expect(z).toBeCloseTo(zExact, 6);
    expect(relativeError(bh, exact)).toBeLessThan(1e-12);
    // θ = 0.5 on the same points stays close to exact.
    const zHalf = engineRepulsion("bh", { theta: 0.5 })(y, 300, 2, bh);
    expect(Math.abs(zHalf - zExact) / zExact).toBeLessThan(0.01);
  });

  it("FFT interpolation converges to exact as the grid refines", () => {
    const y = randomEmbedding(n, 2, 8, 33);
    const exact = new Float64Array(n * 2);
    const zExact = referenceRepulsion(y, n, 2, exact);
    const errors: number[] = [];
    for (const [nodesPerBox, boxWidth] of [
      [3, 2],
      [3, 0.5],
      [5, 0.5],
    ] as const) {
      const f = new Float64Array(n * 2);
      const z = engineRepulsion("fft", { fft: { nodesPerBox, boxWidth, minBoxes: 1, maxFftSize: 1024, maxSpacing: 10 } })(y, n, 2, f);
      errors.push(relativeError(f, exact));
      // The coarse grid (spacing ≈ 0.67) is measured at 1.3 % error in Z; the finer ones below 0.1 %.
      expect(Math.abs(z - zExact) / zExact).toBeLessThan(boxWidth > 1 ? 0.02 : 0.01);
    }
    expect(errors[2]!).toBeLessThan(1e-3);
    // Defaults keep the spacing ≤ 0.4 even when the embedding is wide (the grid grows past 256).
    const wide = randomEmbedding(n, 2, 25, 34);
    const wideExact = new Float64Array(n * 2);
    referenceRepulsion(wide, n, 2, wideExact);
    const f = new Float64Array(n * 2);
    engineRepulsion("fft")(wide, n, 2, f);
    expect(relativeError(f, wideExact)).toBeLessThan(0.1); // measured 0.066 (spacing 0.4, 3 nodes per box); 0.23 at spacing 0.5
    expect(errors[1]!).toBeLessThan(errors[0]!);
    expect(errors[2]!).toBeLessThan(errors[1]!);
  });

  it("hybrid takes the FFT for a compact embedding and Barnes–Hut for a spread one, by the cost rule", () => {
    const m = 3000;
    const bhCost = HYBRID_BH_COST_RATIO * m * Math.log2(m);
    for (const [scale, viaFft] of [
      [1.5, true],
      [60, false],
    ] as const) {
      const y = randomEmbedding(m, 2, scale, 8);
      let lo = Infinity;
      let hi = -Infinity;
      for (const v of y) {
        lo = Math.min(lo, v);
        hi = Math.max(hi, v);
      }
      const side = fftSideFor(hi - lo, m);
      expect(side * side * Math.log2(side) < bhCost).toBe(viaFft);
      const hybrid = new Float64Array(2 * m);
      const zHybrid = engineRepulsion("hybrid", { theta: 0.5 })(y, m, 2, hybrid);
      const reference = new Float64Array(2 * m);
      const zReference = engineRepulsion(viaFft ? "fft" : "bh", { theta: 0.5 })(y, m, 2, reference);
      expect(zHybrid).toBe(zReference);
      expect(Array.from(hybrid)).toEqual(Array.from(reference));
    }
  });
});
