// Calibration: concepts made of random images must come out significant at a rate ≤ α.
import * as tf from "@tensorflow/tfjs-core";
import { beforeAll, describe, expect, it } from "vitest";

import { type LayerActivations, activations, createRng, gradientsAtLayer, initBackend, loadDataset } from "@dl/tensor-core";

import type { ActivationMatrix } from "./cav.js";
import { binomialUpperMargin } from "./stats.js";
import { type LayerData, tcavFromLayerData } from "./tcav.js";
import { fitSmall, pickImages, smallMlp } from "./testing.js";

const ALPHA = 0.05;
const TRIALS = 200;
const TARGET = 3;
const LAYERS = ["dense1", "dense2"];

const layerData: LayerData[] = [];

beforeAll(async () => {
  await initBackend({ backend: "wasm" });
  const all = await loadDataset("mnist", { split: "train" });
  const test = await loadDataset("mnist", { split: "test" });
  const order = createRng(1).permutation(all.count);
  const train = pickImages(all, order.subarray(0, 3000));
  const model = smallMlp(10, 5);
  const accuracy = await fitSmall(model, train, Int32Array.from(order.subarray(0, 3000), (i) => all.labels[i] as number), 10, 3);
  expect(accuracy).toBeGreaterThan(0.85);
  // Random images: 3000 unseen training images of every class. Each trial draws its random concept
  // and its pool afresh from them, so under H0 the concept is exchangeable with the null concepts.
  const randomImages = pickImages(all, order.subarray(3000, 6000));
  const targetIdx = Array.from(test.labels.keys()).filter((i) => test.labels[i] === TARGET).slice(0, 100);
  const targets = pickImages(test, targetIdx);
  const x = tf.tensor4d(randomImages.images, [randomImages.count, 28, 28, 1]);
  const xt = tf.tensor4d(targets.images, [targets.count, 28, 28, 1]);
  for (const layer of LAYERS) {
    const [acts] = await activations(model, x, [layer], { spatial: "flatten" });
    const grads = await gradientsAtLayer(model, xt, layer, TARGET, { spatial: "flatten" });
    const matrix = (a: LayerActivations): ActivationMatrix => ({ data: a.data, rows: a.shape[0] ?? 0, dim: a.data.length / (a.shape[0] ?? 1) });
    layerData.push({ layer, activations: matrix(acts as LayerActivations), gradients: matrix(grads) });
  }
  tf.dispose([x, xt]);
}, 240_000);

describe("calibration of TCAV's tests on random concepts", () => {
  it(`calls random concepts significant at a rate ≤ ${ALPHA} (randomization test, ${TRIALS} trials per layer)`, () => {
    const rejections = new Map<string, { randomization: number; paper: number; welch: number }>(LAYERS.map((l) => [l, { randomization: 0, paper: 0, welch: 0 }]));
    const rng = createRng(9);
    for (let t = 0; t < TRIALS; t++) {
      const shuffled = rng.permutation(3000);
      const rows = tcavFromLayerData(layerData, [{ name: "random", rows: shuffled.subarray(0, 30) }], shuffled.subarray(30, 2030), TARGET, {
        randomRuns: 5,
        nullDraws: 50,
        setSize: 30,
        correction: "none",
        alpha: ALPHA,
        seed: 1000 + t,
      });
      for (const r of rows) {
        const counts = rejections.get(r.layer);
        if (counts === undefined) continue;
        if (r.pValues.randomization <= ALPHA) counts.randomization++;
        if (r.pValues.paper <= ALPHA) counts.paper++;
        if (r.pValues.welch <= ALPHA) counts.welch++;
      }
    }
    // Figures for the report: false-positive rate of each test per layer.
    process.stderr.write(`TCAV calibration (α=${ALPHA}, ${TRIALS} random concepts): ${JSON.stringify(Object.fromEntries([...rejections].map(([l, c]) => [l, { randomization: c.randomization / TRIALS, paper: c.paper / TRIALS, welch: c.welch / TRIALS }])))}\n`);
    const margin = binomialUpperMargin(TRIALS, ALPHA, 0.99);
    for (const [, counts] of rejections) expect(counts.randomization).toBeLessThanOrEqual(margin);
  }, 600_000);
});
