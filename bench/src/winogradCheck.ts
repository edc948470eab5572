/**
 * `node --conditions=@dl/source --import tsx src/winogradCheck.ts [threads]`: the bench CNN's 3 × 3 stride-1
 * convolutions (conv 2 forward, 13 × 13 × 32 → 11 × 11 × 64, and its input gradient as a convolution, 11 × 11 × 64 →
 * 13 × 13 × 32 with full padding) through Winograd F(2×2, 3×3) and through XNNPACK: the error of each against a
 * float64 direct convolution, and the CPU time of each (median of 30 calls, interleaved).
 */
import * as tf from "@tensorflow/tfjs-core";
import { createRng, initBackend } from "@dl/tensor-core";

import { naiveConv2d } from "../../packages/tensor-core/src/backend/wasmKernels/test-utils/compare.js";
import { setConv2DStrategy } from "../../packages/tensor-core/src/backend/wasmKernels/winogradConv2d.js";

const threads = Number.parseInt(process.argv[2] ?? "1", 10);
await initBackend({ backend: "wasm", wasmThreads: threads });
const rng = createRng(20);

const cpuMs = (f: () => void): number => {
  const c0 = process.cpuUsage();
  f();
  const u = process.cpuUsage(c0);
  return (u.user + u.system) / 1000;
};
const median = (v: number[]): number => [...v].sort((a, b) => a - b)[Math.floor(v.length / 2)] ?? Number.NaN;

for (const [name, shape, co, pad] of [
  ["conv 2 forward", [64, 13, 13, 32], 64, 0],
  ["conv 2 input gradient", [64, 11, 11, 64], 32, 2],
] as const) {
  const xv = new Float32Array(shape.reduce((a, b) => a * b, 1)).map(() => rng.normal());
  const wv = new Float32Array(9 * shape[3] * co).map(() => rng.normal() * Math.sqrt(2 / (9 * shape[3])));
  const x = tf.tensor4d(xv, [...shape]);
  const w = tf.tensor4d(wv, [3, 3, shape[3], co]);
  const pads: [[number, number], [number, number], [number, number], [number, number]] = [[0, 0], [pad, pad], [pad, pad], [0, 0]];
  // The float64 reference: tensor-core's kernel tests' direct convolution.
  const ref = naiveConv2d(xv, wv, shape, [3, 3, shape[3], co], [pad, pad], [shape[1] + 2 * pad - 2, shape[2] + 2 * pad - 2]);
  let scale = 0;
  for (const v of ref) scale = Math.max(scale, Math.abs(v));
  const times: Record<string, number[]> = { winograd: [], xnnpack: [] };
  for (const s of ["winograd", "xnnpack"] as const) {
    setConv2DStrategy(s);
    const y = tf.conv2d(x, w, 1, pad === 0 ? "valid" : pads);
    const yv = y.dataSync();
    y.dispose();
    let maxAbs = 0;
    let sumSq = 0;
    let refSq = 0;
    for (let i = 0; i < yv.length; i++) {
      const d = (yv[i] ?? 0) - (ref[i] ?? 0);
      maxAbs = Math.max(maxAbs, Math.abs(d));
      sumSq += d * d;
      refSq += (ref[i] ?? 0) ** 2;
    }
    console.log(`${name} ${s}: max |err| ${maxAbs.toExponential(2)} (max |y| ${scale.toFixed(2)}, ratio ${(maxAbs / scale).toExponential(2)}), rms rel ${Math.sqrt(sumSq / refSq).toExponential(2)}`);
  }
  for (let r = 0; r < 30; r++) {
    for (const s of ["winograd", "xnnpack"] as const) {
      setConv2DStrategy(s);
      let y: tf.Tensor | undefined;
      times[s]?.push(cpuMs(() => { y = tf.conv2d(x, w, 1, pad === 0 ? "valid" : pads); }));
      y?.dispose();
    }
  }
  console.log(`${name}: CPU ms median winograd ${median(times["winograd"] ?? []).toFixed(2)}, xnnpack ${median(times["xnnpack"] ?? []).toFixed(2)} (${String(threads)} thread(s))`);
  x.dispose();
  w.dispose();
}

// The filter gradient of conv 2: dW = Σ x-window · dy, Winograd against im2col + our GEMM, and a float64 reference.
{
  setConv2DStrategy("auto");
  const { setConv2DBackpropFilterStrategy } = await import("../../packages/tensor-core/src/backend/wasmKernels/conv2dBackpropFilter.js");
  const xv = new Float32Array(64 * 13 * 13 * 32).map(() => rng.normal());
  const dyv = new Float32Array(64 * 11 * 11 * 64).map(() => rng.normal() * 0.01);
  const x = tf.tensor4d(xv, [64, 13, 13, 32]);
  const dy = tf.tensor4d(dyv, [64, 11, 11, 64]);
  const ref = new Float64Array(9 * 32 * 64);
  for (let b = 0; b < 64; b++)
    for (let i = 0; i < 11; i++)
      for (let j = 0; j < 11; j++)
        for (let kh = 0; kh < 3; kh++)
          for (let kw = 0; kw < 3; kw++)
            for (let c = 0; c < 32; c++) {
              const xval = xv[((b * 13 + i + kh) * 13 + j + kw) * 32 + c] ?? 0;
              const at = ((kh * 3 + kw) * 32 + c) * 64;
              const dyAt = ((b * 11 + i) * 11 + j) * 64;
              for (let o = 0; o < 64; o++) ref[at + o] = (ref[at + o] ?? 0) + xval * (dyv[dyAt + o] ?? 0);
            }
  let scale = 0;
  for (const v of ref) scale = Math.max(scale, Math.abs(v));
  const times: Record<string, number[]> = { auto: [], im2col: [] };
  for (const s of ["auto", "im2col"] as const) {
    setConv2DBackpropFilterStrategy(s);
    const dw = tf.engine().runKernel<tf.Tensor>("Conv2DBackpropFilter", { x, dy }, { strides: [1, 1], pad: "valid", dataFormat: "NHWC", dimRoundingMode: undefined, filterShape: [3, 3, 32, 64] } as unknown as tf.NamedAttrMap);
    const v = dw.dataSync();
    dw.dispose();
    let maxAbs = 0;
    for (let i = 0; i < v.length; i++) maxAbs = Math.max(maxAbs, Math.abs((v[i] ?? 0) - (ref[i] ?? 0)));
    console.log(`conv 2 filter gradient ${s === "auto" ? "winograd" : s}: max |err| ${maxAbs.toExponential(2)} (max |dW| ${scale.toFixed(3)}, ratio ${(maxAbs / scale).toExponential(2)})`);
  }
  for (let r = 0; r < 30; r++) {
    for (const s of ["auto", "im2col"] as const) {
      setConv2DBackpropFilterStrategy(s);
      let dw: tf.Tensor | undefined;
      times[s]?.push(cpuMs(() => { dw = tf.engine().runKernel<tf.Tensor>("Conv2DBackpropFilter", { x, dy }, { strides: [1, 1], pad: "valid", dataFormat: "NHWC", dimRoundingMode: undefined, filterShape: [3, 3, 32, 64] } as unknown as tf.NamedAttrMap); }));
      dw?.dispose();
    }
  }
  console.log(`conv 2 filter gradient: CPU ms median winograd ${median(times["auto"] ?? []).toFixed(2)}, im2col ${median(times["im2col"] ?? []).toFixed(2)} (${String(threads)} thread(s))`);
  tf.dispose([x, dy]);
}
