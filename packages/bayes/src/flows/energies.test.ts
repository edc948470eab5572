import * as tf from "@tensorflow/tfjs-core";
import { beforeAll, describe, expect, it } from "vitest";

import { createRng, initBackend } from "@dl/tensor-core";

import { ENERGY_NAMES, energy, energyScalar, logNormaliser, parseEnergyName } from "./energies.js";

beforeAll(async () => {
  await initBackend({ backend: "cpu" });
});

describe("Rezende & Mohamed energies", () => {
  it("the tfjs energies equal the float64 ones", () => {
    const rng = createRng(1);
    const pts = Array.from({ length: 50 }, () => [6 * rng.next() - 3, 6 * rng.next() - 3] as [number, number]);
    const z = tf.tensor2d(pts);
    for (const name of ENERGY_NAMES) {
      const t = energy(name, z);
      const values = t.dataSync();
      pts.forEach(([a, b], i) => expect(Math.abs((values[i] ?? NaN) - energyScalar(name, a, b))).toBeLessThan(1e-4 * (1 + Math.abs(energyScalar(name, a, b)))));
      t.dispose();
    }
    z.dispose();
  });

  it("U2 is the paper's formula: ½((z₂ − sin(πz₁/2))/0.4)² inside the window", () => {
    expect(energyScalar("U2", 1, 1)).toBeCloseTo(0, 12);
    expect(energyScalar("U2", 0, 0.4)).toBeCloseTo(0.5, 12);
  });

  it("log Z of U1 by the Cartesian midpoint grid equals an independent polar Simpson quadrature", () => {
    // ∫∫ exp(−U1) = ∫₀^∞ ∫₀^{2π} exp(−U1(r cos θ, r sin θ)) r dθ dr.
    const simpson = (f: (x: number) => number, a: number, b: number, n: number): number => {
      const h = (b - a) / n;
      let s = f(a) + f(b);
      for (let i = 1; i < n; i++) s += (i % 2 === 1 ? 4 : 2) * f(a + i * h);
      return (s * h) / 3;
    };
    const z = simpson((r) => r * simpson((t) => Math.exp(-energyScalar("U1", r * Math.cos(t), r * Math.sin(t))), 0, 2 * Math.PI, 400), 0, 5, 400);
    expect(logNormaliser("U1")).toBeCloseTo(Math.log(z), 6);
  });

  it("a finer grid does not change log Z (quadrature converged) for every target", () => {
    for (const name of ENERGY_NAMES) {
      expect(logNormaliser(name, { x: [-6, 6], y: [-8, 8], nx: 600, ny: 800 })).toBeCloseTo(logNormaliser(name), 5);
    }
  });

  it("unknown targets list the valid ones", () => {
    expect(() => parseEnergyName("U5")).toThrow(/Valid targets: U1, U2, U3 or U4/);
    expect(parseEnergyName("u3")).toBe("U3");
  });
});
