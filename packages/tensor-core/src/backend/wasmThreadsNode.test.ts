import { execFile } from "node:child_process";
import { availableParallelism } from "node:os";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";

import "@tensorflow/tfjs-layers"; // registers tfjs-core's gradients
import * as tf from "@tensorflow/tfjs-core";
import { beforeAll, describe, expect, it } from "vitest";

import "./candidates.js";
import { MAX_WASM_THREADS, wasmThreadsFor } from "./wasmThreadsNode.js";
import { initBackend } from "./registry.js";
import { naiveIm2col, relativeError, seededValues } from "./wasmKernels/test-utils/compare.js";
import { im2col } from "./wasmKernels/im2col.js";
import { addressOf, kernelsOf, memoryOf } from "./wasmKernels/fusedWasm.js";
import { gemmHelpersOn } from "./wasmKernels/gemmTeam.js";
import { heapF32, release } from "./wasmKernels/wasmBackend.js";
import type { WasmBackend } from "./wasmKernels/wasmBackend.js";
import { adamUpdate } from "../model/optimizerUpdates.js";

const run = promisify(execFile);
const child = fileURLToPath(new URL("./test-utils/threadedTraining.ts", import.meta.url));

interface ChildResult {
  threadCount: number;
  threads: boolean;
  loss: number;
  hash: string;
}

async function trainIn(threads: number): Promise<ChildResult> {
  const { stdout } = await run(process.execPath, ["--conditions=@dl/source", "--import", "tsx", child, String(threads)], {
    cwd: fileURLToPath(new URL("../..", import.meta.url)),
    timeout: 120_000,
  });
  return JSON.parse(stdout.trim().split("\n").at(-1) ?? "{}") as ChildResult;
}

/** C = op(A)·op(B) in float64, A given as rows×cols (transposed when `ta`). */
function naiveProduct(a: Float32Array, b: Float32Array, m: number, k: number, n: number, ta: boolean, tb: boolean): Float32Array {
  const c = new Float32Array(m * n);
  for (let i = 0; i < m; i++) {
    for (let j = 0; j < n; j++) {
      let s = 0;
      for (let p = 0; p < k; p++) s += (a[ta ? p * m + i : i * k + p] ?? 0) * (b[tb ? j * k + p : p * n + j] ?? 0);
      c[i * n + j] = s;
    }
  }
  return c;
}

describe("tfjs-wasm's threaded binary in Node", () => {
  beforeAll(async () => {
    await import("./wasmThreadsNode.js");
    await initBackend({ backend: "wasm", wasmThreads: 2 });
  });

  it("runs the pool it was asked for, and by default every core unless the machine is already loaded", async () => {
    const info = await initBackend({ backend: "wasm" });
    expect(info.wasm?.threadCount).toBe(2);
    expect(info.wasm?.threads).toBe(true);
    const cores = availableParallelism();
    expect(wasmThreadsFor(undefined, 0)).toBe(Math.min(MAX_WASM_THREADS, cores));
    expect(wasmThreadsFor(undefined, cores)).toBe(1);
    expect(wasmThreadsFor(1)).toBe(1);
    expect(wasmThreadsFor(3, 100)).toBe(3);
    expect(wasmThreadsFor(64)).toBe(MAX_WASM_THREADS);
  });

  it("matches a float64 triple loop for plain, transposed and fused products (odd sizes, no tensor leaks)", () => {
    const [m, k, n] = [67, 129, 71];
    const a = seededValues(m * k, 1);
    const b = seededValues(k * n, 2);
    const before = tf.memory().numTensors;
    for (const [ta, tb] of [
      [false, false],
      [true, false],
      [false, true],
      [true, true],
    ] as const) {
      const got = tf.tidy(() => {
        const at = tf.tensor2d(a, ta ? [k, m] : [m, k]);
        const bt = tf.tensor2d(b, tb ? [n, k] : [k, n]);
        return tf.matMul(at, bt, ta, tb).dataSync() as Float32Array;
      });
      expect(relativeError(got, naiveProduct(a, b, m, k, n, ta, tb)), `transposeA ${ta}, transposeB ${tb}`).toBeLessThan(1e-5);
    }
    const bias = seededValues(n, 3);
    const fused = tf.tidy(
      () => tf.fused.matMul({ a: tf.tensor2d(a, [m, k]), b: tf.tensor2d(b, [k, n]), bias: tf.tensor1d(bias), activation: "relu" }).dataSync() as Float32Array,
    );
    const reference = naiveProduct(a, b, m, k, n, false, false).map((v, i) => Math.max(0, v + (bias[i % n] ?? 0)));
    expect(relativeError(fused, reference)).toBeLessThan(1e-5);
    expect(tf.memory().numTensors).toBe(before);
  });

  it.each([
    [66, 301, 203], // chunks of 24 columns: 8 whole, the last 11 (a 4-column and 3 single-column edges)
    [403, 301, 21], // tall: chunks of 48 rows, the last 19 (4-row tiles and 3 single rows), each over all 21 columns
  ])("splits our GEMM %i×%i·%i×… in chunks over the caller and a helper thread, bit-identical to a sequential float32 loop (transposes, bias, leaky ReLU, odd edges)", (m, k, n) => {
    expect(gemmHelpersOn(memoryOf(tf.backend() as WasmBackend))).toBe(1);
    const a = seededValues(m * k, 4);
    const b = seededValues(k * n, 5);
    const bias = seededValues(n, 6);
    const before = tf.memory().numTensors;
    for (const [ta, tb] of [
      [false, false],
      [true, true],
    ] as const) {
      const got = tf.tidy(() => tf.matMul(tf.tensor2d(a, ta ? [k, m] : [m, k]), tf.tensor2d(b, tb ? [n, k] : [k, n]), ta, tb).dataSync() as Float32Array);
      const expected = new Float32Array(m * n);
      for (let i = 0; i < m; i++) {
        for (let j = 0; j < n; j++) {
          let s = 0;
          for (let p = 0; p < k; p++) s = Math.fround(s + Math.fround((a[ta ? p * m + i : i * k + p] ?? 0) * (b[tb ? j * k + p : p * n + j] ?? 0)));
          expected[i * n + j] = s;
        }
      }
      expect(got.every((v, i) => Object.is(v, expected[i])), `transposeA ${ta}, transposeB ${tb}`).toBe(true);
    }
    const fused = tf.tidy(
      () => tf.fused.matMul({ a: tf.tensor2d(a, [m, k]), b: tf.tensor2d(b, [k, n]), bias: tf.tensor1d(bias), activation: "leakyrelu", leakyreluAlpha: 0.2 }).dataSync() as Float32Array,
    );
    const reference = naiveProduct(a, b, m, k, n, false, false).map((v, i) => {
      const z = v + (bias[i % n] ?? 0);
      return z > 0 ? z : 0.2 * z;
    });
    expect(relativeError(fused, reference)).toBeLessThan(1e-5);
    expect(tf.memory().numTensors).toBe(before);
  });

  it("splits the fused Adam update over a helper thread, bit-identical to the update's float32 operations in order", () => {
    const n = 100_003; // past MIN_SPLIT_ELEMENTS, an odd tail
    const [x, g, m] = [seededValues(n, 7), seededValues(n, 8), seededValues(n, 9)];
    const v = seededValues(n, 10).map((e) => e * e);
    const attrs = { beta1: 0.5, beta2: 0.999, epsilon: 1e-8, stepSize: 2e-4 };
    const threaded = tf.tidy(() => {
      const args = [x, g, m, v].map((a) => tf.tensor1d(a)) as [tf.Tensor, tf.Tensor, tf.Tensor, tf.Tensor];
      return adamUpdate(...args, attrs).map((t) => t.dataSync() as Float32Array);
    });
    // m′ = m·β₁ + g·(1 − β₁); v′ = v·β₂ + g²·(1 − β₂); x′ = x − (m′·s)/(√v′ + ε), each operation rounded to float32.
    const r = Math.fround;
    const [b1, c1, b2, c2, eps, step] = [0.5, 1 - 0.5, 0.999, 1 - 0.999, 1e-8, 2e-4].map(r) as [number, number, number, number, number, number];
    const reference = [new Float32Array(n), new Float32Array(n), new Float32Array(n)] as const;
    for (let i = 0; i < n; i++) {
      const gi = g[i] ?? 0;
      const mi = r(r((m[i] ?? 0) * b1) + r(gi * c1));
      const vi = r(r((v[i] ?? 0) * b2) + r(r(gi * gi) * c2));
      reference[0][i] = r((x[i] ?? 0) - r(r(mi * step) / r(r(Math.sqrt(vi)) + eps)));
      reference[1][i] = mi;
      reference[2][i] = vi;
    }
    threaded.forEach((values, i) => expect(values.every((e, j) => Object.is(e, reference[i]?.[j])), ["x′", "m′", "v′"][i]).toBe(true));
  });

  it("splits a matrix transpose over a helper thread by source rows (odd sizes: scalar edges), exactly", () => {
    const [rows, cols] = [517, 203];
    const x = seededValues(rows * cols, 11);
    const got = tf.tidy(() => tf.transpose(tf.tensor2d(x, [rows, cols])).dataSync() as Float32Array);
    expect(got.every((v, i) => Object.is(v, x[(i % rows) * cols + Math.floor(i / rows)]))).toBe(true);
  });

  it("splits large element-wise ops, the ReLU gradient and the 2 × 2 max-pool gradient over a helper thread, exactly (odd sizes, no leaks)", () => {
    expect(gemmHelpersOn(memoryOf(tf.backend() as WasmBackend))).toBe(1);
    const r = Math.fround;
    // A bias add (a row broadcast, split by rows), a column broadcast, a flat product and a square (split by elements).
    const [rows, cols] = [4_099, 33];
    const x = seededValues(rows * cols, 12);
    const y = seededValues(rows * cols, 13);
    const row = seededValues(cols, 14);
    const column = seededValues(rows, 15);
    const before = tf.memory().numTensors;
    const [sum, difference, product, square] = tf.tidy(() => {
      const xt = tf.tensor2d(x, [rows, cols]);
      return [tf.add(xt, tf.tensor1d(row)), tf.sub(tf.tensor2d(column, [rows, 1]), xt), tf.mul(xt, tf.tensor2d(y, [rows, cols])), tf.square(xt)].map((t) => t.dataSync() as Float32Array);
    });
    const at = (i: number): [number, number] => [Math.floor(i / cols), i % cols];
    expect(sum?.every((v, i) => Object.is(v, r((x[i] ?? 0) + (row[at(i)[1]] ?? 0))))).toBe(true);
    expect(difference?.every((v, i) => Object.is(v, r((column[at(i)[0]] ?? 0) - (x[i] ?? 0))))).toBe(true);
    expect(product?.every((v, i) => Object.is(v, r((x[i] ?? 0) * (y[i] ?? 0))))).toBe(true);
    expect(square?.every((v, i) => Object.is(v, r((x[i] ?? 0) * (x[i] ?? 0))))).toBe(true);
    // ReLU gradient dy·step(x) over 100,003 floats (a 3-float tail), zeros of x included.
    const n = 100_003;
    const pre = seededValues(n, 16).map((v, i) => (i % 7 === 0 ? 0 : v));
    const dy = seededValues(n, 17);
    const reluGrad = tf.tidy(() => tf.grad((t: tf.Tensor) => tf.sum(tf.mul(tf.relu(t), tf.tensor1d(dy))))(tf.tensor1d(pre)).dataSync() as Float32Array);
    expect(reluGrad.every((v, i) => Object.is(v, r((dy[i] ?? 0) * ((pre[i] ?? 0) > 0 ? 1 : 0))))).toBe(true);
    // 2 × 2 max-pool gradient over 9 images (split by images), 62 × 62 × 13 each: the first maximum of each window gets dy.
    const [b, h, w, c] = [9, 62, 62, 13];
    const xs = seededValues(b * h * w * c, 18);
    const g = seededValues(b * (h / 2) * (w / 2) * c, 19);
    const pooled = tf.tidy(() => tf.grad((t: tf.Tensor) => tf.sum(tf.mul(tf.maxPool(t as tf.Tensor4D, 2, 2, "valid"), tf.tensor4d(g, [b, h / 2, w / 2, c]))))(tf.tensor4d(xs, [b, h, w, c])).dataSync() as Float32Array);
    const expected = new Float32Array(xs.length);
    for (let i = 0; i < b; i++) {
      for (let oh = 0; oh < h / 2; oh++) {
        for (let ow = 0; ow < w / 2; ow++) {
          for (let k = 0; k < c; k++) {
            let best = -Infinity;
            let bestAt = -1;
            for (const [dh, dw] of [[0, 0], [0, 1], [1, 0], [1, 1]] as const) {
              const j = ((i * h + 2 * oh + dh) * w + 2 * ow + dw) * c + k;
              if ((xs[j] ?? 0) > best) [best, bestAt] = [xs[j] ?? 0, j];
            }
            expected[bestAt] = g[((i * (h / 2) + oh) * (w / 2) + ow) * c + k] ?? 0;
          }
        }
      }
    }
    expect(pooled.every((v, i) => Object.is(v, expected[i]))).toBe(true);
    expect(tf.memory().numTensors).toBe(before);
  });

  it("splits a bias gradient's column sums (Sum and Mean over leading axes) over a helper thread by columns, bit-identical to float64 sums in order", () => {
    const [rows, cols] = [3_001, 37];
    const x = seededValues(rows * cols, 21);
    const before = tf.memory().numTensors;
    const [sum, mean] = tf.tidy(() => {
      const t = tf.tensor3d(x, [1, rows, cols]);
      return [tf.sum(t, [0, 1]), tf.mean(t, [0, 1])].map((r) => r.dataSync() as Float32Array);
    });
    for (let j = 0; j < cols; j++) {
      let a = 0;
      for (let r = 0; r < rows; r++) a += x[r * cols + j] ?? 0;
      expect(Object.is(sum?.[j], Math.fround(a)), `sum ${String(j)}`).toBe(true);
      expect(Object.is(mean?.[j], Math.fround(a * (1 / rows))), `mean ${String(j)}`).toBe(true);
    }
    expect(tf.memory().numTensors).toBe(before);
  });

  it("splits im2col over a helper thread by rows, equal to the definition (padding, stride 2, 3 channels), no leaks", () => {
    const backend = tf.backend() as WasmBackend;
    const shape: [number, number, number, number] = [16, 28, 28, 3];
    const x = tf.tensor4d(seededValues(16 * 28 * 28 * 3, 20), shape);
    const before = backend.numDataIds();
    const info = tf.backend_util.computeConv2DInfo(shape, [3, 3, 3, 8], [2, 1], 1, "same");
    const cols = im2col(backend, { dataId: x.dataId, shape, dtype: "float32" }, info);
    const got = heapF32(backend, cols).slice();
    release(backend, cols);
    const expected = naiveIm2col(x.dataSync() as Float32Array, { x: shape, filter: [3, 3], strides: [2, 1], dilations: [1, 1], pad: [info.padInfo.top, info.padInfo.left], out: [info.outHeight, info.outWidth] });
    expect(got.length).toBe(expected.length);
    expect(got.every((v, i) => Object.is(v, expected[i]))).toBe(true);
    expect(backend.numDataIds()).toBe(before);
    x.dispose();
  });

  it("splits a Winograd convolution over a helper thread by tiles, bit-identical to one call on the calling thread, no leaks", () => {
    const backend = tf.backend() as WasmBackend;
    expect(gemmHelpersOn(memoryOf(backend))).toBe(1);
    // 8 × 6 × 6 tiles, 16 · 288 · 32 · 64 = 9.4 M multiply-adds: split; odd output (11 × 11: half tiles at the edge).
    const [x, w, bias] = [tf.tensor4d(seededValues(8 * 13 * 13 * 32, 21), [8, 13, 13, 32]), tf.tensor4d(seededValues(9 * 32 * 64, 22), [3, 3, 32, 64]), tf.tensor1d(seededValues(64, 23))];
    const before = backend.numDataIds();
    const y = tf.fused.conv2d({ x, filter: w, strides: 1, pad: "valid", bias, activation: "relu" });
    const kernels = kernelsOf(backend);
    const u = backend.makeOutput([16, 32, 64], "float32");
    const scratch = backend.makeOutput([kernels.winogradScratchFloats(32, 64)], "float32");
    const alone = backend.makeOutput([8, 11, 11, 64], "float32");
    kernels.winogradFilter(addressOf(backend, w), addressOf(backend, u), 32, 64);
    kernels.winograd3x3(addressOf(backend, x), addressOf(backend, u), addressOf(backend, alone), addressOf(backend, scratch), addressOf(backend, bias), 1, 0, 13, 13, 32, 64, 11, 11, 0, 0, 0, 8 * 6 * 6);
    const expected = heapF32(backend, alone).slice();
    release(backend, u, scratch, alone);
    const got = y.dataSync();
    expect(got.length).toBe(expected.length);
    expect(got.every((v, i) => Object.is(v, expected[i]))).toBe(true);
    expect(got.some((v) => v > 0)).toBe(true);
    y.dispose();
    expect(backend.numDataIds()).toBe(before);
    tf.dispose([x, w, bias]);
  });

  it("splits a Winograd filter gradient (transforms by tiles, products by columns) over a helper thread, bit-identical to the calling thread alone, no leaks", () => {
    const backend = tf.backend() as WasmBackend;
    const [x, dy] = [tf.tensor4d(seededValues(32 * 13 * 13 * 32, 24), [32, 13, 13, 32]), tf.tensor4d(seededValues(32 * 11 * 11 * 64, 25), [32, 11, 11, 64])];
    const before = backend.numDataIds();
    const attrs = { strides: [1, 1], pad: "valid", dataFormat: "NHWC", filterShape: [3, 3, 32, 64] } as unknown as tf.NamedAttrMap;
    const dw = tf.engine().runKernel<tf.Tensor>("Conv2DBackpropFilter", { x, dy }, attrs);
    // The same steps on this thread: 32 · 36 = 1152 tiles; 16 products 32 × 1152ᵀ · 1152 × 64 (one team job of 38 M multiply-adds: split).
    const kernels = kernelsOf(backend);
    const tiles = 32 * 36;
    const [v, g, du, alone] = [backend.makeOutput([16, tiles, 32], "float32"), backend.makeOutput([16, tiles, 64], "float32"), backend.makeOutput([16, 32, 64], "float32"), backend.makeOutput([3, 3, 32, 64], "float32")];
    const [pv, pg, pdu] = [addressOf(backend, v), addressOf(backend, g), addressOf(backend, du)];
    kernels.winogradInputTransform(addressOf(backend, x), pv, 13, 13, 32, 11, 11, 0, 0, tiles, 0, tiles);
    kernels.winogradGradTransform(addressOf(backend, dy), pg, 64, 11, 11, tiles, 0, tiles);
    for (let xi = 0; xi < 16; xi++) kernels.gemm(pv + 4 * xi * tiles * 32, pg + 4 * xi * tiles * 64, pdu + 4 * xi * 32 * 64, 32, tiles, 64, 1, 32, 0, 0, 0, 0, 64);
    kernels.winogradFilterGrad(pdu, addressOf(backend, alone), 32, 64);
    const expected = heapF32(backend, alone).slice();
    release(backend, v, g, du, alone);
    const got = dw.dataSync();
    expect(got.length).toBe(expected.length);
    expect(got.every((value, i) => Object.is(value, expected[i]))).toBe(true);
    dw.dispose();
    expect(backend.numDataIds()).toBe(before);
    tf.dispose([x, dy]);
  });

  it("trains a CNN to bit-identical weights with 1, 2 and 3 threads", async () => {
    const [one, two, three] = await Promise.all([trainIn(1), trainIn(2), trainIn(3)]);
    expect(one).toMatchObject({ threadCount: 1, threads: false });
    expect(two).toMatchObject({ threadCount: 2, threads: true });
    expect(three).toMatchObject({ threadCount: 3, threads: true });
    expect(Number.isFinite(one.loss)).toBe(true);
    expect(two.hash).toBe(one.hash);
    expect(three.hash).toBe(one.hash);
    expect(two.loss).toBe(one.loss);
  }, 240_000);
});
