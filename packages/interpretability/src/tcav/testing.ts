// Helpers shared by the TCAV test suites (not exported from the package).
import normalQuantile from "@stdlib/stats-base-dists-normal-quantile";
import * as tf from "@tensorflow/tfjs-core";
import * as tfl from "@tensorflow/tfjs-layers";

import type { ImageSet } from "./tcav.js";

/** Φ(x) by bisection on the quantile function (test-only; avoids another dependency). */
export function normalCdf(x: number): number {
  let lo = 1e-12;
  let hi = 1 - 1e-12;
  for (let i = 0; i < 80; i++) {
    const mid = (lo + hi) / 2;
    if (normalQuantile(mid, 0, 1) < x) lo = mid;
    else hi = mid;
  }
  return (lo + hi) / 2;
}

/** A small seeded MLP on 28×28×1 images: flatten → dense1 (64, relu) → dense2 (32, relu) → logits → probs. */
export function smallMlp(numClasses: number, seed: number): tfl.Sequential {
  const model = tfl.sequential();
  model.add(tfl.layers.flatten({ inputShape: [28, 28, 1], name: "flatten" }));
  model.add(tfl.layers.dense({ units: 64, activation: "relu", name: "dense1", kernelInitializer: tfl.initializers.heNormal({ seed }) }));
  model.add(tfl.layers.dense({ units: 32, activation: "relu", name: "dense2", kernelInitializer: tfl.initializers.heNormal({ seed: seed + 1 }) }));
  model.add(tfl.layers.dense({ units: numClasses, name: "logits", kernelInitializer: tfl.initializers.glorotNormal({ seed: seed + 2 }) }));
  model.add(tfl.layers.activation({ activation: "softmax", name: "probs" }));
  return model;
}

/** Trains with Adam on (images, labels); returns the final training accuracy. */
export async function fitSmall(model: tfl.LayersModel, set: ImageSet, labels: Int32Array, numClasses: number, epochs: number): Promise<number> {
  model.compile({ optimizer: tf.train.adam(0.003), loss: "categoricalCrossentropy", metrics: ["accuracy"] });
  const x = tf.tensor4d(set.images, [set.count, set.height, set.width, set.channels]);
  const y = tf.tidy(() => tf.oneHot(tf.tensor1d(labels, "int32"), numClasses));
  // tfjs shuffles with Math.random; callers pass shuffled data and the batch order stays fixed.
  const history = await model.fit(x, y, { epochs, batchSize: 64, shuffle: false, verbose: 0 });
  tf.dispose([x, y]);
  const acc = history.history["acc"] ?? history.history["accuracy"] ?? [];
  return Number(acc.at(-1) ?? Number.NaN);
}

/** Rows `indices` of an image set. */
export function pickImages(set: ImageSet, indices: ArrayLike<number>): ImageSet {
  const per = set.height * set.width * set.channels;
  const images = new Float32Array(indices.length * per);
  for (let i = 0; i < indices.length; i++) {
    const from = (indices[i] as number) * per;
    images.set(set.images.subarray(from, from + per), i * per);
  }
  return { images, count: indices.length, height: set.height, width: set.width, channels: set.channels };
}
