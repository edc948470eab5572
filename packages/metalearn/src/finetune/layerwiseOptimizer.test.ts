import * as tfl from "@tensorflow/tfjs-layers";
import { beforeAll, describe, expect, it } from "vitest";

import { initBackend, isDlError } from "@dl/tensor-core";

import * as tf from "@tensorflow/tfjs-core";
import { LayerwiseOptimizer, discriminativeLearningRates, gradualUnfreezingStage, layerGroupsOf } from "./layerwiseOptimizer.js";

beforeAll(async () => {
  await initBackend({ backend: "wasm" });
});

function smallModel(): tfl.LayersModel {
  const m = tfl.sequential();
  m.add(tfl.layers.dense({ inputShape: [3], units: 4, activation: "tanh", name: "d1", kernelInitializer: tfl.initializers.glorotUniform({ seed: 1 }), biasInitializer: "ones" }));
  m.add(tfl.layers.dense({ units: 4, activation: "tanh", name: "d2", kernelInitializer: tfl.initializers.glorotUniform({ seed: 2 }), biasInitializer: "ones" }));
  m.add(tfl.layers.dense({ units: 2, name: "d3", kernelInitializer: tfl.initializers.glorotUniform({ seed: 3 }), biasInitializer: "ones" }));
  return m;
}

describe("discriminativeLearningRates / gradualUnfreezingStage", () => {
  it("divide the rate by the decay per layer downward and unfreeze from the top", () => {
    const rates = discriminativeLearningRates(3, 0.01, 2.6);
    expect(rates[2]).toBeCloseTo(0.01, 12);
    expect(rates[1]).toBeCloseTo(0.01 / 2.6, 12);
    expect(rates[0]).toBeCloseTo(0.01 / 2.6 ** 2, 12);
    expect(gradualUnfreezingStage(4, 0)).toEqual([3]);
    expect(gradualUnfreezingStage(4, 2)).toEqual([1, 2, 3]);
    expect(gradualUnfreezingStage(4, 9)).toEqual([0, 1, 2, 3]);
  });
});

describe("LayerwiseOptimizer", () => {
  const x = [[0.5, -1, 2], [1, 0.3, -0.2]];
  const y = [[1, 0], [0, 1]];
  const loss = (m: tfl.LayersModel) => (): tf.Scalar => tf.mean(tf.square(tf.sub(m.apply(tf.tensor2d(x)) as tf.Tensor, tf.tensor2d(y))));

  it("one SGD step changes each layer by exactly −lr_l · grad and leaves frozen layers unchanged", () => {
    const model = smallModel();
    const groups = layerGroupsOf(model);
    expect(groups.map((g) => g.name)).toEqual(["d1", "d2", "d3"]);
    const rates = discriminativeLearningRates(3, 0.1, 2.6);
    const opt = new LayerwiseOptimizer(groups, { learningRates: rates });
    opt.freeze("d2");
    const before = groups.map((g) => g.variables.map((v) => v.arraySync()));
    const grads = tf.tidy(() => {
      const { grads: g } = tf.variableGrads(loss(model), groups.flatMap((gr) => gr.variables));
      return Object.fromEntries(Object.entries(g).map(([k, v]) => [k, v.arraySync()]));
    });
    const start = tf.memory().numTensors;
    opt.minimize(loss(model));
    expect(tf.memory().numTensors).toBe(start);
    groups.forEach((g, gi) => {
      g.variables.forEach((v, vi) => {
        const after = (v.arraySync() as number[] | number[][]).flat();
        const was = (before[gi]?.[vi] as number[] | number[][]).flat();
        const grad = (grads[v.name] as number[] | number[][]).flat();
        after.forEach((a, j) => {
          const expected = g.name === "d2" ? (was[j] as number) : (was[j] as number) - (rates[gi] as number) * (grad[j] as number);
          expect(a).toBeCloseTo(expected, 6);
        });
        if (g.name !== "d2") expect(grad.some((gv) => Math.abs(gv) > 1e-4)).toBe(true);
      });
    });
    opt.dispose();
    model.dispose();
  });

  it("unfreezes, sets a trainable stage and rejects unknown groups or wrong rate counts", () => {
    const model = smallModel();
    const groups = layerGroupsOf(model);
    const opt = new LayerwiseOptimizer(groups, { learningRates: [0.1, 0.1, 0.1] });
    opt.setTrainable(gradualUnfreezingStage(3, 0));
    expect(groups.map((g) => opt.isFrozen(g.name))).toEqual([true, true, false]);
    opt.unfreeze("d1");
    expect(opt.trainableVariables().length).toBe(4);
    let caught: unknown;
    try {
      opt.freeze("nope");
    } catch (e) {
      caught = e;
    }
    expect(isDlError(caught, "UNKNOWN_LAYER")).toBe(true);
    expect(() => new LayerwiseOptimizer(groups, { learningRates: [0.1] })).toThrow(/one per group/);
    opt.dispose();
    model.dispose();
  });
});
