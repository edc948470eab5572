import * as tf from "@tensorflow/tfjs-core";
import { beforeAll, describe, expect, it } from "vitest";

import { createRng, initBackend } from "@dl/tensor-core";

import { classPrototypes, prototypesAsLinearClassifier, prototypicalLogits } from "./prototypes.js";

beforeAll(async () => {
  await initBackend({ backend: "wasm" });
});

const rng = createRng(4);
const support = Array.from({ length: 7 }, () => Array.from({ length: 5 }, () => rng.normal()));
const query = Array.from({ length: 4 }, () => Array.from({ length: 5 }, () => rng.normal()));
const labels = Int32Array.from([1, 0, 1, 2, 0, 1, 2]);

describe("prototypes", () => {
  it("are the class means", () => {
    const before = tf.memory().numTensors;
    const s = tf.tensor2d(support);
    const c = classPrototypes(s, labels, 3);
    const protos = c.arraySync();
    for (let k = 0; k < 3; k++) {
      const members = support.filter((_, i) => labels[i] === k);
      for (let j = 0; j < 5; j++) {
        const mean = members.reduce((t, row) => t + (row[j] as number), 0) / members.length;
        expect(protos[k]?.[j]).toBeCloseTo(mean, 5);
      }
    }
    tf.dispose([s, c]);
    expect(tf.memory().numTensors).toBe(before);
  });

  it("with squared euclidean distance equal a linear classifier", () => {
    const s = tf.tensor2d(support);
    const q = tf.tensor2d(query);
    const c = classPrototypes(s, labels, 3);
    const protoLogits = prototypicalLogits(q, c, "squared-euclidean");
    const { weights, bias } = prototypesAsLinearClassifier(c);
    const linearLogits = tf.add(tf.matMul(q, weights), bias);
    const diff = tf.sub(linearLogits, protoLogits).arraySync() as number[][];
    // The two differ by ‖q‖², the same for every class, so their softmaxes agree exactly.
    query.forEach((row, i) => {
      const norm2 = row.reduce((t, v) => t + v * v, 0);
      for (let k = 0; k < 3; k++) expect(diff[i]?.[k]).toBeCloseTo(norm2, 4);
    });
    const pa = tf.softmax(protoLogits).arraySync();
    const pb = tf.softmax(linearLogits).arraySync() as number[][];
    pa.forEach((row, i) => row.forEach((v, k) => expect(v).toBeCloseTo(pb[i]?.[k] ?? Number.NaN, 5)));
    tf.dispose([s, q, c, protoLogits, weights, bias, linearLogits]);
  });
});
