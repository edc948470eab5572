import * as tf from "@tensorflow/tfjs-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

import { setConv2DBackpropFilterStrategy } from "./conv2dBackpropFilter.js";
import type { FilterStrategy } from "./conv2dBackpropFilter.js";
import { rotatedFilter, setConv2DBackpropInputStrategy } from "./conv2dBackpropInput.js";
import type { InputStrategy } from "./conv2dBackpropInput.js";
import { registerWasmGapKernels } from "./index.js";
import { setOwnGemm } from "./matMul.js";
import { asWasm } from "./wasmBackend.js";
import { sumMiddleAxis } from "./reduce.js";
import { compareWithCpu, runOn, seededTensor, seededValues, startBackends } from "./test-utils/compare.js";

const TOLERANCE = 1e-4;
type Pad = "same" | "valid" | [[number, number], [number, number], [number, number], [number, number]];

interface ConvCase {
  name: string;
  x: [number, number, number, number]; // NHWC
  filter: [number, number, number, number];
  strides: [number, number];
  pad: Pad;
}

// Odd sizes, asymmetric SAME padding (even kernels), strides that skip trailing rows, explicit pads.
const convCases: ConvCase[] = [
  { name: "1ch 3x3 s1 valid", x: [3, 9, 7, 1], filter: [3, 3, 1, 5], strides: [1, 1], pad: "valid" },
  { name: "3ch 3x3 s1 same", x: [2, 8, 8, 3], filter: [3, 3, 3, 4], strides: [1, 1], pad: "same" },
  { name: "8ch 3x3 s1 valid", x: [5, 7, 6, 8], filter: [3, 3, 8, 6], strides: [1, 1], pad: "valid" },
  { name: "9ch 3x2 s1 same", x: [2, 7, 9, 9], filter: [3, 2, 9, 5], strides: [1, 1], pad: "same" },
  { name: "4x4 s2 same (DCGAN)", x: [2, 8, 8, 8], filter: [4, 4, 8, 3], strides: [2, 2], pad: "same" },
  { name: "5x5 s2 same odd", x: [3, 11, 9, 10], filter: [5, 5, 10, 4], strides: [2, 2], pad: "same" },
  { name: "3x3 s2 valid skips rows", x: [2, 12, 12, 9], filter: [3, 3, 9, 4], strides: [2, 2], pad: "valid" },
  { name: "2x3 s(2,3) valid", x: [1, 10, 13, 2], filter: [2, 3, 2, 3], strides: [2, 3], pad: "valid" },
  { name: "1x1 s1", x: [4, 5, 5, 12], filter: [1, 1, 12, 7], strides: [1, 1], pad: "valid" },
  {
    name: "explicit pad",
    x: [2, 6, 7, 9],
    filter: [3, 3, 9, 2],
    strides: [1, 2],
    pad: [
      [0, 0],
      [1, 2],
      [2, 0],
      [0, 0],
    ],
  },
];

function outShape(c: ConvCase): number[] {
  return tf.tidy(() => tf.conv2d(tf.zeros<tf.Rank.R4>(c.x), tf.zeros<tf.Rank.R4>(c.filter), c.strides, c.pad).shape);
}

/** One kernel through the engine (on the active backend), as a single tensor. */
function runKernel(name: string, inputs: tf.NamedTensorMap, attrs: Record<string, unknown>): tf.Tensor {
  return tf.engine().runKernel<tf.Tensor>(name, inputs, attrs as tf.NamedAttrMap);
}

function toNchw(shape: number[]): [number, number, number, number] {
  const [n = 0, h = 0, w = 0, ch = 0] = shape;
  return [n, ch, h, w];
}

beforeAll(async () => {
  await startBackends();
});

afterAll(() => {
  setConv2DBackpropFilterStrategy("auto");
  setConv2DBackpropInputStrategy("auto");
});

describe("registerWasmGapKernels", () => {
  it("registers the missing kernels once and returns their names on every call", () => {
    const first = registerWasmGapKernels();
    const kernelsBefore = ["Conv2DBackpropFilter", "BatchMatMul"].map((k) => tf.getKernel(k, "wasm")?.kernelFunc);
    const second = registerWasmGapKernels();
    const kernelsAfter = ["Conv2DBackpropFilter", "BatchMatMul"].map((k) => tf.getKernel(k, "wasm")?.kernelFunc);
    expect(second).toEqual(first);
    expect(kernelsAfter).toEqual(kernelsBefore);
    for (const name of [
      "Conv2DBackpropFilter",
      "Conv2DBackpropInput",
      "MaxPoolGrad",
      "DepthwiseConv2dNativeBackpropInput",
      "DepthwiseConv2dNativeBackpropFilter",
      "UnsortedSegmentSum",
      "Einsum",
      "BatchMatMul",
      "_FusedMatMul",
      "Sum",
      "Mean",
    ]) {
      expect(first).toContain(name);
      expect(tf.getKernel(name, "wasm")).toBeDefined();
    }
  });
});

describe("Conv2DBackpropFilter on wasm matches cpu", () => {
  for (const strategy of ["im2col", "xnnpack"] as FilterStrategy[]) {
    for (const c of convCases) {
      it(`${strategy}: ${c.name}`, async () => {
        setConv2DBackpropFilterStrategy(strategy);
        const dyShape = outShape(c);
        const errors = await compareWithCpu(() =>
          runKernel(
            "Conv2DBackpropFilter",
            { x: seededTensor(c.x, 1), dy: seededTensor(dyShape, 2) },
            { strides: c.strides, pad: c.pad, dataFormat: "NHWC", filterShape: c.filter },
          ),
        );
        expect(errors[0]).toBeLessThanOrEqual(TOLERANCE);
      });
    }
  }

  it("NCHW input and output gradient", async () => {
    setConv2DBackpropFilterStrategy("auto");
    const c = convCases[5]!;
    const errors = await compareWithCpu(() =>
      runKernel(
        "Conv2DBackpropFilter",
        { x: seededTensor(toNchw(c.x), 3), dy: seededTensor(toNchw(outShape(c)), 4) },
        { strides: c.strides, pad: c.pad, dataFormat: "NCHW", filterShape: c.filter },
      ),
    );
    expect(errors[0]).toBeLessThanOrEqual(TOLERANCE);
  });
});

describe("Conv2DBackpropInput on wasm matches cpu", () => {
  for (const strategy of ["col2im", "xnnpack"] as InputStrategy[]) {
    for (const c of convCases) {
      it(`${strategy}: ${c.name}`, async () => {
        setConv2DBackpropInputStrategy(strategy);
        const errors = await compareWithCpu(() =>
          runKernel(
            "Conv2DBackpropInput",
            { dy: seededTensor(outShape(c), 5), filter: seededTensor(c.filter, 6) },
            { strides: c.strides, pad: c.pad, dataFormat: "NHWC", inputShape: c.x },
          ),
        );
        expect(errors[0]).toBeLessThanOrEqual(TOLERANCE);
      });
    }
  }

  it("NCHW", async () => {
    setConv2DBackpropInputStrategy("auto");
    const c = convCases[3]!;
    const errors = await compareWithCpu(() =>
      runKernel(
        "Conv2DBackpropInput",
        { dy: seededTensor(toNchw(outShape(c)), 7), filter: seededTensor(c.filter, 8) },
        { strides: c.strides, pad: c.pad, dataFormat: "NCHW", inputShape: toNchw(c.x) },
      ),
    );
    expect(errors[0]).toBeLessThanOrEqual(TOLERANCE);
  });

  it("conv2dTranspose (the DCGAN generator's forward pass)", async () => {
    setConv2DBackpropInputStrategy("auto");
    const errors = await compareWithCpu(() =>
      tf.conv2dTranspose(
        seededTensor([3, 7, 7, 16], 9) as tf.Tensor4D,
        seededTensor([5, 5, 8, 16], 10) as tf.Tensor4D,
        [3, 14, 14, 8],
        2,
        "same",
      ),
    );
    expect(errors[0]).toBeLessThanOrEqual(TOLERANCE);
  });
});

describe("the stride-1 input gradient's rotated filter", () => {
  // 3 × 3 × 32 × 64 (the bench CNN) and odd sizes (5 × 3 × 7 × 5: scalar edges of the SIMD transpose).
  it.each([
    [[3, 3, 32, 64]],
    [[5, 3, 7, 5]],
  ])("R[kh, kw, co, ci] = W[fh−1−kh, fw−1−kw, ci, co] exactly, as reverse then transpose on cpu (%j), no leaks", async (shape) => {
    const expected = await runOn("cpu", () => tf.transpose(tf.reverse(seededTensor(shape, 21), [0, 1]), [0, 1, 3, 2]));
    await tf.setBackend("wasm");
    const w = seededTensor(shape, 21);
    const before = tf.memory().numTensors;
    const backend = asWasm(tf.backend());
    const info = rotatedFilter(backend, { dataId: w.dataId, shape: w.shape, dtype: w.dtype });
    const rotated = tf.engine().makeTensorFromTensorInfo(info);
    expect(rotated.shape).toEqual(expected.shapes[0]);
    const got = rotated.dataSync() as Float32Array;
    const want = expected.values[0] as Float32Array;
    expect(got.every((v, i) => Object.is(v, want[i]))).toBe(true);
    rotated.dispose();
    expect(tf.memory().numTensors).toBe(before);
    w.dispose();
  });
});

describe("MaxPoolGrad on wasm matches cpu", () => {
  const cases: { name: string; x: number[]; size: [number, number]; strides: [number, number]; pad: "same" | "valid" }[] = [
    { name: "2x2 s2 valid", x: [3, 8, 8, 5], size: [2, 2], strides: [2, 2], pad: "valid" },
    { name: "2x2 s2 valid odd", x: [2, 9, 7, 3], size: [2, 2], strides: [2, 2], pad: "valid" },
    { name: "3x3 s2 same", x: [2, 9, 9, 4], size: [3, 3], strides: [2, 2], pad: "same" },
    { name: "3x3 s1 same (overlapping)", x: [2, 6, 5, 2], size: [3, 3], strides: [1, 1], pad: "same" },
    { name: "2x3 s(1,2) valid", x: [1, 7, 8, 6], size: [2, 3], strides: [1, 2], pad: "valid" },
  ];
  for (const c of cases) {
    it(c.name, async () => {
      const errors = await compareWithCpu(() =>
        tf.grad((x: tf.Tensor) => {
          const pooled = tf.maxPool(x as tf.Tensor4D, c.size, c.strides, c.pad);
          return tf.sum(tf.mul(pooled, seededTensor(pooled.shape, 12)));
        })(seededTensor(c.x, 11)),
      );
      expect(errors[0]).toBeLessThanOrEqual(TOLERANCE);
    });
  }
});

describe("MaxPoolGrad with ties", () => {
  for (const [size, strides, pad] of [
    [3, 2, "same"],
    [2, 2, "valid"],
    [2, 1, "same"],
  ] as const) {
    it(`${size}×${size} s${strides} ${pad}: the first maximum of each window gets the gradient, as on cpu`, async () => {
      const errors = await compareWithCpu(() =>
        tf.grad((x: tf.Tensor) => {
          const pooled = tf.maxPool(x as tf.Tensor4D, size, strides, pad);
          return tf.sum(tf.mul(pooled, seededTensor(pooled.shape, 13)));
        })(tf.round(tf.mul(seededTensor([2, 9, 8, 3], 14), 2))),
      );
      expect(errors[0]).toBeLessThanOrEqual(TOLERANCE);
    });
  }
});

describe("depthwise convolution gradients on wasm match cpu", () => {
  const cases: { name: string; x: [number, number, number, number]; filter: [number, number, number, number]; strides: number; pad: "same" | "valid"; dilations: number }[] = [
    { name: "3x3 s1 same mult 1", x: [2, 7, 7, 3], filter: [3, 3, 3, 1], strides: 1, pad: "same", dilations: 1 },
    { name: "3x3 s2 valid mult 2", x: [3, 9, 8, 4], filter: [3, 3, 4, 2], strides: 2, pad: "valid", dilations: 1 },
    { name: "2x2 s1 same mult 3", x: [1, 6, 5, 2], filter: [2, 2, 2, 3], strides: 1, pad: "same", dilations: 1 },
  ];
  for (const c of cases) {
    it(c.name, async () => {
      const y = tf.tidy(() => tf.depthwiseConv2d(tf.zeros<tf.Rank.R4>(c.x), tf.zeros<tf.Rank.R4>(c.filter), c.strides, c.pad, "NHWC", c.dilations).shape);
      const attrs = { strides: c.strides, pad: c.pad, dilations: c.dilations };
      const errors = await compareWithCpu(() => [
        runKernel("DepthwiseConv2dNativeBackpropInput", { dy: seededTensor(y, 13), filter: seededTensor(c.filter, 14) }, { ...attrs, inputShape: c.x }),
        runKernel("DepthwiseConv2dNativeBackpropFilter", { x: seededTensor(c.x, 15), dy: seededTensor(y, 16) }, { ...attrs, filterShape: c.filter }),
      ]);
      expect(errors[0]).toBeLessThanOrEqual(TOLERANCE);
      expect(errors[1]).toBeLessThanOrEqual(TOLERANCE);
    });
  }

  // tfjs-cpu ignores dilations in both depthwise gradients (it fails these identities), so dilated
  // cases are checked by adjointness: ⟨dy, conv(x, w)⟩ = ⟨dx(dy, w), x⟩ = ⟨dw(x, dy), w⟩.
  it("dilated gradients are the adjoints of the dilated depthwise convolution", async () => {
    await tf.setBackend("wasm");
    const [lhs, viaInput, viaFilter] = tf.tidy(() => {
      const x = seededTensor([2, 9, 9, 2], 21) as tf.Tensor4D;
      const w = seededTensor([3, 3, 2, 2], 22) as tf.Tensor4D;
      const y = tf.depthwiseConv2d(x, w, 1, "valid", "NHWC", 2);
      const dy = seededTensor(y.shape, 23);
      const dx = runKernel(
        "DepthwiseConv2dNativeBackpropInput",
        { dy, filter: w },
        { strides: 1, pad: "valid", dilations: 2, inputShape: x.shape },
      );
      const dw = runKernel(
        "DepthwiseConv2dNativeBackpropFilter",
        { x, dy },
        { strides: 1, pad: "valid", dilations: 2, filterShape: w.shape },
      );
      const inner = (a: tf.Tensor, b: tf.Tensor): number => tf.sum(tf.mul(a, b)).dataSync()[0]!;
      return [inner(dy, y), inner(dx, x), inner(dw, w)];
    });
    expect(Math.abs(lhs - viaInput)).toBeLessThanOrEqual(TOLERANCE * Math.abs(lhs));
    expect(Math.abs(lhs - viaFilter)).toBeLessThanOrEqual(TOLERANCE * Math.abs(lhs));
  });
});

describe("UnsortedSegmentSum and gather gradients on wasm match cpu", () => {
  it("sums rows into segments, dropping out-of-range ids", async () => {
    const errors = await compareWithCpu(() => [
      tf.unsortedSegmentSum(seededTensor([7, 3, 2], 17), tf.tensor1d([0, 2, 2, 5, 1, -1, 0], "int32"), 4),
      tf.unsortedSegmentSum(tf.tensor1d([1, 2, 3, 4, 5], "int32"), tf.tensor1d([1, 1, 0, 2, 1], "int32"), 3),
    ]);
    expect(errors[0]).toBeLessThanOrEqual(TOLERANCE);
    expect(errors[1]).toBe(0);
  });

  it("gradient of gather (embedding lookup) with repeated indices", async () => {
    const errors = await compareWithCpu(() =>
      tf.grad((table: tf.Tensor) => tf.sum(tf.mul(tf.gather(table, tf.tensor1d([3, 0, 3, 9, 3], "int32")), seededTensor([5, 4], 18))))(
        seededTensor([10, 4], 19),
      ),
    );
    expect(errors[0]).toBeLessThanOrEqual(TOLERANCE);
  });
});

describe("Einsum on wasm matches cpu", () => {
  const cases: [string, number[][]][] = [
    ["ij,jk->ik", [[4, 5], [5, 3]]],
    ["bij,bjk->bik", [[2, 3, 4], [2, 4, 5]]],
    ["ij->ji", [[3, 4]]],
    ["ij,ij->i", [[3, 6], [3, 6]]],
    ["i,j->ij", [[4], [3]]],
    ["ii->i", [[4, 4]]],
  ];
  for (const [equation, shapes] of cases) {
    it(equation, async () => {
      if (equation === "ii->i") {
        // tfjs's einsum rejects repeated indices on every backend; wasm must fail the same way.
        await tf.setBackend("wasm");
        expect(() => tf.einsum(equation, seededTensor(shapes[0]!, 20))).toThrow();
        return;
      }
      const errors = await compareWithCpu(() => tf.einsum(equation, ...shapes.map((s, i) => seededTensor(s, 20 + i))));
      expect(errors[0]).toBeLessThanOrEqual(TOLERANCE);
    });
  }
});

describe("matmul with transposed operands takes the plain path and stays exact", () => {
  const cases: [number[], number[], boolean, boolean][] = [
    [[7, 5], [7, 3], true, false],
    [[5, 7], [3, 7], false, true],
    [[7, 5], [3, 7], true, true],
    [[2, 6, 5], [2, 6, 4], true, false],
    [[3, 4, 6], [1, 5, 6], false, true],
    // Small op(A), large op(B): computed as (op(B)ᵀ·op(A)ᵀ)ᵀ.
    [[4, 6], [30, 6], false, true],
    [[6, 3], [6, 40], true, false],
    [[6, 3], [40, 6], true, true],
  ];
  for (const [aShape, bShape, ta, tb] of cases) {
    it(`${JSON.stringify(aShape)}ᵀ${ta ? "" : "⁻"} × ${JSON.stringify(bShape)}ᵀ${tb ? "" : "⁻"}`, async () => {
      const errors = await compareWithCpu(() => tf.matMul(seededTensor(aShape, 30), seededTensor(bShape, 31), ta, tb));
      expect(errors[0]).toBeLessThanOrEqual(TOLERANCE);
    });
  }

  it("one tensor as the right operand in two shapes (tfjs-wasm's packing cache ignores shape)", async () => {
    const errors = await compareWithCpu(() => {
      const w = seededTensor([6, 4], 35);
      const first = tf.matMul(seededTensor([2, 6], 36), w);
      const reshaped = tf.matMul(seededTensor([3, 4], 37), tf.reshape(w, [4, 6]));
      const fused = tf.fused.matMul({ a: seededTensor([5, 3], 38), b: tf.reshape(w, [3, 8]), bias: seededTensor([8], 39) });
      return [first, reshaped, fused, tf.matMul(seededTensor([2, 6], 36), w)];
    });
    for (const e of errors) expect(e).toBeLessThanOrEqual(TOLERANCE);
  });

  it("_FusedMatMul with bias, activation and transposes", async () => {
    const errors = await compareWithCpu(() =>
      tf.fused.matMul({
        a: seededTensor([6, 9], 32),
        b: seededTensor([4, 6], 33),
        transposeA: true,
        transposeB: true,
        bias: seededTensor([4], 34),
        activation: "relu",
      }),
    );
    expect(errors[0]).toBeLessThanOrEqual(TOLERANCE);
  });
});

/**
 * op(A)·op(B) (+ bias, activation) as a sequential float32 loop: each sum from 0 over p ascending, one rounding per
 * multiply and per add, then the bias and the activation — the operations our GEMM promises, element by element.
 */
function float32Product(a: Float32Array, b: Float32Array, m: number, k: number, n: number, ta: boolean, tb: boolean, bias?: Float32Array, act = "linear", alpha = 0): Float32Array {
  const c = new Float32Array(m * n);
  for (let i = 0; i < m; i++) {
    for (let j = 0; j < n; j++) {
      let s = 0;
      for (let p = 0; p < k; p++) s = Math.fround(s + Math.fround((a[ta ? p * m + i : i * k + p] ?? 0) * (b[tb ? j * k + p : p * n + j] ?? 0)));
      if (bias !== undefined) s = Math.fround(s + (bias[j] ?? 0));
      if (act === "relu") s = s < 0 ? 0 : s;
      if (act === "leakyrelu") s = s > 0 ? s : Math.fround(s * alpha);
      c[i * n + j] = s;
    }
  }
  return c;
}

describe("our GEMM (new right operands) equals a sequential float32 loop bit for bit", () => {
  // Sizes that leave every edge: 4-row tiles and single rows, 8- and 4-column panels and single columns.
  const shapes: [number, number, number][] = [
    [67, 129, 71],
    [5, 33, 47],
    [64, 16, 13],
    [1, 7, 3],
    [128, 256, 1],
    [29, 777, 19], // k past GEMM_K_BLOCK three times: partial sums held in C between blocks
  ];
  for (const [m, k, n] of shapes) {
    for (const [ta, tb] of [
      [false, false],
      [true, false],
      [false, true],
      [true, true],
    ] as const) {
      it(`${m}×${k}·${k}×${n}, transposeA ${ta}, transposeB ${tb}`, async () => {
        const a = seededValues(m * k, 50);
        const b = seededValues(k * n, 51);
        const { values } = await runOn("wasm", () => tf.matMul(tf.tensor2d(a, ta ? [k, m] : [m, k]), tf.tensor2d(b, tb ? [n, k] : [k, n]), ta, tb));
        const got = values[0] ?? new Float32Array();
        const expected = float32Product(a, b, m, k, n, ta, tb);
        expect(got.length).toBe(m * n);
        expect(got.every((v, i) => Object.is(v, expected[i]))).toBe(true);
      });
    }
  }

  for (const [activation, k] of [["linear", 129], ["relu", 129], ["leakyrelu", 129], ["leakyrelu", 600]] as const) {
    it(`fused 67×${String(k)}·${String(k)}×71 + bias, ${activation}: the bias added to the finished sum, then the activation`, async () => {
      const [m, n] = [67, 71];
      const a = seededValues(m * k, 52);
      const b = seededValues(k * n, 53);
      const bias = seededValues(n, 54);
      const { values } = await runOn("wasm", () => tf.fused.matMul({ a: tf.tensor2d(a, [m, k]), b: tf.tensor2d(b, [k, n]), bias: tf.tensor1d(bias), activation, leakyreluAlpha: 0.2 }));
      const expected = float32Product(a, b, m, k, n, false, false, bias, activation, Math.fround(0.2));
      expect((values[0] ?? new Float32Array()).every((v, i) => Object.is(v, expected[i]))).toBe(true);
    });
  }

  it("a weight met often (inference) goes to XNNPACK, packed once: XNNPACK's SIMD128 GEMM sums in the same order, so the products agree bit for bit", async () => {
    const [m, k, n] = [16, 200, 96];
    const a = seededValues(m * k, 55);
    const b = seededValues(k * n, 56);
    const { values } = await runOn("wasm", () => {
      const w = tf.tensor2d(b, [k, n]);
      const x = tf.tensor2d(a, [m, k]);
      return Array.from({ length: 12 }, () => tf.matMul(x, w));
    });
    const expected = float32Product(a, b, m, k, n, false, false);
    for (const got of values) expect(got.every((v, i) => Object.is(v, expected[i]))).toBe(true);
  });
});

describe("a plain product with a new, wide right operand runs as Cᵀ = Bᵀ·Aᵀ (XNNPACK packs the small Aᵀ)", () => {
  // With our GEMM off: the XNNPACK route it replaces for new operands stays correct (packed weights, other runtimes).
  beforeAll(() => setOwnGemm(false));
  afterAll(() => setOwnGemm(true));
  // m ≪ n: swapped. Odd sizes exercise the 4 × 4 blocks' scalar edges.
  const shapes: [number, number, number][] = [
    [6, 40, 50],
    [5, 33, 47],
    [13, 64, 129],
  ];
  for (const [m, k, n] of shapes) {
    for (const activation of ["linear", "relu", "leakyrelu"] as const) {
      it(`fused ${m}×${k}·${k}×${n} + bias, ${activation}: matches cpu, and a second and third use of B agree`, async () => {
        const errors = await compareWithCpu(() => {
          const a = seededTensor([m, k], 40);
          const b = seededTensor([k, n], 41);
          const bias = seededTensor([n], 42);
          const product = (): tf.Tensor => tf.fused.matMul({ a: a, b: b, bias, activation, leakyreluAlpha: 0.2 });
          return [product(), product(), product(), tf.matMul(a, b)];
        });
        for (const e of errors) expect(e).toBeLessThanOrEqual(TOLERANCE);
      });
    }
  }

  it("the epilogue adds the bias and applies the activation to the transposed product, bit for bit", async () => {
    const [m, k, n] = [7, 30, 61];
    const { values } = await runOn("wasm", () => {
      const a = seededTensor([m, k], 43);
      const b = seededTensor([k, n], 44);
      const bias = seededTensor([n], 45);
      const fused = tf.fused.matMul({ a: a, b: b, bias, activation: "leakyrelu", leakyreluAlpha: 0.2 });
      // The same XNNPACK product Bᵀ·Aᵀ (its right operand small: direct), then transpose, add and leaky ReLU as three kernels.
      const separate = tf.leakyRelu(tf.add(tf.transpose(tf.matMul(tf.transpose(b), tf.transpose(a))), bias), 0.2);
      return [fused, separate];
    });
    const [fused = new Float32Array(), separate = new Float32Array()] = values;
    expect(fused.length).toBe(m * n);
    expect(fused.every((v, i) => Object.is(v, separate[i]))).toBe(true);
  });

  it("a batch of one (rank 3) keeps its shape", async () => {
    const errors = await compareWithCpu(() => tf.matMul(seededTensor([1, 4, 24], 46), seededTensor([1, 24, 40], 47)));
    expect(errors[0]).toBeLessThanOrEqual(TOLERANCE);
  });
});

describe("float32 Add, Sub, Multiply and Square as one SIMD pass equal cpu bit for bit", () => {
  // Equal shapes, scalars either side, rows, columns, a column against a row, odd lengths (scalar tails), and
  // broadcasts the pass leaves to tfjs-wasm (a middle axis, int32).
  const cases: [number[], number[]][] = [
    [[64, 784], [64, 784]],
    [[7, 5], [7, 5]],
    [[128, 1], []],
    [[], [64, 781]],
    [[1, 1], [128, 3]],
    [[64, 783], [783]],
    [[783], [5, 783]],
    [[128, 1], [128, 257]],
    [[9, 6], [9, 1]],
    [[13, 1], [1, 11]],
    [[2, 3, 5], [2, 3, 1]],
    [[2, 3, 5], [3, 5]],
    [[4, 3, 2], [4, 1, 2]],
    [[0, 4], [4]],
  ];
  for (const [aShape, bShape] of cases) {
    it(`${JSON.stringify(aShape)} op ${JSON.stringify(bShape)}`, async () => {
      const f = (): tf.Tensor[] => {
        const a = seededTensor(aShape, 60);
        const b = seededTensor(bShape, 61);
        return [tf.add(a, b), tf.sub(a, b), tf.mul(a, b), tf.sub(b, a), tf.square(a)];
      };
      const wasm = await runOn("wasm", f);
      const cpu = await runOn("cpu", f);
      wasm.values.forEach((v, i) => {
        const expected = cpu.values[i] ?? new Float32Array();
        expect(wasm.shapes[i]).toEqual(cpu.shapes[i]);
        expect(v.length).toBe(expected.length);
        expect(v.every((x, j) => Object.is(x, expected[j]))).toBe(true);
      });
    });
  }

  it("int32 operands keep tfjs-wasm's kernels", async () => {
    const { values } = await runOn("wasm", () => tf.add(tf.tensor1d([1, 2, 3], "int32"), tf.scalar(4, "int32")));
    expect(Array.from(values[0] ?? [])).toEqual([5, 6, 7]);
  });
});

describe("Slice and SplitV between heap views equal cpu exactly", () => {
  const cases: { shape: number[]; begin: number[]; size: number[] }[] = [
    { shape: [800, 512], begin: [784, 0], size: [16, 512] },
    { shape: [4, 6], begin: [1, 2], size: [2, 3] },
    { shape: [2, 3, 4], begin: [0, 1, 0], size: [2, 2, 4] },
    { shape: [3, 4, 5, 2], begin: [1, 0, 2, 1], size: [2, 4, 3, 1] },
    { shape: [5], begin: [2], size: [3] },
    { shape: [3, 0], begin: [1, 0], size: [1, 0] },
  ];
  for (const { shape, begin, size } of cases) {
    it(`slice ${JSON.stringify(shape)} at ${JSON.stringify(begin)} size ${JSON.stringify(size)}`, async () => {
      const f = (): tf.Tensor[] => {
        const x = seededTensor(shape, 50);
        return [tf.slice(x, begin, size), tf.cast(tf.slice(tf.cast(tf.mul(x, 1000), "int32"), begin, size), "float32")];
      };
      const wasm = await runOn("wasm", f);
      const cpu = await runOn("cpu", f);
      expect(wasm.shapes).toEqual(cpu.shapes);
      wasm.values.forEach((v, i) => expect(Array.from(v)).toEqual(Array.from(cpu.values[i] ?? [])));
    });
  }

  it("split along each axis, sizes and counts, and its gradient", async () => {
    const f = (): tf.Tensor[] => {
      const x = seededTensor([6, 4, 3], 51);
      return [...tf.split(x, [1, 5], 0), ...tf.split(x, 2, 1), ...tf.split(x, [2, -1], 2), tf.grad((v: tf.Tensor) => tf.sum(tf.mul(tf.split(v, [1, 3], 1)[1] as tf.Tensor, 2)))(x)];
    };
    const wasm = await runOn("wasm", f);
    const cpu = await runOn("cpu", f);
    expect(wasm.shapes).toEqual(cpu.shapes);
    wasm.values.forEach((v, i) => expect(Array.from(v)).toEqual(Array.from(cpu.values[i] ?? [])));
    // Against the definition: the second piece along axis 0 starts at row 1.
    expect(wasm.values[1]?.[0]).toBe(seededTensorValue([6, 4, 3], 51, 12));
  });
});

/** The value at flat index `i` of seededTensor(shape, seed). */
function seededTensorValue(shape: number[], seed: number, i: number): number {
  return tf.tidy(() => seededTensor(shape, seed).dataSync()[i] ?? Number.NaN);
}

describe("Tile by block copies", () => {
  const cases: { shape: number[]; reps: number[]; dtype: "float32" | "int32" | "bool" }[] = [
    { shape: [1, 1, 1, 5], reps: [3, 4, 2, 1], dtype: "float32" }, // batch-norm statistics to an activation
    { shape: [2, 3], reps: [2, 3], dtype: "float32" },
    { shape: [3, 1, 2], reps: [1, 4, 3], dtype: "int32" },
    { shape: [4], reps: [3], dtype: "bool" },
    { shape: [2, 2, 2], reps: [1, 1, 1], dtype: "float32" },
    { shape: [2, 3], reps: [0, 2], dtype: "float32" },
  ];
  it.each(cases)("tile $shape by $reps ($dtype) equals tfjs-cpu", async ({ shape, reps, dtype }) => {
    const size = shape.reduce((a, b) => a * b, 1);
    const values = Array.from({ length: size }, (_, i) => (dtype === "bool" ? i % 3 === 0 : ((i * 7) % 11) - 5));
    const on = async (backend: string): Promise<{ shape: number[]; data: number[] }> => {
      await tf.setBackend(backend);
      const x = tf.tensor(values as number[], shape, dtype);
      const y = tf.tile(x, reps);
      const result = { shape: y.shape, data: Array.from(await y.data()) };
      tf.dispose([x, y]);
      return result;
    };
    const expected = await on("cpu");
    expect(await on("wasm")).toEqual(expected);
  });
});

describe("Sum and Mean over a run of axes before the last, without a transpose", () => {
  const cases: { shape: number[]; axis: number | number[]; keepDims: boolean }[] = [
    { shape: [6, 5, 4, 3], axis: [0, 1, 2], keepDims: false }, // conv bias gradient
    { shape: [6, 5, 4, 3], axis: [2, 0, 1], keepDims: true }, // batch-norm moments, unsorted axes
    { shape: [7, 9], axis: 0, keepDims: false }, // dense bias gradient
    { shape: [7, 9], axis: -2, keepDims: true },
    { shape: [5, 3, 7, 4], axis: [1, 2], keepDims: false }, // global average pooling
    { shape: [5, 3, 7, 4], axis: [1, 2], keepDims: true },
    { shape: [2, 9, 3], axis: 1, keepDims: false }, // odd count: the four-row loop's remainder
    { shape: [3, 4, 5], axis: [1, 2], keepDims: false }, // innermost: tfjs-wasm's kernel
    { shape: [3, 4, 5], axis: [0, 2], keepDims: false }, // not contiguous: tfjs-wasm's kernel
    { shape: [3, 4, 5], axis: [0, 1, 2], keepDims: false }, // everything: tfjs-wasm's kernel
    { shape: [1, 4, 5], axis: 0, keepDims: false }, // one row
  ];
  it.each(cases)("sum and mean of $shape over $axis (keepDims $keepDims) equal tfjs-cpu", async ({ shape, axis, keepDims }) => {
    const errors = await compareWithCpu(() => {
      const x = seededTensor(shape, 11);
      return [tf.sum(x, axis, keepDims), tf.mean(x, axis, keepDims)];
    });
    for (const e of errors) expect(e).toBeLessThan(1e-6);
  });
  it.each([
    { outer: 1, reduced: 43264, inner: 32 }, // the CNN's first conv bias gradient: 16-column passes
    { outer: 3, reduced: 9, inner: 23 }, // 16 + 4 + 3 columns
    { outer: 2, reduced: 5, inner: 3 },
  ])("the SIMD column sums equal the float64 JS loop bit for bit ($outer × $reduced × $inner)", async ({ outer, reduced, inner }) => {
    const values = seededValues(outer * reduced * inner, 12).map((v, i) => v * 10 ** ((i % 7) - 3));
    const expected = new Float32Array(outer * inner);
    sumMiddleAxis(values, { outer, reduced, inner }, 1 / reduced, expected);
    const { values: got } = await runOn("wasm", () => tf.mean(tf.tensor3d(values, [outer, reduced, inner]), 1));
    expect(Array.from(got[0] ?? [])).toEqual(Array.from(expected));
  });
  it("int32 sums stay exact", async () => {
    await tf.setBackend("wasm");
    const x = tf.tensor2d([1, 2, 3, 4, 5, 6], [3, 2], "int32");
    const s = tf.sum(x, 0);
    expect(s.dtype).toBe("int32");
    expect(Array.from(await s.data())).toEqual([9, 12]);
    tf.dispose([x, s]);
  });
});

describe("Identity shares data instead of copying", () => {
  it("a clone outlives its source and keeps its values when a variable is reassigned", async () => {
    await tf.setBackend("wasm");
    const backend = tf.backend() as unknown as { numDataIds(): number };
    const before = backend.numDataIds();
    const initial = tf.tensor1d([1, 2, 3]);
    const v = tf.variable(initial);
    const idsWithVariable = backend.numDataIds();
    const snapshot = tf.clone(v);
    expect(backend.numDataIds()).toBe(idsWithVariable); // shared, not copied
    const next = tf.tensor1d([7, 8, 9]);
    v.assign(next);
    expect(Array.from(snapshot.dataSync())).toEqual([1, 2, 3]);
    expect(Array.from(v.dataSync())).toEqual([7, 8, 9]);
    v.dispose();
    initial.dispose();
    expect(Array.from(snapshot.dataSync())).toEqual([1, 2, 3]);
    tf.dispose([snapshot, next]);
    expect(backend.numDataIds()).toBe(before);
  });
});

describe("no leaks", () => {
  it("repeated kernel calls keep tensor count, wasm data ids and heap size constant", async () => {
    await tf.setBackend("wasm");
    const backend = tf.backend() as unknown as { numDataIds(): number; wasm: { HEAPU8: Uint8Array } };
    const x = seededTensor([8, 12, 12, 16], 40) as tf.Tensor4D;
    const w = seededTensor([3, 3, 16, 16], 41) as tf.Tensor4D;
    const round = (): void => {
      const kept = tf.tidy(() => {
        const [gx, gw] = tf.grads((a: tf.Tensor, b: tf.Tensor) =>
          tf.sum(tf.maxPool(tf.relu(tf.conv2d(a as tf.Tensor4D, b as tf.Tensor4D, 1, "same")), 2, 2, "valid")),
        )([x, w]);
        tf.conv2dTranspose(x, w, [8, 24, 24, 16], 2, "same");
        tf.matMul(tf.reshape(x, [8, -1]), tf.reshape(x, [8, -1]), true, false);
        tf.moments(x, [0, 1, 2]);
        tf.transpose(x, [3, 1, 2, 0]); // a matrix transpose into a temporary, then one of blocks
        tf.transpose(x, [1, 2, 0, 3]);
        return [gx!, gw!];
      });
      tf.dispose(kept);
    };
    for (const strategy of ["im2col", "xnnpack"] as FilterStrategy[]) {
      setConv2DBackpropFilterStrategy(strategy);
      round();
    }
    const tensors = tf.memory().numTensors;
    const dataIds = backend.numDataIds();
    const heap = backend.wasm.HEAPU8.buffer.byteLength;
    for (let i = 0; i < 10; i++) {
      for (const strategy of ["im2col", "xnnpack"] as FilterStrategy[]) {
        setConv2DBackpropFilterStrategy(strategy);
        round();
      }
    }
    setConv2DBackpropFilterStrategy("auto");
    expect(tf.memory().numTensors).toBe(tensors);
    expect(backend.numDataIds()).toBe(dataIds);
    expect(backend.wasm.HEAPU8.buffer.byteLength).toBe(heap);
    tf.dispose([x, w]);
  });
});
