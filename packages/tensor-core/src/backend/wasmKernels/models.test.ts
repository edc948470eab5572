import * as tf from "@tensorflow/tfjs-core";
import * as tfl from "@tensorflow/tfjs-layers";
import { beforeAll, describe, expect, it } from "vitest";

import { relativeError, seededTensor, seededValues, startBackends } from "./test-utils/compare.js";

const TOLERANCE = 1e-4;

beforeAll(async () => {
  await startBackends();
});

/** Gradients of `loss` w.r.t. every trainable variable, as plain arrays keyed by variable name. */
async function gradientsOn(backend: "wasm" | "cpu", loss: () => tf.Scalar): Promise<Map<string, Float32Array>> {
  await tf.setBackend(backend);
  const before = tf.memory().numTensors;
  const { value, grads } = tf.variableGrads(loss);
  const out = new Map<string, Float32Array>();
  for (const [name, g] of Object.entries(grads)) out.set(name, Float32Array.from(g.dataSync()));
  tf.dispose([value, ...Object.values(grads)]);
  expect(tf.memory().numTensors).toBe(before);
  return out;
}

/** Same model, same weights, same batch: per-variable gradient relative error on wasm vs cpu. */
async function expectSameGradients(loss: () => tf.Scalar): Promise<void> {
  const onWasm = await gradientsOn("wasm", loss);
  const onCpu = await gradientsOn("cpu", loss);
  await tf.setBackend("wasm");
  expect(onWasm.size).toBe(onCpu.size);
  expect(onWasm.size).toBeGreaterThan(0);
  for (const [name, reference] of onCpu) {
    const actual = onWasm.get(name);
    expect(actual, name).toBeDefined();
    const maxAbs = reference.reduce((m, v) => Math.max(m, Math.abs(v)), 0);
    expect(maxAbs, `${name} has a non-zero gradient`).toBeGreaterThan(0);
    expect(relativeError(actual!, reference), name).toBeLessThanOrEqual(TOLERANCE);
  }
}

const init = (seed: number) => ({ kernelInitializer: tfl.initializers.glorotUniform({ seed }) });

describe("full-model gradients on wasm equal cpu's", () => {
  it("CNN classifier: conv s1 same / s2 same, max + average pooling, batch norm, LeakyReLU, ELU, dense, softmax", async () => {
    const model = tfl.sequential({
      layers: [
        tfl.layers.conv2d({ inputShape: [16, 16, 1], filters: 8, kernelSize: 3, padding: "same", activation: "relu", ...init(1) }),
        tfl.layers.maxPooling2d({ poolSize: 2 }),
        // No bias before batch norm: its gradient is exactly zero there (BN removes the mean).
        tfl.layers.conv2d({ filters: 12, kernelSize: 3, strides: 2, padding: "same", useBias: false, ...init(2) }),
        tfl.layers.batchNormalization(),
        tfl.layers.leakyReLU({ alpha: 0.2 }),
        tfl.layers.averagePooling2d({ poolSize: 2, strides: 1 }),
        tfl.layers.conv2d({ filters: 6, kernelSize: 2, padding: "valid", activation: "tanh", ...init(3) }),
        tfl.layers.flatten(),
        tfl.layers.dense({ units: 16, activation: "elu", ...init(4) }),
        tfl.layers.dense({ units: 5, activation: "softmax", ...init(5) }),
      ],
    });
    const x = seededTensor([6, 16, 16, 1], 10);
    const labels = tf.oneHot(tf.tensor1d([0, 1, 2, 3, 4, 0], "int32"), 5);
    await expectSameGradients(() =>
      tf.losses.softmaxCrossEntropy(labels, model.apply(x, { training: true }) as tf.Tensor),
    );
    tf.dispose([x, labels]);
    model.dispose();
  });

  it("DCGAN: generator (dense, reshape, Conv2DTranspose s2, batch norm, tanh) into discriminator (conv s2, GAP, sigmoid)", async () => {
    const generator = tfl.sequential({
      layers: [
        tfl.layers.dense({ inputShape: [8], units: 4 * 4 * 16, ...init(11) }),
        tfl.layers.reshape({ targetShape: [4, 4, 16] }),
        tfl.layers.conv2dTranspose({ filters: 8, kernelSize: 4, strides: 2, padding: "same", useBias: false, ...init(12) }),
        tfl.layers.batchNormalization(),
        tfl.layers.leakyReLU({ alpha: 0.2 }),
        tfl.layers.conv2dTranspose({ filters: 1, kernelSize: 5, strides: 2, padding: "same", activation: "tanh", ...init(13) }),
      ],
    });
    const discriminator = tfl.sequential({
      layers: [
        tfl.layers.conv2d({ inputShape: [16, 16, 1], filters: 8, kernelSize: 4, strides: 2, padding: "same", ...init(14) }),
        tfl.layers.leakyReLU({ alpha: 0.2 }),
        tfl.layers.conv2d({ filters: 16, kernelSize: 3, padding: "valid", ...init(15) }),
        tfl.layers.globalAveragePooling2d({}),
        tfl.layers.dense({ units: 1, activation: "sigmoid", ...init(16) }),
      ],
    });
    const z = seededTensor([5, 8], 17);
    const target = tf.ones([5, 1]);
    await expectSameGradients(() => {
      const fake = generator.apply(z, { training: true }) as tf.Tensor;
      return tf.losses.logLoss(target, discriminator.apply(fake) as tf.Tensor);
    });
    tf.dispose([z, target]);
    generator.dispose();
    discriminator.dispose();
  });

  it("conditional GAN head: label Embedding, Concatenate, dense, sigmoid", async () => {
    const noise = tfl.input({ shape: [6] });
    const label = tfl.input({ shape: [1] });
    const embedded = tfl.layers.flatten().apply(tfl.layers.embedding({ inputDim: 10, outputDim: 4, embeddingsInitializer: tfl.initializers.randomNormal({ seed: 21 }) }).apply(label)) as tfl.SymbolicTensor;
    const joined = tfl.layers.concatenate().apply([noise, embedded]) as tfl.SymbolicTensor;
    const hidden = tfl.layers.dense({ units: 12, activation: "relu", ...init(22) }).apply(joined) as tfl.SymbolicTensor;
    const out = tfl.layers.dense({ units: 1, activation: "sigmoid", ...init(23) }).apply(hidden) as tfl.SymbolicTensor;
    const model = tfl.model({ inputs: [noise, label], outputs: out });
    const z = seededTensor([7, 6], 24);
    const labels = tf.tensor2d([3, 1, 3, 9, 0, 3, 7], [7, 1]);
    const y = tf.tensor2d([1, 0, 1, 1, 0, 0, 1], [7, 1]);
    await expectSameGradients(() => tf.losses.sigmoidCrossEntropy(y, model.apply([z, labels]) as tf.Tensor));
    tf.dispose([z, labels, y]);
    model.dispose();
  });

  it("custom functions: Stirling lgamma, cumsum, logSumExp, lower band mask, transposed matmul", async () => {
    const a = tf.variable(tf.add(tf.abs(seededTensor([6, 6], 30)), 0.5), true, "a");
    const lowerBand = tf.tensor2d(Array.from({ length: 36 }, (_, i) => (i % 6 <= Math.floor(i / 6) ? 1 : 0)), [6, 6]);
    await expectSameGradients(() =>
      tf.tidy(() => {
        // lgamma(a) ≈ (a − ½)·log a − a + ½·log 2π + 1/(12a)  (Stirling)
        const lgamma = tf.add(tf.sub(tf.mul(tf.sub(a, 0.5), tf.log(a)), a), tf.add(0.5 * Math.log(2 * Math.PI), tf.div(1, tf.mul(12, a))));
        const chol = tf.mul(a, lowerBand);
        const terms = [
          tf.sum(lgamma),
          tf.sum(tf.mul(tf.cumsum(a, 1), seededTensor([6, 6], 31))),
          tf.sum(tf.cumsum(tf.square(a), 0, true, true)),
          tf.sum(tf.logSumExp(a, 1)),
          tf.sum(tf.matMul(chol, chol, false, true)),
        ];
        return tf.addN(terms) as tf.Scalar;
      }),
    );
    tf.dispose([a, lowerBand]);
  });
});

describe("training on wasm", () => {
  it("a few steps of a small CNN (with dropout) reduce the loss and leak nothing", async () => {
    await tf.setBackend("wasm");
    // Class = which half of the image is brighter: learnable in a few steps.
    const n = 64;
    const pixels = seededValues(n * 12 * 12, 40).map((v) => 0.5 + 0.25 * v);
    const labels = new Int32Array(n);
    for (let i = 0; i < n; i++) {
      labels[i] = i % 2;
      for (let p = 0; p < 144; p++) {
        const left = p % 12 < 6;
        if (left === (i % 2 === 0)) pixels[i * 144 + p] = (pixels[i * 144 + p] ?? 0) + 0.5;
      }
    }
    const x = tf.tensor4d(pixels, [n, 12, 12, 1]);
    const y = tf.oneHot(tf.tensor1d(labels, "int32"), 2);
    const model = tfl.sequential({
      layers: [
        tfl.layers.conv2d({ inputShape: [12, 12, 1], filters: 4, kernelSize: 3, activation: "relu", ...init(41) }),
        tfl.layers.maxPooling2d({ poolSize: 2 }),
        tfl.layers.conv2d({ filters: 8, kernelSize: 3, activation: "relu", ...init(42) }),
        tfl.layers.flatten(),
        tfl.layers.dropout({ rate: 0.2, seed: 43 }),
        tfl.layers.dense({ units: 2, activation: "softmax", ...init(44) }),
      ],
    });
    model.compile({ optimizer: tf.train.adam(0.01), loss: "categoricalCrossentropy" });
    // The first epoch creates the optimizer's slots; later epochs must allocate nothing that stays.
    const first = await model.fit(x, y, { epochs: 1, batchSize: 16, shuffle: false, verbose: 0 });
    const before = tf.memory().numTensors;
    const rest = await model.fit(x, y, { epochs: 7, batchSize: 16, shuffle: false, verbose: 0 });
    const losses = [...(first.history["loss"] as number[]), ...(rest.history["loss"] as number[])];
    expect(losses.every(Number.isFinite)).toBe(true);
    expect(losses[losses.length - 1]).toBeLessThan(0.7 * losses[0]!);
    expect(tf.memory().numTensors).toBe(before);
    tf.dispose([x, y]);
    model.dispose();
  });
});
