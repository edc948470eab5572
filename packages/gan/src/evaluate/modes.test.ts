import { describe, expect, it } from "vitest";

import { createRng } from "@dl/tensor-core";

import { countModes, grid25Mixture, sampleGrid25 } from "./modes.js";

describe("mode coverage on the grid of 25 Gaussians", () => {
  it("true samples cover all 25 modes with ~99% within 3σ", () => {
    const cov = countModes(sampleGrid25(2500, createRng(1)), grid25Mixture());
    expect(cov.modesCovered).toBe(25);
    // P(χ²₂ ≤ 9) = 1 − e^{−4.5} = 0.9889.
    expect(cov.highQualityShare).toBeGreaterThan(0.975);
    expect(cov.highQualityShare).toBeLessThan(0.998);
  });

  it("samples from 7 modes cover exactly 7; points between modes count as low quality", () => {
    const rng = createRng(2);
    const all = sampleGrid25(5000, rng);
    const kept: number[] = [];
    for (let i = 0; i < 5000; i++) {
      const x = all[2 * i] as number;
      const y = all[2 * i + 1] as number;
      const mode = Math.round((x + 4) / 2) * 5 + Math.round((y + 4) / 2);
      if (mode < 7) kept.push(x, y);
    }
    const between = Array.from({ length: 200 }, (_, i) => (i % 2 === 0 ? -3 : 1));
    const cov = countModes(Float32Array.from([...kept, ...between]), grid25Mixture());
    expect(cov.modesCovered).toBe(7);
    expect(cov.highQualityShare).toBeLessThan(kept.length / (kept.length + between.length) + 0.001);
  });
});
