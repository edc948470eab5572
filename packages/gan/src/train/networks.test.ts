import * as tf from "@tensorflow/tfjs-core";
import * as tfl from "@tensorflow/tfjs-layers";
import { beforeAll, describe, expect, it } from "vitest";

import { createRng, initBackend } from "@dl/tensor-core";

import { createDiscriminator, createGenerator, imageGanConfig, type GanConfig } from "./networks.js";

beforeAll(async () => {
  await initBackend({ backend: "wasm" });
});

const config: GanConfig = { ...imageGanConfig("mlp", true), dataShape: [3], hidden: [2], numClasses: 2, labelEmbedding: 2, minibatchStdGroup: 2, pack: 1 };

describe("the minibatch-std feature of D (Karras et al. 2018, §3)", () => {
  it("appends, per group of consecutive rows, the mean over features of their standard deviation; survives save and load", async () => {
    const d = createDiscriminator(config, createRng(1));
    const features = tfl.model({ inputs: d.inputs, outputs: d.getLayer("d_minibatch_std").output });
    const before = tf.memory().numTensors;
    const x = tf.tensor2d([0, 0, 0, 1, 1, 1, 5, 5, 5, 5, 5, 5], [4, 3]);
    const y = tf.tensor2d([0, 0, 1, 1], [4, 1]);
    const out = features.predict([x, y]) as tf.Tensor;
    const rows = (await out.array()) as number[][];
    const hidden = features.getLayer("d_lrelu1").output as tfl.SymbolicTensor;
    const hiddenModel = tfl.model({ inputs: d.inputs, outputs: hidden });
    const h = tf.tidy(() => (hiddenModel.predict([x, y]) as tf.Tensor).arraySync() as number[][]);
    // Independent computation: population sd of each feature within the pair, averaged over features.
    const spread = (a: number[], b: number[]): number => a.reduce((s, v, j) => s + Math.sqrt(((v - (b[j] as number)) / 2) ** 2 + 1e-8), 0) / a.length;
    expect(rows.map((r) => r.length)).toEqual([3, 3, 3, 3]);
    expect(rows[0]?.[2]).toBeCloseTo(spread(h[0] as number[], h[1] as number[]), 5);
    expect(rows[1]?.[2]).toBeCloseTo(rows[0]?.[2] as number, 6);
    // Two identical rows: a collapsed group shows only the 1e-8 floor, √1e-8 = 1e-4.
    expect(rows[2]?.[2]).toBeCloseTo(1e-4, 6);
    expect(rows[0]?.[2]).toBeGreaterThan(0.01);
    tf.dispose([x, y, out]);
    expect(tf.memory().numTensors).toBe(before);

    let saved: tf.io.ModelArtifacts | undefined;
    await d.save(tf.io.withSaveHandler((a) => ((saved = a), Promise.resolve({ modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: "JSON" } }))));
    const loaded = await tfl.loadLayersModel(tf.io.fromMemory(saved as tf.io.ModelArtifacts));
    const [a, b] = tf.tidy(() => {
      const inputs = [tf.tensor2d([0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 1, 1.1, 1.2], [4, 3]), tf.tensor2d([0, 1, 0, 1], [4, 1])];
      return [(d.predict(inputs) as tf.Tensor).dataSync(), (loaded.predict(inputs) as tf.Tensor).dataSync()];
    });
    expect(Array.from(b ?? [])).toEqual(Array.from(a ?? []));
    d.dispose();
    loaded.dispose();
  });
});

describe("a packed D (PacGAN, Lin et al. 2018)", () => {
  it("reads pack samples side by side with their labels and gives one logit per pack; the DCGAN refuses packing in one line", () => {
    const d = createDiscriminator({ ...config, minibatchStdGroup: 0, pack: 4 }, createRng(2));
    expect(d.inputs.map((i) => i.shape)).toEqual([
      [null, 12],
      [null, 4],
    ]);
    const logits = tf.tidy(() => (d.predict([tf.zeros([5, 12]), tf.zeros([5, 4])]) as tf.Tensor).shape);
    expect(logits).toEqual([5, 1]);
    d.dispose();
    expect(() => createDiscriminator({ ...imageGanConfig("dcgan", true), pack: 4 }, createRng(3))).toThrow(/Packing \(pack 4\) is implemented for the MLP discriminator only/);
  });
});

describe("D's dense layers compute only the gradients asked for", () => {
  const small: GanConfig = { ...imageGanConfig("mlp", true), dataShape: [6], hidden: [4, 5], labelEmbedding: 3, numClasses: 3, minibatchStdGroup: 0, pack: 1 };

  it("the first layer equals concatenate + dense with the same weights, forward and in every gradient; D's step computes no dL/dx, G's step no dL/dW", async () => {
    const d = createDiscriminator(small, createRng(4));
    const layer = d.getLayer("d_dense1");
    const [kernel, bias] = layer.getWeights() as [tf.Tensor2D, tf.Tensor1D];
    expect(kernel.shape).toEqual([6 + 3, 5]);
    // Glorot-uniform bound √(6 / (fan_in + fan_out)) over the joint width: the initial kernel concatenate + dense had.
    expect(tf.max(tf.abs(kernel)).dataSync()[0]).toBeLessThanOrEqual(Math.sqrt(6 / (9 + 5)));
    const before = tf.memory().numTensors;
    const x = tf.tensor2d(Array.from({ length: 4 * 6 }, (_, i) => Math.sin(i)), [4, 6]);
    const y = tf.tensor2d([0, 2, 1, 2], [4, 1]);
    const embedding = d.getLayer("d_label_embedding").getWeights()[0] as tf.Tensor2D;
    // The reference: concatenate, then one dense product, from the same variables.
    const reference = (xs: tf.Tensor2D, e: tf.Tensor2D, w: tf.Tensor2D, b: tf.Tensor1D): tf.Tensor => tf.add(tf.matMul(tf.concat([xs, e], 1), w), b);
    const embedded = (e: tf.Tensor2D): tf.Tensor2D => tf.gather(e, tf.cast(tf.reshape(y, [-1]), "int32"));
    const hidden = tfl.model({ inputs: d.inputs, outputs: d.getLayer("d_dense1").output });
    const ours = tf.tidy(() => (hidden.predict([x, y]) as tf.Tensor).dataSync());
    const theirs = tf.tidy(() => reference(x, embedded(embedding), kernel, bias).dataSync());
    for (let i = 0; i < theirs.length; i++) expect(ours[i]).toBeCloseTo(theirs[i] as number, 5);

    // Gradients of a scalar of the layer's output with respect to the embedding, kernel, bias (D's step) and x (G's step).
    const loss = (h: tf.Tensor): tf.Scalar => tf.sum(tf.mul(h, tf.reshape(tf.linspace(-1, 1, h.size), h.shape)));
    const vars = [d.getLayer("d_label_embedding").trainableWeights[0], layer.trainableWeights[0], layer.trainableWeights[1]].map((w) => w?.read() as tf.Variable);
    const profile = await tf.profile(() => {
      const { value, grads } = tf.variableGrads(() => loss(hidden.apply([x, y]) as tf.Tensor), vars);
      return [value, ...Object.values(grads)];
    });
    const dStep = tf.tidy(() => Object.values(tf.variableGrads(() => loss(hidden.apply([x, y]) as tf.Tensor), vars).grads).map((g) => Array.from(g.dataSync())));
    const expected = tf.tidy(() => tf.grads((e: tf.Tensor, w: tf.Tensor, b: tf.Tensor) => loss(reference(x, embedded(e as tf.Tensor2D), w as tf.Tensor2D, b as tf.Tensor1D)))([embedding, kernel, bias]).map((g) => Array.from(g.dataSync())));
    dStep.forEach((g, v) => g.forEach((value, i) => expect(value).toBeCloseTo(expected[v]?.[i] as number, 5)));
    // No product in D's step has x's width (6) or the joint width (9) as its output's: dL/dx is not computed.
    const products = profile.kernels.filter((k) => k.name === "BatchMatMul" || k.name === "_FusedMatMul");
    expect(products.length).toBeGreaterThan(0);
    expect(products.filter((k) => [6, 9].includes(k.outputShapes[0]?.at(-1) ?? 0)).map((k) => JSON.stringify([k.inputShapes, k.outputShapes]))).toEqual([]);
    // G's step: the gradient with respect to x is the reference's, and no weight gradient (a product of the kernel's shape) is computed.
    const dx = tf.tidy(() => Array.from(tf.grad((xs: tf.Tensor) => loss(hidden.apply([xs, y]) as tf.Tensor))(x).dataSync()));
    const dxExpected = tf.tidy(() => Array.from(tf.grad((xs: tf.Tensor) => loss(reference(xs as tf.Tensor2D, embedded(embedding), kernel, bias)))(x).dataSync()));
    dx.forEach((value, i) => expect(value).toBeCloseTo(dxExpected[i] as number, 5));
    tf.dispose(profile.result);
    expect(tf.memory().numTensors).toBe(before + 2);
    // (tf.profile around tf.grad keeps a few tensors of its own: measured after the leak check.)
    const gProfile = await tf.profile(() => tf.grad((xs: tf.Tensor) => loss(hidden.apply([xs, y]) as tf.Tensor))(x));
    const gProducts = gProfile.kernels.filter((k) => k.name === "BatchMatMul" || k.name === "_FusedMatMul").map((k) => k.outputShapes[0]?.slice(-2).join("x"));
    expect(gProducts).toContain("4x6");
    expect(gProducts.filter((shape) => ["9x5", "6x5", "3x5"].includes(shape ?? ""))).toEqual([]);
    tf.dispose([gProfile.result, x, y]);

    let saved: tf.io.ModelArtifacts | undefined;
    await d.save(tf.io.withSaveHandler((a) => ((saved = a), Promise.resolve({ modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: "JSON" } }))));
    const loaded = await tfl.loadLayersModel(tf.io.fromMemory(saved as tf.io.ModelArtifacts));
    const [a, b] = tf.tidy(() => {
      const inputs = [tf.tensor2d([0.1, 0.2, 0.3, 0.4, 0.5, 0.6], [1, 6]), tf.tensor2d([1], [1, 1])];
      return [(d.predict(inputs) as tf.Tensor).dataSync(), (loaded.predict(inputs) as tf.Tensor).dataSync()];
    });
    expect(Array.from(b ?? [])).toEqual(Array.from(a ?? []));
    d.dispose();
    loaded.dispose();
  });
});

/** Largest singular value of a row-major rows × cols matrix: power iteration on AᵀA in float64 to convergence. */
function topSingularValue(a: ArrayLike<number>, rows: number, cols: number): number {
  let v = Array.from({ length: cols }, (_, j) => 1 + j / cols);
  let sigma = 0;
  for (let it = 0; it < 2000; it++) {
    const av = Array.from({ length: rows }, (_, i) => v.reduce((s, vj, j) => s + (a[i * cols + j] as number) * vj, 0));
    const atav = Array.from({ length: cols }, (_, j) => av.reduce((s, avi, i) => s + (a[i * cols + j] as number) * avi, 0));
    const norm = Math.hypot(...atav);
    sigma = Math.sqrt(norm / Math.hypot(...v));
    v = atav.map((x) => x / norm);
  }
  return sigma;
}

describe("spectral normalisation of D (Miyato et al. 2018)", () => {
  const snConfig: GanConfig = { ...imageGanConfig("mlp", false), dataShape: [5], hidden: [3], numClasses: 0, spectralNorm: true, projection: false };

  it("takes one power-iteration step per training pass, converges to σ(W) of an independent computation, and divides W by it", async () => {
    const d = createDiscriminator(snConfig, createRng(4));
    const layer = d.getLayer("d_dense1");
    const [kernelT, , u0T] = layer.getWeights() as [tf.Tensor, tf.Tensor, tf.Tensor];
    const w = Array.from(kernelT.dataSync());
    const u0 = Array.from(u0T.dataSync());
    // W is [5 in, 3 out], row-major: (Wu)_i = Σ_j W[i, j] u_j.
    const wu = (u: number[]): number[] => Array.from({ length: 5 }, (_, i) => u.reduce((s, uj, j) => s + (w[i * 3 + j] as number) * uj, 0));
    const wtv = (v: number[]): number[] => Array.from({ length: 3 }, (_, j) => v.reduce((s, vi, i) => s + (w[i * 3 + j] as number) * vi, 0));
    const unit = (x: number[]): number[] => x.map((t) => t / Math.hypot(...x));
    // The trainable weights are W and b of each layer: u is state, not a parameter.
    expect(d.trainableWeights.map((t) => t.name.replace(/_\d+$/, ""))).toEqual(["d_dense1/kernel", "d_dense1/bias", "d_logit/kernel", "d_logit/bias"]);
    const before = tf.memory().numTensors;
    const x = tf.randomNormal([4, 5], 0, 1, "float32", 5);
    tf.dispose(d.apply(x, { training: true }) as tf.Tensor);
    const u1 = Array.from((layer.getWeights()[2] as tf.Tensor).dataSync());
    const expected1 = unit(wtv(unit(wu(u0))));
    u1.forEach((v, j) => expect(v).toBeCloseTo(expected1[j] as number, 5));
    // An inference pass leaves u alone.
    tf.dispose(d.predict(x));
    expect(Array.from((layer.getWeights()[2] as tf.Tensor).dataSync())).toEqual(u1);
    for (let i = 0; i < 60; i++) tf.dispose(d.apply(x, { training: true }) as tf.Tensor);
    x.dispose();
    expect(tf.memory().numTensors).toBe(before);
    const sigma = topSingularValue(w, 5, 3);
    const u = Array.from((layer.getWeights()[2] as tf.Tensor).dataSync());
    expect(Math.hypot(...wu(u))).toBeCloseTo(sigma, 4);
    // The layer's map without its bias is x ↦ x W/σ: on the identity it returns W/σ, whose largest singular value is 1.
    const pre = tfl.model({ inputs: d.inputs, outputs: layer.output });
    const rows = tf.tidy(() => tf.sub(pre.predict(tf.eye(5)) as tf.Tensor, pre.predict(tf.zeros([1, 5])) as tf.Tensor).dataSync());
    rows.forEach((v, k) => expect(v).toBeCloseTo((w[k] as number) / sigma, 4));
    expect(topSingularValue(rows, 5, 3)).toBeCloseTo(1, 4);

    let saved: tf.io.ModelArtifacts | undefined;
    await d.save(tf.io.withSaveHandler((a) => ((saved = a), Promise.resolve({ modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: "JSON" } }))));
    const loaded = await tfl.loadLayersModel(tf.io.fromMemory(saved as tf.io.ModelArtifacts));
    const [a, b] = tf.tidy(() => {
      const probe = tf.tensor2d([0.1, -0.2, 0.3, 0.4, -0.5, 0.6, 0.7, 0.8, -0.9, 1], [2, 5]);
      return [(d.predict(probe) as tf.Tensor).dataSync(), (loaded.predict(probe) as tf.Tensor).dataSync()];
    });
    expect(Array.from(b ?? [])).toEqual(Array.from(a ?? []));
    d.dispose();
    loaded.dispose();
    expect(() => createDiscriminator({ ...imageGanConfig("dcgan", true), spectralNorm: true }, createRng(3))).toThrow(/Spectral normalisation is implemented for the MLP discriminator only/);
  });
});

describe("a conditional D with spectral normalisation", () => {
  it("takes concatenate([x, embed(y)]) into one normalised layer (not LazyDense's two products) and runs leak-free", () => {
    const config: GanConfig = { ...imageGanConfig("mlp", true), dataShape: [6], hidden: [4, 5], labelEmbedding: 3, numClasses: 3, spectralNorm: true };
    const d = createDiscriminator(config, createRng(2));
    expect(d.getLayer("d_dense1").getClassName()).toBe("DlSpectralDense");
    expect((d.getLayer("d_dense1").getWeights()[0] as tf.Tensor).shape).toEqual([6 + 3, 5]);
    const before = tf.memory().numTensors;
    const out = tf.tidy(() => (d.predict([tf.ones([2, 6]), tf.tensor2d([0, 2], [2, 1])]) as tf.Tensor).dataSync());
    expect(out).toHaveLength(2);
    expect(Array.from(out).every(Number.isFinite)).toBe(true);
    expect(tf.memory().numTensors).toBe(before);
    d.dispose();
  });
});

describe("conditional batch norm in G (de Vries et al. 2017)", () => {
  it("normalises each unit over the batch, then applies the row's label's own gain and bias", () => {
    const gConfig: GanConfig = { ...imageGanConfig("mlp", true), dataShape: [2], latentDim: 3, hidden: [4], numClasses: 2, labelEmbedding: 2, conditionalBatchNorm: true, outputActivation: "linear" };
    const g = createGenerator(gConfig, createRng(6));
    const gain = [1.5, 0.5, 2, 1, 0.25, 3, 1, 0.75];
    const bias = [0.1, -0.2, 0.3, 0, -1, 0.5, 0.2, 0.4];
    g.getLayer("g_cbn1_gain").setWeights([tf.tensor2d(gain, [2, 4])]);
    g.getLayer("g_cbn1_bias").setWeights([tf.tensor2d(bias, [2, 4])]);
    const labels = [0, 1, 1, 0, 1, 0];
    const dense = tfl.model({ inputs: g.inputs, outputs: g.getLayer("g_dense1").output });
    const cbn = tfl.model({ inputs: g.inputs, outputs: g.getLayer("g_cbn1_shift").output });
    const before = tf.memory().numTensors;
    const [h, out] = tf.tidy(() => {
      const inputs = [tf.randomNormal([6, 3], 0, 1, "float32", 8), tf.tensor2d(labels, [6, 1])];
      return [(dense.apply(inputs, { training: true }) as tf.Tensor).arraySync() as number[][], (cbn.apply(inputs, { training: true }) as tf.Tensor).arraySync() as number[][]];
    });
    expect(tf.memory().numTensors).toBe(before);
    for (let k = 0; k < 4; k++) {
      const column = h.map((r) => r[k] as number);
      const mean = column.reduce((s, v) => s + v, 0) / 6;
      const variance = column.reduce((s, v) => s + (v - mean) ** 2, 0) / 6;
      // BN's own γ = 1, β = 0 at initialisation, ε = 1e-3 (the tfjs-layers default).
      labels.forEach((y, i) => expect(out[i]?.[k]).toBeCloseTo((((column[i] as number) - mean) / Math.sqrt(variance + 1e-3)) * (gain[y * 4 + k] as number) + (bias[y * 4 + k] as number), 4));
    }
    g.dispose();
  });
});

describe("G's output convolution (gOutputConv)", () => {
  const config: GanConfig = { ...imageGanConfig("mlp", true), dataShape: [5, 4, 1], hidden: [8], latentDim: 3, numClasses: 2, labelEmbedding: 2, conditionalBatchNorm: true, gOutputConv: true };

  /** [1, 2, 1]ᵀ[1, 2, 1] / 16 over an H × W image with zero padding (the conv's "same"), in plain JS. */
  function blur(image: ArrayLike<number>, height: number, width: number): number[] {
    const taps = [1, 2, 1];
    return Array.from({ length: height * width }, (_, p) => {
      const [r, c] = [Math.floor(p / width), p % width];
      let sum = 0;
      for (let i = -1; i <= 1; i++) for (let j = -1; j <= 1; j++) if (r + i >= 0 && r + i < height && c + j >= 0 && c + j < width) sum += ((taps[i + 1] as number) * (taps[j + 1] as number) * (image[(r + i) * width + c + j] as number)) / 16;
      return sum;
    });
  }

  it("starts as tanh of the binomial blur of the last dense layer's image, and its kernel is trainable; no tensors left", () => {
    const before = tf.memory().numTensors;
    const g = createGenerator(config, createRng(3));
    const preConv = tfl.model({ inputs: g.inputs, outputs: g.getLayer("g_reshape").output });
    const [out, pre] = tf.tidy(() => {
      const inputs = [tf.randomNormal([2, 3], 0, 1, "float32", 4), tf.tensor2d([0, 1], [2, 1])];
      return [(g.apply(inputs, { training: false }) as tf.Tensor).dataSync(), (preConv.apply(inputs, { training: false }) as tf.Tensor).dataSync()];
    }) as [Float32Array, Float32Array];
    for (let n = 0; n < 2; n++) {
      const expected = blur(pre.subarray(n * 20, (n + 1) * 20), 5, 4).map(Math.tanh);
      expected.forEach((v, p) => expect(out[n * 20 + p]).toBeCloseTo(v, 5));
    }
    const kernel = g.getLayer("g_out_conv").trainableWeights;
    expect(kernel.map((w) => w.shape)).toEqual([[3, 3, 1, 1]]);
    expect(g.trainableWeights.map((w) => w.name)).toContain(kernel[0]?.name);
    g.dispose();
    expect(tf.memory().numTensors).toBe(before);
  });

  it("is refused for data that are not images, in one line", () => {
    expect(() => createGenerator({ ...config, dataShape: [6] }, createRng(1))).toThrow(/gOutputConv needs image data \[H, W, C\]; got \[6\]/);
  });
});

describe("the conv generator (convGenerator)", () => {
  const convConfig = (upsample: "nearest" | "transposed"): GanConfig => ({
    ...imageGanConfig("mlp", true, "cbn-r1"),
    dataShape: [8, 8, 1],
    latentDim: 3,
    numClasses: 2,
    labelEmbedding: 2,
    convGenerator: { channels: [3, 2], upsample },
  });

  it.each(["nearest", "transposed"] as const)("makes H × W images in (−1, 1) through H/4 and H/2 feature maps (%s upsampling); no tensors left", (upsample) => {
    const before = tf.memory().numTensors;
    const g = createGenerator(convConfig(upsample), createRng(2));
    expect(g.getLayer("g_reshape").outputShape).toEqual([null, 2, 2, 3]);
    expect(g.getLayer("g_conv1").outputShape).toEqual([null, 4, 4, 2]);
    expect(g.outputs[0]?.shape).toEqual([null, 8, 8, 1]);
    const out = tf.tidy(() => (g.apply([tf.randomNormal([5, 3], 0, 1, "float32", 3), tf.tensor2d([0, 1, 1, 0, 1], [5, 1])], { training: true }) as tf.Tensor).dataSync());
    expect(out.length).toBe(5 * 64);
    expect(out.every((v) => v > -1 && v < 1)).toBe(true);
    // Not constant: the images vary over pixels and rows.
    expect(new Set(Array.from(out, (v) => v.toFixed(4))).size).toBeGreaterThan(100);
    g.dispose();
    expect(tf.memory().numTensors).toBe(before);
  });

  it("normalises each channel over the batch and the image, then applies the row's label's own gain and bias per channel", () => {
    const g = createGenerator(convConfig("nearest"), createRng(6));
    const gain = [1.5, 0.5, 2, 0.25, 3, 1];
    const bias = [0.1, -0.2, 0.3, -1, 0.5, 0.2];
    g.getLayer("g_cbn1_gain").setWeights([tf.tensor2d(gain, [2, 3])]);
    g.getLayer("g_cbn1_bias").setWeights([tf.tensor2d(bias, [2, 3])]);
    const labels = [0, 1, 1, 0];
    const pre = tfl.model({ inputs: g.inputs, outputs: g.getLayer("g_reshape").output });
    const cbn = tfl.model({ inputs: g.inputs, outputs: g.getLayer("g_cbn1_shift").output });
    const before = tf.memory().numTensors;
    const [h, out] = tf.tidy(() => {
      const inputs = [tf.randomNormal([4, 3], 0, 1, "float32", 8), tf.tensor2d(labels, [4, 1])];
      return [(pre.apply(inputs, { training: true }) as tf.Tensor).dataSync(), (cbn.apply(inputs, { training: true }) as tf.Tensor).dataSync()];
    }) as [Float32Array, Float32Array];
    expect(tf.memory().numTensors).toBe(before);
    expect(out.length).toBe(4 * 2 * 2 * 3);
    for (let c = 0; c < 3; c++) {
      // Channel c over the 4 rows × 2 × 2 positions (NHWC: index (row · 4 + position) · 3 + c).
      const values = Array.from({ length: 16 }, (_, k) => h[k * 3 + c] as number);
      const mean = values.reduce((s, v) => s + v, 0) / 16;
      const variance = values.reduce((s, v) => s + (v - mean) ** 2, 0) / 16;
      for (let k = 0; k < 16; k++) {
        const y = labels[Math.floor(k / 4)] as number;
        // BN's own γ = 1, β = 0 at initialisation, ε = 1e-3 (the tfjs-layers default).
        expect(out[k * 3 + c]).toBeCloseTo((((values[k] as number) - mean) / Math.sqrt(variance + 1e-3)) * (gain[y * 3 + c] as number) + (bias[y * 3 + c] as number), 4);
      }
    }
    g.dispose();
  });

  it("refuses non-image data, sizes not divisible by 4 and unusable channels or upsampling, each in one line", () => {
    const config = convConfig("nearest");
    expect(() => createGenerator({ ...config, dataShape: [6] }, createRng(1))).toThrow(/^The conv generator needs image data \[H, W, C\] with H and W divisible by 4; got \[6\]\. Drop convGenerator for other data\.$/);
    expect(() => createGenerator({ ...config, dataShape: [6, 8, 1] }, createRng(1))).toThrow(/divisible by 4; got \[6, 8, 1\]/);
    expect(() => createGenerator({ ...config, convGenerator: { channels: [0, 2], upsample: "nearest" } }, createRng(1))).toThrow(/two whole channel counts ≥ 1 .*got channels \[0, 2\]/);
    expect(() => createGenerator({ ...config, convGenerator: { channels: [3, 2], upsample: "bilinear" as "nearest" } }, createRng(1))).toThrow(/upsampling of nearest or transposed; got channels \[3, 2\], upsampling "bilinear"\./);
  });
});

describe("G's residual refinement (gRefineChannels)", () => {
  const config: GanConfig = { ...imageGanConfig("mlp", true, "cbn-r1"), dataShape: [4, 4, 1], hidden: [8], latentDim: 3, numClasses: 2, labelEmbedding: 2, gRefineChannels: 1 };

  it("starts as the plain MLP G (second conv zero) and computes tanh(x + conv(LeakyReLU(conv(x)))); no tensors left", () => {
    const before = tf.memory().numTensors;
    const g = createGenerator(config, createRng(3));
    expect(g.getLayer("g_refine2").getWeights()[0]?.dataSync().every((v) => v === 0)).toBe(true);
    expect(g.getLayer("g_refine1").outputShape).toEqual([null, 4, 4, 1]);
    const pre = tfl.model({ inputs: g.inputs, outputs: g.getLayer("g_reshape").output });
    const run = (): [Float32Array, Float32Array] =>
      tf.tidy(() => {
        const inputs = [tf.randomNormal([2, 3], 0, 1, "float32", 4), tf.tensor2d([0, 1], [2, 1])];
        return [(g.apply(inputs, { training: false }) as tf.Tensor).dataSync(), (pre.apply(inputs, { training: false }) as tf.Tensor).dataSync()];
      }) as [Float32Array, Float32Array];
    let [out, x] = run();
    x.forEach((v, i) => expect(out[i]).toBeCloseTo(Math.tanh(v), 5));
    // Centre taps only: conv1(x) = 2x − 0.1 and conv2(r) = 0.5r + 0.05, so out = tanh(x + 0.5 · lrelu(2x − 0.1) + 0.05).
    const centre = (tap: number): tf.Tensor4D => tf.tensor4d(Array.from({ length: 9 }, (_, i) => (i === 4 ? tap : 0)), [3, 3, 1, 1]);
    const set = (name: string, tap: number, b: number): void => {
      const [w, bias] = [centre(tap), tf.tensor1d([b])];
      g.getLayer(name).setWeights([w, bias]);
      w.dispose();
      bias.dispose();
    };
    set("g_refine1", 2, -0.1);
    set("g_refine2", 0.5, 0.05);
    [out, x] = run();
    const lrelu = (v: number): number => (v > 0 ? v : 0.2 * v);
    x.forEach((v, i) => expect(out[i]).toBeCloseTo(Math.tanh(v + 0.5 * lrelu(2 * v - 0.1) + 0.05), 5));
    g.dispose();
    expect(tf.memory().numTensors).toBe(before);
  });

  it("is refused for data that are not images or a channel count that is not a whole number ≥ 0, in one line", () => {
    expect(() => createGenerator({ ...config, dataShape: [6] }, createRng(1))).toThrow(/^gRefineChannels needs image data \[H, W, C\]; got \[6\]\. Turn it off for other data\.$/);
    expect(() => createGenerator({ ...config, gRefineChannels: 1.5 }, createRng(1))).toThrow(/^gRefineChannels must be a whole number ≥ 0 \(0: off\), got 1\.5\.$/);
  });
});

describe("the conv discriminator (convDiscriminator)", () => {
  const config: GanConfig = { ...imageGanConfig("mlp", true, "cbn-r1"), dataShape: [4, 4, 1], hidden: [8], latentDim: 3, numClasses: 2, labelEmbedding: 2, convDiscriminator: { channels: [2, 3] } };

  // Independent forward pass in plain JS: tfjs "same" padding for a 4×4 kernel of stride 2 pads 1 before and 1 after.
  function conv2dSame(x: number[][][], kernel: Float32Array, bias: Float32Array, cin: number, cout: number): number[][][] {
    const size = x.length / 2;
    return Array.from({ length: size }, (_, i) =>
      Array.from({ length: size }, (_, j) =>
        Array.from({ length: cout }, (_, o) => {
          let sum = bias[o] as number;
          for (let a = 0; a < 4; a++)
            for (let b = 0; b < 4; b++)
              for (let c = 0; c < cin; c++) sum += (x[2 * i + a - 1]?.[2 * j + b - 1]?.[c] ?? 0) * (kernel[((a * 4 + b) * cin + c) * cout + o] as number);
          return sum > 0 ? sum : 0.2 * sum;
        }),
      ),
    );
  }

  it("reads x and its label plane through two strided 4×4 convolutions, then the logit plus the projection term; no tensors left", () => {
    const before = tf.memory().numTensors;
    const d = createDiscriminator(config, createRng(4));
    expect(d.getLayer("d_conv1").outputShape).toEqual([null, 2, 2, 2]);
    expect(d.getLayer("d_conv2").outputShape).toEqual([null, 1, 1, 3]);
    expect(d.outputs[0]?.shape).toEqual([null, 1]);
    expect(d.layers.some((l) => l.name.startsWith("d_dense"))).toBe(false);
    const w = (name: string, k = 0): Float32Array => d.getLayer(name).getWeights()[k]?.dataSync() as Float32Array;
    const image = Array.from({ length: 16 }, (_, i) => Math.sin(1.3 * i) * 0.8);
    const labels = [1, 0];
    const got = tf.tidy(() => (d.apply([tf.tensor4d([...image, ...image.map((v) => -v)], [2, 4, 4, 1]), tf.tensor2d(labels, [2, 1])]) as tf.Tensor).dataSync());
    labels.forEach((label, n) => {
      const pixels = n === 0 ? image : image.map((v) => -v);
      const embedded = Array.from(w("d_label_embedding").slice(label * 2, label * 2 + 2));
      const plane = Array.from({ length: 16 }, (_, p) => (w("d_label_plane", 1)[p] as number) + embedded.reduce((s, e, q) => s + e * (w("d_label_plane")[q * 16 + p] as number), 0));
      const x = Array.from({ length: 4 }, (_, i) => Array.from({ length: 4 }, (_, j) => [pixels[i * 4 + j] as number, plane[i * 4 + j] as number]));
      const features = conv2dSame(conv2dSame(x, w("d_conv1"), w("d_conv1", 1), 2, 2), w("d_conv2"), w("d_conv2", 1), 2, 3).flat(2);
      const logit = features.reduce((s, f, k) => s + f * (w("d_logit")[k] as number), w("d_logit", 1)[0] as number);
      const projection = features.reduce((s, f, k) => s + f * (w("d_projection_embedding")[label * 3 + k] as number), 0);
      expect(got[n]).toBeCloseTo(logit + projection, 5);
    });
    d.dispose();
    expect(tf.memory().numTensors).toBe(before);
  });

  it("refuses non-image data, unusable channels, packing, spectral norm and the DCGAN arch, each in one line", () => {
    expect(() => createDiscriminator({ ...config, dataShape: [6] }, createRng(1))).toThrow(/^The conv discriminator needs image data \[H, W, C\] with H and W divisible by 4; got \[6\]\. Drop convDiscriminator for other data\.$/);
    expect(() => createDiscriminator({ ...config, convDiscriminator: { channels: [2, 1.5] } }, createRng(1))).toThrow(/^The conv discriminator needs two whole channel counts ≥ 1; got channels \[2, 1\.5\]\.$/);
    expect(() => createDiscriminator({ ...config, pack: 2 }, createRng(1))).toThrow(/^Packing \(pack 2\) is implemented for the MLP discriminator only; drop convDiscriminator or turn pack off\.$/);
    expect(() => createDiscriminator({ ...config, spectralNorm: true }, createRng(1))).toThrow(/^Spectral normalisation is implemented for the MLP discriminator only; drop convDiscriminator or turn spectralNorm off\.$/);
    expect(() => createDiscriminator({ ...config, arch: "dcgan" }, createRng(1))).toThrow(/^convDiscriminator replaces the MLP D; the dcgan arch has its own conv D\. Use arch mlp with it\.$/);
  });
});

describe("the cbn-r1-conv-lazy recipe", () => {
  it("is cbn-r1-conv with G at 1e-3, D at 2e-3, R1 on every 16th D update, an EMA of 0.95 and standing statistics (25 × 256) for sampling, and refuses the DCGAN arch in one line", () => {
    const conv = imageGanConfig("mlp", true, "cbn-r1-conv");
    expect(imageGanConfig("mlp", true, "cbn-r1-conv-lazy")).toEqual({ ...conv, learningRate: 1e-3, dLearningRate: 2e-3, r1Interval: 16, emaDecay: 0.95, standingStatistics: { batches: 25, batchSize: 256 } });
    expect(conv.r1Interval).toBeUndefined();
    expect(() => imageGanConfig("dcgan", true, "cbn-r1-conv-lazy")).toThrow(/^The cbn-r1-conv-lazy recipe puts its conv generator beside the MLP discriminator; use --arch mlp with it, not dcgan\.$/);
  });
});
