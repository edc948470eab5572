import * as tf from "@tensorflow/tfjs-core";
import { beforeAll, describe, expect, it } from "vitest";

import { initBackend } from "@dl/tensor-core";

import { mvnDiagRows } from "@dl/bayes";
import { changeOfVariables2d, jacobian2d, pushforwardDensity2d, resolveMap2d } from "./twoD.js";

beforeAll(async () => {
  await initBackend({ backend: "wasm" });
});

describe("2-D change of variables", () => {
  it("autodiff Jacobian determinant of the banana map equals the closed form", () => {
    const map = resolveMap2d("banana");
    const pts = [0.3, -1, -1.2, 0.5, 2, 2];
    const { logAbsDet } = jacobian2d(map, pts);
    for (let i = 0; i < 3; i++) {
      const x1 = pts[2 * i] as number;
      expect(logAbsDet[i]).toBeCloseTo(Math.log((0.5 + 0.6 * x1 * x1) * Math.exp(0.3 * x1)), 4);
    }
  });

  it("a linear map gives the Gaussian density of A x", () => {
    // y = A x with A = [[2, 1], [0.5, 1]]: y ~ N(0, A Aᵀ), det A = 1.5.
    const map = resolveMap2d(["2*x1 + x2", "0.5*x1 + x2"]);
    const base = mvnDiagRows([0, 0], [1, 1]);
    const ys = [0.5, 0.2, -1, 1.3, 2, -0.4];
    const d = pushforwardDensity2d(map, base, ys);
    const [s11, s12, s22] = [5, 2, 1.25];
    const det = s11 * s22 - s12 * s12;
    for (let i = 0; i < 3; i++) {
      const [u, v] = [ys[2 * i] as number, ys[2 * i + 1] as number];
      const quad = (s22 * u * u - 2 * s12 * u * v + s11 * v * v) / det;
      expect(d[i]).toBeCloseTo(Math.exp(-0.5 * quad) / (2 * Math.PI * Math.sqrt(det)), 6);
    }
  });

  it('"E1; E2" in one string is the same map as the pair of expressions', () => {
    const written = resolveMap2d(" 2*x1 + x2 ;0.5*x1 + x2");
    const pair = resolveMap2d(["2*x1 + x2", "0.5*x1 + x2"]);
    expect([written.y1.text, written.y2.text]).toEqual([pair.y1.text, pair.y2.text]);
    // At (1, 2): y = (2·1 + 2, 0.5·1 + 2) = (4, 2.5), det A = 1.5.
    const { y, logAbsDet } = jacobian2d(written, [1, 2]);
    expect(Array.from(y)).toEqual([4, 2.5]);
    expect(logAbsDet[0]).toBeCloseTo(Math.log(1.5), 6);
    expect(() => resolveMap2d("x1; x2; x1")).toThrow(/Unknown 2-D map "x1; x2; x1"/);
  });

  it.each(["banana", "shear", "tanh"])("%s: L1(analytic p_y, 1e5-sample 6×6 histogram) < 0.02 and within sampling noise", (name) => {
    const before = tf.memory().numTensors;
    const result = changeOfVariables2d(name, mvnDiagRows([0, 0], [1, 1]), { seed: 4 });
    expect(result.l1).toBeLessThan(0.02);
    expect(result.l1).toBeLessThan(1.6 * result.samplingL1);
    expect(tf.memory().numTensors).toBe(before);
  });
});

it("a wrong Jacobian factor is detected: the histogram of y = 2x does not match N(0, I) read as p_y", () => {
  // Omitting |det J| = 4 would make p_y integrate to 4; the check must see that.
  const result = changeOfVariables2d(["2*x1", "2*x2"], mvnDiagRows([0, 0], [1, 1]), { seed: 5, samples: 20000 });
  expect(result.l1).toBeLessThan(0.04);
  const wrong = result.analytic.reduce((s, d) => s + d * 4, 0) * (((result.histogram.edges1[1] ?? 0) - (result.histogram.edges1[0] ?? 0)) * ((result.histogram.edges2[1] ?? 0) - (result.histogram.edges2[0] ?? 0)));
  expect(wrong).toBeGreaterThan(3.5);
});
