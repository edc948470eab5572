import { beforeAll, describe, expect, it } from "vitest";

import { initBackend } from "@dl/tensor-core";

import { tf } from "../tf.js";
import { centreOnSupport } from "./evaluate.js";

beforeAll(async () => {
  await initBackend({ backend: "wasm" });
});

describe("centreOnSupport", () => {
  it("subtracts the support mean and scales each row to unit length (hand computation), without leaking tensors", () => {
    const before = tf.memory().numTensors;
    const support = tf.tensor2d([[1, 2], [3, 2]]); // mean (2, 2)
    const query = tf.tensor2d([[2, 5], [2, 2]]);
    const out = centreOnSupport(support, query);
    // (−1, 0), (1, 0) → unit; query (0, 3) → (0, 1); a query equal to the mean stays 0.
    expect(Array.from(out.support.dataSync())).toEqual([-1, 0, 1, 0]);
    const q = Array.from(out.query.dataSync());
    expect(q[0]).toBeCloseTo(0, 6);
    expect(q[1]).toBeCloseTo(1, 6);
    expect(q[2]).toBeCloseTo(0, 6);
    expect(q[3]).toBeCloseTo(0, 6);
    tf.dispose([support, query, out.support, out.query]);
    expect(tf.memory().numTensors).toBe(before);
  });
});
