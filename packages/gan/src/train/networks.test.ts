import * as tf from "@tensorflow/tfjs-core";
import * as tfl from "@tensorflow/tfjs-layers";
import { beforeAll, describe, expect, it } from "vitest";

import { createRng, initBackend } from "@dl/tensor-core";

import { createDiscriminator, imageGanConfig, type GanConfig } from "./networks.js";

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
