import * as tf from "@tensorflow/tfjs-core";
import { createRng, initBackend } from "@dl/tensor-core";
import { describe, expect, it } from "vitest";

import { pca, symmetricEigen } from "./pca.js";

/** Data with known principal axes: a random rotation of independent coordinates with variances σ². */
function anisotropic(n: number, d: number, seed: number): { data: Float64Array; variances: number[] } {
  const rng = createRng(seed);
  const variances = Array.from({ length: d }, (_, t) => 2 ** (d - t));
  const raw = new Float64Array(n * d);
  for (let i = 0; i < n; i++) for (let t = 0; t < d; t++) raw[i * d + t] = rng.normal() * Math.sqrt(variances[t]!) + 3;
  return { data: raw, variances };
}

function sampleCovarianceEigen(data: Float64Array, n: number, d: number): number[] {
  const mean = new Float64Array(d);
  for (let i = 0; i < n; i++) for (let t = 0; t < d; t++) mean[t]! += data[i * d + t]! / n;
  const cov = new Float64Array(d * d);
  for (let i = 0; i < n; i++) for (let a = 0; a < d; a++) for (let b = 0; b < d; b++) cov[a * d + b]! += ((data[i * d + a]! - mean[a]!) * (data[i * d + b]! - mean[b]!)) / (n - 1);
  return Array.from(symmetricEigen(cov, d).values).sort((x, y) => y - x);
}

describe("pca", () => {
  const n = 400;
  const d = 8;
  const { data } = anisotropic(n, d, 4);
  const reference = sampleCovarianceEigen(data, n, d);

  it("Jacobi eigen-decomposition reconstructs a symmetric matrix", () => {
    const m = Float64Array.from([4, 1, 0.5, 1, 3, 0.2, 0.5, 0.2, 1]);
    const { values, vectors } = symmetricEigen(m, 3);
    for (let a = 0; a < 3; a++) for (let b = 0; b < 3; b++) {
      let s = 0;
      for (let c = 0; c < 3; c++) s += vectors[a * 3 + c]! * values[c]! * vectors[b * 3 + c]!;
      expect(s).toBeCloseTo(m[a * 3 + b]!, 12);
    }
  });

  it("is exact for few features by default: the sample covariance's eigenvalues and orthonormal directions", () => {
    const result = pca(data, n, d, 4);
    for (let c = 0; c < 4; c++) expect(result.variances[c]! / reference[c]!).toBeCloseTo(1, 10);
    for (let a = 0; a < 4; a++) {
      for (let b = 0; b < 4; b++) {
        let dot = 0;
        for (let t = 0; t < d; t++) dot += result.components[a * d + t]! * result.components[b * d + t]!;
        expect(dot).toBeCloseTo(a === b ? 1 : 0, 10);
      }
    }
    // Projections are the centred data on those directions.
    for (const i of [0, 17, 399]) {
      let s = 0;
      for (let t = 0; t < d; t++) s += (data[i * d + t]! - result.mean[t]!) * result.components[t]!;
      expect(result.projections[i * 4]).toBeCloseTo(s, 10);
    }
  });

  for (const useBackend of [false, true]) {
    it(`variances match the sample covariance eigenvalues (${useBackend ? "backend" : "JS"} path)`, async () => {
      await initBackend({ backend: "cpu" });
      const before = tf.memory().numTensors;
      const result = pca(data, n, d, 3, { useBackend, iterations: 30 });
      expect(tf.memory().numTensors).toBe(before);
      for (let c = 0; c < 3; c++) expect(result.variances[c]! / reference[c]!).toBeCloseTo(1, useBackend ? 4 : 8);
      // Projections have those variances and are uncorrelated.
      for (let a = 0; a < 3; a++) {
        for (let b = 0; b < 3; b++) {
          let s = 0;
          for (let i = 0; i < n; i++) s += result.projections[i * 3 + a]! * result.projections[i * 3 + b]!;
          s /= n - 1;
          if (a === b) expect(s / reference[a]!).toBeCloseTo(1, 3);
          else expect(Math.abs(s) / reference[0]!).toBeLessThan(1e-3);
        }
      }
    });
  }
});
