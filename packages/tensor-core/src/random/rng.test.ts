import { describe, expect, it } from "vitest";

import { DlError } from "../errors.js";
import { createRng } from "./rng.js";

describe("createRng", () => {
  it("gives the same stream for the same seed and a different one for another seed", () => {
    const a = createRng(7);
    const b = createRng(7);
    const c = createRng(8);
    const sa = Array.from({ length: 5 }, () => a.nextUint32());
    expect(Array.from({ length: 5 }, () => b.nextUint32())).toEqual(sa);
    expect(Array.from({ length: 5 }, () => c.nextUint32())).not.toEqual(sa);
  });

  it("draws uniforms with mean 1/2 and variance 1/12, normals with mean 0 and variance 1", () => {
    const rng = createRng(1);
    const n = 200_000;
    let s = 0;
    let s2 = 0;
    let z = 0;
    let z2 = 0;
    let lo = 1;
    let hi = 0;
    for (let i = 0; i < n; i++) {
      const u = rng.next();
      lo = Math.min(lo, u);
      hi = Math.max(hi, u);
      s += u;
      s2 += u * u;
      const g = rng.normal();
      z += g;
      z2 += g * g;
    }
    expect(lo).toBeGreaterThanOrEqual(0);
    expect(hi).toBeLessThan(1);
    // 5 standard errors: sd(U)=0.289, sd(U^2)=0.298, sd(Z)=1, sd(Z^2)=sqrt(2).
    expect(Math.abs(s / n - 0.5)).toBeLessThan((5 * 0.289) / Math.sqrt(n));
    expect(Math.abs(s2 / n - 1 / 3)).toBeLessThan((5 * 0.298) / Math.sqrt(n));
    expect(Math.abs(z / n)).toBeLessThan(5 / Math.sqrt(n));
    expect(Math.abs(z2 / n - 1)).toBeLessThan((5 * Math.SQRT2) / Math.sqrt(n));
  });

  it("permutes every index exactly once and samples distinct indices", () => {
    const rng = createRng(3);
    const p = Array.from(rng.permutation(1000)).sort((x, y) => x - y);
    expect(p).toEqual(Array.from({ length: 1000 }, (_, i) => i));
    const s = rng.sample(50, 20);
    expect(new Set(s).size).toBe(20);
  });

  it("gives each index of a shuffle an equal chance of each position (chi-square)", () => {
    const rng = createRng(11);
    const counts = new Array<number>(4).fill(0);
    const trials = 40_000;
    for (let t = 0; t < trials; t++) counts[rng.permutation(4)[0] as number]! += 1;
    const expected = trials / 4;
    const chi2 = counts.reduce((acc, c) => acc + (c - expected) ** 2 / expected, 0);
    // chi-square with 3 d.o.f.: P(chi2 > 16.27) = 0.001
    expect(chi2).toBeLessThan(16.27);
  });

  it("forks independent, reproducible streams", () => {
    const f1 = createRng(5).fork();
    const f2 = createRng(5).fork();
    expect(f1.next()).toBe(f2.next());
    expect(createRng(5).fork().seed).not.toBe(5);
  });

  it("rejects seeds that are not safe integers with a typed error", () => {
    expect(() => createRng(1.5)).toThrow(DlError);
    expect(() => createRng(Number.NaN)).toThrow(/safe integer/);
  });
});
