import { beforeAll, describe, expect, it } from "vitest";

import { DlError, initBackend } from "@dl/tensor-core";

import { gaussianClasses } from "../test-utils/synthetic.js";
import { l2NormaliseBlocks } from "../pretrain/cl2n.js";
import * as tf from "@tensorflow/tfjs-core";
import { FEW_SHOT_METHODS, centreOnSupport, evaluateFewShot, parseFewShotMethod } from "./evaluate.js";

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

describe("evaluateFewShot: the transductive classifier", () => {
  it("beats one-shot prototypes when single supports are noisy but the 15 queries per class reveal the clusters", async () => {
    // 5 classes, centres 3 apart on orthogonal axes of R^20, isotropic noise σ = 1.2: one support row
    // is a poor prototype (its noise adds 20·1.44 to the squared distance), the mean of many queries is not.
    const features = gaussianClasses({ classes: 5, perClass: 40, dim: 20, mean: (c, d) => (d === c ? 3 : 0), sigma: () => 1.2, seed: 21 });
    const before = tf.memory().numTensors;
    const result = await evaluateFewShot(features, { ways: 5, shots: 1, queries: 15, episodes: 40, seed: 2, temperature: 0.2 });
    expect(tf.memory().numTensors).toBe(before);
    expect(result.episodeAccuracies.transductive).toHaveLength(40);
    // Paired over the same 40 episodes (3,000 queries). Measured: prototypes 0.516, transductive 0.710
    // (0.69 at T = 0.05, 0.57 at T = 1, where the soft assignments are nearly uniform).
    expect(result.transductive.mean - result.proto.mean).toBeGreaterThan(0.1);
    expect(result.transductive.mean).toBeGreaterThan(0.65);
  });
});

describe("evaluateFewShot: the Mahalanobis classifier", () => {
  it("beats prototypes at 5 shots when every class varies along directions that do not separate the classes", async () => {
    // 5 classes in R^12, means 1 apart on axes 0–4; shared noise σ = 1.5 on axes 5–11 and σ = 0.3 on axes 0–4.
    // Euclidean prototypes drown in the 7 noisy axes; the support set's covariance finds and discounts them.
    const features = gaussianClasses({ classes: 5, perClass: 40, dim: 12, mean: (c, d) => (d === c ? 1 : 0), sigma: (d) => (d < 5 ? 0.3 : 1.5), seed: 4 });
    const before = tf.memory().numTensors;
    const result = await evaluateFewShot(features, { ways: 5, shots: 5, queries: 15, episodes: 40, seed: 6, mahalanobisShrinkage: 0.01 });
    expect(tf.memory().numTensors).toBe(before);
    expect(result.episodeAccuracies.mahalanobis).toHaveLength(40);
    // Paired over the same 40 episodes (3,000 queries). Measured: prototypes 0.319, Mahalanobis 0.586
    // (0.47 at shrinkage 0.1, 0.36 at 1, 0.32 at 40 — large shrinkage is the prototypical classifier).
    expect(result.mahalanobis.mean - result.proto.mean).toBeGreaterThan(0.15);
  });

  it("rejects a non-positive shrinkage before sampling any episode", async () => {
    const features = { data: new Float32Array(20), dim: 2, count: 10, labels: Int32Array.from({ length: 10 }, (_, i) => i % 2) };
    await expect(evaluateFewShot(features, { ways: 2, shots: 1, queries: 1, episodes: 1, mahalanobisShrinkage: -1 })).rejects.toThrow(/mahalanobisShrinkage must be a finite number > 0, got -1/);
  });
});

describe("evaluateFewShot: the logistic regression on the shots' views", () => {
  it("with each shot as its only view and a large penalty is the nearest shot on unit rows (W_c ∝ x_c − x̄), episode by episode", async () => {
    const raw = gaussianClasses({ classes: 5, perClass: 30, dim: 16, mean: (c, d) => (d === c ? 1 : 0), sigma: () => 0.8, seed: 8 });
    const features = l2NormaliseBlocks(raw, [raw.dim]);
    const result = await evaluateFewShot(features, { ways: 5, shots: 1, queries: 10, episodes: 30, seed: 3, supportViews: [features], logistic: { penalty: 1e6, iterations: 50 } });
    expect(result.episodeAccuracies.logistic).toEqual(result.episodeAccuracies.proto);
    expect(result.logistic?.mean).toBeCloseTo(result.proto.mean, 12);
  });

  it("gains over the nearest shot when each shot's views spread along a direction that does not separate the classes", async () => {
    // Classes 1 apart on axes 0–4; every image varies by ±2 along axis 5 (a nuisance such as position). The views,
    // image ± 2 on axis 5, show the regression that axis 5 carries no label; the nearest single shot cannot know it.
    const raw = gaussianClasses({ classes: 5, perClass: 30, dim: 6, mean: (c, d) => (d === c ? 1 : 0), sigma: (d) => (d < 5 ? 0.25 : 2), seed: 5 });
    const shifted = (by: number): typeof raw => ({ ...raw, data: Float32Array.from(raw.data, (x, i) => (i % 6 === 5 ? x + by : x)) });
    const before = tf.memory().numTensors;
    const result = await evaluateFewShot(raw, { ways: 5, shots: 1, queries: 15, episodes: 40, seed: 2, supportViews: [raw, shifted(-2), shifted(2)] });
    expect(tf.memory().numTensors).toBe(before);
    expect(result.episodeAccuracies.logistic).toHaveLength(40);
    expect((result.logistic?.mean ?? 0) - result.proto.mean).toBeGreaterThan(0.1);
  });

  it("is absent without views, and refuses views of another shape", async () => {
    const features = gaussianClasses({ classes: 2, perClass: 4, dim: 3, mean: (c, d) => (d === c ? 1 : 0), sigma: () => 1, seed: 1 });
    expect((await evaluateFewShot(features, { ways: 2, shots: 1, queries: 1, episodes: 2 })).logistic).toBeUndefined();
    await expect(evaluateFewShot(features, { ways: 2, shots: 1, queries: 1, episodes: 2, supportViews: [{ ...features, dim: 2 }] })).rejects.toThrow(/Each view needs 8 rows of 3 features/);
  });
});

describe("evaluateFewShot: choosing the classifiers", () => {
  it("runs only the named ones, on the same episodes, with the same per-episode accuracies as the full evaluation", async () => {
    const features = gaussianClasses({ classes: 5, perClass: 30, dim: 8, mean: (c, d) => (d === c ? 1 : 0), sigma: () => 0.9, seed: 3 });
    const options = { ways: 5, shots: 2, queries: 5, episodes: 25, seed: 4, temperature: 0.5 };
    const all = await evaluateFewShot(features, options);
    const before = tf.memory().numTensors;
    const some = await evaluateFewShot(features, { ...options, classifiers: ["transductive", "proto"] });
    expect(tf.memory().numTensors).toBe(before);
    expect(Object.keys(some.episodeAccuracies).sort()).toEqual(["proto", "transductive"]);
    expect(some.episodeAccuracies.proto).toEqual(all.episodeAccuracies.proto);
    expect(some.episodeAccuracies.transductive).toEqual(all.episodeAccuracies.transductive);
    expect(some.proto).toEqual(all.proto);
    expect("mahalanobis" in some || "matching" in some || "knn" in some).toBe(false);
    // Not a constant: at 2 shots with σ = 0.9 prototypes miss some queries, and the transductive classifier differs.
    expect(all.proto.mean).toBeGreaterThan(0.3);
    expect(all.proto.mean).toBeLessThan(1);
  });

  it("refuses an empty list or an unknown name with one line naming the valid ones", async () => {
    const features = gaussianClasses({ classes: 2, perClass: 4, dim: 3, mean: (c, d) => (d === c ? 1 : 0), sigma: () => 1, seed: 1 });
    const options = { ways: 2, shots: 1, queries: 1, episodes: 2 };
    await expect(evaluateFewShot(features, { ...options, classifiers: [] })).rejects.toThrow("classifiers must name at least one of matching, proto, knn, mahalanobis or transductive.");
    await expect(evaluateFewShot(features, { ...options, classifiers: ["prototypes" as "proto"] })).rejects.toThrow(/^Unknown classifier "prototypes"; valid: matching, proto, knn, mahalanobis or transductive\.$/);
  });
});

describe("parseFewShotMethod", () => {
  it("accepts each method name and refuses others with one INVALID_ARGUMENT line", () => {
    expect(FEW_SHOT_METHODS.map((name) => parseFewShotMethod(name))).toEqual(["matching", "proto", "knn"]);
    for (const value of ["prototypical", "Matching", "", "constructor"]) {
      const call = (): unknown => parseFewShotMethod(value);
      expect(call).toThrow(DlError);
      expect(call).toThrow(`Unknown few-shot method "${value}"; valid: matching, proto or knn.`);
    }
  });
});
