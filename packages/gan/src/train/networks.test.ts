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
