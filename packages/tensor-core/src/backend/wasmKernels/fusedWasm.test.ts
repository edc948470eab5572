import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";

import * as tf from "@tensorflow/tfjs-core";
import { beforeAll, describe, expect, it } from "vitest";

import "../gradients.js";
import { adamUpdate, emaUpdate, unfusedAdamUpdate, unfusedEmaUpdate } from "../../model/optimizerUpdates.js";
import { fusedKernelsOn } from "./fusedWasm.js";
import { ADAM_UPDATE, EMA_UPDATE } from "./optimizerUpdates.js";
import { mergedPermutation } from "./transpose.js";
import { naiveIm2col, runOn, seededValues, startBackends } from "./test-utils/compare.js";
import type { Im2colCase } from "./test-utils/compare.js";

const attrs = { beta1: 0.5, beta2: 0.999, epsilon: 1e-8, stepSize: 2e-4 };

/** Values spanning magnitudes (tiny to large, both signs), so rounding differences would show. */
function spread(n: number, seed: number): Float32Array {
  const u = seededValues(n, seed);
  return u.map((x, i) => x * 10 ** ((i % 9) - 5));
}

/** x, g, m, v for `n` weights (v ≥ 0), deterministic. */
function state(n: number): [Float32Array, Float32Array, Float32Array, Float32Array] {
  return [spread(n, 1), spread(n, 2), spread(n, 3), spread(n, 4).map(Math.abs)];
}

function countDifferent(a: Float32Array, b: Float32Array): number {
  let d = a.length === b.length ? 0 : Number.POSITIVE_INFINITY;
  for (let i = 0; i < a.length; i++) if (!Object.is(a[i], b[i])) d++;
  return d;
}

/** The unfused tfjs ops on the cpu backend: the reference. */
async function reference(n: number, shape: number[]): Promise<Float32Array[]> {
  const [x, g, m, v] = state(n);
  const adam = await runOn("cpu", () => unfusedAdamUpdate(tf.tensor(x, shape), tf.tensor(g, shape), tf.tensor(m, shape), tf.tensor(v, shape), attrs));
  const ema = await runOn("cpu", () => unfusedEmaUpdate(tf.tensor(x, shape), tf.tensor(g, shape), 0.995));
  return [...adam.values, ...ema.values];
}

describe("fused optimiser updates (WebAssembly SIMD on tfjs-wasm's memory)", () => {
  beforeAll(startBackends);

  it("the committed module is the AssemblyScript source compiled", async () => {
    const committed = readFileSync(fileURLToPath(new URL("./fusedWasm.generated.ts", import.meta.url)), "utf8");
    const script = new URL("../../../scripts/buildWasm.ts", import.meta.url).href;
    const { generatedModuleText } = (await import(script)) as { generatedModuleText: () => Promise<string> };
    expect(await generatedModuleText()).toBe(committed);
  }, 60_000);

  // 4099 = 1024 SIMD groups + a 3-float tail; on a plain and on a shared memory (tfjs-wasm's two builds).
  it.each([false, true])("equals the unfused tfjs ops bit for bit (shared memory: %s)", async (shared) => {
    const n = 4099;
    const expected = await reference(n, [n]);
    const memory = new WebAssembly.Memory({ initial: 4, maximum: 65536, ...(shared ? { shared: true } : {}) });
    const kernels = fusedKernelsOn(memory);
    const f32 = new Float32Array(memory.buffer);
    const [x, g, m, v] = state(n);
    const stride = n + 5; // unaligned offsets: v128 loads need no alignment
    [x, g, m, v].forEach((a, k) => f32.set(a, k * stride));
    const at = (k: number): number => k * stride * 4;
    const f = Math.fround;
    kernels.adam(at(0), at(1), at(2), at(3), at(4), at(5), at(6), n, f(0.5), f(0.5), f(0.999), f(1 - 0.999), f(1e-8), f(2e-4));
    kernels.ema(at(0), at(1), at(7), n, f(0.995), f(1 - 0.995));
    const outputs = [4, 5, 6, 7].map((k) => f32.slice(k * stride, k * stride + n));
    outputs.forEach((out, i) => expect(countDifferent(out, expected[i] as Float32Array)).toBe(0));
  });

  it("runs as wasm kernels through the engine, bit-identical to the ops, and leaks nothing", async () => {
    await tf.setBackend("wasm");
    expect(tf.getKernel(ADAM_UPDATE, "wasm")).toBeDefined();
    expect(tf.getKernel(EMA_UPDATE, "wasm")).toBeDefined();
    const shape = [37, 13];
    const n = 37 * 13;
    const expected = await reference(n, shape);
    const [x, g, m, v] = state(n);
    const fused = await runOn("wasm", () => [...adamUpdate(tf.tensor(x, shape), tf.tensor(g, shape), tf.tensor(m, shape), tf.tensor(v, shape), attrs), emaUpdate(tf.tensor(x, shape), tf.tensor(g, shape), 0.995)]);
    expect(fused.shapes).toEqual([shape, shape, shape, shape]);
    fused.values.forEach((out, i) => expect(countDifferent(out, expected[i] as Float32Array)).toBe(0));
  });

  it("a first Adam step moves each weight by the learning rate against its gradient's sign (Kingma & Ba §2.1)", async () => {
    await tf.setBackend("wasm");
    const lr = 1e-3;
    const beta1 = 0.9;
    const beta2 = 0.999;
    const g = Float32Array.from([3, -0.02, 1e-3, -250, 0.5]);
    const x = Float32Array.from([0.1, 0.2, -0.3, 0.4, 0]);
    const zeros = new Float32Array(g.length);
    const stepSize = (lr * Math.sqrt(1 - beta2)) / (1 - beta1);
    const before = tf.memory().numTensors;
    const inputs = [x, g, zeros, zeros].map((a) => tf.tensor(a));
    const [xNew, mNew, vNew] = adamUpdate(...(inputs as [tf.Tensor, tf.Tensor, tf.Tensor, tf.Tensor]), { beta1, beta2, epsilon: 1e-8, stepSize });
    const moved = xNew.dataSync();
    g.forEach((gi, i) => expect((moved[i] as number) - (x[i] as number)).toBeCloseTo(-lr * Math.sign(gi), 6));
    mNew.dataSync().forEach((mi, i) => expect(mi).toBeCloseTo((1 - beta1) * (g[i] as number), 6));
    vNew.dataSync().forEach((vi, i) => expect(vi / ((1 - beta2) * (g[i] as number) ** 2)).toBeCloseTo(1, 5));
    tf.dispose([...inputs, xNew, mNew, vNew]);
    expect(tf.memory().numTensors).toBe(before);
  });
});

describe("fused leaky ReLU on wasm", () => {
  beforeAll(startBackends);

  const values = (): Float32Array => {
    const x = spread(4103, 11);
    x[0] = 0;
    x[1] = -0;
    x[2] = Number.NaN;
    return x;
  };

  it("forward equals tfjs-wasm's own kernel and the gradient tfjs's where(x > 0, dy, dy·alpha), bit for bit", async () => {
    const x = values();
    const dy = spread(x.length, 12);
    const forward = (): tf.Tensor => tf.leakyRelu(tf.tensor(x), 0.2);
    const ours = await runOn("wasm", forward);
    const { REPLACED_KERNEL } = await import("./index.js");
    const kernel = tf.getKernel("LeakyRelu", "wasm") as tf.KernelConfig & { [REPLACED_KERNEL]?: tf.KernelConfig };
    tf.unregisterKernel("LeakyRelu", "wasm");
    tf.registerKernel(kernel[REPLACED_KERNEL] as tf.KernelConfig);
    const stock = await runOn("wasm", forward).finally(() => {
      tf.unregisterKernel("LeakyRelu", "wasm");
      tf.registerKernel(kernel);
    });
    expect(countDifferent(ours.values[0] as Float32Array, stock.values[0] as Float32Array)).toBe(0);
    const fused = await runOn("wasm", () => tf.grad((t: tf.Tensor) => tf.leakyRelu(t, 0.2))(tf.tensor(x), tf.tensor(dy)));
    const written = await runOn("wasm", () => tf.where(tf.greater(tf.tensor(x), 0), tf.tensor(dy), tf.mul(tf.tensor(dy), 0.2)));
    expect(countDifferent(fused.values[0] as Float32Array, written.values[0] as Float32Array)).toBe(0);
    // Against the definition: slope 1 above zero, alpha (as float32) below.
    const g = fused.values[0] as Float32Array;
    for (const i of [0, 1, 5, 6, 7]) expect(g[i]).toBe(Math.fround((x[i] as number) > 0 ? (dy[i] as number) : (dy[i] as number) * Math.fround(0.2)));
  });

  it("the ReLU gradient is one kernel equal to tfjs's mul(dy, cast(step(x))) bit for bit, NaN and ±0 included", async () => {
    const x = values();
    const dy = spread(x.length, 13);
    dy[3] = Number.POSITIVE_INFINITY;
    x[3] = -1;
    const grad = (): tf.Tensor => tf.grad((t: tf.Tensor) => tf.relu(t))(tf.tensor(x), tf.tensor(dy));
    const written = (): tf.Tensor => tf.mul(tf.tensor(dy), tf.cast(tf.step(tf.tensor(x)), "float32"));
    const ours = (await runOn("wasm", grad)).values[0] as Float32Array;
    expect(countDifferent(ours, (await runOn("wasm", written)).values[0] as Float32Array)).toBe(0);
    expect(countDifferent(ours, (await runOn("cpu", grad)).values[0] as Float32Array)).toBe(0);
    expect(ours[2]).toBeNaN();
    expect(ours[3]).toBeNaN(); // ∞ · 0
    // Against the definition: dy above zero, (signed) zero below.
    for (const i of [5, 6, 7, 8]) expect(ours[i]).toBe((x[i] as number) > 0 ? (dy[i] as number) : (dy[i] as number) * 0);
    await tf.setBackend("wasm");
    const profile = await tf.profile(() => tf.grad((t: tf.Tensor) => tf.relu(t))(tf.tensor(x), tf.tensor(dy)));
    tf.dispose(profile.result);
    // (Identity: tf.grad copying dy.)
    expect(profile.kernels.map((k) => k.name).filter((n) => n !== "Relu" && n !== "Identity")).toEqual(["DlReluGrad"]);
  });

  it("differentiates twice (a gradient penalty through a leaky ReLU), as tfjs-cpu does", async () => {
    const x = spread(64, 13);
    const w = spread(64, 14);
    // ‖∇ₓ Σ w·leakyRelu(x·w)‖² depends on the gradient's own gradient through the mask.
    const f = (): tf.Tensor[] => {
      const wt = tf.tensor(w);
      const penalty = (v: tf.Tensor): tf.Tensor => {
        const inner = tf.grad((t: tf.Tensor) => tf.sum(tf.mul(wt, tf.leakyRelu(tf.mul(t, v), 0.2))));
        return tf.sum(tf.square(inner(tf.tensor(x))));
      };
      return [tf.grad(penalty)(wt)];
    };
    const before = tf.memory().numTensors;
    const wasm = await runOn("wasm", f);
    const cpu = await runOn("cpu", f);
    expect(countDifferent(wasm.values[0] as Float32Array, cpu.values[0] as Float32Array)).toBe(0);
    expect(tf.memory().numTensors).toBe(before);
  });
});

describe("SIMD matrix transpose on wasm", () => {
  beforeAll(startBackends);

  it("merges axes that stay adjacent and drops size-1 axes", () => {
    expect(mergedPermutation([64, 11, 11, 64], [1, 2, 0, 3])).toEqual({ sizes: [64, 121, 64], perm: [1, 0, 2] });
    expect(mergedPermutation([64, 13, 13, 32], [3, 1, 2, 0])).toEqual({ sizes: [64, 169, 32], perm: [2, 1, 0] });
    expect(mergedPermutation([3, 1, 5, 2], [2, 1, 0, 3])).toEqual({ sizes: [3, 5, 2], perm: [1, 0, 2] });
    expect(mergedPermutation([4, 6], [0, 1])).toEqual({ sizes: [24], perm: [0] });
    expect(mergedPermutation([2, 3, 4, 5], [1, 3, 0, 2])).toEqual({ sizes: [2, 3, 4, 5], perm: [1, 3, 0, 2] });
  });

  it.each([
    { shape: [1, 1], perm: [1, 0] },
    { shape: [3, 5], perm: [1, 0] },
    { shape: [4, 4], perm: [1, 0] },
    { shape: [7, 9], perm: [1, 0] },
    { shape: [64, 803], perm: [1, 0] },
    { shape: [2, 5, 6], perm: [0, 2, 1] },
    { shape: [1, 12, 8], perm: [0, 2, 1] },
    { shape: [2, 3, 4], perm: [2, 1, 0] }, // the full reversal: a matrix transpose, then one of blocks
    { shape: [6, 5, 3, 7], perm: [3, 1, 2, 0] }, // the filter gradient's x: [c, h, w, b]
    { shape: [8, 11, 11, 8], perm: [1, 2, 0, 3] }, // the filter gradient's dy: blocks of 8 (SIMD only)
    { shape: [2, 3, 5], perm: [1, 0, 2] }, // blocks of 5: SIMD and a scalar tail
    { shape: [3, 1, 5, 2], perm: [2, 1, 0, 3] }, // a size-1 axis between merged ones
    { shape: [2, 3, 4, 5], perm: [1, 3, 0, 2] }, // no merged form of ours: tfjs-wasm's kernel
  ])("equals tfjs-cpu's transpose exactly: $shape by $perm", async ({ shape, perm }) => {
    const size = shape.reduce((a, b) => a * b, 1);
    const values = spread(size, 21);
    for (const dtype of ["float32", "int32"] as const) {
      const f = (): tf.Tensor => tf.cast(tf.transpose(tf.tensor(dtype === "int32" ? values.map((v) => Math.round(v * 1000)) : values, shape, dtype), perm), "float32");
      const wasm = await runOn("wasm", f);
      const cpu = await runOn("cpu", f);
      expect(wasm.shapes).toEqual(cpu.shapes);
      expect(countDifferent(wasm.values[0] as Float32Array, cpu.values[0] as Float32Array)).toBe(0);
    }
    // Against the definition for a matrix: out[j][i] = x[i][j].
    if (shape.length === 2) {
      const [rows = 0, cols = 0] = shape;
      const out = (await runOn("wasm", () => tf.transpose(tf.tensor(values, shape)))).values[0] as Float32Array;
      expect(out[(cols - 1) * rows + (rows - 1)]).toBe(values[(rows - 1) * cols + (cols - 1)]);
      if (rows > 1 && cols > 2) expect(out[2 * rows + 1]).toBe(values[cols + 2]);
    }
  });
});

describe("SIMD tanh on wasm", () => {
  beforeAll(startBackends);

  it("is correctly rounded: equals tfjs-cpu's tanh (Math.tanh in double, rounded once) on values from 1e-10 to 1e2", async () => {
    const n = 1 << 16;
    const x = new Float32Array(n);
    for (let i = 0; i < n; i++) {
      const u = (i / n) * 2 - 1;
      x[i] = Math.sign(u) * 10 ** (Math.abs(u) * 12 - 10) * (1 + (i % 7) / 7);
    }
    x.set([0, -0, Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY, 1e-40, -3e38], 0);
    const f = (): tf.Tensor => tf.tanh(tf.tensor(x));
    const wasm = (await runOn("wasm", f)).values[0] as Float32Array;
    const cpu = (await runOn("cpu", f)).values[0] as Float32Array;
    expect(countDifferent(wasm, cpu)).toBe(0);
    expect(Array.from(wasm.subarray(0, 5))).toEqual([0, -0, Number.NaN, 1, -1]);
    expect(wasm[100]).toBe(Math.fround(Math.tanh(x[100] as number)));
  });

  it("trains through: tanh's gradient 1 − y² uses the new outputs", async () => {
    const x = spread(1000, 31).map((v) => v / 1e3);
    const f = (): tf.Tensor => tf.grad((t: tf.Tensor) => tf.sum(tf.tanh(t)))(tf.tensor(x));
    const wasm = (await runOn("wasm", f)).values[0] as Float32Array;
    x.forEach((v, i) => expect(wasm[i]).toBeCloseTo(1 - Math.tanh(v) ** 2, 6));
  });
});

describe("SIMD sin and cos on wasm", () => {
  beforeAll(startBackends);

  /** Values from 1e-10 to 1e6 of both signs (the SIMD range and past its 2¹⁹ limit), specials first. */
  const trigValues = (): Float32Array => {
    const n = 1 << 16;
    const x = new Float32Array(n);
    for (let i = 0; i < n; i++) {
      const u = (i / n) * 2 - 1;
      x[i] = Math.sign(u) * 10 ** (Math.abs(u) * 16 - 10) * (1 + (i % 7) / 7);
    }
    // ±0, NaN, ±∞, a subnormal, the limit and the next floats, huge values, and floats closest to multiples of π/2.
    x.set([0, -0, Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY, 1e-40, 524288, 524288.0625, -524288.0625, 1e30, -3e38, Math.fround(Math.PI / 2), Math.fround(Math.PI), Math.fround(-Math.PI), 252.89820861816406, 52516.43359375, -267058.9375], 0);
    return x;
  };

  it.each([
    ["sin", tf.sin, Math.sin],
    ["cos", tf.cos, Math.cos],
  ] as const)("%s is correctly rounded: equals tfjs-cpu's (Math's double-precision function, rounded once) on 65,536 values from 1e-10 to 1e6, specials included", async (_name, op, exact) => {
    const x = trigValues();
    const f = (): tf.Tensor => op(tf.tensor(x));
    const wasm = (await runOn("wasm", f)).values[0] as Float32Array;
    const cpu = (await runOn("cpu", f)).values[0] as Float32Array;
    expect(countDifferent(wasm, cpu)).toBe(0);
    // Against the definition directly, sign of zero included.
    for (const i of [0, 1, 2, 3, 5, 6, 7, 9, 10, 11, 12, 100, 40_000, 65_000]) expect(Object.is(wasm[i], Math.fround(exact(x[i] as number))), `x = ${x[i]}`).toBe(true);
    // A length not a multiple of 4 runs the tail loop (in range and past the limit).
    const tail = Float32Array.from([0.5, -2, 7e5, 3]);
    const short = (await runOn("wasm", () => op(tf.tensor(tail.subarray(0, 3))))).values[0] as Float32Array;
    expect(Array.from(short)).toEqual(Array.from(tail.subarray(0, 3), (v) => Math.fround(exact(v))));
  });

  it("is our kernel (the stock one is kept for comparisons) and trains through: d sin = cos, d cos = −sin", async () => {
    const { REPLACED_KERNEL } = await import("./index.js");
    for (const name of ["Sin", "Cos"]) expect((tf.getKernel(name, "wasm") as tf.KernelConfig & { [REPLACED_KERNEL]?: tf.KernelConfig })[REPLACED_KERNEL]).toBeDefined();
    const x = spread(1000, 37).map((v) => v / 1e2);
    const grads = await runOn("wasm", () => [tf.grad((t: tf.Tensor) => tf.sum(tf.sin(t)))(tf.tensor(x)), tf.grad((t: tf.Tensor) => tf.sum(tf.cos(t)))(tf.tensor(x))]);
    const [ds, dc] = grads.values as [Float32Array, Float32Array];
    x.forEach((v, i) => {
      expect(ds[i]).toBe(Math.fround(Math.cos(v)));
      expect(dc[i]).toBe(Math.fround(-Math.fround(Math.sin(v))));
    });
  });
});

describe("SIMD 2 × 2 max-pool gradient on wasm", () => {
  beforeAll(startBackends);

  it.each([
    { shape: [2, 26, 26, 32], pad: "valid" as const },
    { shape: [2, 11, 11, 6], pad: "valid" as const }, // odd: the last row and column belong to no window
    { shape: [1, 8, 8, 3], pad: "same" as const },
    { shape: [1, 7, 7, 5], pad: "same" as const }, // padded windows: the scalar path
  ])("equals tfjs-cpu's gradient exactly, ties and −∞ windows included: $shape $pad", async ({ shape, pad }) => {
    const size = shape.reduce((a, b) => a * b, 1);
    // Few distinct values, so windows hold ties; some −∞ (a 2 × 2 all −∞ window too).
    const x = seededValues(size, 41).map((v) => Math.round(v * 3));
    for (let i = 0; i < size; i += 97) x[i] = Number.NEGATIVE_INFINITY;
    const [, , w = 0, c = 0] = shape;
    for (const at of [0, c, w * c, w * c + c]) x[at] = Number.NEGATIVE_INFINITY;
    const shape4 = shape as [number, number, number, number];
    const outShape = tf.tidy(() => tf.maxPool(tf.zeros<tf.Rank.R4>(shape4), 2, 2, pad).shape);
    const dy = spread(outShape.reduce((a, b) => a * b, 1), 42);
    const f = (): tf.Tensor => tf.grad((t: tf.Tensor) => tf.maxPool(t as tf.Tensor4D, 2, 2, pad))(tf.tensor4d(x, shape4), tf.tensor(dy, outShape));
    const wasm = (await runOn("wasm", f)).values[0] as Float32Array;
    const cpu = (await runOn("cpu", f)).values[0] as Float32Array;
    expect(countDifferent(wasm, cpu)).toBe(0);
    // Every window with a finite maximum passes its dy exactly once, to one cell; the all −∞ window passes none.
    expect(wasm.filter((v) => v !== 0).length).toBe(dy.filter((v) => v !== 0).length - (dy[0] === 0 ? 0 : 1));
    expect([0, c, w * c, w * c + c].map((at) => wasm[at])).toEqual([0, 0, 0, 0]);
  });
});

describe("transpose2d and transposeBiasAct (one shared 4 × 4 SIMD block)", () => {
  // 9 × 7: two full 4-row blocks plus a row, a 4-column block plus 3 edge columns; ReLU and leaky ReLU epilogues.
  it.each([
    [9, 7, 0],
    [9, 7, 1],
    [8, 12, 2],
    [3, 5, 2],
  ])("equal a naive loop for %i × %i (activation %i), bit for bit", (rows, cols, act) => {
    const memory = new WebAssembly.Memory({ initial: 1 });
    const kernels = fusedKernelsOn(memory);
    const f32 = new Float32Array(memory.buffer);
    const src = spread(rows * cols, 5);
    const bias = spread(rows, 6);
    const [srcAt, biasAt, plainAt, fusedAt] = [0, 1, 2, 3].map((k) => 4 * (64 + k * 256)) as [number, number, number, number];
    f32.set(src, srcAt / 4);
    f32.set(bias, biasAt / 4);
    kernels.transpose2d(srcAt, plainAt, rows, cols, 0, rows);
    kernels.transposeBiasAct(srcAt, fusedAt, rows, cols, biasAt, act, Math.fround(0.2));
    const plain = new Float32Array(rows * cols);
    const fused = new Float32Array(rows * cols);
    for (let i = 0; i < rows; i++) {
      for (let j = 0; j < cols; j++) {
        const v = src[i * cols + j] ?? Number.NaN;
        plain[j * rows + i] = v;
        const s = Math.fround(v + (bias[i] ?? Number.NaN));
        fused[j * rows + i] = act === 0 ? s : act === 1 ? (s < 0 ? 0 : s) : s > 0 ? s : Math.fround(s * Math.fround(0.2));
      }
    }
    expect(countDifferent(f32.slice(plainAt / 4, plainAt / 4 + rows * cols), plain)).toBe(0);
    expect(countDifferent(f32.slice(fusedAt / 4, fusedAt / 4 + rows * cols), fused)).toBe(0);
  });
});

describe("SIMD im2col", () => {
  // C = 5 (a SIMD run and a scalar tail), 1 and 8; strides, dilations and padding that reach outside the image.
  const cases: Im2colCase[] = [
    { x: [2, 7, 6, 5], filter: [3, 2], strides: [2, 1], dilations: [1, 2], pad: [1, 1], out: [4, 5] },
    { x: [3, 9, 9, 1], filter: [3, 3], strides: [1, 1], dilations: [1, 1], pad: [0, 0], out: [7, 7] },
    { x: [1, 5, 4, 8], filter: [2, 3], strides: [2, 2], dilations: [2, 1], pad: [2, 1], out: [3, 2] },
  ];
  it.each(cases)("equals the definition element by element, whole and in runs of rows: $x, filter $filter", (g) => {
    const memory = new WebAssembly.Memory({ initial: 2 });
    const kernels = fusedKernelsOn(memory);
    const f32 = new Float32Array(memory.buffer);
    const x = spread(g.x.reduce((a, b) => a * b, 1), 31);
    const expected = naiveIm2col(x, g);
    const [xAt, wholeAt, runsAt] = [64, 64 + 4096, 64 + 4096 + 8192].map((f) => 4 * f) as [number, number, number];
    f32.set(x, xAt / 4);
    f32.fill(Number.NaN, wholeAt / 4, runsAt / 4 + expected.length);
    const [, h, w, c] = g.x;
    const rows = g.x[0] * g.out[0] * g.out[1];
    const geometry = [h, w, c, g.out[0], g.out[1], g.filter[0], g.filter[1], g.strides[0], g.strides[1], g.dilations[0], g.dilations[1], g.pad[0], g.pad[1]] as const;
    kernels.im2col(xAt, wholeAt, ...geometry, 0, rows);
    for (let r0 = 0; r0 < rows; r0 += 3) kernels.im2col(xAt, runsAt, ...geometry, r0, Math.min(rows, r0 + 3));
    expect(countDifferent(f32.slice(wholeAt / 4, wholeAt / 4 + expected.length), expected)).toBe(0);
    expect(countDifferent(f32.slice(runsAt / 4, runsAt / 4 + expected.length), expected)).toBe(0);
  });
});
