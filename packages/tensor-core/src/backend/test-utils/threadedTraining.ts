/**
 * Child process of wasmThreadsNode.test.ts: `tsx threadedTraining.ts <threads>` starts wasm with that many threads,
 * trains a small CNN three SGD steps and runs two fused products (one computed transposed), and prints one JSON line: the pool's thread count,
 * the final loss and a SHA-256 of every weight's and the product's float32 bytes.
 */
import { createHash } from "node:crypto";

import "@tensorflow/tfjs-layers"; // registers tfjs-core's gradients
import * as tf from "@tensorflow/tfjs-core";
import * as tfl from "@tensorflow/tfjs-layers";

import "../candidates.js";
import "../wasmThreadsNode.js";
import { initBackend } from "../registry.js";

const threads = Number(process.argv[2]);
const info = await initBackend({ backend: "wasm", wasmThreads: threads });
const glorot = (seed: number) => ({ kernelInitializer: tfl.initializers.glorotUniform({ seed }) });
const model = tfl.sequential({
  layers: [
    tfl.layers.conv2d({ inputShape: [28, 28, 1], filters: 16, kernelSize: 3, activation: "relu", ...glorot(1) }),
    tfl.layers.maxPooling2d({ poolSize: 2 }),
    tfl.layers.conv2d({ filters: 32, kernelSize: 3, activation: "relu", ...glorot(2) }),
    tfl.layers.maxPooling2d({ poolSize: 2 }),
    tfl.layers.flatten(),
    tfl.layers.dense({ units: 64, activation: "relu", ...glorot(3) }),
    tfl.layers.dense({ units: 10, ...glorot(4) }),
  ],
});
const x = tf.randomUniform([32, 28, 28, 1], 0, 1, "float32", 5);
const y = tf.oneHot(tf.randomUniform<tf.Rank.R1>([32], 0, 10, "int32", 6), 10);
const optimizer = tf.train.sgd(0.05);
let loss = 0;
for (let step = 0; step < 3; step++) {
  const cost = optimizer.minimize(() => tf.losses.softmaxCrossEntropy<tf.Tensor, tf.Scalar>(y, model.apply(x) as tf.Tensor), true);
  loss = cost?.dataSync()[0] ?? Number.NaN;
  cost?.dispose();
}
const hash = createHash("sha256");
for (const w of model.getWeights()) hash.update(new Uint8Array(w.dataSync().buffer));
const fused = tf.tidy(() =>
  tf.fused.matMul({
    a: tf.randomNormal([200, 300], 0, 1, "float32", 7),
    b: tf.randomNormal([150, 300], 0, 1, "float32", 8),
    transposeB: true,
    bias: tf.randomNormal([150], 0, 1, "float32", 9),
    activation: "relu",
  }),
);
hash.update(new Uint8Array(fused.dataSync().buffer));
// A batch-sized product with a new, wide right operand: computed transposed, bias and leaky ReLU in the epilogue (matMul.ts).
const swapped = tf.tidy(() =>
  tf.fused.matMul({
    a: tf.randomNormal([64, 300], 0, 1, "float32", 10),
    b: tf.randomNormal([300, 200], 0, 1, "float32", 11),
    bias: tf.randomNormal([200], 0, 1, "float32", 12),
    activation: "leakyrelu",
    leakyreluAlpha: 0.2,
  }),
);
hash.update(new Uint8Array(swapped.dataSync().buffer));
process.stdout.write(`${JSON.stringify({ threadCount: info.wasm?.threadCount, threads: info.wasm?.threads, loss, hash: hash.digest("hex") })}\n`);
