import * as tf from "@tensorflow/tfjs-core";
import { beforeAll, describe, expect, it } from "vitest";

import "../backend/candidates.js";
import { initBackend } from "../backend/registry.js";
import { createRng } from "../random/rng.js";
import { THIRD_PARTY_INPUT, thirdPartyModel } from "./fixtures.js";
import { imageModel } from "./imageModel.js";
import { predictionsSection, topPredictions } from "./predictions.js";

beforeAll(async () => {
  await initBackend({ backend: "cpu" });
});

describe("topPredictions", () => {
  it("ranks the softmax of the logits, names classes, and leaves no tensors", async () => {
    const model = imageModel(thirdPartyModel(3), { classNames: ["a", "b", "c", "d"] });
    const rng = createRng(2);
    const x = tf.tensor4d(Float32Array.from({ length: 3 * 20 * 16 * 3 }, () => rng.next()), [3, ...THIRD_PARTY_INPUT]);
    const before = tf.memory().numTensors;
    const top = await topPredictions(model, x, { k: 3 });
    expect(tf.memory().numTensors).toBe(before);
    const probs = tf.tidy(() => (model.model as { predict(t: tf.Tensor): tf.Tensor }).predict(x).arraySync() as number[][]);
    expect(top).toHaveLength(3);
    top.forEach((row, n) => {
      const expected = (probs[n] ?? []).map((p, k) => ({ k, p })).sort((a, b) => b.p - a.p).slice(0, 3);
      expect(row.map((r) => r.index)).toEqual(expected.map((e) => e.k));
      row.forEach((r, i) => {
        expect(r.probability).toBeCloseTo(expected[i]?.p ?? NaN, 5);
        expect(r.label).toBe(["a", "b", "c", "d"][r.index]);
      });
    });
    const section = predictionsSection({ name: "x", images: x.dataSync<"float32">(), labels: new Int32Array(3), count: 3, height: 20, width: 16, channels: 3, classNames: ["x"] }, top, { files: ["p.png", "q.png", "r.png"] });
    expect(section.tables?.[0]?.rows[1]).toEqual([2, "q.png", ...(top[1] ?? []).map((q) => `${q.label} (${q.probability.toFixed(3)})`)]);
    x.dispose();
  });
});
