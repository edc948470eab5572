import * as tf from "@tensorflow/tfjs-core";
import * as tfl from "@tensorflow/tfjs-layers";
import { beforeAll, describe, expect, it } from "vitest";

import { DlError, activations, createRng, cuttableLayers, gradientsAtLayer, imageModel, initBackend } from "@dl/tensor-core";

import { directionalDerivatives, tcavMagnitudeScore, tcavScore } from "./sensitivity.js";

function smallModel(seed: number, softmaxDense = false): tfl.Sequential {
  const model = tfl.sequential();
  model.add(tfl.layers.dense({ inputShape: [4], units: 5, activation: "tanh", name: "dense1", kernelInitializer: tfl.initializers.glorotNormal({ seed }) }));
  model.add(tfl.layers.dense({ units: 6, activation: "tanh", name: "hidden", kernelInitializer: tfl.initializers.glorotNormal({ seed: seed + 1 }) }));
  if (softmaxDense) {
    model.add(tfl.layers.dense({ units: 3, activation: "softmax", name: "out", kernelInitializer: tfl.initializers.glorotNormal({ seed: seed + 2 }), biasInitializer: "ones" }));
  } else {
    model.add(tfl.layers.dense({ units: 3, name: "logits", kernelInitializer: tfl.initializers.glorotNormal({ seed: seed + 2 }), biasInitializer: "ones" }));
    model.add(tfl.layers.activation({ activation: "softmax", name: "probs" }));
  }
  return model;
}

beforeAll(async () => {
  await initBackend({ backend: "cpu" });
});

describe("scores", () => {
  it("sign count and magnitude variant follow their formulas", () => {
    const s = [2, -1, 0, 0.5, -0.5];
    expect(tcavScore(s)).toBeCloseTo(2 / 5, 12);
    // Σ max(S,0) / Σ |S| = 2.5 / 4.
    expect(tcavMagnitudeScore(s)).toBeCloseTo(2.5 / 4, 12);
    expect(tcavMagnitudeScore([0, 0])).toBe(0.5);
    expect(tcavMagnitudeScore([1, 3])).toBe(1);
  });

  it("directional derivatives are the matrix–vector product", () => {
    const gradients = { data: Float32Array.from([1, 2, 3, 4, 5, 6]), rows: 2, dim: 3 };
    expect(Array.from(directionalDerivatives(gradients, Float32Array.from([1, 0, -1])))).toEqual([-2, -2]);
    expect(() => directionalDerivatives(gradients, Float32Array.from([1, 0]))).toThrow(DlError);
  });
});

// TCAV's gradients come from tensor-core's one implementation (gradientsAtLayer); these suites guard it
// from TCAV's side with finite differences through the logits.
describe("gradients at a layer, as TCAV uses them", () => {
  it("reproduce the model's logits and match finite differences of logit_k in h_l", async () => {
    const model = smallModel(3);
    const handle = imageModel(model);
    const rng = createRng(1);
    const x = tf.tensor2d(Float32Array.from({ length: 8 * 4 }, () => rng.normal()), [8, 4]);
    const before = tf.memory().numTensors;
    expect(handle.numClasses).toBe(3);
    const [acts] = await activations(handle, x, ["dense1"]);
    const grads = await gradientsAtLayer(handle, x, "dense1", 2);
    const h1 = acts?.data ?? new Float32Array();
    expect(acts?.shape).toEqual([8, 5]);
    // Consistency: softmax(logits with h_l = h(x)) equals the model output.
    const viaLayer = tf.tidy(() => tf.softmax(handle.logitsWithLayer(x, "dense1", tf.tensor2d(h1, [8, 5]))).dataSync());
    const direct = tf.tidy(() => (model.predict(x) as tf.Tensor).dataSync());
    viaLayer.forEach((v, i) => expect(v).toBeCloseTo(direct[i] as number, 5));
    // Central differences of logit_2 in each coordinate of h.
    const h = 1e-2;
    const logitAt = (i: number, row: number[]): number =>
      tf.tidy(() => handle.logitsWithLayer(tf.slice(x, i, 1), "dense1", tf.tensor2d([row], [1, 5])).dataSync()[2] as number);
    for (let i = 0; i < 8; i++) {
      const row = Array.from(h1.subarray(i * 5, i * 5 + 5));
      for (let j = 0; j < 5; j++) {
        const plus = [...row];
        const minus = [...row];
        plus[j] = (plus[j] as number) + h;
        minus[j] = (minus[j] as number) - h;
        const fd = (logitAt(i, plus) - logitAt(i, minus)) / (2 * h);
        expect(grads.data[i * 5 + j]).toBeCloseTo(fd, 3);
      }
    }
    expect(tf.memory().numTensors).toBe(before);
    x.dispose();
  });

  it("differentiates the linear part of a final softmax Dense layer", async () => {
    const model = smallModel(5, true);
    const x = tf.randomNormal([4, 4], 0, 1, "float32", 7);
    const grads = await gradientsAtLayer(model, x, "hidden", 0);
    // logit_0 = h·W[:,0] + b_0, so its gradient is W[:,0] for every input.
    const kernel = (model.getLayer("out").getWeights()[0] as tf.Tensor).arraySync() as number[][];
    for (let i = 0; i < 4; i++) for (let j = 0; j < 6; j++) expect(grads.data[i * 6 + j]).toBeCloseTo(kernel[j]?.[0] as number, 5);
    x.dispose();
  });

  it("rejects layers without a gradient path, unknown layers, bad classes and shapes", async () => {
    const model = smallModel(2);
    expect(cuttableLayers(model)).toEqual(["dense1", "hidden"]);
    const x = tf.zeros([2, 4]);
    await expect(gradientsAtLayer(model, x, "probs", 0)).rejects.toThrow(expect.objectContaining({ code: "NO_GRADIENT_PATH" }) as Error);
    await expect(gradientsAtLayer(model, x, "nope", 0)).rejects.toThrow(/Close names:/);
    await expect(gradientsAtLayer(model, x, "hidden", 3)).rejects.toThrow(/classIndex must be an integer in 0…2/);
    const wrong = tf.zeros([2, 5]);
    await expect(activations(model, wrong, ["hidden"])).rejects.toThrow(expect.objectContaining({ code: "SHAPE_MISMATCH" }) as Error);
    tf.dispose([x, wrong]);
  });
});
