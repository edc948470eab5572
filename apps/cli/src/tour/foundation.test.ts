import * as tf from "@tensorflow/tfjs-core";
import * as tfl from "@tensorflow/tfjs-layers";
import { beforeAll, describe, expect, it } from "vitest";

import { backendInfo, initBackend, type ImageDataset } from "@dl/tensor-core";

import type { TourContext } from "./context.js";
import { foundationTourSection, skipReason } from "./foundation.js";

beforeAll(async () => {
  await initBackend({ backend: "cpu" });
});

/** n images of 4×4 whose labels cycle 0..2. */
function tinyDataset(n: number): ImageDataset {
  return {
    name: "tiny/test",
    images: Float32Array.from({ length: n * 16 }, (_, i) => (i % 7) / 7),
    labels: Int32Array.from({ length: n }, (_, i) => i % 3),
    count: n,
    height: 4,
    width: 4,
    channels: 1,
    classNames: ["zero", "one", "two"],
  };
}

/** A model that always predicts class 2: zero weights, bias favouring the last logit. */
function constantModel(): tfl.LayersModel {
  const model = tfl.sequential({
    layers: [
      tfl.layers.flatten({ inputShape: [4, 4, 1], name: "flatten" }),
      tfl.layers.dense({ units: 3, name: "logits", kernelInitializer: "zeros", biasInitializer: "zeros" }),
      tfl.layers.activation({ activation: "softmax", name: "probs" }),
    ],
  });
  const logits = model.getLayer("logits");
  const [kernel] = logits.getWeights();
  logits.setWeights([kernel!, tf.tensor1d([0, 0, 5])]);
  return model;
}

describe("foundationTourSection", () => {
  it("reports accuracy, the confusion matrix and the mistakes of the model's predictions", async () => {
    const test = tinyDataset(30);
    const model = constantModel();
    const before = tf.memory().numTensors;
    const events: string[] = [];
    const ctx: TourContext = { model, dataset: { train: tinyDataset(12), test }, seed: 7, quick: true, onProgress: (e) => events.push(e.phase) };
    const [section] = await foundationTourSection(ctx, {
      data: "tiny",
      arch: "mlp",
      backend: backendInfo(),
      testAccuracy: 1 / 3,
      trainSeconds: 1.5,
      cached: true,
      modelDir: "/nowhere",
      history: [
        { epoch: 1, loss: 1, accuracy: 0.3, testAccuracy: 0.3, seconds: 1 },
        { epoch: 2, loss: 0.8, accuracy: 0.33, testAccuracy: 1 / 3, seconds: 1.5 },
      ],
    });
    expect(tf.memory().numTensors).toBe(before);
    expect(events).toContain("predict");
    expect(section?.id).toBe("foundation");
    // Every prediction is class 2, and a third of the labels are 2.
    expect(section?.metrics?.["test accuracy"]).toBeCloseTo(1 / 3, 12);
    expect(section?.metrics?.["test images"]).toBe(30);
    expect(section?.metrics?.["parameters"]).toBe(16 * 3 + 3);
    const perClass = section?.tables?.[0]?.rows;
    expect(perClass).toEqual([
      ["zero", 10, 0],
      ["one", 10, 0],
      ["two", 10, 1],
    ]);
    // The grid holds all 30 images (stratified); 20 of them are misclassified as "two".
    const mistakes = section?.tables?.[1]?.rows ?? [];
    expect(mistakes).toHaveLength(20);
    for (const row of mistakes) expect(row[2]).toBe("two");
    const figureIds = section?.figures?.map((f) => f.id);
    expect(figureIds).toEqual(["training-curve", "predictions", "confusion"]);
    const predictions = section?.figures?.find((f) => f.id === "predictions")?.svg ?? "";
    expect(predictions.match(/<image /g)).toHaveLength(30);
    expect(predictions.match(/fill="#d62728">two \(true (zero|one)\)</g)).toHaveLength(20);
    expect(predictions.match(/fill="#2ca02c">two</g)).toHaveLength(10);
    const confusion = section?.figures?.find((f) => f.id === "confusion")?.svg ?? "";
    // Column "2" holds all counts: three cells of 10, six cells of 0.
    const cells = [...confusion.matchAll(/font-size="9" fill="[^"]+">(\d+)<\/text>/g)].map((m) => Number(m[1]));
    expect(cells).toEqual([0, 0, 10, 0, 0, 10, 0, 0, 10]);
    model.dispose();
  });
});

describe("skipReason", () => {
  it("says a missing tfjs-node is not installed (optional) and how to install it, instead of printing the import error", () => {
    const reason = "tfjs-node not installed: Cannot find package '@tensorflow/tfjs-node' imported from /work/packages/tensor-core/dist/backend/node.js";
    const said = skipReason({ name: "tfjs-node", reason }, "4.22.0");
    expect(said).toMatch(/^not installed \(optional; wasm runs instead\)\. To use it: npm install @tensorflow\/tfjs-node@4\.22\.0 /);
    expect(said).not.toContain("Cannot find");
    // A package that is there but whose addon is missing or broken is a failure, with its own words.
    const broken = "tfjs-node not installed: Cannot find module '/x/node_modules/@tensorflow/tfjs-node/lib/napi-v8/tfjs_binding.node'";
    expect(skipReason({ name: "tfjs-node", reason: broken }, "4.22.0")).toBe(
      "installed but its native addon failed to load: Cannot find module '/x/node_modules/@tensorflow/tfjs-node/lib/napi-v8/tfjs_binding.node' — rebuild it (npm rebuild @tensorflow/tfjs-node) or uninstall it; wasm runs meanwhile",
    );
    expect(skipReason({ name: "tfjs-node", reason: "tfjs-node failed to load its native addon: libtensorflow.so.2: cannot open shared object file" }, "4.22.0")).toMatch(
      /^installed but its native addon failed to load: libtensorflow\.so\.2: cannot open shared object file — /,
    );
    // Other backends keep their own words.
    expect(skipReason({ name: "wasm" }, "4.22.0")).toBe("failed");
  });
});
