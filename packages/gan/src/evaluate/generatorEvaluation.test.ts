import * as tf from "@tensorflow/tfjs-core";
import * as tfl from "@tensorflow/tfjs-layers";
import { beforeAll, describe, expect, it } from "vitest";

import { createRng, initBackend, type ImageDataset } from "@dl/tensor-core";

import { createGeneratorScorer } from "./generatorEvaluation.js";
import { precisionRecall } from "./precisionRecall.js";

beforeAll(async () => {
  await initBackend({ backend: "wasm" });
});

/** 2×2 images → features = the 4 pixels (identity layer) → logits [x₀, x₁]: the class is whichever of the first two pixels is brighter. */
function pixelClassifier(): tfl.LayersModel {
  const model = tfl.sequential({
    layers: [
      tfl.layers.flatten({ inputShape: [2, 2, 1] }),
      tfl.layers.dense({ units: 4, name: "features" }),
      tfl.layers.dense({ units: 2, name: "logits" }),
    ],
  });
  const identity = tf.eye(4);
  const pick = tf.tensor2d([1, 0, 0, 1, 0, 0, 0, 0], [4, 2]);
  const zeros4 = tf.zeros([4]);
  const zeros2 = tf.zeros([2]);
  model.getLayer("features").setWeights([identity, zeros4]);
  model.getLayer("logits").setWeights([pick, zeros2]);
  tf.dispose([identity, pick, zeros4, zeros2]);
  return model;
}

/** 2n random 2×2 images; labels are the brighter of the first two pixels, except where `wrong(i)` flips them. */
function realImages(n: number, wrong: (i: number) => boolean, seed = 3): ImageDataset {
  const rng = createRng(seed);
  const images = Float32Array.from({ length: 2 * n * 4 }, () => rng.next());
  const labels = Int32Array.from({ length: 2 * n }, (_, i) => {
    const brighter = (images[4 * i] as number) >= (images[4 * i + 1] as number) ? 0 : 1;
    return wrong(i) ? 1 - brighter : brighter;
  });
  return { name: "toy", images, labels, count: 2 * n, height: 2, width: 2, channels: 1, classNames: ["left", "right"] };
}

describe("the real-data reference of the generator scores", () => {
  it("scores the second real half as if generated: accuracy by hand, precision/recall on the pixels themselves", async () => {
    const n = 60;
    const classifier = pixelClassifier();
    // Every 4th image of the second half carries the wrong label; the first half is labelled correctly.
    const real = realImages(n, (i) => i >= n && (i - n) % 4 === 0);
    const before = tf.memory().numTensors;
    const score = await createGeneratorScorer(classifier, real, n);
    const { realReference } = await score(real.images.slice(0, n * 4), real.labels.slice(0, n));
    expect(tf.memory().numTensors).toBe(before);

    // Per-label accuracy of the second half, averaged over the two labels, counted here from its labels.
    const hits = [0, 0];
    const totals = [0, 0];
    for (let i = n; i < 2 * n; i++) {
      const l = real.labels[i] as number;
      totals[l] = (totals[l] ?? 0) + 1;
      if ((i - n) % 4 !== 0) hits[l] = (hits[l] ?? 0) + 1;
    }
    const expected = ((hits[0] ?? 0) / (totals[0] ?? 1) + (hits[1] ?? 0) / (totals[1] ?? 1)) / 2;
    expect(realReference.labelAccuracy).toBeCloseTo(expected, 12);
    expect(realReference.labelAccuracy).toBeGreaterThan(0.7);
    expect(realReference.labelAccuracy).toBeLessThan(0.8);

    // The features are the pixels, so precision/recall of half B against half A come straight from them.
    const pr = precisionRecall(real.images.subarray(0, n * 4), real.images.subarray(n * 4, 2 * n * 4), 4, 3);
    expect(realReference.precision).toBeCloseTo(pr.precision, 6);
    expect(realReference.recall).toBeCloseTo(pr.recall, 6);
    classifier.dispose();
  });

  it("two identical halves: precision = recall = 1, Fréchet baseline 0", async () => {
    const n = 40;
    const classifier = pixelClassifier();
    const half = realImages(n / 2, () => false, 9);
    const twice: ImageDataset = { ...half, images: Float32Array.from([...half.images, ...half.images]), labels: Int32Array.from([...half.labels, ...half.labels]), count: 2 * half.count };
    const score = await createGeneratorScorer(classifier, twice, n);
    const e = await score(twice.images.slice(0, n * 4), twice.labels.slice(0, n));
    expect(e.realReference).toEqual({ labelAccuracy: 1, precision: 1, recall: 1 });
    expect(e.frechetRealBaseline).toBeLessThan(1e-6);
    classifier.dispose();
  });
});
