import * as tf from "@tensorflow/tfjs-core";
import { afterEach, beforeAll, describe, expect, it } from "vitest";

import { setConv2DBackpropFilterStrategy } from "./conv2dBackpropFilter.js";
import { naiveConv2d, seededValues, startBackends } from "./test-utils/compare.js";
import { setConv2DStrategy, winogradWins } from "./winogradConv2d.js";

/**
 * Winograd F(2×2, 3×3) against a float64 direct convolution: max |y − ref| ≤ TOLERANCE · max |ref|. Measured on the bench
 * CNN's conv 2 (k = 288) and its input gradient (k = 576): 2.9e-7 and 3.5e-7 (XNNPACK's direct convolution: 6.8e-7,
 * 8.1e-7); the bound leaves 30× for other shapes, and a wrong transform errs by O(1).
 */
const TOLERANCE = 1e-5;

type Pad = "same" | "valid" | [[number, number], [number, number], [number, number], [number, number]];
interface Case {
  name: string;
  x: [number, number, number, number];
  cout: number;
  pad: Pad;
}

// Odd and even output sizes (a last half tile), batch 1, channels not multiples of 4, explicit asymmetric padding.
const cases: Case[] = [
  { name: "valid, odd output", x: [2, 9, 8, 5], cout: 7, pad: "valid" },
  { name: "same, batch 1, 1 × 1 image", x: [1, 1, 1, 3], cout: 2, pad: "same" },
  { name: "same, even sizes", x: [3, 6, 10, 16], cout: 16, pad: "same" },
  { name: "valid, 17 → 9 channels", x: [1, 7, 5, 17], cout: 9, pad: "valid" },
  { name: "explicit pad", x: [2, 5, 6, 6], cout: 5, pad: [[0, 0], [2, 0], [1, 2], [0, 0]] },
  { name: "bench conv 2 (auto)", x: [4, 13, 13, 32], cout: 64, pad: "valid" },
];

const padsOf = (c: Case, out: tf.Tensor): [number, number] => {
  if (Array.isArray(c.pad)) return [c.pad[1][0], c.pad[2][0]];
  if (c.pad === "valid") return [0, 0];
  return [Math.floor(Math.max(0, (out.shape[1] ?? 0) - 1 + 3 - c.x[1]) / 2), Math.floor(Math.max(0, (out.shape[2] ?? 0) - 1 + 3 - c.x[2]) / 2)];
};

function maxError(got: Float32Array, ref: Float64Array): { error: number; scale: number } {
  let error = 0;
  let scale = 0;
  for (let i = 0; i < ref.length; i++) {
    error = Math.max(error, Math.abs((got[i] ?? Number.NaN) - (ref[i] ?? 0)));
    scale = Math.max(scale, Math.abs(ref[i] ?? 0));
  }
  return { error: got.length === ref.length ? error : Number.POSITIVE_INFINITY, scale };
}

describe("Winograd F(2×2, 3×3) convolutions on wasm", () => {
  beforeAll(startBackends);
  afterEach(() => {
    setConv2DStrategy("auto");
    setConv2DBackpropFilterStrategy("auto");
  });

  it("takes 3 × 3 stride-1 convolutions of ≥ 16 channels in and out, and no others under auto", () => {
    const info = (x: [number, number, number, number], f: [number, number, number, number], stride = 1, dilation = 1) => tf.backend_util.computeConv2DInfo(x, f, stride, dilation, "valid");
    expect(winogradWins(info([1, 13, 13, 32], [3, 3, 32, 64]))).toBe(true);
    expect(winogradWins(info([1, 28, 28, 1], [3, 3, 1, 32]))).toBe(false);
    expect(winogradWins(info([1, 13, 13, 32], [3, 3, 32, 8]))).toBe(false);
    expect(winogradWins(info([1, 13, 13, 32], [3, 3, 32, 64], 2))).toBe(false);
    expect(winogradWins(info([1, 13, 13, 32], [3, 3, 32, 64], 1, 2))).toBe(false);
    expect(winogradWins(info([1, 13, 13, 32], [5, 5, 32, 64]))).toBe(false);
    setConv2DStrategy("winograd");
    expect(winogradWins(info([1, 28, 28, 1], [3, 3, 1, 32]))).toBe(true);
    setConv2DStrategy("xnnpack");
    expect(winogradWins(info([1, 13, 13, 32], [3, 3, 32, 64]))).toBe(false);
  });

  it.each(cases)("Conv2D $name: within the tolerance of a float64 convolution, no leaks", (c) => {
    if (c.name !== "bench conv 2 (auto)") setConv2DStrategy("winograd");
    const cin = c.x[3];
    const xv = seededValues(c.x.reduce((a, b) => a * b, 1), 1);
    const wv = seededValues(9 * cin * c.cout, 2);
    const x = tf.tensor4d(xv, c.x);
    const w = tf.tensor4d(wv, [3, 3, cin, c.cout]);
    const before = tf.memory().numTensors;
    const y = tf.conv2d(x, w, 1, c.pad);
    expect(tf.memory().numTensors).toBe(before + 1);
    const ref = naiveConv2d(xv, wv, c.x, [3, 3, cin, c.cout], padsOf(c, y), [y.shape[1] ?? 0, y.shape[2] ?? 0]);
    const { error, scale } = maxError(y.dataSync() as Float32Array, ref);
    expect(scale).toBeGreaterThan(0);
    expect(error).toBeLessThanOrEqual(TOLERANCE * scale);
    // XNNPACK's direct convolution, for scale: the same shapes, within the same bound.
    setConv2DStrategy("xnnpack");
    const direct = tf.conv2d(x, w, 1, c.pad);
    expect(maxError(direct.dataSync() as Float32Array, ref).error).toBeLessThanOrEqual(TOLERANCE * scale);
    tf.dispose([x, w, y, direct]);
    expect(tf.memory().numTensors).toBe(before - 2);
  });

  it.each(["relu", "leakyrelu", "linear"] as const)("FusedConv2D with bias and %s: the activation of the biased sum, within the tolerance", (activation) => {
    setConv2DStrategy("winograd");
    const shape: [number, number, number, number] = [2, 7, 6, 6];
    const cout = 11;
    const xv = seededValues(2 * 7 * 6 * 6, 3);
    const wv = seededValues(9 * 6 * cout, 4);
    const bv = seededValues(cout, 5);
    const [x, w, bias] = [tf.tensor4d(xv, shape), tf.tensor4d(wv, [3, 3, 6, cout]), tf.tensor1d(bv)];
    const before = tf.memory().numTensors;
    const y = tf.fused.conv2d({ x, filter: w, strides: 1, pad: "same", bias, activation, leakyreluAlpha: 0.3 });
    expect(tf.memory().numTensors).toBe(before + 1);
    const sums = naiveConv2d(xv, wv, shape, [3, 3, 6, cout], [1, 1], [7, 6]);
    const ref = sums.map((s, i) => {
      const v = s + (bv[i % cout] ?? 0);
      return activation === "relu" ? Math.max(0, v) : activation === "leakyrelu" && v < 0 ? 0.3 * v : v;
    });
    const { error, scale } = maxError(y.dataSync() as Float32Array, ref);
    expect(error).toBeLessThanOrEqual(TOLERANCE * scale);
    tf.dispose([x, w, bias, y]);
  });

  it("computes a stride-1 input gradient (Conv2DBackpropInput, full padding) through it, within the tolerance", () => {
    const xShape: [number, number, number, number] = [3, 9, 8, 20];
    const cout = 24;
    const dyShape: [number, number, number, number] = [3, 7, 6, cout];
    const dyv = seededValues(3 * 7 * 6 * cout, 6);
    const wv = seededValues(9 * 20 * cout, 7);
    const [dy, w] = [tf.tensor4d(dyv, dyShape), tf.tensor4d(wv, [3, 3, 20, cout])];
    const before = tf.memory().numTensors;
    const dx = tf.conv2dTranspose(dy, w, xShape, 1, "valid");
    expect(tf.memory().numTensors).toBe(before + 1);
    // dx = dy convolved, full padding, with the filter rotated 180° and its channels swapped.
    const rotated = new Float32Array(wv.length);
    for (let kh = 0; kh < 3; kh++)
      for (let kw = 0; kw < 3; kw++)
        for (let ci = 0; ci < 20; ci++)
          for (let co = 0; co < cout; co++) rotated[((kh * 3 + kw) * cout + co) * 20 + ci] = wv[(((2 - kh) * 3 + (2 - kw)) * 20 + ci) * cout + co] ?? 0;
    const ref = naiveConv2d(dyv, rotated, dyShape, [3, 3, cout, 20], [2, 2], [9, 8]);
    const { error, scale } = maxError(dx.dataSync() as Float32Array, ref);
    expect(error).toBeLessThanOrEqual(TOLERANCE * scale);
    tf.dispose([dy, w, dx]);
  });

  it.each([
    { name: "valid, odd output, 17 → 19 channels", x: [2, 9, 8, 17] as [number, number, number, number], cout: 19, pad: "valid" as const },
    { name: "same, batch 1, even output", x: [1, 6, 10, 16] as [number, number, number, number], cout: 16, pad: "same" as const },
  ])("computes a filter gradient (Conv2DBackpropFilter) $name, within the tolerance of float64 sums, no leaks", (c) => {
    const cin = c.x[3];
    const [oh, ow] = c.pad === "valid" ? [c.x[1] - 2, c.x[2] - 2] : [c.x[1], c.x[2]];
    const xv = seededValues(c.x.reduce((a, b) => a * b, 1), 8);
    const dyv = seededValues(c.x[0] * oh * ow * c.cout, 9);
    const [x, dy] = [tf.tensor4d(xv, c.x), tf.tensor4d(dyv, [c.x[0], oh, ow, c.cout])];
    const attrs = { strides: [1, 1], pad: c.pad, dataFormat: "NHWC", filterShape: [3, 3, cin, c.cout] } as unknown as tf.NamedAttrMap;
    const before = tf.memory().numTensors;
    const dw = tf.engine().runKernel<tf.Tensor>("Conv2DBackpropFilter", { x, dy }, attrs);
    expect(tf.memory().numTensors).toBe(before + 1);
    // dW[kh, kw, ci, co] = Σ x[b, i + kh − p, j + kw − p, ci] · dy[b, i, j, co], in float64.
    const p = c.pad === "valid" ? 0 : 1;
    const ref = new Float64Array(9 * cin * c.cout);
    for (let b = 0; b < c.x[0]; b++)
      for (let i = 0; i < oh; i++)
        for (let j = 0; j < ow; j++)
          for (let kh = 0; kh < 3; kh++)
            for (let kw = 0; kw < 3; kw++) {
              const [hi, wi] = [i + kh - p, j + kw - p];
              if (hi < 0 || hi >= c.x[1] || wi < 0 || wi >= c.x[2]) continue;
              for (let ci = 0; ci < cin; ci++)
                for (let co = 0; co < c.cout; co++) ref[((kh * 3 + kw) * cin + ci) * c.cout + co] = (ref[((kh * 3 + kw) * cin + ci) * c.cout + co] ?? 0) + (xv[((b * c.x[1] + hi) * c.x[2] + wi) * cin + ci] ?? 0) * (dyv[((b * oh + i) * ow + j) * c.cout + co] ?? 0);
            }
    const { error, scale } = maxError(dw.dataSync() as Float32Array, ref);
    expect(error).toBeLessThanOrEqual(TOLERANCE * scale);
    // im2col + our GEMM (the direct sums) within the same bound; the two paths differ, so Winograd did run.
    setConv2DBackpropFilterStrategy("im2col");
    const direct = tf.engine().runKernel<tf.Tensor>("Conv2DBackpropFilter", { x, dy }, attrs);
    const directValues = direct.dataSync();
    expect(maxError(directValues as Float32Array, ref).error).toBeLessThanOrEqual(TOLERANCE * scale);
    expect(Array.from(dw.dataSync()).some((v, i) => v !== directValues[i])).toBe(true);
    tf.dispose([x, dy, dw, direct]);
    expect(tf.memory().numTensors).toBe(before - 2);
  });
});
